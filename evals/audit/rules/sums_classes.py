"""Sums, 功能分类: the general budget's spending is the sum of its 类, and each 类 the sum of
the 款/项 lines its 具体情况 lists (a 类 above its items' sum is a warning: an item may be left out).
"""

from __future__ import annotations

import re
from collections import defaultdict

from evals.audit.findings import Finding
from evals.audit.intervals import verdict
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._arith import (
    fmt,
    is_money,
    judged,
    narrative_amounts,
    same_value,
    sentence_mates,
    sentences,
    shares_complete,
    shown,
    total_of,
    wan,
    wan_decimals,
    wan_value,
)
from evals.audit.rules.sums import FAMILY
from index.lexicon import FUNCTIONAL_CLASSES, canonical_metric, clean_metric_text
from index.models import Figure

# ---------------------------------------------------------------------------------------------
# 功能分类: 类 = Σ 项, Σ 类 = total
# ---------------------------------------------------------------------------------------------

_CLASS_LABEL = re.compile(r"^(.*?)（\d*类）")


def class_code(figure: Figure) -> str | None:
    """The 功能分类 类 code a narrative figure belongs to: from its code, else from a label
    such as '社会保障和就业支出（类）…（项）'."""
    if figure.code:
        return figure.code[:3]
    match = _CLASS_LABEL.match(clean_metric_text(figure.label))
    if match:
        _, code = canonical_metric(match.group(1))
        return code
    return None


def _is_item(figure: Figure) -> bool:
    """A 款 or 项 line of the 具体情况 (a longer code, or a label naming 类 and 款/项)."""
    if figure.code:
        return len(figure.code) in (5, 7)
    label = clean_metric_text(figure.label)
    return "（类）" in label and ("（项）" in label or "（款）" in label)


def _is_budget(figure: Figure) -> bool:
    """A budget amount stated beside an item's spending (metric '行政运行 年初预算')."""
    if " " not in figure.metric:
        return False
    qualifier = figure.metric.rsplit(" ", 1)[1]
    return "预算" in qualifier and "执行" not in qualifier and "决算" not in qualifier


def _class_sentence(ctx: RuleContext) -> list[list[Figure]]:
    """Sentences stating two or more 类 amounts (the 结构 sentence)."""
    classes = [
        f for f in narrative_amounts(ctx) if f.metric in FUNCTIONAL_CLASSES.values() and not _is_item(f)
    ]
    return [s for s in sentences(ctx, classes) if len({f.metric for f in s}) >= 2]


@rule(
    "sums.functional_classes",
    family=FAMILY,
    severity="error",
    zh="一般公共预算财政拨款支出＝各功能分类（类）之和；每个类＝其下各项之和",
    en="general-budget expenditure = sum of its functional classes; each class = sum of its items",
)
def functional_classes(ctx: RuleContext) -> list[Finding]:
    rid = "sums.functional_classes"
    findings: list[Finding] = []
    items: dict[str, dict[str, list[Figure]]] = defaultdict(lambda: defaultdict(list))
    for figure in narrative_amounts(ctx):
        if _is_budget(figure):
            continue  # "年初预算为X万元，支出决算为Y万元": the item's amount is Y
        if _is_item(figure) and (code := class_code(figure)):
            key = figure.code if figure.code and len(figure.code) == 7 else clean_metric_text(figure.label)
            if figure.code and len(figure.code) == 5:
                continue  # 款 subtotals: the 项 lines carry the amounts
            items[code][key].append(figure)
    for group in _class_sentence(ctx):
        classes = [f for f in group if f.metric in FUNCTIONAL_CLASSES.values()]
        # Σ 类 = the sentence's total
        head = next(
            (
                f
                for f in sentence_mates(ctx, classes[0])
                if f.role == "amount"
                and is_money(f)
                and f.metric not in FUNCTIONAL_CLASSES.values()
                and f.start < classes[0].start
            ),
            None,
        )
        if head is not None and (shares_complete(ctx, classes) or total_of(classes).lo > wan(head).hi):
            computed = total_of(classes)
            listing = "＋".join(f"{c.metric}{shown(c)}" for c in classes)
            message = (
                f"{head.label}{shown(head)}与各功能分类（类）之和不符：{listing}＝{fmt(computed.mid)}万元。"
            )
            finding = judged(
                rid,
                FAMILY,
                wan(head),
                computed,
                wan_decimals(head),
                message,
                [head, *classes],
                wan_value(head),
            )
            if finding:
                findings.append(finding)
        elif head is not None:
            ctx.insufficient(rid)
        # each 类 = Σ its 项
        for klass in classes:
            code = class_code(klass)
            lines = items.get(code or "", {})
            if not lines:
                continue
            if any(not same_value(v) for v in lines.values()):
                ctx.insufficient(rid)
                continue
            parts = [v[0] for v in lines.values()]
            computed = total_of(parts)
            listing = "＋".join(shown(p) for p in parts)
            short = (
                computed.hi < wan(klass).lo and verdict(wan(klass), computed, wan_decimals(klass)) == "error"
            )
            if short:
                # the items fall short of the class: an item may be left out of the 具体情况
                message = (
                    f"{klass.metric}（{code}类）{shown(klass)}大于具体情况所列各项之和{fmt(computed.mid)}万元"
                    f"（{listing}），或有项目未列出、或金额有误。"
                )
            else:
                message = f"{klass.metric}（{code}类）{shown(klass)}与其下各项支出之和{fmt(computed.mid)}万元不符（{listing}）。"
            finding = judged(
                rid,
                FAMILY,
                wan(klass),
                computed,
                wan_decimals(klass),
                message,
                [klass, *parts],
                wan_value(klass),
                severity="warning" if short else "error",
            )
            if finding:
                findings.append(finding)
    return findings

