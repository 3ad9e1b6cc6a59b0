"""Across years: the prior-year figure implied by this year's report equals what last year's
report of the same department stated.

For a change statement ("比2022年度减少1.05万元") the implied prior value is current − change
(increase) or current + change (decrease), or the current value when flat; for a table column
headed 上年… the cell itself is a prior-year figure. Each is compared with the previous report's
own narrative figure of the same metric (only when that report states one value for it).
"""

from __future__ import annotations

from collections import defaultdict

from evals.audit.findings import Evidence, Finding
from evals.audit.intervals import Interval, verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import compare_stated, fmt, make
from index.lexicon import is_known_metric
from index.models import Figure, ParsedReport

RULE_ID = "across.prior_year"


def _stated(report: ParsedReport, metric: str, year: int, unit: str) -> list[Figure]:
    return [
        f for f in report.figures
        if f.metric == metric and f.role == "amount" and f.year == year and f.unit == unit and f.subject is None
        and f.placed == "text" and not f.approximate
    ]


def _one_value(figures: list[Figure]) -> Figure | None:
    """The figure when all statements carry one value (the most precise one), else None."""
    if not figures or len({f.value for f in figures}) > 1:
        return None
    return max(figures, key=lambda f: f.decimals)


@rule(
    RULE_ID,
    family="across",
    severity="error",
    zh="本年报告隐含的上年数（本年数减增加额或加减少额、上年栏）与上年报告所述数一致。",
    en="The prior-year figures implied by this year's report equal what last year's report stated.",
    needs="previous year's report",
)
def prior_year(ctx: RuleContext) -> list[Finding]:
    prev = ctx.previous
    year = ctx.year
    if prev is None or year is None:
        return []
    if prev.report.year != year - 1:
        ctx.insufficient(RULE_ID)
        return []
    findings: list[Finding] = []
    changes: dict[str, list[Figure]] = defaultdict(list)
    for f in ctx.report.figures:
        if f.role == "change_amount" and f.compared_to == year - 1 and f.placed == "text" and f.subject is None \
                and is_known_metric(f.metric):
            changes[f.metric].append(f)
    for metric, change_figs in changes.items():
        change = _one_value(change_figs)
        directions = {f.direction for f in change_figs}
        current = _one_value(_stated(ctx.report, metric, year, change_figs[0].unit))
        before = _one_value(_stated(prev, metric, year - 1, change_figs[0].unit))
        if change is None or current is None or before is None or len(directions) != 1:
            ctx.insufficient(RULE_ID)
            continue
        direction = directions.pop()
        if direction == "increase":
            implied = Interval.of(current) - Interval.of(change)
            implied_mid = current.value - change.value
        elif direction == "decrease":
            implied = Interval.of(current) + Interval.of(change)
            implied_mid = current.value + change.value
        else:
            implied, implied_mid = Interval.of(current), current.value
        outcome = verdict(Interval.of(before), implied, before.decimals)
        if outcome == "ok":
            continue
        word = {"increase": "增加", "decrease": "减少"}.get(direction, "持平")
        findings.append(make(
            RULE_ID, outcome,
            f"本年报告{metric}{current.text}{current.unit}、比上年{word}{change.text}{change.unit}，隐含上年数为"
            f"{fmt(implied_mid)}{current.unit}，但{year - 1}年度报告所述为{before.text}{before.unit}。",
            expected=before.text, actual=fmt(implied_mid), difference=fmt(implied_mid - before.value),
            evidence=[Evidence.of(current), Evidence.of(change), Evidence.of(before)],
        ))
    findings.extend(_prior_columns(ctx, prev, year))
    return findings


def _prior_columns(ctx: RuleContext, prev: ParsedReport, year: int) -> list[Finding]:
    """Table cells headed 上年… (year − 1) against the previous report's narrative figure."""
    findings = []
    for f in ctx.report.figures:
        if f.placed != "table" or f.year != year - 1 or f.role != "amount" or not is_known_metric(f.metric):
            continue
        before = _one_value(_stated(prev, f.metric, year - 1, f.unit))
        if before is None:
            continue
        outcome = compare_stated(before, f)
        if outcome == "ok":
            continue
        findings.append(make(
            RULE_ID, outcome,
            f"本年报告表中上年{f.metric}为{f.text}{f.unit}，但{year - 1}年度报告所述为{before.text}{before.unit}。",
            expected=before.text, actual=f.text, difference=fmt(f.value - before.value),
            evidence=[Evidence.of(f), Evidence.of(before)],
        ))
    return findings

