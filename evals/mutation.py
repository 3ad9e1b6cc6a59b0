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
3. a perturbation is *detected* when a new finding (of any severity: error, warning, or info,
   which is how an off-by-rounding difference is reported) has evidence overlapping the
   perturbed span; the detections are split by the worst severity found there, and 'any new
   error' (a new error finding anywhere) is counted too, for rules that cannot point at the
   figure;
4. a perturbation is *within tolerance* when the changed value still satisfies every relation
   the ground truth records for the figure, within display rounding (the intervals the
   printed digits allow overlap; two printings of one quantity with the same decimals are
   identical): an auditor could not tell it from rounding (one part of a four-part sum
   changed by 0.01). Detection is given over all perturbations and over the *detectable*
   ones (the others).

Figures no relation constrains cannot be caught by any rule; they are not perturbed but
counted and listed as 'unconstrained'. Figures bound only by inequalities (人次 ≥ 批次, 小微企业
≤ 中小企业) are listed apart as 'weakly constrained': most changes keep an inequality true.

    python -m evals.mutation [--reports 20] [--seed 1] [--per-report N] [--all-kinds] [--jobs 2]

A 'last' change of an amount printed with two decimals (±0.01 万元) is often inside the
rounding slack of the relation it takes part in (a sum of n parts tolerates n+1 half-cents):
no interval rule can see it; such changes are the 'within tolerance' ones. See docs/mutation.md.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from evals.check import run_rules
from evals.findings import SEVERITY_ORDER, Finding
from evals.intervals import HUNDRED, Interval
from evals.synthetic import Fact, GroundTruth, Relation, generate, parse_text, perturb_number

KINDS = ("last", "tens", "swap", "x10")
FLAGGING = ("error", "warning")
SEVERITIES = ("error", "warning", "info")


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
    severity: str | None  # worst severity of the new findings at the perturbed span (None: none)
    any_new_error: bool  # a new error finding anywhere
    within_tolerance: bool = False  # every ground-truth relation still holds within display rounding
    literal_tolerance: bool = False  # the same with the generator's relations taken literally
    rules: list[str] = field(default_factory=list)  # rules of the new findings at the span

    @property
    def detected(self) -> bool:
        """A new finding of any severity points at the perturbed span."""
        return self.severity is not None

    @property
    def flagged(self) -> bool:
        """A new error or warning finding points at the perturbed span."""
        return self.severity in FLAGGING


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
    def detectable(self) -> list[Perturbation]:
        """Perturbations that break some ground-truth relation beyond display rounding."""
        return [p for p in self.perturbations if not p.within_tolerance]

    @property
    def detected(self) -> int:
        return sum(1 for p in self.perturbations if p.detected)

    @property
    def flagged(self) -> int:
        return sum(1 for p in self.perturbations if p.flagged)

    @property
    def detected_any_error(self) -> int:
        return sum(1 for p in self.perturbations if p.detected or p.any_new_error)

    @property
    def detection_rate(self) -> float:
        total = len(self.perturbations)
        return self.detected / total if total else 0.0

    @property
    def detectable_rate(self) -> float:
        """Detection over the detectable perturbations (the harness's headline figure)."""
        ps = self.detectable
        return sum(p.detected for p in ps) / len(ps) if ps else 0.0

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


# ---- ground truth within display rounding ---------------------------------------------------

_EXACT_ROLES = ("count", "weight", "score")
# Equalities the generator holds because it writes no 结转和结余 (balances), which the report
# does not say: from the report a reader can only tell that the part does not exceed the whole
# (收支总计 = 本年收入合计 + 年初结转和结余; 财政拨款收支总计 = 财政拨款收入 + 财政拨款结转 =
# 财政拨款支出 + 年末结转). 本年收入合计 against 本年支出合计 is no relation at all then.
_BALANCED: dict[frozenset[str], str | None] = {
    frozenset({"收支总计", "本年收入合计"}): "收支总计",
    frozenset({"财政拨款收支总计", "一般公共预算财政拨款收入"}): "财政拨款收支总计",
    frozenset({"财政拨款收支总计", "一般公共预算财政拨款支出"}): "财政拨款收支总计",
    frozenset({"本年收入合计", "本年支出合计"}): None,
    frozenset({"基本支出", "一般公共预算财政拨款基本支出"}): "基本支出",
    # all the vehicles of the 国有资产 section include the official cars of the 三公 section
    frozenset({"车辆", "公务用车"}): "车辆",
}
_BUDGET_KEYS = ("年初预算", "调整后预算数", "全年预算数")


def _decimals(printed: str) -> int:
    return len(printed.split(".", 1)[1]) if "." in printed else 0


def _value(printed: str) -> Decimal:
    return Decimal(printed.replace(",", ""))


def _interval(fact: Fact, printed: str) -> Interval:
    """What a printed figure stands for: counts, weights, scores and an amount printed as a bare
    0 are exact (as the rules read them: `sums.bare_zero`); a share or rate of '0%' is ±0.5."""
    value = _value(printed)
    if fact.role in _EXACT_ROLES or (value == 0 and "." not in printed and fact.role in ("amount", "change_amount")):
        return Interval.exact(value)
    return Interval.displayed(value, _decimals(printed))


def _sum(intervals: list[Interval]) -> Interval:
    total = Interval.exact(Decimal(0))
    for i in intervals:
        total = total + i
    return total


def _ratio_holds(stated: Interval, part: Interval, whole: Interval) -> bool:
    """stated ≈ 100·part/whole within rounding (no verdict when the whole may be 0)."""
    if whole.lo <= 0 <= whole.hi:
        return True
    return stated.overlaps(part / whole * Interval.exact(HUNDRED))


