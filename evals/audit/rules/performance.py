"""Performance self-evaluation tables (项目支出绩效自评表).

Each project's table comes in two parts once parsed: 绩效自评表-预算执行 (总额 and funding
sources with 年初预算 / 调整后预算 / 预算执行数 / 预算执行率 / 权重 / 得分) and 绩效自评表-绩效指标
(indicators with 指标值, 度量单位, 权重, 得分 and a 合计 row). The rules:
- indicator weights = 100 − the budget-execution weight (the 预算执行 part's 权重, or the split
  its headers state: 预算执行情况（10分）, 绩效指标（90分）); whole-number weights and scores are
  set, not rounded, so any difference is an error;
- each 得分 ≤ its 权重;
- the 合计 row: 权重 = Σ 权重 and 得分 = Σ 得分;
- the narrative's score ("X项目绩效自评得分为100分") and its 预算数 / 执行数 match the project's table;
- a 成本指标 stated as a total in 元 / 万元 does not exceed the project's budget (a warning).
Funding sources vs 总额 and the 预算执行率 itself belong to the sums and completion families.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evals.audit.findings import Evidence, Finding
from evals.audit.intervals import Interval, verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import (
    ZERO,
    cell_value,
    compare_values,
    figure_at,
    fmt,
    make,
    subject_key,
    table_evidence,
)
from index.models import Figure, ParsedReport, Table

FAMILY = "performance"
HUNDRED = Decimal(100)


@dataclass
class Cell:
    """A numeric cell of a performance table."""

    value: Decimal
    decimals: int
    table: Table
    row: int
    col: int

    @property
    def interval(self) -> Interval:
        """Weights and scores printed as whole numbers are exact (they are set, not rounded)."""
        if self.decimals == 0:
            return Interval.exact(self.value)
        return Interval.displayed(self.value, self.decimals)

    def evidence(self, report: ParsedReport) -> Evidence:
        figure = figure_at(report, self.table.id, self.row, self.col)
        return Evidence.of(figure) if figure else table_evidence(self.table, self.row, self.col)

    @property
    def text(self) -> str:
        return fmt(self.value, self.decimals)


def _col(table: Table, word: str) -> int | None:
    width = max((len(r) for r in table.rows), default=0)
    return next((c for c in range(width) if word in table.header_text(c).replace(" ", "")), None)


def _cell(table: Table, row: int, col: int | None) -> Cell | None:
    if col is None or col >= len(table.rows[row]):
        return None
    parsed = cell_value(table.rows[row][col].text)
    return Cell(parsed[0], parsed[1], table, row, col) if parsed else None


def _is_total_row(row) -> bool:
    return any(c.text.replace(" ", "") in ("合计", "总计", "总分") for c in row[:2])


@dataclass
class Project:
    """One project's performance table: its budget part (may be missing) and indicator part."""

    subject: str
    budget: Table | None
    indicators: Table

    def budget_row(self) -> int | None:
        if self.budget is None:
            return None
        for r in range(self.budget.header_rows, len(self.budget.rows)):
            if any(c.text.replace(" ", "") in ("总额", "合计", "资金总额", "项目总额") for c in self.budget.rows[r][:3]):
                return r
        return None

    def budget_cell(self, word: str) -> Cell | None:
        r = self.budget_row()
        return _cell(self.budget, r, _col(self.budget, word)) if r is not None else None

    def indicator_rows(self) -> list[int]:
        t = self.indicators
        return [r for r in range(t.header_rows, len(t.rows)) if not _is_total_row(t.rows[r])]

    def total_row(self) -> int | None:
        t = self.indicators
        return next((r for r in range(t.header_rows, len(t.rows)) if _is_total_row(t.rows[r])), None)


def projects(report: ParsedReport) -> list[Project]:
    """Indicator tables paired with the budget table of the same project just before them."""
    result = []
    last_budget: Table | None = None
    for table in report.tables:
        if table.kind == "绩效自评表-预算执行":
            last_budget = table
        elif table.kind == "绩效自评表-绩效指标" and table.subject:
            budget = last_budget if last_budget and subject_key(last_budget.subject) == subject_key(table.subject) else None
            result.append(Project(table.subject, budget, table))
            last_budget = None
    return result


# ---------------------------------------------------------------------------- weights


_PART_POINTS = re.compile(r"[（(](\d+(?:\.\d+)?)分[）)]")


