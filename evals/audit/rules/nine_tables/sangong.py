"""nine_tables.sangong: in the 三公 table 合计 = 因公出国（境） + 公务用车 + 公务接待 and 公务用车 =
购置 + 运行, for 预算数 and 决算数."""

from __future__ import annotations

from evals.audit.findings import Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules.nine_tables.cells import (
    FAMILY,
    T7,
    V,
    _check_sum,
    _sangong_cells,
    _sangong_cells_long,
    _tables,
    _title,
)


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
