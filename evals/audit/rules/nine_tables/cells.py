"""Reading the nine tables: which table is which, a cell's value with its printed precision,
the rows and columns the rules look up (功能分类 codes, 合计 rows, the two sides of a 总表, the 三公
table in its wide and long layouts), and a total checked against its parts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evals.audit.findings import Evidence, Finding
from evals.audit.intervals import Interval, verdict
from evals.audit.registry import RuleContext
from evals.audit.rules._audit import ZERO, cell_value, figure_at, fmt, make, table_evidence
from evals.audit.rules._facts import BUDGET_BASES, split_metric
from index.lexicon import FUNCTIONAL_CLASSES, canonical_metric
from index.models import ParsedReport, Table
from index.tables import is_code

FAMILY = "nine_tables"
T1, T2, T3 = "收入支出决算总表", "收入决算表", "支出决算表"
T4, T5, T6 = "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算表"
T7 = "一般公共预算财政拨款“三公”经费支出决算表"
_FUNCTION_TABLES = (T2, T3, T5)


@dataclass
class V:
    """A table cell's value (an empty cell counts as 0 with the precision of its neighbours)."""

    value: Decimal
    decimals: int
    table: Table
    row: int
    col: int
    empty: bool = False

    @property
    def interval(self) -> Interval:
        return Interval.displayed(self.value, self.decimals)

    @property
    def text(self) -> str:
        return fmt(self.value, self.decimals)

    def evidence(self, report: ParsedReport) -> Evidence:
        figure = figure_at(report, self.table.id, self.row, self.col)
        return Evidence.of(figure) if figure else table_evidence(self.table, self.row, self.col)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _label(text: str) -> str:
    """A row label without its numbering: '一、一般公共预算财政拨款收入' → '一般公共预算财政拨款收入'."""
    return re.sub(r"^(?:[一二三四五六七八九十]+、|\d+[.．、]|其中[:：]?)", "", _norm(text))


def _val(table: Table, r: int, c: int | None, decimals: int = 2) -> V | None:
    if c is None or r is None or r >= len(table.rows) or c >= len(table.rows[r]):
        return None
    text = table.rows[r][c].text.strip()
    if not text or text in ("-", "—", "/"):
        return V(ZERO, decimals, table, r, c, empty=True)
    parsed = cell_value(text)
    return V(parsed[0], parsed[1], table, r, c) if parsed else None


def _sum(values: list[V]) -> Interval:
    acc = Interval.exact(ZERO)
    for v in values:
        acc = acc + (Interval.exact(ZERO) if v.empty else v.interval)
    return acc


def _check_sum(
    ctx: RuleContext, rule_id: str, total: V | None, parts: list[V], what: str
) -> Finding | None:
    """total = Σ parts within rounding, else a finding (an empty/0 total is hygiene's)."""
    if total is None or not parts or any(p is None for p in parts):
        return None
    if total.empty or (total.value == ZERO and any(p.value != ZERO for p in parts)):
        return None
    decimals = max([total.decimals, *[p.decimals for p in parts if not p.empty]])
    outcome = verdict(total.interval if not total.empty else Interval.exact(ZERO), _sum(parts), decimals)
    if outcome == "ok":
        return None
    computed = sum((p.value for p in parts), ZERO)
    return make(
        rule_id, outcome, f"{what}为{total.text}，但各组成项之和为{fmt(computed, decimals)}。",
        expected=fmt(computed, decimals), actual=total.text, difference=fmt(total.value - computed, decimals),
        evidence=[total.evidence(ctx.report), *[p.evidence(ctx.report) for p in parts if not p.empty][:5]],
    )


def _tables(report: ParsedReport) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for t in report.tables:
        if t.kind and t.kind not in found and t.rows:
            found[t.kind] = t
    return found


def _title(t: Table) -> str:
    return t.title or t.kind or "决算表"


def _value_cols(t: Table) -> list[int]:
    width = max(len(r) for r in t.rows)
    return [c for c in range(2, width) if any(cell_value(r[c].text) for r in t.rows[t.header_rows:] if c < len(r))]


def _code_rows(t: Table) -> dict[str, int]:
    rows = {}
    for r in range(t.header_rows, len(t.rows)):
        head = t.rows[r][0].text if t.rows[r] else ""
        if is_code(head):
            rows.setdefault(head.replace(" ", ""), r)
    return rows


def _total_row(t: Table, label: str = "合计") -> int | None:
    for r in range(t.header_rows, len(t.rows)):
        if any(_norm(c.text) == label for c in t.rows[r][:2]):
            return r
    return None


def _col(t: Table, word: str, exact: bool = False) -> int | None:
    width = max(len(r) for r in t.rows)
    for c in range(width):
        header = _norm(t.header_text(c))
        if (header == word) if exact else (word in header):
            return c
    return None


