"""Shares: every 占X% recomputed as part / base against the base amount the text names."""

from __future__ import annotations

from decimal import Decimal

from evals.audit.findings import Finding
from evals.audit.intervals import HUNDRED, Interval
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._facts import Facts, Key
from evals.audit.rules.sums import (
    Ambiguous,
    bind_amount,
    fmt,
    is_money,
    judged,
    sentence_mates,
    shown,
    wan,
    wan_value,
)

FAMILY = "shares"


def share_part(ctx: RuleContext, share) -> object | None:
    """The amount a 占X% is the share of: the nearest amount of the same metric before it in
    its sentence."""
    mates = sentence_mates(ctx, share)
    before = [
        f
        for f in mates
        if f.role == "amount" and is_money(f) and f.metric == share.metric and f.start < share.start
    ]
    return before[-1] if before else None


@rule(
    "shares.recompute",
    family=FAMILY,
    severity="error",
    zh="“占X%”＝该项金额÷所占的基数（同句或本节最近陈述的基数）",
    en="a stated share equals part / base, the base bound in the sentence or the nearest statement",
)
def recompute(ctx: RuleContext) -> list[Finding]:
    rid = "shares.recompute"
    findings: list[Finding] = []
    facts = Facts(ctx)
    for share in ctx.figures(role="share", source="text"):
        if share.unit != "%":
            continue
        part = share_part(ctx, share)
        if part is None or not share.base:
            ctx.insufficient(rid)
            continue
        try:
            base = bind_amount(ctx, share.base, part)
            if base is None:  # stated in another part of the report ("占本年支出合计的31.45%")
                base = facts.find(Key(share.base, part.year, "actual", None, None), part, any_scope=True)
        except Ambiguous:
            ctx.insufficient(rid)
            continue
        if base is None or base is part:
            ctx.insufficient(rid)
            continue
        base_interval = wan(base)
        if base_interval.lo <= 0 <= base_interval.hi:
            # a share of a zero base: only 0% of 0 makes sense
            if share.value != 0 or wan(part).lo > 0:
                ctx.insufficient(rid)
            continue
        computed = wan(part) / base_interval * Interval.exact(HUNDRED)
        point = wan_value(part) / wan_value(base) * HUNDRED
        message = (
            f"{part.label}{shown(part)}占{base.label}{shown(base)}的比例应为{fmt(point)}%，"
            f"文中为{shown(share)}。"
        )
        finding = judged(
            rid,
            FAMILY,
            Interval.of(share),
            computed,
            share.decimals,
            message,
            [share, part, base],
            share.value,
            point=point,
        )
        if finding:
            findings.append(finding)
    return findings


@rule(
    "shares.sum_to_whole",
    family=FAMILY,
    severity="error",
    zh="同一句中列举的各部分占比之和不超过100%",
    en="the shares listed in one breakdown never add up to more than 100%",
)
def sum_to_whole(ctx: RuleContext) -> list[Finding]:
    rid = "shares.sum_to_whole"
    findings: list[Finding] = []
    groups: dict[tuple[str, str, str], list] = {}
    for share in ctx.figures(role="share", source="text"):
        if share.unit == "%" and share.base:
            groups.setdefault((share.section, share.quote, share.base), []).append(share)
    for (_, _, base), shares in groups.items():
        if len(shares) < 2 or len({s.metric for s in shares}) < len(shares):
            continue
        shares.sort(key=lambda s: s.start)
        if "其中" in ctx.report.report.text[shares[0].end : shares[-1].start]:
            continue  # a nested breakdown (中小企业, 其中小微企业): the shares overlap
        total = Interval.exact(Decimal(0))
        for share in shares:
            total = total + Interval.of(share)
        if total.lo > HUNDRED:
            listing = "＋".join(f"{s.metric}{shown(s)}" for s in shares)
            decimals = max(s.decimals for s in shares)
            message = f"同一句中占{base}的各部分比例之和超过100%：{listing}＝{fmt(total.mid)}%。"
            finding = judged(rid, FAMILY, Interval.exact(HUNDRED), total, decimals, message, shares, HUNDRED)
            if finding:
                findings.append(finding)
    return findings
