"""Completion, continued: differences from the budget (差值, 与预算相比, 决算数大于预算数X万元) and
the budget-vs-actual wording ("决算数大于/小于/等于预算数") against the amounts and rates."""

from __future__ import annotations

import re
from decimal import Decimal

from evals.audit.findings import Finding
from evals.audit.intervals import HUNDRED, Interval
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._facts import Facts, Key, split_metric
from evals.audit.rules.completion import FAMILY, ZERO, _find, _name, budget_kind
from evals.audit.rules.sums import (
    fmt,
    is_current,
    is_money,
    judged,
    make_finding,
    sentence_mates,
    shown,
    wan,
    wan_decimals,
    wan_value,
)
from index.models import Figure
from index.reading import reading_copy

# ---------------------------------------------------------------------------------------------
# Differences from the budget
# ---------------------------------------------------------------------------------------------


@rule(
    "completion.difference",
    family=FAMILY,
    severity="error",
    zh="与预算相比的增减额（差值）＝决算数－预算数，增减率＝增减额÷预算数",
    en="a difference from the budget = final account − budget, and its rate = difference / budget",
)
def difference(ctx: RuleContext) -> list[Finding]:
    rid = "completion.difference"
    findings: list[Finding] = []
    facts = Facts(ctx)
    for diff in ctx.figures(role="change_amount"):
        if diff.against != "budget" or not is_money(diff) or not is_current(ctx, diff):
            continue
        metric, _ = split_metric(diff)
        actual = _find(facts, Key(metric, diff.year, "actual", diff.subject, diff.scope), diff)
        budgets = facts.budgets(Key(metric, diff.year, "actual", diff.subject, diff.scope), diff)
        if actual is None or len(budgets) != 1:
            ctx.insufficient(rid)
            continue
        budget = budgets[0]
        computed = wan(actual) - wan(budget)
        point = wan_value(actual) - wan_value(budget)
        if diff.direction is None:  # 差值: unsigned
            computed = Interval(max(ZERO, -computed.hi, computed.lo), max(-computed.lo, computed.hi))
            point, stated, stated_point = abs(point), wan(diff), wan_value(diff)
        else:
            sign = 1 if diff.direction == "increase" else -1
            stated = wan(diff) if sign > 0 else Interval(-wan(diff).hi, -wan(diff).lo)
            stated_point = sign * wan_value(diff)
        message = (
            f"{actual.label}决算{shown(actual)}与{_name(budget_kind(budget) or '预算')}{shown(budget)}相差{fmt(point)}万元，"
            f"文中为{shown(diff)}。"
        )
        finding = judged(rid, FAMILY, stated, computed, wan_decimals(diff), message, [diff, actual, budget],
                         stated_point, point=point)
        if finding:
            findings.append(finding)
        findings.extend(_difference_rate(rid, ctx, diff, budget))
    return findings


def _difference_rate(rid: str, ctx: RuleContext, diff: Figure, budget: Figure) -> list[Finding]:
    """"与2021年度预算相比，减少0.28万元，下降15%": the rate is the difference over the budget."""
    rates = [f for f in sentence_mates(ctx, diff) if f.role == "change_rate" and f.against == "budget"
             and f.metric == diff.metric and f.start > diff.start and f.unit == "%"]
    if not rates or wan(budget).lo <= 0:
        return []
    rate = rates[0]
    computed = wan(diff) / wan(budget) * Interval.exact(HUNDRED)
    point = wan_value(diff) / wan_value(budget) * HUNDRED
    message = f"与预算相比的增减额{shown(diff)}÷{_name(budget_kind(budget) or '预算')}{shown(budget)}＝{fmt(point)}%，文中为{shown(rate)}。"
    finding = judged(rid, FAMILY, Interval.of(rate), computed, rate.decimals, message, [rate, diff, budget],
                     rate.value, point=point)
    return [finding] if finding else []



# ---------------------------------------------------------------------------------------------
# Budget-vs-actual wording
# ---------------------------------------------------------------------------------------------

_WORDING = re.compile(
    r"决算数?(?:与|同|和|跟)?(全年|年初|调整后)?预算数?(基本)?持平"
    r"|决算数?(大于|小于|等于|高于|低于|超过|超出|少于|多于)(全年|年初|调整后)?预算数?"
)
_GREATER = {"大于", "高于", "超过", "超出", "多于"}
_LESS = {"小于", "低于", "少于"}


def _relation_from_rates(rates: list[Figure]) -> str | None:
    """'equal', 'greater', 'less' when every completion rate agrees; else None."""
    found = set()
    for rate in rates:
        interval = Interval.of(rate)
        if interval.lo <= HUNDRED <= interval.hi:
            found.add("equal")
        elif interval.lo > HUNDRED:
            found.add("greater")
        else:
            found.add("less")
    return found.pop() if len(found) == 1 else None


