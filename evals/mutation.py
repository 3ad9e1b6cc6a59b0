"""Mutation testing of the rule suite on clean synthetic reports.

Clean reports come from `evals.synthetic.generate` (consistent within display rounding; the
bundled sample is not used: it has real errors). For each report:

1. the clean report is parsed and checked: every finding on it is a false alarm, and an
   *error* finding is the worst kind (target: zero);
2. each stated figure that takes part in some relation (a sum, a share, a change, a
   completion rate, a count, a performance table, a repetition) is perturbed in turn by
   editing its printed digits in the text — ±1 in the last digit ('last'), ±1 in the
   next-to-last digit ('tens'), two adjacent digits swapped ('swap'), decimal point moved
   ('x10') — and the perturbed report is parsed and checked again;
3. a perturbation is *detected* when a new finding of severity error or warning has evidence
   overlapping the perturbed span; 'any new error' (a new error finding anywhere) is counted
   too, for rules that cannot point at the figure.

Figures no relation constrains cannot be caught by any rule; they are not perturbed but
counted and listed as 'unconstrained'. Figures bound only by inequalities (人次 ≥ 批次, 小微企业
≤ 中小企业) are listed apart as 'weakly constrained': most changes keep an inequality true.

    python -m evals.mutation [--reports 20] [--seed 1] [--per-report N] [--all-kinds] [--jobs 2]

A 'last' change of an amount printed with two decimals (±0.01 万元) is often inside the
rounding slack of the relation it takes part in (a sum of n parts tolerates n+1 half-cents):
no interval rule can see it, so detection is also given per kind.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from evals.check import run_rules
from evals.findings import Finding
from evals.synthetic import Fact, generate, parse_text, perturb_number

KINDS = ("last", "tens", "swap", "x10")
FLAGGING = ("error", "warning")


@dataclass
class Perturbation:
    report_seed: int
    fact: str
    metric: str
    role: str
    families: str  # relation families the figure takes part in, e.g. "shares+sums"
    kind: str
    before: str
    after: str
    detected: bool  # a new error/warning finding at the perturbed span
    any_new_error: bool  # a new error finding anywhere
    rules: list[str] = field(default_factory=list)  # rules of the new findings at the span


@dataclass
class ReportOutcome:
    seed: int
    clean_findings: list[Finding]
    perturbations: list[Perturbation]
    unconstrained: list[tuple[str, str]]  # (metric, role) of figures no relation constrains
    weak: list[tuple[str, str]]  # (metric, role) of figures bound only by inequalities
    seconds: float


@dataclass
class MutationResult:
    reports: list[ReportOutcome]

    @property
    def perturbations(self) -> list[Perturbation]:
        return [p for r in self.reports for p in r.perturbations]

    @property
    def clean_findings(self) -> list[Finding]:
        return [f for r in self.reports for f in r.clean_findings]

    @property
    def clean_errors(self) -> int:
        return sum(1 for f in self.clean_findings if f.severity == "error")

    @property
    def clean_warnings(self) -> int:
        return sum(1 for f in self.clean_findings if f.severity == "warning")

    @property
    def detected(self) -> int:
        return sum(1 for p in self.perturbations if p.detected)

    @property
    def detected_any_error(self) -> int:
        return sum(1 for p in self.perturbations if p.detected or p.any_new_error)

    @property
    def detection_rate(self) -> float:
        total = len(self.perturbations)
        return self.detected / total if total else 0.0

    @property
    def unconstrained(self) -> list[tuple[str, str]]:
        return [u for r in self.reports for u in r.unconstrained]

    @property
    def weak(self) -> list[tuple[str, str]]:
        return [u for r in self.reports for u in r.weak]


def _general_metric(fact: Fact) -> str:
    """The metric without its project name, so that misses group across reports."""
    metric = fact.metric
    if fact.subject and metric.startswith(fact.subject + " "):
        metric = "<项目> " + metric[len(fact.subject) + 1:]
    return metric


def _finding_keys(findings: list[Finding], start: int, end: int, delta: int) -> set[tuple]:
    """Keys of findings with evidence offsets mapped back to the clean text (an edit at
    [start, end) that changed the length by `delta`)."""
    keys = set()
    for f in findings:
        spans = []
        for ev in f.evidence:
            s, e = ev.start, ev.end
            if s is not None and s >= end:
                s -= delta
            if e is not None and e >= end:
                e -= delta
            spans.append((s, e))
        keys.add((f.rule, f.severity, tuple(spans)))
    return keys


def _overlaps(f: Finding, start: int, end: int) -> bool:
    return any(ev.start is not None and ev.end is not None and ev.start < end and ev.end > start for ev in f.evidence)


def check_report(seed: int, per_report: int | None = None, all_kinds: bool = False, rng_seed: int = 0) -> ReportOutcome:
    """Clean findings and perturbation outcomes for the report generated from `seed`."""
    t0 = time.perf_counter()
    rng = random.Random(rng_seed * 1_000_003 + seed)
    text, truth = generate(seed)
    clean = run_rules(parse_text(text)).findings
    clean_keys = _finding_keys(clean, 0, 0, 0)
    families = {r.id: r.family for r in truth.relations}
    strict = {r.id for r in truth.relations if r.strict}
    facts = truth.constrained()
    if per_report is not None and len(facts) > per_report:
        facts = rng.sample(facts, per_report)
        facts.sort(key=lambda f: f.start)
    outcomes: list[Perturbation] = []
    for fact in facts:
        kinds = [k for k in KINDS if perturb_number(fact.text, k) is not None]
        if not kinds:
            continue
        if not all_kinds:
            kinds = [rng.choice(kinds)]
        for kind in kinds:
            new = perturb_number(fact.text, kind)
            assert new is not None
            mutated = text[: fact.start] + new + text[fact.end:]
            end = fact.start + len(new)
            delta = len(new) - len(fact.text)
            findings = run_rules(parse_text(mutated)).findings
            fresh = [f for f in findings if next(iter(_finding_keys([f], fact.start, fact.end, delta))) not in clean_keys]
            at_span = [f for f in fresh if f.severity in FLAGGING and _overlaps(f, fact.start, end)]
            outcomes.append(
                Perturbation(
                    report_seed=seed, fact=fact.key, metric=_general_metric(fact), role=fact.role,
                    families="+".join(sorted({families[r] for r in fact.relations if r in strict})), kind=kind,
                    before=fact.text, after=new, detected=bool(at_span),
                    any_new_error=any(f.severity == "error" for f in fresh),
                    rules=sorted({f.rule for f in at_span}),
                )
            )
    return ReportOutcome(
        seed=seed, clean_findings=clean, perturbations=outcomes,
        unconstrained=[(_general_metric(f), f.role) for f in truth.unconstrained()],
        weak=[(_general_metric(f), f.role) for f in truth.weakly_constrained()],
        seconds=time.perf_counter() - t0,
    )


def report_seeds(reports: int, seed: int) -> list[int]:
    """The generator seeds of the `reports` clean reports for harness seed `seed`."""
    rng = random.Random(seed)
    return [rng.randrange(1_000_000) for _ in range(reports)]


def run(reports: int = 20, seed: int = 1, per_report: int | None = None, all_kinds: bool = False,
        jobs: int = 1) -> MutationResult:
    """Run the harness over `reports` generated reports."""
    seeds = report_seeds(reports, seed)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            outcomes = list(pool.map(check_report, seeds, [per_report] * len(seeds), [all_kinds] * len(seeds),
                                     [seed] * len(seeds)))
    else:
        outcomes = [check_report(s, per_report, all_kinds, seed) for s in seeds]
    return MutationResult(outcomes)


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} = {100 * n / d:.1f}%" if d else f"{n}/0"


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
    lines.append("")
    lines.append(f"perturbations of constrained figures: {len(perturbations)}")
    lines.append(f"  detected (new error/warning at the perturbed span): {_pct(result.detected, len(perturbations))}")
    lines.append(f"  detected or any new error finding:                  {_pct(result.detected_any_error, len(perturbations))}")
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
        lines.append(f"detection {title}:")
        groups: dict[str, list[Perturbation]] = defaultdict(list)
        for p in perturbations:
            groups[key(p)].append(p)
        for name, ps in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            hit = sum(p.detected for p in ps)
            lines.append(f"  {name:28} {_pct(hit, len(ps))}")
    misses = [p for p in perturbations if not p.detected]
    lines.append("")
    lines.append(f"misses by metric/role (top {top}):")
    for (metric, role, fam), n in Counter((p.metric, p.role, p.families) for p in misses).most_common(top):
        total = sum(1 for p in perturbations if (p.metric, p.role, p.families) == (metric, role, fam))
        example = next(p for p in misses if (p.metric, p.role, p.families) == (metric, role, fam))
        lines.append(f"  {n:4}/{total:<4} {metric} ({role}; {fam})  e.g. seed {example.report_seed} "
                     f"{example.kind} {example.before}→{example.after}")
    seconds = sum(r.seconds for r in result.reports)
    lines.append("")
    lines.append(f"time: {seconds:.1f} s of work ({len(perturbations) + len(result.reports)} parse+check runs)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mutation testing of the rule suite on clean synthetic reports.")
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-report", type=int, default=None, help="perturb at most N figures per report")
    parser.add_argument("--all-kinds", action="store_true", help="every applicable kind per figure (default: one)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    result = run(args.reports, args.seed, args.per_report, args.all_kinds, args.jobs)
    print(format_result(result, args.top))


if __name__ == "__main__":
    main()
