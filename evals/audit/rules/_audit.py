"""Small helpers shared by the hygiene, repeated, counts, performance, nine_tables and across
families: building findings, comparing two statements of one quantity, reading table cells.

Not a family (the package imports only the modules it lists), just code those families share.
"""

from __future__ import annotations

import re
from decimal import Decimal

from evals.audit.findings import Evidence, Finding
from evals.audit.intervals import Interval, verdict
from evals.audit.registry import RULES
from index.models import Figure, ParsedReport, Table
from index.numbers import read_cell

ZERO = Decimal(0)


def fmt(value: Decimal, decimals: int | None = None) -> str:
    """A Decimal as plain text (no exponent), optionally with a fixed number of decimals."""
    if decimals is not None:
        value = value.quantize(Decimal(10) ** -decimals) if decimals > 0 else value.quantize(Decimal(1))
    text = format(value, "f")
    return text


def make(
    rule_id: str,
    outcome: str,
    message: str,
    *,
    expected: str = "",
    actual: str = "",
    difference: str = "",
    evidence: list[Evidence] | None = None,
    severity: str | None = None,
) -> Finding:
    """A finding of `rule_id`; an outcome of 'rounding' becomes family 'rounding', severity info."""
    spec = RULES[rule_id]
    if outcome == "rounding":
        family, sev = "rounding", "info"
    else:
        family, sev = spec.family, severity or spec.severity
    return Finding(
        rule=rule_id, family=family, severity=sev, message=message, expected=expected, actual=actual,
        difference=difference, evidence=evidence or [],
    )


def compare_stated(a: Figure, b: Figure) -> str:
    """Two statements of one quantity: 'ok', 'rounding' or 'error'.

    With the same displayed precision the printed values must be identical: both are the one
    exact value rounded the same way, so any difference, even one unit of the last digit, is an
    error ('rounding' is for recomputed relations, not for two printings of one number). With
    different precisions (2.0 and 2.00; 4.6 and 4.55) the coarser value's interval must hold
    the finer one; one unit of the coarser digit off is 'rounding'.
    """
    return compare_values(a.value, a.decimals, b.value, b.decimals)


def compare_values(
    stated: Decimal, stated_decimals: int, other: Decimal, other_decimals: int, *, summed: bool = False
) -> str:
    """`compare_stated` for bare values (table cells without a Figure).

    `summed`: one of the two may have been computed by adding rounded parts (a 类 or 合计 row of
    a standard table, which the reporting software may print as the sum of its printed lines),
    so one unit of the last digit apart is 'rounding' even with the same decimals.
    """
    if stated_decimals == other_decimals:
        if stated == other:
            return "ok"
        if not summed:
            # One unit of the last digit apart: one printing rounded, the other cut off (995.7 as
            # 996 and as 995) — worth a note, not an error.
            return "rounding" if abs(stated - other) == Decimal(10) ** -stated_decimals else "error"
        return verdict(Interval.displayed(stated, stated_decimals), Interval.exact(other), stated_decimals)
    if stated_decimals < other_decimals:
        return verdict(Interval.displayed(stated, stated_decimals), Interval.displayed(other, other_decimals), stated_decimals)
    return verdict(Interval.displayed(other, other_decimals), Interval.displayed(stated, stated_decimals), other_decimals)


def sentence_span(text: str, figure: Figure) -> tuple[int, int]:
    """Span of the sentence (the figure's quote) in the report text."""
    quote = figure.quote
    if not quote:
        return figure.start, figure.end
    lo = max(0, figure.start - len(quote))
    pos = text.rfind(quote, lo, figure.end + len(quote))
    if pos < 0 or not (pos <= figure.start < pos + len(quote)):
        return figure.start, figure.end
    return pos, pos + len(quote)


def figure_at(report: ParsedReport, table_id: int, row: int, col: int) -> Figure | None:
    """The table figure stated in one cell, if the parser made one."""
    for f in report.figures:
        if f.placed == "table" and f.table_id == table_id and f.row == row and f.col == col:
            return f
    return None


def cell_value(text: str) -> tuple[Decimal, int] | None:
    """(value, decimals) of a numeric cell as printed; None for text, a code or a blank cell.

    The cell grammar is `index.numbers.read_cell`'s: 96.96％, (12.00) and −3.5 are numbers.
    """
    reading = read_cell(text)
    if reading.kind != "number" or reading.value is None:
        return None
    return reading.value, reading.decimals


def table_evidence(table: Table, row: int, col: int | None = None) -> Evidence:
    """Evidence for one table row (and one cell of it when `col` is given)."""
    cells = table.rows[row]
    quote = "\t".join(c.text for c in cells).strip()
    if table.title:
        quote = f"{table.title}：{quote}"
    start = end = None
    if col is not None and col < len(cells) and cells[col].start is not None:
        start, end = cells[col].start, cells[col].end
    else:
        spans = [(c.start, c.end) for c in cells if c.start is not None and c.end is not None]
        if spans:
            start, end = spans[0][0], spans[-1][1]
    return Evidence(quote=quote, section=table.section or "", page=table.page, start=start, end=end)


_PUNCT = re.compile(r"[\s、，,。；;：:（）()“”\"'‘’《》\-—－·]")


def subject_key(subject: str | None) -> str | None:
    """A project name compared conservatively: the same characters regardless of order and
    punctuation (党政网站、网络… and 党政网络、网站… are one project), 项目 suffix dropped."""
    if not subject:
        return None
    clean = _PUNCT.sub("", subject)
    clean = clean.removesuffix("项目")
    return "".join(sorted(clean)) if clean else None
