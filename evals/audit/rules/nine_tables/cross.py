"""nine_tables.cross_totals: the tables agree with each other (T1 本年收入合计 = T2 合计, T3 合计 =
T1 本年支出合计, T5 合计 = T4 一般公共预算, T6 人员 + 公用 = T5 基本支出; the same 类 the same amount
in T1 and T3 and in T4 and T5; the same code the same name everywhere)."""

from __future__ import annotations

from evals.audit.findings import Finding
from evals.audit.intervals import verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import compare_values, fmt, make, table_evidence
from evals.audit.rules.nine_tables.cells import (
    FAMILY,
    T1,
    T2,
    T3,
    T4,
    T5,
    T6,
    V,
    _class_lines,
    _code_rows,
    _col,
    _economic_cells,
    _norm,
    _side,
    _sum,
    _tables,
    _title,
    _total_row,
    _val,
)
from index.lexicon import FUNCTIONAL_CLASSES
from index.models import Table


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
