"""Year on year: prior = current − change; the stated rate = change / prior; direction words
agree with each other; no growth rate on a zero base; the 三公 parts' changes add up."""

from __future__ import annotations

import re
from decimal import Decimal

from evals.findings import Finding
from evals.intervals import HUNDRED, Interval
from evals.registry import RuleContext, rule
from evals.rules.sums import (
    RELATIONS,
    Ambiguous,
    bind_amount,
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
ZERO = Decimal(0)


def _pair(ctx: RuleContext, rate: Figure) -> Figure | None:
    """The change amount stated with a change rate: same sentence, same metric and prior year,
    the nearest one before the rate (else the one after it)."""
    mates = [
        f
        for f in sentence_mates(ctx, rate)
        if f.role == "change_amount"
        and f.metric == rate.metric
        and f.compared_to == rate.compared_to
        and is_money(f)
    ]
    before = [f for f in mates if f.start < rate.start]
    if before:
        return before[-1]
    return mates[0] if len(mates) == 1 else None


def _signed(change: Figure, direction: str | None) -> Interval:
    """The change as a signed interval in 万元."""
    interval = wan(change)
    return Interval(-interval.hi, -interval.lo) if direction == "decrease" else interval


def _bindings(ctx: RuleContext, rule_id: str | None):
    """(rate, change, current, prior interval, prior point, direction) for each change rate
    that can be bound; the others are counted insufficient for `rule_id`."""
    out = []
    for rate in ctx.figures(role="change_rate", source="text"):
        if rate.unit != "%" or not is_current(ctx, rate):
            continue
        change = _pair(ctx, rate)
        if change is None:
            if rule_id:
                ctx.insufficient(rule_id)
            continue
        direction = change.direction or rate.direction
        if direction not in ("increase", "decrease") or (
            rate.direction and change.direction and rate.direction != change.direction
        ):
            continue  # a contradiction is yoy.direction's finding
        try:
            current = bind_amount(ctx, rate.metric, change, walk_up=False)
        except Ambiguous:
            current = None
        if current is None:
            if rule_id:
                ctx.insufficient(rule_id)
            continue
        prior = wan(current) - _signed(change, direction)
        point = wan_value(current) - (wan_value(change) if direction == "increase" else -wan_value(change))
        out.append((rate, change, current, prior, point, direction))
    return out


@rule(
    "yoy.rate",
    family=FAMILY,
    severity="error",
    zh="增长（下降）率＝增减额÷上年数，上年数＝本年数∓增减额",
    en="the stated growth rate = change / prior, where prior = current − change",
)
def rate(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.rate"
    findings: list[Finding] = []
    for rate_fig, change, current, prior, point, direction in _bindings(ctx, rid):
        if point == 0:
            continue  # yoy.zero_base
        if point < 0:
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"{change.label}比上年{WORDS[direction]}{shown(change)}，大于本年数{shown(current)}，上年数将为负数。",
                    [current, change, rate_fig],
                    ZERO,
                    point,
                    point,
                )
            )
            continue
        if prior.lo <= 0:
            ctx.insufficient(rid)
            continue
        computed = wan(change) / prior * Interval.exact(HUNDRED)
        expected = wan_value(change) / point * HUNDRED
        word = "增长" if direction == "increase" else "下降"
        message = (
            f"{current.label}本年{shown(current)}、比上年{WORDS[direction]}{shown(change)}，上年应为{fmt(point)}万元，"
            f"{word}率应为{fmt(expected)}%，文中为{shown(rate_fig)}。"
        )
        finding = judged(
            rid,
            FAMILY,
            Interval.of(rate_fig),
            computed,
            rate_fig.decimals,
            message,
            [rate_fig, change, current],
            rate_fig.value,
            point=expected,
        )
        if finding:
            findings.append(finding)
    return findings


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
    for rate_fig, change, current, _prior, point, _direction in _bindings(ctx, None):
        if point != 0:
            continue
        findings.append(
            make_finding(
                rid,
                FAMILY,
                "warning",
                f"{current.label}本年{shown(current)}、比上年增加{shown(change)}，上年数为0，增长率无从计算，文中却写“增长{shown(rate_fig)}”。",
                [rate_fig, change, current],
                "无（上年为0）",
                rate_fig.value,
                None,
            )
        )
    return findings


