"""Sums, wholes and their listed parts: generic "X总额/合计……，其中 a、b" breakdowns, "a part never
exceeds its whole", and the funding sources of a project's budget (绩效自评表 预算执行 part,
资金计划 tables) against its 总额.
"""

from __future__ import annotations

import re
from decimal import Decimal

from evals.audit.findings import Evidence, Finding
from evals.audit.intervals import Interval, verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._arith import (
    ZERO,
    Ambiguous,
    bind_amount,
    fmt,
    judged,
    make_finding,
    narrative_amounts,
    same_value,
    sentences,
    shown,
    total_of,
    wan,
    wan_decimals,
    wan_value,
)
from evals.audit.rules._audit import cell_value, figure_at, table_evidence
from evals.audit.rules.sums import FAMILY, RELATIONS
from index.lexicon import clean_metric_text
from index.models import Figure, Table

# ---------------------------------------------------------------------------------------------
# Generic "X总额/合计…，其中 a、b、c" breakdowns
# ---------------------------------------------------------------------------------------------

_TOTAL_WORD = re.compile(r"(总额|合计|总计)$")
_SPECIFIC_TOTALS = {m for r in RELATIONS.values() for m in r.totals} | {"收支总计", "财政拨款收支总计"}


def _owned(head: Figure, parts: list[Figure]) -> bool:
    """A total broken down into the parts a template relation names (checked by that rule)."""
    if head.metric in ("收支总计", "财政拨款收支总计"):
        return True
    return any(head.metric in r.totals and all(p.metric in r.parts for p in parts) for r in RELATIONS.values())


@rule(
    "sums.qizhong_breakdown",
    family=FAMILY,
    severity="error",
    zh="“X总额/合计……，其中a、b”所列各部分之和等于总额",
    en="a stated total equals the parts its 其中 clause lists",
)
def qizhong_breakdown(ctx: RuleContext) -> list[Finding]:
    rid = "sums.qizhong_breakdown"
    findings: list[Finding] = []
    for group in sentences(ctx, narrative_amounts(ctx)):
        head = group[0]
        label = clean_metric_text(head.label)
        if not _TOTAL_WORD.search(label.removesuffix("为")):
            continue
        quote = head.quote
        rel_head = head.start - _sentence_start(ctx, head)
        qizhong = quote.find("其中", max(rel_head, 0))
        if qizhong < 0 or quote.count("其中") > 1:
            continue
        parts = [f for f in group[1:] if f.start - _sentence_start(ctx, head) > qizhong]
        if len(parts) < 2 or len({p.metric for p in parts}) < len(parts):
            continue
        if _owned(head, parts):
            continue  # a template relation's own breakdown: its rule checks it
        computed = total_of(parts)
        listing = "＋".join(f"{p.label}{shown(p)}" for p in parts)
        message = f"{head.label}{shown(head)}与其中所列各部分之和不符：{listing}＝{fmt(computed.mid)}万元。"
        finding = judged(
            rid, FAMILY, wan(head), computed, wan_decimals(head), message, [head, *parts], wan_value(head)
        )
        if finding:
            findings.append(finding)
    return findings


def _sentence_start(ctx: RuleContext, figure: Figure) -> int:
    """Offset of the figure's sentence in Report.text (its quote found around the figure)."""
    text = ctx.report.report.text
    lo = max(0, figure.start - len(figure.quote))
    pos = text.find(figure.quote, lo, figure.end + len(figure.quote))
    return pos if pos >= 0 else figure.start


# ---------------------------------------------------------------------------------------------
# A part never exceeds its whole
# ---------------------------------------------------------------------------------------------

EXTRA_PAIRS = (("政府采购支出总额", "授予中小企业合同金额"), ("授予中小企业合同金额", "授予小微企业合同金额"))
# Wholes stated once for the whole report (a section of their own), and parts stated elsewhere:
# appropriations are part of all income and spending; the general budget's income and spending
# are part of the appropriations (total = appropriation income + opening balances = spending +
# closing balances, so a part never exceeds it, whatever the balances); the general budget's
# basic spending is part of all basic spending.
REPORT_PAIRS = (
    ("收支总计", "财政拨款收支总计"),
    ("财政拨款收支总计", "一般公共预算财政拨款收入"),
    ("财政拨款收支总计", "一般公共预算财政拨款支出"),
    ("基本支出", "一般公共预算财政拨款基本支出"),
)


