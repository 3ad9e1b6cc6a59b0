"""Completion and execution rates: 执行数 / the budget named (年初预算, 调整后预算, 全年预算),
in the narrative and in the 绩效自评表 / 资金计划 tables; and the budget-vs-actual wording."""

from __future__ import annotations

import re
from decimal import Decimal

from evals.audit.findings import Finding
from evals.audit.intervals import HUNDRED, Interval, verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._facts import Facts, Key
from evals.audit.rules.sums import (
    Ambiguous,
    fmt,
    is_current,
    is_money,
    judged,
    make_finding,
    same_value,
    sentence_mates,
    shown,
    wan,
    wan_decimals,
    wan_value,
)
from index.models import Figure

FAMILY = "completion"
ZERO = Decimal(0)
BUDGET_KINDS = ("调整后预算", "年初预算", "全年预算")
_FUND_NAMES = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算")


def budget_kind(figure: Figure) -> str | None:
    """年初预算 / 调整后预算 / 全年预算 / 预算 for a budget amount; None for an executed amount."""
    words = f"{figure.label} {figure.metric.split(' ', 1)[-1] if ' ' in figure.metric else ''} {figure.column or ''}"
    words = _FUND_NAMES.sub("", words)  # 一般公共预算财政拨款支出 is no budget
    if "执行" in words or "决算" in words:
        return None
    for kind in BUDGET_KINDS:
        if kind in words:
            return kind
    if "预算" in words:
        return "预算"
    return None


def _ratio(actual: Figure, budget: Figure) -> tuple[Interval, Decimal] | None:
    """Executed / budget ×100 as an interval and as the printed point value (None on a zero budget)."""
    base = wan(budget)
    if base.lo <= 0:
        return None
    return wan(actual) / base * Interval.exact(HUNDRED), wan_value(actual) / wan_value(budget) * HUNDRED


def _name(kind: str) -> str:
    return {"调整后预算": "调整后预算数", "年初预算": "年初预算数", "全年预算": "全年预算数"}.get(
        kind, "预算数"
    )


# ---------------------------------------------------------------------------------------------
# Narrative rates
# ---------------------------------------------------------------------------------------------


def _belongs(rate: Figure, budget: Figure, single_rate: bool) -> bool:
    """Whether a budget amount of the rate's sentence is the rate's own."""
    if rate.subject:
        return budget.subject == rate.subject
    if budget.metric.startswith(rate.metric + " "):
        return True
    return " " not in budget.metric and single_rate


def _narrative_binding(ctx: RuleContext, rate: Figure) -> tuple[Figure | None, list[Figure], bool]:
    """(actual, budgets, budgets_from_sentence) for a narrative completion rate."""
    mates = sentence_mates(ctx, rate)
    money = [f for f in mates if f.role == "amount" and is_money(f) and f.start < rate.start]
    rates = [f for f in mates if f.role == "completion_rate"]
    actuals = [
        f
        for f in money
        if budget_kind(f) is None
        and (f.metric == rate.metric or (rate.subject is not None and f.subject == rate.subject))
    ]
    actual = actuals[-1] if actuals else None
    if actual is None:  # "年初预算为X万元，支出决算为Y万元。完成年初预算的Z%。"
        earlier = [
            f
            for f in ctx.report.figures
            if f.placed == "text"
            and f.section == rate.section
            and f.start < rate.start
            and f.role == "amount"
            and is_money(f)
            and budget_kind(f) is None
            and f.metric == rate.metric
            and is_current(ctx, f)
        ]
        actual = earlier[-1] if earlier else None
    budgets = [f for f in money if budget_kind(f) is not None and _belongs(rate, f, len(rates) == 1)]
    if budgets:
        return actual, budgets, True
    # none in the sentence: the same metric's budget elsewhere, stated once
    elsewhere: list[Figure] = []
    for figure in ctx.report.figures:
        if (
            figure.role != "amount"
            or not is_money(figure)
            or not is_current(ctx, figure)
            or budget_kind(figure) is None
        ):
            continue
        if (
            figure.placed == "text"
            and figure.section == rate.section
            and figure.metric.startswith(rate.metric + " ")
        ):
            elsewhere.append(figure)
        elif figure.placed == "table" and not rate.subject and figure.metric == f"{rate.metric} 预算数":
            elsewhere.append(figure)  # the "三公" table's 预算数 column
    kinds: dict[str, list[Figure]] = {}
    for figure in elsewhere:
        kinds.setdefault(budget_kind(figure) or "预算", []).append(figure)
    if any(not same_value(v) for v in kinds.values()):
        return actual, [], False
    return actual, [v[0] for v in kinds.values()], False