def _same_printing(a: str, b: str) -> bool:
    """Two printings of one quantity agree: identical with the same decimals, else overlapping."""
    if _decimals(a) == _decimals(b):
        return _value(a) == _value(b)
    return Interval.displayed(_value(a), _decimals(a)).overlaps(Interval.displayed(_value(b), _decimals(b)))


def relation_holds(relation: Relation, facts: list[Fact], printed: dict[str, str],
                   truth: GroundTruth | None = None, readings: bool = True) -> bool:
    """Whether the relation holds among the figures as printed (`printed`: fact key → text),
    within display rounding. Unknown shapes count as holding (never a false 'detectable').

    With `readings`, an equality the generator holds for a reason the report does not state is
    checked as what the report supports: a part not above its whole when the balances (结转和
    结余) are not stated; a project's 全年预算数 equal to its table's 调整后预算数 or 年初预算 (the
    template's wording allows both, and the seed uses 年初)."""
    iv = [_interval(f, printed[f.key]) for f in facts]
    roles = [f.role for f in facts]
    family = relation.family
    metrics = frozenset(f.metric for f in facts)
    if readings and family == "repeated" and len(facts) == 2 and metrics in _BALANCED:
        whole = _BALANCED[metrics]
        if whole is None:
            return True
        w = 0 if facts[0].metric == whole else 1
        return iv[w].hi >= iv[1 - w].lo
    if readings and family == "repeated" and truth is not None and len(facts) == 2 \
            and {f.column for f in facts} == {None, "调整后预算数"} and any(f.key.endswith("全年预算数") for f in facts):
        narrative = next(f for f in facts if f.column is None)
        cell = next(f for f in facts if f.column == "调整后预算数")
        initial = truth_fact(truth, cell.key.removesuffix("调整后预算数") + "年初预算")
        texts = [printed[cell.key]] + ([printed[initial.key]] if initial else [])
        return any(_same_printing(printed[narrative.key], t) for t in texts)
    if family == "repeated":
        texts = [printed[f.key] for f in facts]
        return all(_same_printing(texts[a], texts[b]) for a, b in itertools.combinations(range(len(facts)), 2))
    if family == "sums":
        if relation.strict:
            return iv[0].overlaps(_sum(iv[1:]))
        return all(iv[i + 1].lo <= iv[i].hi for i in range(len(iv) - 1))  # a chain of ≤
    if family == "shares" and roles == ["amount", "share", "amount"]:
        return _ratio_holds(iv[1], iv[0], iv[2])
    if family == "yoy":
        current, change = iv[0], iv[1]
        prior = current - change if facts[1].direction == "increase" else current + change
        if len(facts) == 2:
            return prior.hi >= 0
        return prior.hi >= 0 and _ratio_holds(iv[2], change, prior)
    if family == "completion" and len(facts) == 3:
        rate = next(i for i, r in enumerate(roles) if r == "completion_rate")
        budget = next((i for i, f in enumerate(facts) if f.key.endswith(_BUDGET_KEYS)), None)
        if budget is None:
            return True
        actual = next(i for i in range(3) if i not in (rate, budget))
        return _ratio_holds(iv[rate], iv[actual], iv[budget])
    if family == "counts":
        if not relation.strict:  # zero amount ⇔ zero count; persons ≥ groups
            zero_amount = iv[0].hi <= 0
            if (iv[1].hi == 0) != zero_amount:
                return False
            return len(iv) < 3 or iv[2].hi >= iv[1].lo
        if all(r == "count" for r in roles):
            return iv[0].overlaps(_sum(iv[1:]))
        return iv[0].overlaps(Interval.exact(Decimal(len(facts) - 1)))  # N个项目 = paragraphs listed
    if family == "performance":
        if roles == ["weight", "score"]:
            return iv[1].lo <= iv[0].hi
        holds = iv[0].overlaps(_sum(iv[1:]))
        if roles[0] == "weight":
            holds = holds and iv[0].overlaps(Interval.exact(HUNDRED))
        return holds
    return True


def truth_fact(truth: GroundTruth, key: str) -> Fact | None:
    return next((f for f in truth.facts if f.key == key), None)


def within_tolerance(truth: GroundTruth, fact: Fact, new: str, readings: bool = True) -> bool:
    """True when every relation of `fact` still holds with `new` printed in its place (with
    `readings=False`, the generator's relations taken literally)."""
    by_key = {f.key: f for f in truth.facts}
    printed = {f.key: f.text for f in truth.facts}
    printed[fact.key] = new
    relations = {r.id: r for r in truth.relations}
    return all(
        relation_holds(relations[rid], [by_key[k] for k in relations[rid].members], printed, truth, readings)
        for rid in fact.relations
    )


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
            at_span = [f for f in fresh if _overlaps(f, fact.start, end)]
            worst = min((f.severity for f in at_span), key=SEVERITY_ORDER.__getitem__, default=None)
            outcomes.append(
                Perturbation(
                    report_seed=seed, fact=fact.key, metric=_general_metric(fact), role=fact.role,
                    families="+".join(sorted({families[r] for r in fact.relations if r in strict})), kind=kind,
                    before=fact.text, after=new, severity=worst,
                    any_new_error=any(f.severity == "error" for f in fresh),
                    within_tolerance=within_tolerance(truth, fact, new),
                    literal_tolerance=within_tolerance(truth, fact, new, readings=False),
                    rules=sorted({f"{f.rule}:{f.severity}" for f in at_span}),
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