@rule(
    "sums.part_exceeds_whole",
    family=FAMILY,
    severity="error",
    zh="任何组成部分不得大于其总额",
    en="a part never exceeds its whole",
)
def part_exceeds_whole(ctx: RuleContext) -> list[Finding]:
    rid = "sums.part_exceeds_whole"
    findings: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[Figure, Figure]] = []
    for relation in RELATIONS.values():
        for part in narrative_amounts(ctx):
            if part.metric not in relation.parts:
                continue
            for metric in relation.totals:
                try:
                    total = bind_amount(ctx, metric, part)
                except Ambiguous:
                    ctx.insufficient(rid)
                    break
                if total is not None:
                    pairs.append((total, part))
                    break
    for whole_metric, part_metric in EXTRA_PAIRS:
        for part in narrative_amounts(ctx, part_metric):
            try:
                total = bind_amount(ctx, whole_metric, part, walk_up=False)
            except Ambiguous:
                continue
            if total is not None:
                pairs.append((total, part))
    for whole_metric, part_metric in REPORT_PAIRS:
        wholes = [f for f in narrative_amounts(ctx, whole_metric) if f.subject is None]
        parts = [f for f in narrative_amounts(ctx, part_metric) if f.subject is None]
        if not wholes or not parts:
            continue
        if not same_value(wholes):
            ctx.insufficient(rid)
            continue
        pairs.extend((wholes[0], part) for part in parts)
    for total, part in pairs:
        if (total.start, part.start) in seen:
            continue
        seen.add((total.start, part.start))
        if wan(part).lo > wan(total).hi:
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"{part.label}{shown(part)}大于其总额{total.label}{shown(total)}。",
                    [total, part],
                    wan_value(total),
                    wan_value(part),
                    wan_value(part) - wan_value(total),
                )
            )
    return findings


# The nine standard tables' own sums (T1 balance, row columns, the 三公 table) are checked by
# the nine_tables family, which covers everything these rules did and more.


# ---------------------------------------------------------------------------------------------
# Funding sources of a project's budget (绩效自评表 预算执行 part, 资金计划 tables)
# ---------------------------------------------------------------------------------------------

_PROJECT_FUND_TABLES = ("绩效自评表-预算执行", "资金计划")
_TOTAL_LABELS = ("总额", "合计", "资金总额", "项目总额", "年度资金总额")
# The sources the national template and its local variants list under 总额 (年度资金总额).
_SOURCE_LABELS = (
    "财政资金", "财政拨款", "当年财政拨款", "财政专户管理资金", "单位资金", "其他资金", "上年结转资金", "自有资金",
    "自筹资金",
)
_MONEY_COLUMNS = (
    ("年初预算", "年初预算"), ("调整后预算", "调整后预算数"), ("全年预算", "全年预算数"), ("执行数", "预算执行数"),
)


def _label(text: str) -> str:
    return re.sub(r"^其中[:：]?", "", re.sub(r"\s+", "", text))


def _money_column(table: Table, word: str) -> int | None:
    width = max((len(r) for r in table.rows), default=0)
    return next(
        (c for c in range(width) if word in (h := table.header_text(c).replace(" ", "")) and "执行率" not in h), None
    )


def _cell_figure(ctx: RuleContext, table: Table, row: int, col: int) -> tuple[Decimal, int, Evidence | None] | None:
    """(value, decimals, evidence) of a money cell; value 0 (exact) for an empty or '/' cell;
    None when the cell holds text that is no number."""
    cells = table.rows[row]
    text = cells[col].text.strip() if col < len(cells) else ""
    if text in ("", "/", "-", "—", "－"):
        return ZERO, None, None
    parsed = cell_value(text)
    if parsed is None:
        return None
    figure = figure_at(ctx.report, table.id, row, col)
    evidence = Evidence.of(figure) if figure else table_evidence(table, row, col)
    return parsed[0], parsed[1], evidence


