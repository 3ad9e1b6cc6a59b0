"""What the arithmetic families (sums, shares, yoy, completion) share: money figures as intervals
in 万元, binding a figure to the sentence, section or table row it stands in, and building
findings (a relation judged within rounding, or off by one unit of the last digit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from evals.audit.findings import Evidence, Finding, Severity
from evals.audit.intervals import HUNDRED, Interval, verdict
from evals.audit.registry import RuleContext
from index.models import Figure

# 万元 per unit, and how many more decimals a value gains when expressed in 万元.
MONEY_FACTORS: dict[str, tuple[Decimal, int]] = {
    "万元": (Decimal(1), 0),
    "元": (Decimal("0.0001"), 4),
    "千元": (Decimal("0.1"), 1),
    "亿元": (Decimal(10000), -4),
}
ZERO = Decimal(0)


def is_money(figure: Figure) -> bool:
    """True for an amount in a money unit."""
    return figure.unit in MONEY_FACTORS


def bare_zero(figure: Figure) -> bool:
    """A money amount printed as a bare 0 ('0万元'): nothing was spent, an exact zero, not a value
    rounded to whole 万元 (an author who rounds prints 0.00, or the small amount itself)."""
    return figure.value == 0 and figure.decimals == 0 and is_money(figure)


def wan(figure: Figure) -> Interval:
    """The interval a money figure stands for, in 万元 (a bare 0 is exact)."""
    if bare_zero(figure):
        return Interval.exact(ZERO)
    factor = MONEY_FACTORS[figure.unit][0]
    interval = Interval.of(figure)
    return Interval(interval.lo * factor, interval.hi * factor)


def wan_value(figure: Figure) -> Decimal:
    """The printed value of a money figure, in 万元."""
    return figure.value * MONEY_FACTORS[figure.unit][0]


def wan_decimals(figure: Figure) -> int:
    """Display precision of a money figure once expressed in 万元 (a bare 0, which is exact, has
    the precision amounts are printed with: two decimals of 万元)."""
    if bare_zero(figure):
        return max(2, MONEY_FACTORS[figure.unit][1])
    return figure.decimals + MONEY_FACTORS[figure.unit][1]


def fmt(value: Decimal, places: int = 2) -> str:
    """A Decimal for a message: `places` digits after the point, trailing noise removed."""
    places = max(places, 0)
    return str(value.quantize(Decimal(1).scaleb(-places)))


def shown(figure: Figure) -> str:
    """A figure as printed with its unit: '4.55万元', '30.93%'."""
    return f"{figure.text}{figure.unit}"


def is_current(ctx: RuleContext, figure: Figure) -> bool:
    """A figure about the report's own year (or with no year)."""
    return figure.year is None or ctx.year is None or figure.year == ctx.year


def same_value(figures: Iterable[Figure]) -> bool:
    """True when all the figures state the same value (in 万元 for money)."""
    values = {wan_value(f) if is_money(f) else f.value for f in figures}
    return len(values) <= 1


def narrative_amounts(ctx: RuleContext, metric: str | None = None) -> list[Figure]:
    """Money amounts of the report's year stated in the narrative (optionally of one metric)."""
    return [
        f
        for f in ctx.report.figures
        if f.placed == "text"
        and f.role == "amount"
        and is_money(f)
        and is_current(ctx, f)
        and (metric is None or f.metric == metric)
    ]


def sentence_mates(ctx: RuleContext, figure: Figure) -> list[Figure]:
    """The figures of the sentence (narrative) or table row a figure stands in, in order."""
    if figure.placed == "table":
        return sorted(
            (
                f
                for f in ctx.report.figures
                if f.placed == "table" and f.table_id == figure.table_id and f.row == figure.row
            ),
            key=lambda f: f.col or 0,
        )
    span = len(figure.quote) + 2
    return sorted(
        (
            f
            for f in ctx.report.figures
            if f.placed == "text"
            and f.quote == figure.quote
            and f.section == figure.section
            and abs(f.start - figure.start) <= span
        ),
        key=lambda f: f.start,
    )


def sentences(ctx: RuleContext, figures: Iterable[Figure]) -> list[list[Figure]]:
    """Narrative figures grouped by the sentence they stand in, in reading order."""
    groups: dict[tuple[str, str], list[list[Figure]]] = defaultdict(list)
    for figure in sorted(figures, key=lambda f: f.start):
        runs = groups[(figure.section, figure.quote)]
        if runs and figure.start - runs[-1][-1].start <= len(figure.quote) + 2:
            runs[-1].append(figure)
        else:
            runs.append([figure])
    return sorted((run for runs in groups.values() for run in runs), key=lambda run: run[0].start)


