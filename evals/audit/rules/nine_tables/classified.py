"""nine_tables.hierarchy and nine_tables.row_columns: the 功能分类 and 经济分类 tables add up down
their codes (类 = Σ 款 = Σ 项, 合计 = Σ 类; 人员经费 = 301 + 303, 公用经费 = 302 + 310) and
across their columns (合计 = Σ the other columns)."""

from __future__ import annotations

from evals.audit.findings import Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import cell_value
from evals.audit.rules.nine_tables.cells import (
    _FUNCTION_TABLES,
    FAMILY,
    T2,
    T3,
    T4,
    T5,
    T6,
    _check_sum,
    _code_rows,
    _col,
    _economic_cells,
    _norm,
    _tables,
    _title,
    _total_row,
    _val,
    _value_cols,
    _value_cols_all,
)
from index.models import Table


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