@rule(
    "sums.funding_sources",
    family=FAMILY,
    severity="error",
    zh="绩效自评表、资金计划表：总额＝财政资金＋财政专户管理资金＋单位资金＋其他资金（年初预算、调整后预算数、预算执行数各栏）",
    en="performance / fund-plan tables: 总额 = the funding sources, in each of the 年初预算, 调整后预算 and 执行数 columns",
    needs="tables",
)
def funding_sources(ctx: RuleContext) -> list[Finding]:
    rid = "sums.funding_sources"
    findings: list[Finding] = []
    for table in ctx.report.tables:
        if table.kind not in _PROJECT_FUND_TABLES:
            continue
        labelled: list[tuple[int, str]] = []
        for r in range(table.header_rows, len(table.rows)):
            label = next((_label(c.text) for c in table.rows[r][:3] if _label(c.text)
                          and not re.fullmatch(r"[\d.,%％/]+", _label(c.text))), "")
            labelled.append((r, label))
        totals = [r for r, label in labelled if label in _TOTAL_LABELS]
        if len(totals) != 1:
            ctx.insufficient(rid)
            continue
        total_row = totals[0]
        sources = [(r, label) for r, label in labelled if r > total_row and label in _SOURCE_LABELS]
        unknown = [label for r, label in labelled if r > total_row and label and label not in _SOURCE_LABELS]
        if not sources or unknown:
            ctx.insufficient(rid)  # a breakdown the rule cannot read as the whole list of sources
            continue
        failing: list[tuple[str, str, list[str], Decimal, list[Evidence]]] = []
        worst = "ok"
        for word, name in _MONEY_COLUMNS:
            col = _money_column(table, word)
            if col is None:
                continue
            total = _cell_figure(ctx, table, total_row, col)
            parts = [(label, _cell_figure(ctx, table, r, col)) for r, label in sources]
            if total is None or total[2] is None or any(p is None for _, p in parts):
                ctx.insufficient(rid)
                continue
            if all(p[2] is None for _, p in parts):
                continue  # no source stated in this column
            stated = Interval.displayed(total[0], total[1])
            computed = Interval.exact(ZERO)
            for _, (value, decimals, evidence) in parts:
                computed = computed + (Interval.displayed(value, decimals) if evidence else Interval.exact(ZERO))
            outcome = verdict(stated, computed, total[1])
            if outcome == "ok":
                continue
            worst = "error" if "error" in (worst, outcome) else "rounding"
            listing = [f"{label}{fmt(value, decimals) if evidence else '（空）'}" for label, (value, decimals, evidence) in parts]
            point = sum((value for _, (value, _, _) in parts), ZERO)
            failing.append((name, fmt(total[0], total[1]), listing, point,
                            [total[2], *[e for _, (_, _, e) in parts if e is not None]]))
        if not failing:
            continue
        where = "绩效自评表" if table.kind.startswith("绩效") else "资金计划表"
        described = "；".join(f"{name}总额{stated}万元，而{'＋'.join(listing)}＝{fmt(point)}万元"
                             for name, stated, listing, point, _ in failing)
        message = f"“{table.subject or ''}”{where}各资金来源之和与总额不符：{described}。"
        evidence = [e for *_, evs in failing for e in evs]
        first = failing[0]
        expected = "；".join(f"{name}={fmt(point)}" for name, _, _, point, _ in failing)
        actual = "；".join(f"{name}={stated}" for name, stated, _, _, _ in failing)
        difference = fmt(Decimal(first[1]) - first[3])
        if worst == "rounding":
            findings.append(Finding(rule=rid, family="rounding", severity="info",
                                    message=message.rstrip("。") + "（仅差最后一位的舍入，或系舍入方向有误）。",
                                    expected=expected, actual=actual, difference=difference, evidence=evidence))
        else:
            findings.append(Finding(rule=rid, family=FAMILY, severity="error", message=message, expected=expected,
                                    actual=actual, difference=difference, evidence=evidence))
    return findings
