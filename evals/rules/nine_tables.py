"""The nine standard tables (九张表): each adds up, they agree with each other and with the
narrative.

- nine_tables.hierarchy: in a 功能分类 table (收入决算表, 支出决算表, 一般公共预算财政拨款支出决算表) a
  类 row = Σ its 款 rows, a 款 row = Σ its 项 rows, the 合计 row = Σ 类 rows (only leaves are
  added); in the 基本支出决算表 a 经济分类 类 (301…) = Σ its 款, 人员经费合计 = 301 + 303 and
  公用经费合计 = 302 + 310;
- nine_tables.row_columns: each row's 合计 column = Σ the other columns (收入决算表: sources;
  支出决算表: 基本 + 项目 + 上缴上级 + 经营 + 对附属单位补助; 一般公共预算支出表: 基本 + 项目;
  财政拨款总表: the fund columns);
- nine_tables.balance: 收入支出决算总表 / 财政拨款收入支出决算总表: 本年收入合计 = Σ income lines,
  本年支出合计 = Σ 类 lines, 总计 = 本年合计 + 结转结余 on each side, and the two 总计 are equal;
- nine_tables.sangong: 合计 = 因公出国（境） + 公务用车 + 公务接待, 公务用车 = 购置 + 运行, for
  预算数 and 决算数;
- nine_tables.cross_totals: T1 本年收入合计 = T2 合计, T3 合计 = T1 本年支出合计, T5 合计 = T4
  一般公共预算, T6 (人员 + 公用) = T5 基本支出; the same 类 carries the same amount in T1 and T3
  (all funds) and in T4 and T5 (一般公共预算), and the same code the same name everywhere;
- nine_tables.vs_narrative: the narrative's totals, 类 amounts, 人员/公用经费 and 三公 figures equal
  the tables'.
A value off by one unit in its last digit is reported as rounding (info), never as an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evals.findings import Evidence, Finding
from evals.intervals import Interval, verdict
from evals.registry import RuleContext, rule
from evals.rules._audit import ZERO, cell_value, compare_values, figure_at, fmt, make, table_evidence
from evals.rules._facts import BUDGET_BASES, split_metric
from index.lexicon import FUNCTIONAL_CLASSES, canonical_metric
from index.models import Figure, ParsedReport, Table
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


# ---------------------------------------------------------------------------- 功能分类 tables


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


@rule(
    "nine_tables.hierarchy",
    family=FAMILY,
    severity="error",
    zh="决算表中类 = Σ款、款 = Σ项（功能分类3/5/7位编码，经济分类同理），合计 = Σ类，人员经费 = 301 + 303，公用经费 = 302 + 310。",
    en="In each classified table a 类 = Σ 款, a 款 = Σ 项, 合计 = Σ 类; 人员经费 = 301 + 303, 公用经费 = 302 + 310.",
    needs="nine tables",
)
def hierarchy(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    tables = _tables(ctx.report)
    for kind in _FUNCTION_TABLES:
        t = tables.get(kind)
        if t is None:
            continue
        codes = _code_rows(t)
        total_r = _total_row(t)
        for c in _value_cols(t):
            header = _norm(t.header_text(c))
            for code, r in codes.items():
                child_len = {3: 5, 5: 7}.get(len(code))
                children = [cr for cc, cr in codes.items() if child_len and len(cc) == child_len and cc.startswith(code)]
                if children:
                    name = t.rows[r][1].text if len(t.rows[r]) > 1 else ""
                    f = _check_sum(ctx, "nine_tables.hierarchy", _val(t, r, c), [_val(t, cr, c) for cr in children],
                                   f"“{_title(t)}”中{code} {name}的“{header}”")
                    if f:
                        findings.append(f)
            classes = [cr for cc, cr in codes.items() if len(cc) == 3]
            if total_r is not None and classes:
                f = _check_sum(ctx, "nine_tables.hierarchy", _val(t, total_r, c), [_val(t, cr, c) for cr in classes],
                               f"“{_title(t)}”合计行的“{header}”")
                if f:
                    findings.append(f)
    t6 = tables.get(T6)
    if t6 is not None:
        findings.extend(_economic(ctx, t6))
    return findings


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


def _economic(ctx: RuleContext, t: Table) -> list[Finding]:
    findings = []
    codes, totals = _economic_cells(t)
    for code, v in codes.items():
        if len(code) != 3:
            continue
        children = [cv for cc, cv in codes.items() if len(cc) == 5 and cc.startswith(code)]
        if children:
            f = _check_sum(ctx, "nine_tables.hierarchy", v, children, f"“{_title(t)}”中经济分类{code}")
            if f:
                findings.append(f)
    for name, parts in (("人员经费", ("301", "303")), ("公用经费", ("302", "310"))):
        if name in totals and all(p in codes for p in parts):
            f = _check_sum(ctx, "nine_tables.hierarchy", totals[name], [codes[p] for p in parts],
                           f"“{_title(t)}”的{name}合计（{' + '.join(parts)}）")
            if f:
                findings.append(f)
    return findings


@rule(
    "nine_tables.row_columns",
    family=FAMILY,
    severity="error",
    zh="决算表每行的合计栏等于其各组成栏之和（收入来源、基本/项目支出、各类财政拨款）。",
    en="Each row's total column equals the sum of its component columns.",
    needs="nine tables",
)
def row_columns(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    tables = _tables(ctx.report)
    layouts = {
        T2: ("本年收入合计", None),
        T3: ("本年支出合计", None),
        T5: ("合计", None),
        T4: ("支出合计", ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")),
    }
    for kind, (total_word, part_words) in layouts.items():
        t = tables.get(kind)
        if t is None:
            continue
        if kind == T4:
            total_c = next((c for c in range(len(t.rows[0])) if _norm(t.header_text(c)) == "支出合计"), None)
            part_cs = [next((c for c in range(len(t.rows[0])) if _norm(t.header_text(c)) == "支出" + w), None)
                       for w in part_words]
        else:
            total_c = _col(t, total_word, exact=True)
            part_cs = [c for c in _value_cols_all(t) if c != total_c]
            if any(" " in t.header_text(c) for c in [total_c, *part_cs] if c is not None):
                ctx.insufficient("nine_tables.row_columns")  # nested headers: parts would be counted twice
                continue
        if total_c is None or not part_cs or None in part_cs:
            continue
        for r in range(t.header_rows, len(t.rows)):
            total = _val(t, r, total_c)
            parts = [_val(t, r, c) for c in part_cs]
            if total is None or total.empty and all(p is None or p.empty for p in parts):
                continue
            label = " ".join(x.text for x in t.rows[r][: 3 if kind == T4 else 2] if x.text and
                             (kind != T4 or cell_value(x.text) is None))
            f = _check_sum(ctx, "nine_tables.row_columns", total, parts, f"“{_title(t)}”中“{label}”行的合计栏")
            if f:
                findings.append(f)
    return findings


def _value_cols_all(t: Table) -> list[int]:
    width = max(len(r) for r in t.rows)
    return [c for c in range(2, width) if t.header_text(c)]


# ---------------------------------------------------------------------------- T1 / T4


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


@rule(
    "nine_tables.balance",
    family=FAMILY,
    severity="error",
    zh="收入支出决算总表和财政拨款收入支出决算总表中：本年收入合计 = Σ各项收入，本年支出合计 = Σ各类支出，总计 = 本年合计 + 结转结余，收支总计相等。",
    en="In the two 总表: 本年 totals = Σ lines, 总计 = 本年合计 + carry-overs, and income 总计 = expenditure 总计.",
    needs="nine tables",
)
def balance(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    tables = _tables(ctx.report)
    for kind in (T1, T4):
        t = tables.get(kind)
        if t is None or len(t.rows[0]) < 4:
            continue
        income, spend = _side(t, 0, "本年收入合计"), _side(t, 2, "本年支出合计")
        if income.year_total is None or spend.year_total is None:
            ctx.insufficient("nine_tables.balance")
            continue
        spend_cols = [3] if kind == T1 else [c for c in range(3, len(t.rows[0]))]
        checks = [(income, 1, "收入")] + [(spend, c, "支出") for c in spend_cols]
        for side, c, word in checks:
            header = _norm(t.header_text(c))
            suffix = f"（{header}）" if kind == T4 and word == "支出" else ""
            f = _check_sum(ctx, "nine_tables.balance", _val(t, side.year_total, c), [_val(t, r, c) for r in side.lines],
                           f"“{_title(t)}”本年{word}合计{suffix}")
            if f:
                findings.append(f)
            if side.grand_total is not None:
                f = _check_sum(ctx, "nine_tables.balance", _val(t, side.grand_total, c),
                               [_val(t, side.year_total, c), *[_val(t, r, c) for r in side.carry]],
                               f"“{_title(t)}”{word}总计{suffix}")
                if f:
                    findings.append(f)
        if income.grand_total is not None and spend.grand_total is not None:
            a, b = _val(t, income.grand_total, 1), _val(t, spend.grand_total, 3)
            if a and b and not (a.empty and b.empty):
                outcome = compare_values(a.value, a.decimals, b.value, b.decimals, summed=True)
                if outcome != "ok":
                    findings.append(make(
                        "nine_tables.balance", outcome, f"“{_title(t)}”收入总计{a.text}与支出总计{b.text}不相等。",
                        expected=a.text, actual=b.text, difference=fmt(b.value - a.value),
                        evidence=[a.evidence(ctx.report), b.evidence(ctx.report)],
                    ))
    return findings


# ---------------------------------------------------------------------------- 三公


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
        if f.source != "table" or f.table_id != t.id or f.role != "amount" or f.row is None or f.col is None:
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


@rule(
    "nine_tables.sangong",
    family=FAMILY,
    severity="error",
    zh="“三公”经费支出决算表中合计 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费，公务用车 = 购置费 + 运行维护费（预算数、决算数）。",
    en="In the 三公 table 合计 = 出国 + 公务用车 + 接待 and 公务用车 = 购置 + 运行, for 预算数 and 决算数.",
    needs="nine tables",
)
def sangong(ctx: RuleContext) -> list[Finding]:
    t = _tables(ctx.report).get(T7)
    if t is None:
        return []
    cells = _sangong_cells(t) or _sangong_cells_long(ctx.report, t)
    findings = []
    for measure in sorted({m for _, m in cells}):
        def get(item: str, measure: str = measure) -> V | None:
            return cells.get((item, measure))

        for total, parts, what in (
            ("合计", ("因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"), "“三公”经费合计"),
            ("公务用车购置及运行维护费", ("公务用车购置费", "公务用车运行维护费"), "公务用车购置及运行维护费"),
        ):
            if get(total) is None or any(get(p) is None for p in parts) or all(get(p).empty for p in parts):
                continue  # a breakdown the table leaves blank (其中 rows with no amounts) states nothing
            f = _check_sum(ctx, "nine_tables.sangong", get(total), [get(p) for p in parts], f"“{_title(t)}”{what}（{measure}）")
            if f:
                findings.append(f)
    return findings


# ---------------------------------------------------------------------------- across tables


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


def _compare(ctx: RuleContext, rule_id: str, a: V | None, b: V | None, message: str) -> Finding | None:
    if a is None or b is None or (a.empty and b.empty):
        return None
    outcome = compare_values(a.value, a.decimals, b.value, b.decimals, summed=True)
    if outcome == "ok":
        return None
    return make(rule_id, outcome, message.format(a=a.text, b=b.text), expected=a.text, actual=b.text,
                difference=fmt(b.value - a.value), evidence=[a.evidence(ctx.report), b.evidence(ctx.report)])


@rule(
    "nine_tables.cross_totals",
    family=FAMILY,
    severity="error",
    zh="九张表之间的勾稽关系成立：总表与收入表、支出表、财政拨款总表与一般公共预算支出表、基本支出表的合计一致，同一科目在各表中金额和名称一致。",
    en="The nine tables agree with each other (totals across tables; same code, same amount and name).",
    needs="nine tables",
)
def cross_totals(ctx: RuleContext) -> list[Finding]:
    tables = _tables(ctx.report)
    t1, t2, t3, t4, t5, t6 = (tables.get(k) for k in (T1, T2, T3, T4, T5, T6))
    rid = "nine_tables.cross_totals"
    out: list[Finding | None] = []
    if t1 is not None:
        inc, spend = _side(t1, 0, "本年收入合计"), _side(t1, 2, "本年支出合计")
        if t2 is not None and (r2 := _total_row(t2)) is not None:
            out.append(_compare(ctx, rid, _val(t1, inc.year_total, 1), _val(t2, r2, _col(t2, "本年收入合计", True)),
                                f"“{_title(t1)}”本年收入合计{{a}}与“{_title(t2)}”合计{{b}}不一致。"))
        if t3 is not None and (r3 := _total_row(t3)) is not None:
            out.append(_compare(ctx, rid, _val(t1, spend.year_total, 3), _val(t3, r3, _col(t3, "本年支出合计", True)),
                                f"“{_title(t1)}”本年支出合计{{a}}与“{_title(t3)}”合计{{b}}不一致。"))
            codes3 = _code_rows(t3)
            c3 = _col(t3, "本年支出合计", True)
            for code, v in _class_lines(t1, 3).items():
                if code in codes3 and not v.empty:
                    name = FUNCTIONAL_CLASSES.get(code, code)
                    out.append(_compare(ctx, rid, v, _val(t3, codes3[code], c3),
                                        f"{name}（{code}）在“{_title(t1)}”中为{{a}}，在“{_title(t3)}”中为{{b}}。"))
    if t4 is not None and t5 is not None:
        c4 = next((c for c in range(len(t4.rows[0])) if _norm(t4.header_text(c)) == "支出一般公共预算财政拨款"), None)
        side4 = _side(t4, 2, "本年支出合计")
        r5, c5 = _total_row(t5), _col(t5, "合计", True)
        if c4 is not None and r5 is not None:
            out.append(_compare(ctx, rid, _val(t4, side4.year_total, c4), _val(t5, r5, c5),
                                f"“{_title(t4)}”一般公共预算财政拨款本年支出合计{{a}}与“{_title(t5)}”合计{{b}}不一致。"))
            codes5 = _code_rows(t5)
            for code, v in _class_lines(t4, c4).items():
                if code in codes5 and not v.empty:
                    name = FUNCTIONAL_CLASSES.get(code, code)
                    out.append(_compare(ctx, rid, v, _val(t5, codes5[code], c5),
                                        f"{name}（{code}）在“{_title(t4)}”中为{{a}}，在“{_title(t5)}”中为{{b}}。"))
    if t5 is not None and t6 is not None and (r5 := _total_row(t5)) is not None:
        basic = _val(t5, r5, _col(t5, "基本支出", True))
        _, totals = _economic_cells(t6)
        if basic is not None and not basic.empty and "人员经费" in totals and "公用经费" in totals:
            parts = [totals["人员经费"], totals["公用经费"]]
            decimals = max(basic.decimals, *[p.decimals for p in parts])
            outcome = verdict(basic.interval, _sum(parts), decimals)
            if outcome != "ok":
                computed = parts[0].value + parts[1].value
                out.append(make(
                    rid, outcome,
                    f"“{_title(t5)}”基本支出合计{basic.text}与“{_title(t6)}”人员经费{parts[0].text}加公用经费{parts[1].text}（{fmt(computed)}）不一致。",
                    expected=basic.text, actual=fmt(computed), difference=fmt(computed - basic.value),
                    evidence=[basic.evidence(ctx.report), *[p.evidence(ctx.report) for p in parts]],
                ))
    out.extend(_names(ctx, [t for t in (t2, t3, t5) if t is not None]))
    return [f for f in out if f is not None]


def _names(ctx: RuleContext, tables: list[Table]) -> list[Finding]:
    """The same 功能分类 code carries the same name in every table (a warning)."""
    seen: dict[str, tuple[str, Table, int]] = {}
    findings = []
    for t in tables:
        for code, r in _code_rows(t).items():
            name = _norm(t.rows[r][1].text) if len(t.rows[r]) > 1 else ""
            if not name:
                continue
            if code in seen and seen[code][0] != name:
                first_name, first_t, first_r = seen[code]
                findings.append(make(
                    "nine_tables.cross_totals", "error",
                    f"科目{code}在“{_title(first_t)}”中名为“{first_name}”，在“{_title(t)}”中名为“{name}”。",
                    expected=first_name, actual=name, severity="warning",
                    evidence=[table_evidence(first_t, first_r, 1), table_evidence(t, r, 1)],
                ))
            seen.setdefault(code, (name, t, r))
    return findings


# ---------------------------------------------------------------------------- tables vs narrative


def _narrative(ctx: RuleContext, metric: str) -> list[Figure]:
    return [
        f for f in ctx.figures(metric, "amount", source="text")
        if f.subject is None and f.year == ctx.year and f.unit == "万元" and not f.approximate
    ]


def _section_title_path(report: ParsedReport, path: str) -> str:
    return next((s.title_path for s in report.sections if s.path == path), "")


@rule(
    "nine_tables.vs_narrative",
    family=FAMILY,
    severity="error",
    zh="正文所述收支总计、本年收支合计、基本支出、项目支出、一般公共预算支出及各类、人员经费、公用经费和“三公”经费与决算表一致。",
    en="The narrative's totals, 类 amounts, 人员/公用经费 and 三公 figures equal the nine tables'.",
    needs="narrative+nine tables",
)
def vs_narrative(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    tables = _tables(report)
    pairs: list[tuple[str, V | None, str]] = []  # (narrative metric, table value, where in the tables)

    def add(metric: str, v: V | None, where: str) -> None:
        if v is not None and (v.table.unit in (None, "万元")):
            pairs.append((metric, v, where))

    if (t1 := tables.get(T1)) is not None:
        inc, spend = _side(t1, 0, "本年收入合计"), _side(t1, 2, "本年支出合计")
        add("收支总计", _val(t1, inc.grand_total, 1), f"“{_title(t1)}”总计")
        add("本年收入合计", _val(t1, inc.year_total, 1), f"“{_title(t1)}”本年收入合计")
        add("本年支出合计", _val(t1, spend.year_total, 3), f"“{_title(t1)}”本年支出合计")
    if (t3 := tables.get(T3)) is not None and (r3 := _total_row(t3)) is not None:
        add("基本支出", _val(t3, r3, _col(t3, "基本支出", True)), f"“{_title(t3)}”合计行基本支出")
        add("项目支出", _val(t3, r3, _col(t3, "项目支出", True)), f"“{_title(t3)}”合计行项目支出")
    if (t4 := tables.get(T4)) is not None:
        add("财政拨款收支总计", _val(t4, _side(t4, 0, "本年收入合计").grand_total, 1), f"“{_title(t4)}”总计")
    if (t5 := tables.get(T5)) is not None and (r5 := _total_row(t5)) is not None:
        c5 = _col(t5, "合计", True)
        add("一般公共预算财政拨款支出", _val(t5, r5, c5), f"“{_title(t5)}”合计")
        add("一般公共预算财政拨款基本支出", _val(t5, r5, _col(t5, "基本支出", True)), f"“{_title(t5)}”合计行基本支出")
        codes5 = _code_rows(t5)
        for f in ctx.figures(role="amount", source="text"):
            if f.code and f.code in codes5 and f.subject is None and f.unit == "万元" \
                    and "一般公共预算财政拨款支出" in _section_title_path(report, f.section):
                pairs.append((f"code:{f.code}", _val(t5, codes5[f.code], c5), f"“{_title(t5)}”{f.code}行合计"))
    if (t6 := tables.get(T6)) is not None:
        _, totals = _economic_cells(t6)
        add("人员经费", totals.get("人员经费"), f"“{_title(t6)}”人员经费合计")
        add("公用经费", totals.get("公用经费"), f"“{_title(t6)}”公用经费合计")
    if (t7 := tables.get(T7)) is not None:
        for (item, measure), v in (_sangong_cells(t7) or _sangong_cells_long(report, t7)).items():
            if measure not in ("预算数", "决算数") or v.empty:
                continue
            metric = "三公经费" if item == "合计" else item
            if measure == "预算数":
                metric = f"{metric} 年初预算"
            add(metric, v, f"“{_title(t7)}”{'' if item == '合计' else item}{measure}")

    findings = []
    done: set[tuple[str, int, int]] = set()
    for metric, v, where in pairs:
        if v is None or (v.table.id, v.row, v.col) in done and not metric.startswith("code:"):
            continue
        if metric.startswith("code:"):
            code = metric[5:]
            stated = [f for f in ctx.figures(role="amount", source="text") if f.code == code and f.subject is None
                      and f.unit == "万元" and "一般公共预算财政拨款支出" in _section_title_path(report, f.section)]
        else:
            stated = _narrative(ctx, metric)
        if not stated:
            continue
        done.add((v.table.id, v.row, v.col))
        wrong, worst = [], "ok"
        for f in stated:
            outcome = compare_values(v.value, v.decimals, f.value, f.decimals, summed=True) if not v.empty else (
                "ok" if f.value == ZERO else "error")
            if outcome != "ok":
                wrong.append(f)
                worst = "error" if "error" in (worst, outcome) else "rounding"
        if not wrong:
            continue
        name = stated[0].metric
        findings.append(make(
            "nine_tables.vs_narrative", worst,
            f"正文所述{name}{'、'.join(dict.fromkeys(f.text for f in wrong))}万元与{where}（{v.text if not v.empty else '空'}）不一致。",
            expected=v.text, actual="、".join(dict.fromkeys(f.text for f in wrong)),
            difference=fmt(wrong[0].value - v.value),
            evidence=[*[Evidence.of(f) for f in wrong[:3]], v.evidence(report)],
        ))
    return findings
