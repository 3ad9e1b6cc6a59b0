"""The mutation harness's printed summary: clean findings, detection by kind, family and role, misses."""

from __future__ import annotations

from collections import Counter, defaultdict

from evals.quality.mutation.harness import SEVERITIES, MutationResult, Perturbation

__all__ = ["format_result"]

def _pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100 * n / d:.1f}%" if d else f"{n}/0"


def _split(ps: list[Perturbation]) -> str:
    sev = Counter(p.severity for p in ps if p.detected)
    return ", ".join(f"{name} {sev[name]}" for name in SEVERITIES)


def format_result(result: MutationResult, top: int = 40) -> str:
    lines: list[str] = []
    clean = result.clean_findings
    sev = Counter(f.severity for f in clean)
    lines.append(f"clean reports: {len(result.reports)}; findings on them: {len(clean)} "
                 f"(error {sev['error']}, warning {sev['warning']}, info {sev['info']})")
    by_rule = Counter((f.severity, f.rule) for f in clean)
    for (severity, rule), n in sorted(by_rule.items()):
        example = next(f for f in clean if f.rule == rule and f.severity == severity)
        lines.append(f"  {severity:7} {rule:34} {n:4}  e.g. {example.message[:90]}")
    perturbations = result.perturbations
    detectable = result.detectable
    tolerant = [p for p in perturbations if p.within_tolerance]
    lines.append("")
    lines.append(f"perturbations of constrained figures: {len(perturbations)} "
                 f"({len(detectable)} detectable, {len(tolerant)} within tolerance)")
    by_reading = [p for p in tolerant if not p.literal_tolerance]
    lines.append(f"  of the within-tolerance ones, {len(by_reading)} only under a reading the report allows "
                 f"(balances unstated; 全年预算数 = 年初预算), detected anyway: {sum(p.detected for p in by_reading)}")
    lines.append(f"  detected, all perturbations (new finding of any severity at the span): "
                 f"{_pct(result.detected, len(perturbations))}  [{_split(perturbations)}]")
    lines.append(f"  detected, detectable perturbations:                                   "
                 f"{_pct(sum(p.detected for p in detectable), len(detectable))}  [{_split(detectable)}]")
    lines.append(f"  flagged (error/warning at the span), detectable:                      "
                 f"{_pct(sum(p.flagged for p in detectable), len(detectable))}")
    lines.append(f"  flagged (error/warning at the span), all:                             "
                 f"{_pct(result.flagged, len(perturbations))}")
    lines.append(f"  detected or any new error finding, all:                               "
                 f"{_pct(result.detected_any_error, len(perturbations))}")
    lines.append(f"  within tolerance yet reported at the span:                            "
                 f"{_pct(sum(p.detected for p in tolerant), len(tolerant))}  [{_split(tolerant)}]")
    for (metric, rules), n in Counter((p.metric, ", ".join(p.rules)) for p in tolerant if p.detected).most_common(8):
        lines.append(f"    {n:4}  {metric}: {rules}")
    unconstrained = result.unconstrained
    lines.append(f"unconstrained figures (no relation; not perturbed): {len(unconstrained)}")
    for (metric, role), n in Counter(unconstrained).most_common(12):
        lines.append(f"    {n:4}  {metric} ({role})")
    lines.append(f"weakly constrained figures (only inequalities such as 人次 ≥ 批次; not perturbed): {len(result.weak)}")
    for (metric, role), n in Counter(result.weak).most_common(8):
        lines.append(f"    {n:4}  {metric} ({role})")
    for title, key in (("by kind", lambda p: p.kind), ("by relation family", lambda p: p.families),
                       ("by role", lambda p: p.role)):
        lines.append("")
        lines.append(f"detection {title} (detectable | all):")
        groups: dict[str, list[Perturbation]] = defaultdict(list)
        for p in perturbations:
            groups[key(p)].append(p)
        for name, ps in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            det = [p for p in ps if not p.within_tolerance]
            lines.append(f"  {name:28} {_pct(sum(p.detected for p in det), len(det)):22} | "
                         f"{_pct(sum(p.detected for p in ps), len(ps))}")
    misses = [p for p in detectable if not p.detected]
    lines.append("")
    lines.append(f"misses of detectable perturbations: {len(misses)}")
    lines.append("  by family and kind:")
    for (fam, kind), n in sorted(Counter((p.families, p.kind) for p in misses).items(), key=lambda kv: -kv[1]):
        lines.append(f"    {n:4}  {fam} / {kind}")
    lines.append(f"  by metric/role (top {top}):")
    for (metric, role, fam), n in Counter((p.metric, p.role, p.families) for p in misses).most_common(top):
        total = sum(1 for p in detectable if (p.metric, p.role, p.families) == (metric, role, fam))
        example = next(p for p in misses if (p.metric, p.role, p.families) == (metric, role, fam))
        lines.append(f"  {n:4}/{total:<4} {metric} ({role}; {fam})  e.g. seed {example.report_seed} "
                     f"{example.fact} {example.kind} {example.before}→{example.after}")
    seconds = sum(r.seconds for r in result.reports)
    lines.append("")
    lines.append(f"time: {seconds:.1f} s of work ({len(perturbations) + len(result.reports)} parse+check runs)")
    return "\n".join(lines)
