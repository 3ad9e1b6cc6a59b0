"""The rule registry: one row per rule, and the context every rule reads.

A rule is a small function `check(ctx) -> list[Finding]` registered with `@rule(...)`, which
records its id, family, default severity, a one-line statement in Chinese and English, and what
it needs. When a rule cannot bind its inputs unambiguously it reports nothing for that case
and calls `ctx.insufficient(rule_id)`: a false alarm costs an auditor's trust, a gap does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from evals.audit.findings import Finding, Severity
from index.models import Figure, ParsedReport

CheckFunction = Callable[["RuleContext"], list[Finding]]


@dataclass(frozen=True)
class RuleSpec:
    """One registry row."""

    id: str
    family: str
    severity: Severity
    statement_zh: str
    statement_en: str
    needs: str
    check: CheckFunction


RULES: dict[str, RuleSpec] = {}


def rule(
    id: str, *, family: str, severity: Severity, zh: str, en: str, needs: str = "narrative"
) -> Callable[[CheckFunction], CheckFunction]:
    """Register a rule function under `id` (ids are unique; families group them in reports)."""

    def register(func: CheckFunction) -> CheckFunction:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id!r}")
        RULES[id] = RuleSpec(id, family, severity, zh, en, needs, func)
        return func

    return register


@dataclass
class RuleContext:
    """What rules read: the parsed report (and the previous year's, when given)."""

    report: ParsedReport
    previous: ParsedReport | None = None
    insufficient_counts: Counter[str] = field(default_factory=Counter)

    def insufficient(self, rule_id: str, cases: int = 1) -> None:
        """Count a case the rule could not bind unambiguously (reported, never guessed)."""
        self.insufficient_counts[rule_id] += cases

    def figures(
        self,
        metric: str | None = None,
        role: str | None = None,
        *,
        year: int | None = None,
        source: str | None = None,
        subject: str | None = None,
        unit: str | None = None,
    ) -> list[Figure]:
        """The report's figures matching all the given fields (metric matched exactly)."""
        return [
            f
            for f in self.report.figures
            if (metric is None or f.metric == metric)
            and (role is None or f.role == role)
            and (year is None or f.year == year)
            and (source is None or f.placed == source)
            and (subject is None or f.subject == subject)
            and (unit is None or f.unit == unit)
        ]

    @property
    def year(self) -> int | None:
        """The report's fiscal year."""
        return self.report.report.year
