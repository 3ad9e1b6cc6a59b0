"""Year on year: prior = current − change; the stated rate = change / prior; direction words
agree with each other and with the amounts; no growth rate on a zero base; the 三公 parts'
changes add up.

The four quantities of a change — this year's amount, last year's, the change and the rate —
are joined by key (`_facts`): they may stand in one sentence ("较上年2.08减少0.03万元，减少了
1.44%"), in several, or in a table's 上年 / 本年 / 增减金额 / 增减% columns. Every equation whose
inputs are all stated is checked; a change compared with the budget is the completion family's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from evals.audit.findings import Finding
from evals.audit.intervals import HUNDRED, Interval
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._facts import Facts, Key, changes, signed, split_metric
from evals.audit.rules.sums import (
    RELATIONS,
    Ambiguous,
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
from index.lexicon import METRIC_ALIASES
from index.models import Figure

FAMILY = "yoy"
WORDS = {"increase": "增加", "decrease": "减少", "flat": "持平"}
RATE_WORDS = {"increase": "增长", "decrease": "下降"}
ZERO = Decimal(0)
# 收入总计 and 支出总计 are equal; "收支较上年减少…" is the change of both.
_BOTH_TOTALS = {"收支总计": ("收入总计", "支出总计"), "财政拨款收支总计": ("财政拨款收入总计", "财政拨款支出总计")}


@dataclass
class Change:
    """One stated change of a metric against last year, and the amounts it joins."""

    metric: str
    rate: Figure | None
    change: Figure | None
    current: Figure | None
    prior: Figure | None

    @property
    def anchor(self) -> Figure:
        return self.rate or self.change  # type: ignore[return-value]

    def direction(self) -> str | None:
        """increase / decrease when the change and the rate agree (or only one is stated)."""
        found = {_direction(f) for f in (self.change, self.rate) if f is not None and f.value != 0}
        found.discard(None)
        return found.pop() if len(found) == 1 else None


def _direction(figure: Figure) -> str | None:
    if figure.direction in ("increase", "decrease"):
        return figure.direction
    if figure.value < 0:
        return "decrease"
    return None if figure.value == 0 else "increase"


def _pair(ctx: RuleContext, rate: Figure) -> Figure | None:
    """The change amount stated with a change rate: the same sentence (or table row), metric,
    prior year and comparison, the nearest one before the rate (else the only one after it)."""
    mates = [
        f for f in sentence_mates(ctx, rate)
        if f.role == "change_amount" and f.metric == rate.metric and f.compared_to == rate.compared_to
        and (f.against or "prior_year") == "prior_year" and is_money(f)
    ]
    before = [f for f in mates if f.start < rate.start]
    if before:
        return before[-1]
    return mates[0] if len(mates) == 1 else None


def _amount(facts: Facts, metric: str, year: int | None, near: Figure) -> Figure | None:
    """The stated amount of a metric in a year, as seen from a change figure (Ambiguous → None)."""
    key = Key(metric, year, "actual", near.subject, near.scope)
    try:
        found = facts.find(key, near)
        if found is None and near.placed == "table":
            found = facts.find(key, near, any_scope=True)
        if found is None and metric in _BOTH_TOTALS:
            totals = [facts.find(Key(m, year, "actual", near.subject, near.scope), near) for m in _BOTH_TOTALS[metric]]
            stated = [t for t in totals if t is not None]
            if stated and all(wan_value(t) == wan_value(stated[0]) for t in stated):
                found = stated[0]
    except Ambiguous:
        return None
    return found


def collect(ctx: RuleContext, facts: Facts | None = None) -> list[Change]:
    """Every stated change against last year, with the amounts it joins."""
    facts = facts or Facts(ctx)
    out: list[Change] = []
    paired: set[int] = set()
    for rate in changes(ctx, "change_rate"):
        if rate.unit != "%":
            continue
        change = _pair(ctx, rate)
        if change is not None:
            paired.add(id(change))
        out.append(Change(rate.metric, rate, change, None, None))
    for change in changes(ctx, "change_amount"):
        if id(change) not in paired and is_money(change):
            out.append(Change(change.metric, None, change, None, None))
    for item in out:
        anchor = item.anchor
        metric, basis = split_metric(anchor)
        if basis != "actual":
            continue
        item.metric = metric
        item.current = _amount(facts, metric, anchor.year, anchor)
        if anchor.compared_to is not None:
            item.prior = _amount(facts, metric, anchor.compared_to, anchor)
    return out


@rule(
    "yoy.rate",
    family=FAMILY,
    severity="error",
    zh="增长（下降）率＝增减额÷上年数，上年数＝本年数∓增减额（或文中、表中所列上年数）",
    en="the stated growth rate = change / prior, the prior stated or current − change",
)
def rate(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.rate"
    findings: list[Finding] = []
    for item in collect(ctx):
        if item.rate is None:
            continue
        finding = _check_rate(ctx, rid, item)
        if finding is not None:
            findings.append(finding)
    return findings


def _check_rate(ctx: RuleContext, rid: str, item: Change) -> Finding | None:
    rate_fig, change, current, prior = item.rate, item.change, item.current, item.prior
    assert rate_fig is not None
    direction = item.direction()
    if rate_fig.value == 0 and (change is None or change.value == 0):
        return None  # "增加0万元，增长0%": nothing moved
    # Each rate is bounded by the monotonicity of its formula, not by combining independent
    # intervals: (A − P) / P is A / P − 1, and C / (A ∓ C) rises with C and falls with A.
    if prior is not None and (change is not None or current is not None):
        base_point = wan_value(prior)
        if wan(prior).lo <= 0:
            ctx.insufficient(rid)
            return None
        if change is not None:
            computed = _abs(wan(change)) / wan(prior) * Interval.exact(HUNDRED)
            moved_point, used = abs(wan_value(change)), [change, prior]
        else:
            assert current is not None
            ratio = wan(current) / wan(prior) - Interval.exact(Decimal(1))
            computed = _abs(ratio) * Interval.exact(HUNDRED)
            moved_point, used = abs(wan_value(current) - wan_value(prior)), [current, prior]
        how = f"上年数{shown(prior)}"
    elif change is not None and current is not None and direction is not None:
        sign = 1 if direction == "increase" else -1
        base_point = wan_value(current) - sign * abs(wan_value(change))
        moved_point, used = abs(wan_value(change)), [change, current]
        how = f"本年{shown(current)}、比上年{WORDS[direction]}{shown(change)}，上年应为{fmt(base_point)}万元"
        c, a = _abs(wan(change)), wan(current)
        low_base, high_base = a.hi - sign * c.lo, a.lo - sign * c.hi
        if base_point > 0 and low_base > 0 and high_base > 0:
            computed = Interval(c.lo / low_base, c.hi / high_base) * Interval.exact(HUNDRED)
        else:
            computed = None  # type: ignore[assignment]
        if base_point < 0:
            return make_finding(
                rid, FAMILY, "error",
                f"{current.label}比上年{WORDS[direction]}{shown(change)}，大于本年数{shown(current)}，上年数将为负数。",
                [current, change, rate_fig], ZERO, base_point, base_point,
            )
    else:
        ctx.insufficient(rid)
        return None
    if base_point == 0:
        return None  # yoy.zero_base
    if computed is None:
        ctx.insufficient(rid)
        return None
    expected = moved_point / base_point * HUNDRED
    word = RATE_WORDS.get(direction or "", "变动")
    label = (current or change or rate_fig).label
    message = f"{label}{how}，{word}率应为{fmt(expected)}%，文中为{shown(rate_fig)}。"
    printed = Interval.of(rate_fig)
    return judged(rid, FAMILY, _abs(printed), computed, rate_fig.decimals, message, [rate_fig, *used],
                  abs(rate_fig.value), point=expected)


def _abs(interval: Interval) -> Interval:
    if interval.lo >= 0:
        return interval
    if interval.hi <= 0:
        return Interval(-interval.hi, -interval.lo)
    return Interval(ZERO, max(-interval.lo, interval.hi))


def _scaled(interval: Interval, sign: int) -> Interval:
    interval = _abs(interval)
    return interval if sign > 0 else Interval(-interval.hi, -interval.lo)


@rule(
    "yoy.zero_base",
    family=FAMILY,
    severity="warning",
    zh="上年数为零时不应给出增长率",
    en="no growth rate on a zero base (prior year = 0)",
)
def zero_base(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.zero_base"
    findings: list[Finding] = []
    for item in collect(ctx):
        rate_fig, change, current = item.rate, item.change, item.current
        if rate_fig is None or change is None or current is None or item.direction() != "increase":
            continue
        if rate_fig.value == 0 or wan_value(current) - abs(wan_value(change)) != 0:
            continue
        findings.append(make_finding(
            rid, FAMILY, "warning",
            f"{current.label}本年{shown(current)}、比上年增加{shown(change)}，上年数为0，增长率无从计算，"
            f"文中却写“增长{shown(rate_fig)}”。",
            [rate_fig, change, current], "无（上年为0）", rate_fig.value, None,
        ))
    return findings


@rule(
    "yoy.direction",
    family=FAMILY,
    severity="error",
    zh="增减额与增减率的方向一致（增加/增长，减少/下降），增减额＝本年数－上年数（上年数为文中或表中所列）",
    en="the change and the rate move the same way, and the change = current − the prior stated",
)
def direction(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.direction"
    findings: list[Finding] = []
    for item in collect(ctx):
        rate_fig, change = item.rate, item.change
        if rate_fig is not None and change is not None:
            a, b = _direction(change), _direction(rate_fig)
            if a and b and a != b:
                findings.append(make_finding(
                    rid, FAMILY, "error",
                    f"{change.label}增减额写作“{WORDS[a]}{shown(change)}”，增减率却写作“{RATE_WORDS[b]}{shown(rate_fig)}”，"
                    "方向矛盾。",
                    [change, rate_fig], WORDS[a], RATE_WORDS[b],
                ))
                continue
        if change is None or item.current is None or item.prior is None or item.prior is item.current:
            continue
        finding = _check_difference(rid, change, item.current, item.prior)
        if finding is not None:
            findings.append(finding)
    return findings


def _check_difference(rid: str, change: Figure, current: Figure, prior: Figure) -> Finding | None:
    """current − prior against a stated change (its sign from its word or its printed sign)."""
    computed = wan(current) - wan(prior)
    point = wan_value(current) - wan_value(prior)
    way = _direction(change)
    if way is not None and change.value != 0 and (
        (computed.lo > 0 and way == "decrease") or (computed.hi < 0 and way == "increase")
    ):
        return make_finding(
            rid, FAMILY, "error",
            f"{change.label}本年{shown(current)}、上年{shown(prior)}，应为{'增加' if computed.lo > 0 else '减少'}，"
            f"文中却写“{WORDS[way]}{shown(change)}”。",
            [change, current, prior], point, f"{WORDS[way]}{change.text}",
        )
    stated = _scaled(wan(change), signed(change))
    message = (
        f"{change.label}本年{shown(current)}减上年{shown(prior)}为{fmt(point)}万元，文中增减额为{shown(change)}。"
    )
    return judged(rid, FAMILY, stated, computed, wan_decimals(change), message, [change, current, prior],
                  signed(change) * abs(wan_value(change)), point=point)


_CLAUSE = re.compile(r"[^。；;\n]+")


def _flat_in_scope(ctx: RuleContext, metric: str, scope: str) -> bool:
    """True when a clause of the section `scope` says the metric was 持平 / 无变化 with last year."""
    section = next((s for s in ctx.report.sections if s.path == scope), None)
    if section is None:
        return False
    text = ctx.report.report.text[section.start: section.end]
    aliases = sorted(METRIC_ALIASES.get(metric, (metric,)), key=len, reverse=True)
    for clause in _CLAUSE.findall(text):
        clean = clause.replace("“", "").replace("”", "").replace('"', "")
        if ("持平" in clause or "无变化" in clause) and "预算" not in clause and any(a in clean for a in aliases):
            return True
    return False


def _one_change(ctx: RuleContext, metric: str, compared_to: int | None, against: str) -> tuple[Figure | None, bool]:
    """The single change amount stated for a metric (figure, ambiguous)."""
    found = [
        f for f in changes(ctx, "change_amount", against)
        if f.metric == metric and f.compared_to == compared_to and is_money(f) and is_current(ctx, f)
    ]
    values = {(abs(wan_value(f)), _direction(f)) for f in found}
    if len(values) > 1:
        return None, True
    return (found[0] if found else None), False


# Breakdowns whose parts are the whole (a part not stated means no finding, never a guess).
_WHOLE_BREAKDOWNS = ("sums.sangong_parts", "sums.vehicle_parts", "sums.basic_parts", "sums.revenue_parts")


@rule(
    "yoy.sangong_changes",
    family=FAMILY,
    severity="error",
    zh="总额的增减额＝其各组成部分增减额之和（“三公”经费＝出国＋公务用车＋接待，公务用车＝购置＋运行，基本支出＝人员＋公用，"
       "一般公共预算收入＝税收＋非税）",
    en="the change of a total = the sum of its parts' changes (三公, official vehicles, basic spending, revenue)",
)
def sangong_changes(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.sangong_changes"
    findings: list[Finding] = []
    for relation_id in _WHOLE_BREAKDOWNS:
        relation = RELATIONS[relation_id]
        for total in _total_changes(ctx, relation.totals):
            finding = _parts_changes(ctx, rid, relation.parts, total)
            if finding is not None:
                findings.append(finding)
    return findings


def _total_changes(ctx: RuleContext, totals: tuple[str, ...]) -> list[Figure]:
    """The one change stated for a total, per comparison (last year, or another comparison)."""
    out: list[Figure] = []
    for against in ("prior_year", "budget", "execution"):
        found = [f for f in changes(ctx, "change_amount", against) if f.metric in totals and is_money(f)
                 and is_current(ctx, f)]
        for compared_to in {f.compared_to for f in found}:
            total, ambiguous = _one_change(ctx, found[0].metric, compared_to, against)
            if ambiguous:
                ctx.insufficient("yoy.sangong_changes")
            elif total is not None and _direction(total) in ("increase", "decrease"):
                out.append(total)
    return out


def _parts_changes(ctx: RuleContext, rid: str, metrics: tuple[str, ...], total: Figure) -> Finding | None:
    scope = " > ".join(total.section.split(" > ")[:2])
    parts: list[Figure] = []
    computed = Interval.exact(ZERO)
    point = ZERO
    listing: list[str] = []
    for metric in metrics:
        part, ambiguous = _one_change(ctx, metric, total.compared_to, total.against or "prior_year")
        if ambiguous:
            ctx.insufficient(rid)
            return None
        if part is None:
            if _flat_in_scope(ctx, metric, scope):
                listing.append(f"{metric}持平")
                continue
            ctx.insufficient(rid)
            return None
        way = _direction(part)
        if way is None:
            listing.append(f"{metric}持平")
            continue
        parts.append(part)
        computed = computed + _scaled(wan(part), 1 if way == "increase" else -1)
        point += abs(wan_value(part)) * (1 if way == "increase" else -1)
        listing.append(f"{metric}{WORDS[way]}{shown(part)}")
    if not parts:
        return None
    total_way = _direction(total)
    assert total_way is not None
    stated = _scaled(wan(total), 1 if total_way == "increase" else -1)
    stated_point = abs(wan_value(total)) * (1 if total_way == "increase" else -1)
    message = f"{total.label}{WORDS[total_way]}{shown(total)}，与各组成部分增减之和{fmt(point)}万元不符（" + "；".join(listing) + "）。"
    return judged(rid, FAMILY, stated, computed, wan_decimals(total), message, [total, *parts], stated_point,
                  point=point)


def _prior_from_rate(item: Change) -> Interval | None:
    """Last year's amount a current amount and its growth rate imply: current / (1 ± rate)."""
    rate_fig, current = item.rate, item.current
    way = item.direction()
    if rate_fig is None or current is None or way is None:
        return None
    factor = Interval.exact(Decimal(1)) + _scaled(Interval.of(rate_fig), 1 if way == "increase" else -1) / Interval.exact(HUNDRED)
    if factor.lo <= 0:
        return None
    return wan(current) / factor