def _economic_cells(t: Table) -> tuple[dict[str, V], dict[str, V]]:
    """经济分类 code -> value in a 基本支出决算表 printed in one or two halves; and the
    人员经费合计 / 公用经费合计 cells."""
    codes: dict[str, V] = {}
    totals: dict[str, V] = {}
    for r in range(t.header_rows, len(t.rows)):
        row = t.rows[r]
        for c, cell in enumerate(row):
            text = cell.text.replace(" ", "")
            if is_code(text) and c + 2 < len(row) and not is_code(row[c + 1].text):
                v = _val(t, r, c + 2)
                if v is not None:
                    codes.setdefault(text, v)
            elif text in ("人员经费合计", "公用经费合计", "人员经费", "公用经费"):
                v = next((x for k in range(c + 1, min(c + 3, len(row))) if (x := _val(t, r, k)) and not x.empty), None)
                if v is not None:
                    totals[text.removesuffix("合计")] = v
    return codes, totals


def _value_cols_all(t: Table) -> list[int]:
    width = max(len(r) for r in t.rows)
    return [c for c in range(2, width) if t.header_text(c)]


@dataclass
class Side:
    """One side (收入 or 支出) of a 总表: the line rows, the 本年合计 row and the 总计 row."""

    label_col: int
    lines: list[int]
    year_total: int | None
    carry: list[int]
    grand_total: int | None


def _side(t: Table, label_col: int, year_word: str) -> Side:
    lines, carry = [], []
    year_total = grand = None
    in_carry_group = False
    for r in range(t.header_rows, len(t.rows)):
        row = t.rows[r]
        text = _norm(row[label_col].text) if label_col < len(row) else ""
        if not text:
            continue
        if text == year_word:
            year_total = r
        elif text in ("总计", "收入总计", "支出总计"):
            grand = r
        elif year_total is None:
            lines.append(r)
        elif grand is None:
            numbered = bool(re.match(r"^[一二三四五六七八九十]+、", text))
            if numbered and in_carry_group:
                continue  # a breakdown of the 结转和结余 row above, not an addend of its own
            in_carry_group = "结转" in text or "结余" in text
            carry.append(r)
    return Side(label_col, lines, year_total, carry, grand)


def _sangong_cells(t: Table) -> dict[tuple[str, str], V]:
    """(item, measure) -> value for the 三公 table's data row; item in 合计, 因公出国（境）费,
    公务用车购置及运行维护费, 公务用车购置费, 公务用车运行维护费, 公务接待费."""
    cells: dict[tuple[str, str], V] = {}
    data = [r for r in range(t.header_rows, len(t.rows)) if any(cell_value(c.text) for c in t.rows[r])]
    if len(data) != 1:
        return cells
    r = data[0]
    for c in range(len(t.rows[r])):
        parts = [p for p in t.header_text(c).split(" ") if p]
        if len(parts) < 2:
            continue
        measure = parts[-1]
        if measure not in ("预算数", "决算数"):
            continue
        names = parts[:-1]
        item = None
        for name in reversed(names):
            if name == "合计" and len(names) <= 2:
                item = "合计"
                break
            if name == "小计":
                item = "公务用车购置及运行维护费"
                break
            metric, _ = canonical_metric(name)
            if metric in ("因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费"):
                item = metric
                break
        v = _val(t, r, c)
        if item and v is not None:
            cells.setdefault((item, measure), v)
    return cells


_SANGONG_ITEMS = ("因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费")


def _sangong_cells_long(report: ParsedReport, t: Table) -> dict[tuple[str, str], V]:
    """(item, measure) -> value for a 三公 table printed with one row per item (or one row per
    year), read from the figures its cells gave (metric, basis and year bound by the parser);
    a row of an item whose cell is blank in a column that holds the measure counts as empty."""
    cells: dict[tuple[str, str], V] = {}
    columns: dict[int, str] = {}
    for f in report.figures:
        if f.placed != "table" or f.table_id != t.id or f.role != "amount" or f.row is None or f.col is None:
            continue
        metric, basis = split_metric(f)
        item = "合计" if metric == "三公经费" else metric
        if item not in ("合计", *_SANGONG_ITEMS):
            continue
        this_year = f.year is None or report.report.year is None or f.year == report.report.year
        measure = "预算数" if basis in BUDGET_BASES else ("决算数" if this_year else f"{f.year}年决算数")
        parsed = cell_value(f.text)
        if parsed is not None:
            cells.setdefault((item, measure), V(f.value, f.decimals, t, f.row, f.col))
            columns.setdefault(f.col, measure)
    for r in range(t.header_rows, len(t.rows)):
        label = t.rows[r][0].text if t.rows[r] else ""
        metric, _ = canonical_metric(_label(label))
        item = "合计" if metric == "三公经费" or _label(label) in ("合计", "总计") else metric
        if item not in ("合计", *_SANGONG_ITEMS):
            continue
        for c, measure in columns.items():
            v = _val(t, r, c)
            if v is not None and v.empty:
                cells.setdefault((item, measure), v)
    return cells


def _class_lines(t: Table, col: int) -> dict[str, V]:
    """功能分类 类 code -> value on the 支出 side of a 总表 (lines named, not coded)."""
    side = _side(t, 2, "本年支出合计")
    result = {}
    for r in side.lines:
        name = _label(t.rows[r][2].text)
        metric, code = canonical_metric(name)
        if code is None:
            code = next((k for k, v in FUNCTIONAL_CLASSES.items() if v == metric), None)
        v = _val(t, r, col)
        if code and v is not None:
            result[code] = v
    return result