@rule(
    "completion.rate",
    family=FAMILY,
    severity="error",
    zh="完成预算（预算执行率）X%＝执行（决算）数÷所称预算数；未说明哪一预算时，年初或调整后（全年）预算任一吻合即可",
    en="a completion / execution rate = executed / the budget named; when unnamed, either budget may match",
)
def completion_rate(ctx: RuleContext) -> list[Finding]:
    rid = "completion.rate"
    findings: list[Finding] = []
    facts = Facts(ctx)
    for rate in ctx.figures(role="completion_rate", source="text"):
        if rate.unit != "%" or not is_current(ctx, rate):
            continue
        actual, budgets, _ = _narrative_binding(ctx, rate)
        if actual is None and not rate.subject:
            actual = _find(facts, Key(rate.metric, rate.year, "actual", None, rate.scope), rate)
        derived = False
        if actual is not None and not budgets and not rate.subject:
            budgets = facts.budgets(Key(rate.metric, rate.year, "actual", None, rate.scope), rate)
            if not budgets and (implied := _implied_budget(ctx, actual, rate)) is not None:
                budgets, derived = [implied], True
        if actual is None or not budgets:
            ctx.insufficient(rid)
            continue
        named = rate.base if rate.base in BUDGET_KINDS else None
        outcomes = []
        for budget in budgets:
            ratio = _ratio(actual, budget)
            if ratio is not None:
                outcomes.append((budget, ratio, verdict(Interval.of(rate), ratio[0], rate.decimals)))
        oks = [o for o in outcomes if o[2] == "ok"]
        if named:
            own = [o for o in outcomes if budget_kind(o[0]) == named]
            if oks:
                continue  # matched (on another budget than the one named: completion.named_base)
            if own:
                outcomes = own
        if not outcomes:
            if actual.value != 0 or rate.value != 0:  # 0% of a zero budget says nothing wrong
                ctx.insufficient(rid)
            continue
        if oks:
            continue
        best = min(outcomes, key=lambda o: abs(o[1][1] - rate.value))
        budget, (interval, point), _ = best
        tried = "；".join(
            f"÷{_name(budget_kind(b) or '预算')}{shown(b)}＝{fmt(p)}%" for b, (_, p), _ in outcomes
        )
        who = f"{rate.subject}项目" if rate.subject else ""
        message = f"{who}{rate.label}{shown(rate)}与{actual.label}{shown(actual)}不符：{tried}。"
        if derived:
            message = message.rstrip("。") + f"（预算数由文中“{budget.label}”推得）。"
        finding = judged(
            rid,
            FAMILY,
            Interval.of(rate),
            interval,
            rate.decimals,
            message,
            [rate, actual, *[o[0] for o in outcomes]],
            rate.value,
            point=point,
            # A budget the text only implies (决算数大于预算数X万元) makes a strong case, not a proof.
            severity="warning" if derived else "error",
        )
        if finding:
            findings.append(finding)
    return findings


def _find(facts: Facts, key: Key, near: Figure) -> Figure | None:
    try:
        return facts.find(key, near) or facts.find(key, near, any_scope=True)
    except Ambiguous:
        return None


def _implied_budget(ctx: RuleContext, actual: Figure, rate: Figure) -> Figure | None:
    """The budget a sentence implies without printing it: "决算数大于预算数55.93万元" beside the
    final account 1741.75 means a budget of 1685.82 (a Figure built for the arithmetic, pointing
    at the difference as printed)."""
    diffs = [
        f for f in sentence_mates(ctx, rate)
        if f.role == "change_amount" and f.against == "budget" and f.direction in ("increase", "decrease")
        and f.metric == actual.metric and is_money(f)
    ]
    if len(diffs) != 1:
        return None
    diff = diffs[0]
    sign = -1 if diff.direction == "increase" else 1
    value = wan_value(actual) + sign * wan_value(diff)
    decimals = max(wan_decimals(actual), wan_decimals(diff))
    return diff.model_copy(update={
        "metric": f"{actual.metric} 预算", "label": f"决算数{'大于' if sign < 0 else '小于'}预算数{shown(diff)}",
        "role": "amount", "value": value, "text": fmt(value, decimals), "decimals": decimals, "unit": "万元",
        "basis": "budget", "against": None, "direction": None,
    })


