"""The mutation harness: perturb each constrained figure of clean generated reports, check again.

See the package docstring (`evals.quality.mutation`) for what is measured.
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from evals.audit.check import run_rules
from evals.audit.findings import SEVERITY_ORDER, Finding
from evals.quality.mutation.tolerance import within_tolerance
from evals.synthetic import Fact, generate, parse_text, perturb_number

__all__ = ["FLAGGING", "KINDS", "SEVERITIES", "MutationResult", "Perturbation", "ReportOutcome", "check_report",
           "report_seeds", "run"]

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