@rule(
    "completion.wording",
    family=FAMILY,
    severity="error",
    zh="“决算数大于/小于/等于（持平）预算数”与所比较的两个数一致",
    en="budget-vs-actual wording agrees with the two amounts",
)
def wording(ctx: RuleContext) -> list[Finding]:
    rid = "completion.wording"
    findings: list[Finding] = []
    copy = reading_copy(ctx.report.report.text)
    text = copy.text if copy else ctx.report.report.text
    narrative = [f for f in ctx.report.figures if f.placed == "text"]
    for match in _WORDING.finditer(text):
        line_start = text.rfind("\n", 0, match.start()) + 1
        # Figures point into the text as printed; the pattern reads the simplified copy.
        begin, stop = (copy.start(line_start), copy.start(match.start())) if copy else (line_start, match.start())
        after = copy.end(match.end()) if copy else match.end()
        before = [f for f in narrative if begin <= f.start < stop]
        if match.group(3):
            word, kind, roughly = match.group(3), match.group(4), False
        else:
            word, kind, roughly = "持平", match.group(1), bool(match.group(2))
        said = "greater" if word in _GREATER else "less" if word in _LESS else "equal"
        rates = [f for f in before if f.role == "completion_rate" and f.unit == "%"]
        if rates:
            relation = _relation_from_rates(rates)
            if relation is None:
                ctx.insufficient(rid)
                continue
            if relation == said or roughly:
                continue
            if relation == "equal" and said != "equal":
                # 100% within rounding cannot refute 大于/小于 by itself; a rate printed as 100
                # beside "决算数大于预算数" is still worth a look. When the difference is printed,
                # completion.rate checks the rate against the budget it implies instead.
                printed_diff = any(
                    f.role == "change_amount" and f.against == "budget" and after <= f.start <= after + 12
                    for f in narrative
                )
                hundred = [r for r in rates if r.value == HUNDRED]
                if hundred and not printed_diff:
                    findings.append(make_finding(
                        rid, FAMILY, "warning",
                        f"文中称完成预算{shown(hundred[0])}，又称“{match.group(0)}”：完成率恰为100%时决算数与预算数"
                        "至多相差四舍五入的余量，二者难以同时成立，请核对完成率或预算数。",
                        hundred, "决算数等于预算数", match.group(0),
                    ))
                continue
            shown_rates = "、".join(shown(r) for r in rates)
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"文中称“{match.group(0)}”，但同段完成预算的比例为{shown_rates}。",
                    rates,
                    {"greater": "决算数大于预算数", "less": "决算数小于预算数", "equal": "决算数等于预算数"}[
                        relation
                    ],
                    match.group(0),
                )
            )
            continue
        money = [f for f in before if f.role == "amount" and is_money(f)]
        budgets = [
            f for f in money if budget_kind(f) is not None and (not kind or budget_kind(f) == kind + "预算")
        ]
        if not budgets:
            ctx.insufficient(rid)
            continue
        budget = budgets[-1]
        actuals = [
            f for f in money if budget_kind(f) is None and f.start > budget.start and f.quote == budget.quote
        ]
        if len(actuals) != 1:
            ctx.insufficient(rid)
            continue
        actual = actuals[0]
        a, b = wan(actual), wan(budget)
        if roughly:
            if b.lo > 0 and not (Decimal("0.9") * b.lo <= a.hi and a.lo <= Decimal("1.1") * b.hi):
                findings.append(
                    make_finding(
                        rid,
                        FAMILY,
                        "warning",
                        f"文中称“{match.group(0)}”，但决算数{shown(actual)}与{_name(budget_kind(budget) or '预算')}{shown(budget)}相差逾10%。",
                        [actual, budget],
                        wan_value(budget),
                        wan_value(actual),
                        wan_value(actual) - wan_value(budget),
                    )
                )
            continue
        contradiction = (
            (said == "equal" and not a.overlaps(b))
            or (said == "greater" and a.hi < b.lo)
            or (said == "less" and a.lo > b.hi)
            or (said != "equal" and a.overlaps(b) and wan_value(actual) == wan_value(budget))
        )
        if contradiction:
            relation = "大于" if a.lo > b.hi else "小于" if a.hi < b.lo else "等于"
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"文中称“{match.group(0)}”，但决算数{shown(actual)}{relation}{_name(budget_kind(budget) or '预算')}{shown(budget)}。",
                    [actual, budget],
                    f"决算数{relation}预算数",
                    match.group(0),
                )
            )
    return findings