@rule(
    "completion.named_base",
    family=FAMILY,
    severity="warning",
    zh="文中称“完成年初（调整后、全年）预算的X%”，X应按所称的那一预算数计算",
    en="a rate said to be of the 年初/调整后/全年 budget is computed on that budget, not another",
)
def named_base(ctx: RuleContext) -> list[Finding]:
    rid = "completion.named_base"
    findings: list[Finding] = []
    for rate in ctx.figures(role="completion_rate", source="text"):
        named = rate.base if rate.base in BUDGET_KINDS else None
        if not named or rate.unit != "%":
            continue
        actual, budgets, _ = _narrative_binding(ctx, rate)
        if actual is None:
            continue
        # An unnamed 预算数 (the 三公 table's column) may be the budget the text names.
        own = [b for b in budgets if budget_kind(b) in (named, "预算")]
        others = [b for b in budgets if budget_kind(b) not in (named, "预算")]
        own_ok = False
        for budget in own:
            ratio = _ratio(actual, budget)
            own_ok = own_ok or (
                ratio is not None and verdict(Interval.of(rate), ratio[0], rate.decimals) == "ok"
            )
        if own_ok:
            continue
        for other in others:
            ratio = _ratio(actual, other)
            if ratio is not None and verdict(Interval.of(rate), ratio[0], rate.decimals) == "ok":
                own_text = "、".join(f"{_name(named)}{shown(b)}" for b in own) or f"未列{_name(named)}"
                findings.append(
                    make_finding(
                        rid,
                        FAMILY,
                        "warning",
                        f"文中称{rate.label}为“{named}”的{shown(rate)}，但该比例是{actual.label}{shown(actual)}÷"
                        f"{_name(budget_kind(other) or '预算')}{shown(other)}＝{fmt(ratio[1])}%，而非按{own_text}计算。",
                        [rate, actual, *own, other],
                        _name(budget_kind(other) or "预算"),
                        _name(named),
                    )
                )
                break
    return findings


# ---------------------------------------------------------------------------------------------
# 绩效自评表-预算执行 and 资金计划 tables
# ---------------------------------------------------------------------------------------------


def _column_kind(figure: Figure) -> str | None:
    column = (figure.column or "").split(" ")[-1]
    if "执行率" in column:
        return "rate"
    if "执行数" in column or column == "执行":
        return "actual"
    for kind in BUDGET_KINDS:
        if kind in column:
            return kind
    return None


@rule(
    "completion.table_rate",
    family=FAMILY,
    severity="error",
    zh="绩效自评表、资金计划表：预算执行率＝预算执行数÷调整后预算数（或年初预算数），说明吻合的是哪一个",
    en="performance / fund-plan tables: execution rate = executed / adjusted (or initial) budget, saying which",
    needs="tables",
)
def table_rate(ctx: RuleContext) -> list[Finding]:
    rid = "completion.table_rate"
    findings: list[Finding] = []
    for table in ctx.report.tables:
        if table.kind not in ("绩效自评表-预算执行", "资金计划"):
            continue
        rows: dict[int, dict[str, Figure]] = {}
        for figure in ctx.report.figures:
            if figure.placed == "table" and figure.table_id == table.id and (kind := _column_kind(figure)):
                rows.setdefault(figure.row or 0, {})[kind] = figure
        failing: list[tuple[Figure, Figure, list[tuple[Figure, Decimal]], str]] = []
        for cells in rows.values():
            rate, actual = cells.get("rate"), cells.get("actual")
            if rate is None or actual is None or rate.unit != "%":
                continue
            budgets = [cells[k] for k in BUDGET_KINDS if k in cells]
            tried = [(b, r) for b in budgets if (r := _ratio(actual, b)) is not None]
            if not tried:
                if actual.value != 0 or rate.value != 0:
                    ctx.insufficient(rid)
                continue
            results = [verdict(Interval.of(rate), r[0], rate.decimals) for _, r in tried]
            if "ok" in results:
                continue
            failing.append(
                (
                    rate,
                    actual,
                    [(b, r[1]) for b, r in tried],
                    "rounding" if "rounding" in results else "error",
                )
            )
        if not failing:
            continue
        severity_error = any(f[3] == "error" for f in failing)
        parts = []
        evidence: list[Figure] = []
        for rate, actual, tried, _ in failing:
            row_name = rate.label.split(" ")[-1].removeprefix("其中：").removeprefix("其中:")
            ratios = "，".join(f"÷{_name(budget_kind(b) or '预算')}{shown(b)}＝{fmt(p)}%" for b, p in tried)
            parts.append(f"{row_name}行执行数{shown(actual)}{ratios}，表中为{shown(rate)}")
            evidence.extend([rate, actual, *[b for b, _ in tried]])
        subject = table.subject or ""
        message = (
            f"{subject}{'绩效自评表' if table.kind.startswith('绩效') else '资金计划表'}预算执行率与执行数不符："
            + "；".join(parts)
            + "。"
        )
        first_rate, _, first_tried, _ = failing[0]
        expected = "或".join(f"{fmt(p)}%" for _, p in first_tried)
        if severity_error:
            findings.append(
                make_finding(rid, FAMILY, "error", message, evidence, expected, shown(first_rate))
            )
        else:
            findings.append(
                make_finding(
                    rid,
                    "rounding",
                    "info",
                    message.rstrip("。") + "（仅差最后一位的舍入，或系舍入方向有误）。",
                    evidence,
                    expected,
                    shown(first_rate),
                )
            )
    return findings