@rule(
    "yoy.implied_priors",
    family=FAMILY,
    severity="error",
    zh="只列增减率时，由各部分本年数与增减率推得的上年数之和等于总额由其增减率推得的上年数（“三公”经费、公务用车）",
    en="with rates only, the prior-year amounts the parts' rates imply add up to the one the total's rate implies",
)
def implied_priors(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.implied_priors"
    findings: list[Finding] = []
    changes_by_metric: dict[str, list[Change]] = {}
    for item in collect(ctx):
        if item.rate is not None and item.change is None and item.current is not None:
            changes_by_metric.setdefault(item.metric, []).append(item)
    for relation_id in ("sums.sangong_parts", "sums.vehicle_parts"):
        relation = RELATIONS[relation_id]
        total_items = changes_by_metric.get(relation.totals[0], [])
        part_items = [changes_by_metric.get(m, []) for m in relation.parts]
        if len(total_items) != 1 or any(len(items) != 1 for items in part_items):
            continue
        total = total_items[0]
        parts = [items[0] for items in part_items]
        priors = [_prior_from_rate(p) for p in parts]
        total_prior = _prior_from_rate(total)
        if total_prior is None or any(p is None for p in priors):
            ctx.insufficient(rid)
            continue
        summed = Interval.exact(ZERO)
        for prior in priors:
            summed = summed + prior  # type: ignore[operator]
        if summed.overlaps(total_prior):
            continue
        listing = "；".join(
            f"{p.metric}{shown(p.current)}、{RATE_WORDS.get(p.direction() or '', '变动')}{shown(p.rate)}，上年约{fmt(prior.mid, 1)}万元"  # type: ignore[union-attr]
            for p, prior in zip(parts, priors, strict=True)
        )
        assert total.rate is not None and total.current is not None
        message = (
            f"由增减率推得的上年数不能相加：{listing}，合计约{fmt(summed.mid, 1)}万元；而{total.metric}{shown(total.current)}、"
            f"{RATE_WORDS.get(total.direction() or '', '变动')}{shown(total.rate)}，上年约{fmt(total_prior.mid, 1)}万元。"
        )
        figures = [total.rate, total.current, *[f for p in parts for f in (p.rate, p.current) if f is not None]]
        # actual: the total's rate as printed; expected: the rate the parts' prior years imply.
        implied_rate = abs(wan_value(total.current) - summed.mid) / summed.mid * HUNDRED
        findings.append(make_finding(rid, FAMILY, "error", message, figures, implied_rate, total.rate.value,
                                     total.rate.value - implied_rate))
    return findings
