"""nine_tables.vs_narrative: the narrative's totals, 类 amounts, 人员/公用经费 and 三公 figures equal
the tables'."""

from __future__ import annotations

from evals.audit.findings import Evidence, Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import ZERO, compare_values, fmt, make
from evals.audit.rules.nine_tables.cells import (
    FAMILY,
    T1,
    T3,
    T4,
    T5,
    T6,
    T7,
    V,
    _code_rows,
    _col,
    _economic_cells,
    _sangong_cells,
    _sangong_cells_long,
    _side,
    _tables,
    _title,
    _total_row,
    _val,
)
from index.models import Figure, ParsedReport


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