def section_ancestors(path: str) -> list[str]:
    """A section path and its enclosing sections, innermost first."""
    parts = [p for p in path.split(" > ") if p]
    return [" > ".join(parts[:i]) for i in range(len(parts), 0, -1)]


def in_scope(figure: Figure, scope: str) -> bool:
    """True when the figure stands in section `scope` or one of its subsections."""
    return figure.section == scope or figure.section.startswith(scope + " > ")


class Ambiguous(Exception):
    """Two different values could be meant: the rule must report insufficient data."""


def bind_amount(
    ctx: RuleContext, metric: str, anchor: Figure, *, walk_up: bool = True, code: str | None = None
) -> Figure | None:
    """The narrative amount of `metric` that a figure at `anchor` refers to.

    The same sentence first (the nearest one before the anchor, else after it); then the
    nearest statement before the anchor in the same section; then, walking up the enclosing
    sections, the one value all statements in that scope agree on. Raises Ambiguous when a
    scope holds two different values; None when nothing is stated.
    """
    candidates = [f for f in narrative_amounts(ctx, metric) if code is None or f.code in (None, code)]
    if not candidates:
        return None
    mates = [f for f in candidates if f in sentence_mates(ctx, anchor)]
    if mates:
        before = [f for f in mates if f.start < anchor.start]
        return before[-1] if before else mates[0]
    section = [f for f in candidates if f.section == anchor.section and f.start < anchor.start]
    if section:
        return section[-1]
    if not walk_up:
        return None
    for scope in section_ancestors(anchor.section):
        found = [f for f in candidates if in_scope(f, scope)]
        if found:
            if not same_value(found):
                raise Ambiguous(metric)
            before = [f for f in found if f.start < anchor.start]
            return before[-1] if before else found[0]
    return None


def make_finding(
    rule_id: str,
    family: str,
    severity: Severity,
    message: str,
    figures: Iterable[Figure],
    expected: Decimal | str | None = None,
    actual: Decimal | str | None = None,
    difference: Decimal | str | None = None,
    places: int = 2,
) -> Finding:
    """A finding with Decimal fields rendered as strings and one evidence per figure. `actual`
    is shown as the report prints it: a Decimal that is the value of one of the figures is
    rendered as that figure's printed digits ("100", not "100.00")."""
    figures = list(figures)

    def text(value: Decimal | str | None) -> str:
        if value is None:
            return ""
        return fmt(value, places) if isinstance(value, Decimal) else value

    def printed(value: Decimal | str | None) -> str:
        if isinstance(value, Decimal):
            for figure in figures:
                if abs(figure.value) == abs(value):
                    return ("-" if value < 0 <= figure.value else "") + figure.text
        return text(value)

    evidence: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for figure in figures:
        if (figure.start, figure.end) not in seen:
            seen.add((figure.start, figure.end))
            evidence.append(Evidence.of(figure))
    return Finding(
        rule=rule_id,
        family=family,
        severity=severity,
        message=message,
        expected=text(expected),
        actual=printed(actual),
        difference=text(difference),
        evidence=evidence,
    )


def judged(
    rule_id: str,
    family: str,
    stated: Interval,
    computed: Interval,
    decimals: int,
    message: str,
    figures: Iterable[Figure],
    stated_value: Decimal,
    places: int = 2,
    severity: Severity = "error",
    point: Decimal | None = None,
) -> Finding | None:
    """None when `stated` and `computed` agree within rounding; else an error (or, off by one
    unit of the last digit, an info finding of family 'rounding'). `point` is the value
    computed from the printed figures (default: the middle of `computed`)."""
    outcome = verdict(stated, computed, decimals)
    if outcome == "ok":
        return None
    expected = computed.mid if point is None else point
    difference = stated_value - expected
    if outcome == "rounding":
        return make_finding(
            rule_id,
            "rounding",
            "info",
            message.rstrip("。") + "（仅差最后一位的舍入，或系舍入方向有误）。",
            figures,
            expected,
            stated_value,
            difference,
            places=max(places, decimals + 2),
        )
    return make_finding(
        rule_id, family, severity, message, figures, expected, stated_value, difference, places=places
    )


def total_of(figures: Iterable[Figure]) -> Interval:
    """Interval of the sum of money figures, in 万元."""
    total = Interval.exact(ZERO)
    for figure in figures:
        total = total + wan(figure)
    return total


def shares_complete(ctx: RuleContext, parts: list[Figure]) -> bool:
    """True when every part carries a 占X% in its sentence and those shares add up to 100."""
    total = Interval.exact(ZERO)
    for part in parts:
        mates = sentence_mates(ctx, part)
        share = next(
            (f for f in mates if f.role == "share" and f.metric == part.metric and f.start > part.start), None
        )
        if share is None:
            return False
        total = total + Interval.of(share)
    return total.widen(Decimal("0.01")).overlaps(Interval.exact(HUNDRED))