def header_points(table: Table | None) -> Decimal | None:
    """The points a part of the table is worth as its header states them: 预算执行情况（10分）,
    绩效指标（90分）."""
    if table is None or not table.rows:
        return None
    for cell in table.rows[0][:2]:
        match = _PART_POINTS.search(cell.text.replace(" ", ""))
        if match:
            return Decimal(match.group(1))
    return None


def judge(stated: Interval, computed: Interval, decimals: int) -> str:
    """`verdict`, except that whole-number weights and scores are set, not rounded: when both
    sides are exact, any difference is an error (there is no rounding to blame)."""
    if stated.lo == stated.hi and computed.lo == computed.hi:
        return "ok" if stated.lo == computed.lo else "error"
    return verdict(stated, computed, decimals)


def _sum_cells(cells: list[Cell]) -> Interval:
    acc = Interval.exact(ZERO)
    for c in cells:
        acc = acc + c.interval
    return acc


@rule(
    "performance.weights_total",
    family=FAMILY,
    severity="error",
    zh="绩效自评表中各项绩效指标权重之和为100减预算执行权重（见预算执行表或表头“预算执行情况（10分）”“绩效指标（90分）”）。",
    en="Indicator weights add up to 100 minus the budget-execution weight (from the budget part or the headers that state the split).",
    needs="performance tables",
)
def weights_total(ctx: RuleContext) -> list[Finding]:
    rid = "performance.weights_total"
    findings = []
    for p in projects(ctx.report):
        budget_weight = p.budget_cell("权重")
        budget_header, indicator_header = header_points(p.budget), header_points(p.indicators)
        budget_points = budget_weight.value if budget_weight else budget_header
        if budget_points is None and indicator_header is not None:
            budget_points = HUNDRED - indicator_header
        wcol = _col(p.indicators, "权重")
        weights = [c for r in p.indicator_rows() if (c := _cell(p.indicators, r, wcol))]
        if budget_points is None or not weights:
            ctx.insufficient(rid)
            continue
        # the indicators are worth 100 − the budget-execution weight (the split the headers state)
        expected = HUNDRED - budget_points
        decimals = max(c.decimals for c in [*weights, *([budget_weight] if budget_weight else [])])
        outcome = judge(Interval.exact(expected), _sum_cells(weights), decimals)
        bw_evidence = [budget_weight.evidence(ctx.report)] if budget_weight else []
        stated = sum((c.value for c in weights), ZERO)
        if outcome != "ok":
            bw_text = budget_weight.text if budget_weight else f"{fmt(budget_points)}（表头）"
            findings.append(make(
                rid, outcome,
                f"“{p.subject}”绩效自评表的指标权重合计{fmt(stated)}分加预算执行权重{bw_text}分为"
                f"{fmt(stated + budget_points)}分，不等于100分。",
                expected=fmt(expected), actual=fmt(stated), difference=fmt(stated - expected),
                evidence=[*bw_evidence, *[c.evidence(ctx.report) for c in weights]],
            ))
            continue
        header = budget_header if budget_header is not None else (
            HUNDRED - indicator_header if indicator_header is not None else None)
        if budget_weight is not None and header is not None and header != budget_weight.value:
            findings.append(make(
                rid, "error",
                f"“{p.subject}”绩效自评表的预算执行权重为{budget_weight.text}分，而表头所列分值为预算执行"
                f"{fmt(header)}分、绩效指标{fmt(HUNDRED - header)}分。",
                expected=fmt(header), actual=budget_weight.text, difference=fmt(budget_weight.value - header),
                evidence=bw_evidence,
            ))
    return findings


@rule(
    "performance.score_within_weight",
    family=FAMILY,
    severity="error",
    zh="绩效自评表中每项得分不超过其权重。",
    en="Each score in a performance table is at most its weight.",
    needs="performance tables",
)
def score_within_weight(ctx: RuleContext) -> list[Finding]:
    findings = []
    for p in projects(ctx.report):
        rows: list[tuple[Table, int]] = [(p.indicators, r) for r in p.indicator_rows()]
        if p.budget is not None and (br := p.budget_row()) is not None:
            rows.insert(0, (p.budget, br))
        for table, r in rows:
            weight = _cell(table, r, _col(table, "权重"))
            score = _cell(table, r, _col(table, "得分"))
            if weight is None or score is None:
                continue
            if score.interval.lo > weight.interval.hi:
                label = next((c.text for c in reversed(table.rows[r][: score.col]) if c.text and cell_value(c.text) is None
                              and c.text not in ("≥", "≤", "＝", "=", "＜", "＞", "<", ">", "定性", "定量")), "")
                findings.append(
                    make(
                        "performance.score_within_weight", "error",
                        f"“{p.subject}”绩效自评表中“{label}”得分{score.text}分超过其权重{weight.text}分。",
                        expected=f"≤{weight.text}", actual=score.text, difference=fmt(score.value - weight.value),
                        evidence=[score.evidence(ctx.report), weight.evidence(ctx.report)],
                    )
                )
    return findings


