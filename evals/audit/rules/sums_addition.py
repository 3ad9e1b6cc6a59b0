"""Additions the text states in words: "本级收入238965万元，加上：上年结转4550万元、上级补助收入
318586万元…，收入总计929393万元" and "支出总计1,867.48万元，由一般公共预算支出1,867.48万元，加上解
支出、…等0万元等构成". The sentence itself says which amounts add up to which total, so the
relation is checked whatever the metrics are called.
"""

from __future__ import annotations

import re

from evals.audit.findings import Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._arith import (
    fmt,
    judged,
    narrative_amounts,
    sentences,
    shown,
    total_of,
    wan,
    wan_decimals,
    wan_value,
)
from evals.audit.rules._audit import sentence_span
from evals.audit.rules.sums import FAMILY
from index.models import Figure

_TOTAL_NAME = re.compile(r"(?:总计|合计|财力)$")
# "加上：上年结转…"; "加上级补助收入" and "加上解支出" are 加 + 上级补助收入 / 上解支出.
_ADD = re.compile(r"加(?:上(?!级|解))?")


def _in_parenthesis(text: str, begin: int, pos: int) -> bool:
    head = text[begin:pos]
    return head.count("(") + head.count("（") > head.count(")") + head.count("）")


def stated_additions(ctx: RuleContext) -> list[tuple[Figure, list[Figure]]]:
    """(total, addends) for every sentence that adds amounts up with 加上."""
    text = ctx.report.report.text
    out: list[tuple[Figure, list[Figure]]] = []
    previous: list[Figure] = []
    for group in sentences(ctx, narrative_amounts(ctx)):
        found = _addition(text, group, previous)
        if found is not None:
            out.append(found)
        previous = group
    return out


def _addition(text: str, group: list[Figure], previous: list[Figure]) -> tuple[Figure, list[Figure]] | None:
    begin = sentence_span(text, group[0])[0]
    sentence = text[begin: begin + len(group[0].quote) + 2]
    match = _ADD.search(sentence)
    if match is None:
        return None
    add = begin + match.start()
    outside = [f for f in group if not _in_parenthesis(text, begin, f.start)]
    before = [f for f in outside if f.start < add]
    after = [f for f in outside if f.start > add]
    totals = [f for f in after if _TOTAL_NAME.search(f.label)]
    if totals and before:
        # "A，加上：B、C…，收入总计T"
        total = totals[0]
        addends = [before[-1], *[f for f in after if f.start < total.start]]
    elif before and _TOTAL_NAME.search(before[0].label) and "由" in text[before[0].end: add]:
        # "支出总计T，由A，加上…X等构成"
        total = before[0]
        addends = [*before[1:], *after]
    elif not before and totals and match.start() <= 2 and previous and previous[0].section == group[0].section:
        # "…收入实现111.11万元，…其中税收收入…。加上…等1,756.37万元，收入总计1,867.48万元。"
        total = totals[0]
        addends = [previous[0], *[f for f in after if f.start < total.start]]
    elif before and "由" in sentence[: before[0].start - begin] and "构成" in sentence[match.end():] and previous \
            and _TOTAL_NAME.search(previous[-1].label) and previous[-1].section == group[0].section:
        # "一般公共预算财力T。由A，加上级补助收入…等X构成。"
        total = previous[-1]
        addends = [*before, *after]
    else:
        return None
    return (total, addends) if len(addends) >= 2 else None


@rule(
    "sums.stated_addition",
    family=FAMILY,
    severity="error",
    zh="文中以“加上”列明的加总关系成立（A加上B、C……，总计T：T＝A＋B＋C……）",
    en="an addition the text states with 加上 holds (A, 加上 B, C…, 总计 T: T = A + B + C…)",
)
def stated_addition(ctx: RuleContext) -> list[Finding]:
    rid = "sums.stated_addition"
    findings: list[Finding] = []
    for total, addends in stated_additions(ctx):
        computed = total_of(addends)
        listing = "＋".join(f"{a.label}{shown(a)}" for a in addends)
        message = f"{total.label}{shown(total)}与文中所列加总不符：{listing}＝{fmt(computed.mid)}万元。"
        finding = judged(rid, FAMILY, wan(total), computed, wan_decimals(total), message, [total, *addends],
                         wan_value(total))
        if finding:
            findings.append(finding)
    return findings