@rule(
    "yoy.direction",
    family=FAMILY,
    severity="error",
    zh="同一句中增减额与增减率的方向一致（增加/增长，减少/下降）",
    en="the change amount and the change rate of one sentence move in the same direction",
)
def direction(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.direction"
    findings: list[Finding] = []
    for rate_fig in ctx.figures(role="change_rate", source="text"):
        change = _pair(ctx, rate_fig)
        if change is None or not change.direction or not rate_fig.direction:
            continue
        if change.direction != rate_fig.direction and ZERO not in (change.value, rate_fig.value):
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"{change.label}增减额写作“{WORDS[change.direction]}{shown(change)}”，增减率却写作"
                    f"“{'增长' if rate_fig.direction == 'increase' else '下降'}{shown(rate_fig)}”，方向矛盾。",
                    [change, rate_fig],
                    WORDS[change.direction],
                    WORDS[rate_fig.direction],
                )
            )
    # a stated prior-year amount fixes the sign of the change
    for change in ctx.figures(role="change_amount", source="text"):
        if (
            change.direction not in ("increase", "decrease")
            or change.compared_to is None
            or not is_money(change)
        ):
            continue
        mates = sentence_mates(ctx, change)
        priors = [
            f
            for f in mates
            if f.role == "amount"
            and f.metric == change.metric
            and f.year == change.compared_to
            and is_money(f)
        ]
        currents = [
            f
            for f in mates
            if f.role == "amount"
            and f.metric == change.metric
            and is_current(ctx, f)
            and is_money(f)
            and f not in priors
        ]
        if len(priors) != 1 or len(currents) != 1:
            continue
        prior, current = priors[0], currents[0]
        computed = wan(current) - wan(prior)
        if (
            computed.lo > 0
            and change.direction == "decrease"
            or computed.hi < 0
            and change.direction == "increase"
        ):
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"{change.label}本年{shown(current)}、上年{shown(prior)}，应为"
                    f"{'增加' if computed.lo > 0 else '减少'}，文中却写“{WORDS[change.direction]}{shown(change)}”。",
                    [change, current, prior],
                    wan_value(current) - wan_value(prior),
                    WORDS[change.direction],
                )
            )
            continue
        signed = _signed(change, change.direction)
        message = (
            f"{change.label}本年{shown(current)}减上年{shown(prior)}为{fmt(wan_value(current) - wan_value(prior))}万元，"
            f"文中增减额为{shown(change)}。"
        )
        finding = judged(
            rid,
            FAMILY,
            signed,
            computed,
            wan_decimals(change),
            message,
            [change, current, prior],
            signed.mid,
            point=wan_value(current) - wan_value(prior),
        )
        if finding:
            findings.append(finding)
    return findings


_CLAUSE = re.compile(r"[^。；;\n]+")


def _flat_in_scope(ctx: RuleContext, metric: str, scope: str) -> bool:
    """True when a clause of the section `scope` says the metric was 持平 with the prior year."""
    section = next((s for s in ctx.report.sections if s.path == scope), None)
    if section is None:
        return False
    text = ctx.report.report.text[section.start : section.end]
    aliases = sorted(METRIC_ALIASES.get(metric, (metric,)), key=len, reverse=True)
    for clause in _CLAUSE.findall(text):
        clean = clause.replace("“", "").replace("”", "").replace('"', "")
        if "持平" in clause and "预算" not in clause and any(a in clean for a in aliases):
            return True
    return False


def _one_change(ctx: RuleContext, metric: str, compared_to: int | None) -> tuple[Figure | None, bool]:
    """The single change amount stated for a metric (figure, ambiguous)."""
    found = [
        f
        for f in ctx.figures(metric, "change_amount", source="text")
        if f.compared_to == compared_to and is_money(f) and is_current(ctx, f)
    ]
    values = {(wan_value(f), f.direction) for f in found}
    if len(values) > 1:
        return None, True
    return (found[0] if found else None), False


@rule(
    "yoy.sangong_changes",
    family=FAMILY,
    severity="error",
    zh="“三公”经费的增减额＝因公出国（境）费、公务用车购置及运行维护费、公务接待费增减额之和",
    en="the change of the 三公 total = the sum of its three parts' changes",
)
def sangong_changes(ctx: RuleContext) -> list[Finding]:
    rid = "yoy.sangong_changes"
    relation = RELATIONS["sums.sangong_parts"]
    total, ambiguous = _one_change(ctx, "三公经费", ctx.year - 1 if ctx.year else None)
    if total is None:
        found = ctx.figures("三公经费", "change_amount", source="text")
        total, ambiguous = _one_change(ctx, "三公经费", found[0].compared_to) if found else (None, ambiguous)
    if ambiguous:
        ctx.insufficient(rid)
        return []
    if total is None or total.direction not in ("increase", "decrease"):
        return []
    scope = " > ".join(total.section.split(" > ")[:2])
    parts: list[Figure] = []
    computed = Interval.exact(ZERO)
    point = ZERO
    listing: list[str] = []
    for metric in relation.parts:
        part, ambiguous = _one_change(ctx, metric, total.compared_to)
        if ambiguous:
            ctx.insufficient(rid)
            return []
        if part is None:
            if _flat_in_scope(ctx, metric, scope):
                listing.append(f"{metric}持平")
                continue
            ctx.insufficient(rid)
            return []
        direction_ = part.direction
        if direction_ == "flat" or part.value == 0:
            listing.append(f"{metric}持平")
            continue
        if direction_ not in ("increase", "decrease"):
            ctx.insufficient(rid)
            return []
        parts.append(part)
        computed = computed + _signed(part, direction_)
        point += wan_value(part) if direction_ == "increase" else -wan_value(part)
        listing.append(f"{metric}{WORDS[direction_]}{shown(part)}")
    stated = _signed(total, total.direction)
    stated_point = wan_value(total) if total.direction == "increase" else -wan_value(total)
    message = (
        f"“三公”经费比上年{WORDS[total.direction]}{shown(total)}，与各项增减之和{fmt(point)}万元不符（"
        + "；".join(listing)
        + "）。"
    )
    finding = judged(
        rid,
        FAMILY,
        stated,
        computed,
        wan_decimals(total),
        message,
        [total, *parts],
        stated_point,
        point=point,
    )
    return [finding] if finding else []