@rule(
    "performance.total_row",
    family=FAMILY,
    severity="error",
    zh="绩效自评表合计行的权重等于各项权重之和，得分等于各项得分之和。",
    en="The 合计 row of a performance table equals the sum of the weights and of the scores.",
    needs="performance tables",
)
def total_row(ctx: RuleContext) -> list[Finding]:
    findings = []
    for p in projects(ctx.report):
        tr = p.total_row()
        if tr is None:
            continue
        t = p.indicators
        total_w = _cell(t, tr, _col(t, "权重"))
        total_s = _cell(t, tr, _col(t, "得分"))
        ind_w = [c for r in p.indicator_rows() if (c := _cell(t, r, _col(t, "权重")))]
        ind_s = [c for r in p.indicator_rows() if (c := _cell(t, r, _col(t, "得分")))]
        bw, bs = p.budget_cell("权重"), p.budget_cell("得分")

        total = _sum_cells
        # Does the 合计 include the budget-execution part? The stated 合计 weight says so: 100 is
        # the whole table, 100 − the budget weight (90) the indicators alone; other values are
        # read on the sums (never on the weights, which a wrong weight would make look right).
        with_budget = bw is not None and bs is not None
        if total_w is not None and with_budget and total_w.value != HUNDRED:
            with_budget = not (
                total_w.value == HUNDRED - bw.value
                or (not total_w.interval.overlaps(total([*ind_w, bw])) and total_w.interval.overlaps(total(ind_w)))
            )
        for name, stated, parts in (
            ("权重", total_w, [*ind_w, bw] if with_budget else ind_w),
            ("得分", total_s, [*ind_s, bs] if with_budget else ind_s),
        ):
            if stated is None or not parts or any(c is None for c in parts):
                continue
            decimals = max(c.decimals for c in [stated, *parts])
            outcome = judge(stated.interval, total(parts), decimals)
            if outcome == "ok":
                continue
            computed = sum((c.value for c in parts), ZERO)
            findings.append(
                make(
                    "performance.total_row", outcome,
                    f"“{p.subject}”绩效自评表合计{name}为{stated.text}分，但各项{name}之和为{fmt(computed)}分。",
                    expected=fmt(computed), actual=stated.text, difference=fmt(stated.value - computed),
                    evidence=[stated.evidence(ctx.report), *[c.evidence(ctx.report) for c in parts]],
                )
            )
    return findings


# ---------------------------------------------------------------------------- narrative vs table

_SCORE_LABEL = re.compile(r"自评得分$|自评分$")
_SPENT_LABELS = ("执行数", "预算执行数", "实际执行数")
_BUDGET_LABELS = ("全年预算数", "年度预算数", "全年预算", "预算数")


def _project_for(ctx: RuleContext, rule_id: str, figure: Figure) -> Project | None:
    """The one performance table of the figure's project (names compared conservatively)."""
    key = subject_key(figure.subject)
    matches = [p for p in projects(ctx.report) if subject_key(p.subject) == key]
    if len(matches) != 1:
        ctx.insufficient(rule_id)
        return None
    return matches[0]


@rule(
    "performance.narrative_score",
    family=FAMILY,
    severity="error",
    zh="正文所述项目绩效自评得分与该项目绩效自评表的合计得分一致。",
    en="A project's self-evaluation score in the narrative equals the 合计 score of its table.",
    needs="narrative+performance tables",
)
def narrative_score(ctx: RuleContext) -> list[Finding]:
    findings = []
    for f in ctx.figures(role="score", source="text"):
        if not f.subject or not _SCORE_LABEL.search(f.label):
            continue
        p = _project_for(ctx, "performance.narrative_score", f)
        if p is None or (tr := p.total_row()) is None:
            continue
        stated = _cell(p.indicators, tr, _col(p.indicators, "得分"))
        if stated is None:
            ctx.insufficient("performance.narrative_score")
            continue
        outcome = compare_values(stated.value, stated.decimals, f.value, f.decimals)
        if outcome == "ok":
            continue
        findings.append(
            make(
                "performance.narrative_score", outcome,
                f"正文称“{f.subject}”项目绩效自评得分为{f.text}分，但其绩效自评表合计得分为{stated.text}分。",
                expected=stated.text, actual=f.text, difference=fmt(f.value - stated.value),
                evidence=[Evidence.of(f), stated.evidence(ctx.report)],
            )
        )
    return findings


