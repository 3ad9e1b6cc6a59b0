"""Whether a perturbed figure still fits the ground truth within display rounding.

A perturbation is *within tolerance* when the changed value still satisfies every relation the
generator's ground truth records for the figure, within display rounding (the intervals the
printed digits allow overlap; two printings of one quantity with the same decimals are
identical): an auditor could not tell it from rounding. The harness (`harness.py`) counts
detection over the others, the *detectable* perturbations.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

from evals.audit.intervals import HUNDRED, Interval
from evals.synthetic import Fact, GroundTruth, Relation

__all__ = ["relation_holds", "truth_fact", "within_tolerance"]

_EXACT_ROLES = ("count", "weight", "score")
# Equalities the generator holds because it writes no 结转和结余 (balances), which the report
# does not say: from the report a reader can only tell that the part does not exceed the whole
# (收支总计 = 本年收入合计 + 年初结转和结余; 财政拨款收支总计 = 财政拨款收入 + 财政拨款结转 =
# 财政拨款支出 + 年末结转). 本年收入合计 against 本年支出合计 is no relation at all then.
_BALANCED: dict[frozenset[str], str | None] = {
    frozenset({"收支总计", "本年收入合计"}): "收支总计",
    frozenset({"财政拨款收支总计", "一般公共预算财政拨款收入"}): "财政拨款收支总计",
    frozenset({"财政拨款收支总计", "一般公共预算财政拨款支出"}): "财政拨款收支总计",
    frozenset({"本年收入合计", "本年支出合计"}): None,
    frozenset({"基本支出", "一般公共预算财政拨款基本支出"}): "基本支出",
    # all the vehicles of the 国有资产 section include the official cars of the 三公 section
    frozenset({"车辆", "公务用车"}): "车辆",
}
_BUDGET_KEYS = ("年初预算", "调整后预算数", "全年预算数")


def _decimals(printed: str) -> int:
    return len(printed.split(".", 1)[1]) if "." in printed else 0


def _value(printed: str) -> Decimal:
    return Decimal(printed.replace(",", ""))


def _interval(fact: Fact, printed: str) -> Interval:
    """What a printed figure stands for: counts, weights, scores and an amount printed as a bare
    0 are exact (as the rules read them: `sums.bare_zero`); a share or rate of '0%' is ±0.5."""
    value = _value(printed)
    if fact.role in _EXACT_ROLES or (value == 0 and "." not in printed and fact.role in ("amount", "change_amount")):
        return Interval.exact(value)
    return Interval.displayed(value, _decimals(printed))


def _sum(intervals: list[Interval]) -> Interval:
    total = Interval.exact(Decimal(0))
    for i in intervals:
        total = total + i
    return total


def _ratio_holds(stated: Interval, part: Interval, whole: Interval) -> bool:
    """stated ≈ 100·part/whole within rounding (no verdict when the whole may be 0)."""
    if whole.lo <= 0 <= whole.hi:
        return True
    return stated.overlaps(part / whole * Interval.exact(HUNDRED))


def _same_printing(a: str, b: str) -> bool:
    """Two printings of one quantity agree: identical with the same decimals, else overlapping."""
    if _decimals(a) == _decimals(b):
        return _value(a) == _value(b)
    return Interval.displayed(_value(a), _decimals(a)).overlaps(Interval.displayed(_value(b), _decimals(b)))


def relation_holds(relation: Relation, facts: list[Fact], printed: dict[str, str],
                   truth: GroundTruth | None = None, readings: bool = True) -> bool:
    """Whether the relation holds among the figures as printed (`printed`: fact key → text),
    within display rounding. Unknown shapes count as holding (never a false 'detectable').

    With `readings`, an equality the generator holds for a reason the report does not state is
    checked as what the report supports: a part not above its whole when the balances (结转和
    结余) are not stated; a project's 全年预算数 equal to its table's 调整后预算数 or 年初预算 (the
    template's wording allows both, and the seed uses 年初)."""
    iv = [_interval(f, printed[f.key]) for f in facts]
    roles = [f.role for f in facts]
    family = relation.family
    metrics = frozenset(f.metric for f in facts)
    if readings and family == "repeated" and len(facts) == 2 and metrics in _BALANCED:
        whole = _BALANCED[metrics]
        if whole is None:
            return True
        w = 0 if facts[0].metric == whole else 1
        return iv[w].hi >= iv[1 - w].lo
    if readings and family == "repeated" and truth is not None and len(facts) == 2 \
            and {f.column for f in facts} == {None, "调整后预算数"} and any(f.key.endswith("全年预算数") for f in facts):
        narrative = next(f for f in facts if f.column is None)
        cell = next(f for f in facts if f.column == "调整后预算数")
        initial = truth_fact(truth, cell.key.removesuffix("调整后预算数") + "年初预算")
        texts = [printed[cell.key]] + ([printed[initial.key]] if initial else [])
        return any(_same_printing(printed[narrative.key], t) for t in texts)
    if family == "repeated":
        texts = [printed[f.key] for f in facts]
        return all(_same_printing(texts[a], texts[b]) for a, b in itertools.combinations(range(len(facts)), 2))
    if family == "sums":
        if relation.strict:
            return iv[0].overlaps(_sum(iv[1:]))
        return all(iv[i + 1].lo <= iv[i].hi for i in range(len(iv) - 1))  # a chain of ≤
    if family == "shares" and roles == ["amount", "share", "amount"]:
        return _ratio_holds(iv[1], iv[0], iv[2])
    if family == "yoy":
        current, change = iv[0], iv[1]
        prior = current - change if facts[1].direction == "increase" else current + change
        if len(facts) == 2:
            return prior.hi >= 0
        return prior.hi >= 0 and _ratio_holds(iv[2], change, prior)
    if family == "completion" and len(facts) == 3:
        rate = next(i for i, r in enumerate(roles) if r == "completion_rate")
        budget = next((i for i, f in enumerate(facts) if f.key.endswith(_BUDGET_KEYS)), None)
        if budget is None:
            return True
        actual = next(i for i in range(3) if i not in (rate, budget))
        return _ratio_holds(iv[rate], iv[actual], iv[budget])
    if family == "counts":
        if not relation.strict:  # zero amount ⇔ zero count; persons ≥ groups
            zero_amount = iv[0].hi <= 0
            if (iv[1].hi == 0) != zero_amount:
                return False
            return len(iv) < 3 or iv[2].hi >= iv[1].lo
        if all(r == "count" for r in roles):
            return iv[0].overlaps(_sum(iv[1:]))
        return iv[0].overlaps(Interval.exact(Decimal(len(facts) - 1)))  # N个项目 = paragraphs listed
    if family == "performance":
        if roles == ["weight", "score"]:
            return iv[1].lo <= iv[0].hi
        holds = iv[0].overlaps(_sum(iv[1:]))
        if roles[0] == "weight":
            holds = holds and iv[0].overlaps(Interval.exact(HUNDRED))
        return holds
    return True


def truth_fact(truth: GroundTruth, key: str) -> Fact | None:
    return next((f for f in truth.facts if f.key == key), None)


def within_tolerance(truth: GroundTruth, fact: Fact, new: str, readings: bool = True) -> bool:
    """True when every relation of `fact` still holds with `new` printed in its place (with
    `readings=False`, the generator's relations taken literally)."""
    by_key = {f.key: f for f in truth.facts}
    printed = {f.key: f.text for f in truth.facts}
    printed[fact.key] = new
    relations = {r.id: r for r in truth.relations}
    return all(
        relation_holds(relations[rid], [by_key[k] for k in relations[rid].members], printed, truth, readings)
        for rid in fact.relations
    )