@rule(
    "performance.narrative_execution",
    family=FAMILY,
    severity="error",
    zh="正文所述项目预算数、执行数与该项目绩效自评表（年初预算或调整后预算、预算执行数）一致。",
    en="A project's budget and spending in the narrative match its performance table.",
    needs="narrative+performance tables",
)
def narrative_execution(ctx: RuleContext) -> list[Finding]:
    findings = []
    for f in ctx.figures(role="amount", source="text"):
        if not f.subject or f.unit != "万元":
            continue
        label = f.label.replace(" ", "")
        if label in _SPENT_LABELS:
            words = ("预算执行数",)
        elif label in _BUDGET_LABELS:
            words = ("年初预算", "调整后预算")
        else:
            continue
        # the project's one performance table, wherever the narrative stands (十、（四） or an annex)
        p = _project_for(ctx, "performance.narrative_execution", f)
        if p is None or p.budget is None:
            continue
        cells = [c for w in words if (c := p.budget_cell(w)) is not None]
        if not cells:
            ctx.insufficient("performance.narrative_execution")
            continue
        outcomes = [compare_values(c.value, c.decimals, f.value, f.decimals) for c in cells]
        if "ok" in outcomes:
            continue
        outcome = "rounding" if "rounding" in outcomes else "error"
        names = "或".join(f"{w}{c.text}万元" for w, c in zip(words, cells))
        findings.append(
            make(
                "performance.narrative_execution", outcome,
                f"正文称“{f.subject}”项目{f.label}{f.text}万元，与其绩效自评表的{names}不一致。",
                expected="或".join(c.text for c in cells), actual=f.text, difference=fmt(f.value - cells[0].value),
                evidence=[Evidence.of(f), *[c.evidence(ctx.report) for c in cells]],
            )
        )
    return findings


# ---------------------------------------------------------------------------- cost targets

_MONEY = {"元": Decimal("0.0001"), "万元": Decimal(1)}


@rule(
    "performance.cost_target_within_budget",
    family=FAMILY,
    severity="warning",
    zh="成本指标以元或万元表示总额时，其指标值不应超过该项目的预算。",
    en="A cost indicator stated as a total in 元/万元 does not exceed the project's budget.",
    needs="performance tables",
)
def cost_target_within_budget(ctx: RuleContext) -> list[Finding]:
    findings = []
    for p in projects(ctx.report):
        t = p.indicators
        target_col, unit_col = _col(t, "指标值"), _col(t, "度量单位")
        level_cols = [c for w in ("一级指标", "二级指标") if (c := _col(t, w)) is not None]
        if target_col is None or unit_col is None or not level_cols:
            continue
        budgets = [c for w in ("年初预算", "调整后预算") if (c := p.budget_cell(w)) is not None]
        if not budgets:
            ctx.insufficient("performance.cost_target_within_budget")
            continue
        budget = max(budgets, key=lambda c: c.value)
        for r in p.indicator_rows():
            row = t.rows[r]
            if not any("成本" in row[c].text for c in level_cols if c < len(row)):
                continue
            unit = row[unit_col].text.strip() if unit_col < len(row) else ""
            target = _cell(t, r, target_col)
            if unit not in _MONEY or target is None:
                continue  # 元/户, 元/人…: a unit cost, not a total
            in_wan = target.value * _MONEY[unit]
            if in_wan <= budget.interval.hi:
                continue
            findings.append(
                make(
                    "performance.cost_target_within_budget", "warning",
                    f"“{p.subject}”的成本指标指标值{target.text}{unit}（{fmt(in_wan.normalize())}万元）超过该项目预算{budget.text}万元。",
                    expected=f"≤{budget.text}万元", actual=f"{target.text}{unit}",
                    difference=fmt(in_wan - budget.value, budget.decimals),
                    evidence=[target.evidence(ctx.report), budget.evidence(ctx.report)],
                )
            )
    return findings
