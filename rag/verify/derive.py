"""Numbers that follow from the report's figures without being stated in it.

A prior-year value from this year's value and the stated change, and sums, differences and
shares of figures; each known only within the interval the figures' display rounding allows.
Part of the verifier, see rag/verify.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from index.models import Figure
from index.numbers import half_interval
from rag.verify.bind import _Binding, _year_of
from rag.verify.find import FoundNumber
from rag.verify.rounding import (
    _MONEY_FACTOR,
    MIN_SIGNIFICANT,
    _consistent_with_interval,
    _dimension,
    _fmt,
    _in_unit,
    _round,
    _significant,
    _to_base,
    _trailing_zeros,
)

_WORD_FOR = {("change_amount", "increase"): "增加", ("change_amount", "decrease"): "减少",
             ("change_rate", "increase"): "增长", ("change_rate", "decrease"): "下降"}


@dataclass
class _Derivation:
    lo: Decimal
    hi: Decimal
    mid: Decimal
    how: str
    figures: list[Figure]


def _interval(f: Figure) -> tuple[Decimal, Decimal]:
    v, d = _to_base(f.value, f.decimals, f.unit)
    h = half_interval(d)
    return v - h, v + h


def _prior_year(figures: list[Figure], metrics: set[str], year: int, report_year: int | None) -> list[_Derivation]:
    """A metric's value in `year` from its later value and the change stated against `year`."""
    out = []
    for change in figures:
        if change.metric not in metrics or change.role != "change_amount" or change.compared_to != year:
            continue
        if change.direction not in ("increase", "decrease"):
            continue
        for amount in figures:
            if (amount.metric == change.metric and amount.role == "amount" and amount.unit in _MONEY_FACTOR
                    and _year_of(amount, report_year) == _year_of(change, report_year)):
                a_lo, a_hi = _interval(amount)
                c_lo, c_hi = _interval(change)
                if change.direction == "decrease":
                    lo, hi, op = a_lo + c_lo, a_hi + c_hi, "+"
                else:
                    lo, hi, op = a_lo - c_hi, a_hi - c_lo, "−"
                mid = (lo + hi) / 2
                how = (f"{year}年 = {amount.text} {op} {change.text} = "
                       f"{_fmt(_in_unit(mid, amount.unit), max(amount.decimals, change.decimals))}{amount.unit}"
                       f"（{_year_of(amount, report_year)}年{amount.text}{amount.unit}，"
                       f"比{year}年{_WORD_FOR[('change_amount', change.direction)]}{change.text}{change.unit}）")
                out.append(_Derivation(lo, hi, mid, how, [amount, change]))
                break
    return out


MAX_PAIR_POOL = 24
MAX_TRIPLE_POOL = 10


def _derivations(n: FoundNumber, binding: _Binding, pool: list[Figure], report_year: int | None) -> Iterable[_Derivation]:
    """Sums, differences and ratios of pool figures that could give the claimed number."""
    dim = _dimension(n.unit)
    if dim == "money" or (dim == "bare" and binding.role in ("amount", "change_amount")):
        amounts = [f for f in pool if f.unit in _MONEY_FACTOR and f.role in ("amount", "change_amount")]
        same_year = [f for f in amounts if f.role == "amount" and (binding.year is None or _year_of(f, report_year) == binding.year)]
        if binding.role in ("amount", None):
            for size, limit in ((2, MAX_PAIR_POOL), (3, MAX_TRIPLE_POOL)):
                for combo in combinations(same_year[:limit], size):
                    if any(f.value == 0 for f in combo):
                        continue
                    ivs = [_interval(f) for f in combo]
                    lo, hi = sum(i[0] for i in ivs), sum(i[1] for i in ivs)
                    unit = combo[0].unit
                    yield _Derivation(lo, hi, (lo + hi) / 2,
                                      " + ".join(f.text for f in combo)
                                      + f" = {_fmt(_in_unit((lo + hi) / 2, unit), max(f.decimals for f in combo))}{unit}",
                                      list(combo))
        pairs = same_year if binding.role in ("amount", None) else amounts
        for a, b in combinations(pairs[:MAX_PAIR_POOL], 2):
            if a.value == 0 or b.value == 0 or a.role != b.role:
                continue
            (a_lo, a_hi), (b_lo, b_hi) = _interval(a), _interval(b)
            big, small = (a, b) if a_lo + a_hi >= b_lo + b_hi else (b, a)
            (g_lo, g_hi), (s_lo, s_hi) = _interval(big), _interval(small)
            lo, hi = g_lo - s_hi, g_hi - s_lo
            if lo <= 0:
                continue  # equal within rounding: no difference to speak of
            if binding.role == "change_amount" and n.direction and big.metric == small.metric:
                later = big if _year_of(big, report_year) and _year_of(small, report_year) and \
                    _year_of(big, report_year) > _year_of(small, report_year) else None
                if later is not None and n.direction != "increase":
                    continue
            yield _Derivation(lo, hi, (lo + hi) / 2,
                              f"{big.text} − {small.text} = "
                              f"{_fmt(_in_unit((lo + hi) / 2, big.unit), max(big.decimals, small.decimals))}{big.unit}",
                              [big, small])
    elif dim == "percent":
        amounts = [f for f in pool if f.unit in _MONEY_FACTOR and f.role == "amount" and f.value != 0]
        for a, b in combinations(amounts[:MAX_PAIR_POOL], 2):
            part, whole = (a, b) if a.value <= b.value else (b, a)
            if binding.base_metrics and whole.metric not in binding.base_metrics:
                continue
            (p_lo, p_hi), (w_lo, w_hi) = _interval(part), _interval(whole)
            if w_lo <= 0:
                continue
            lo, hi = p_lo / w_hi * 100, p_hi / w_lo * 100
            mid = part.value.scaleb(_MONEY_FACTOR[part.unit]) / whole.value.scaleb(_MONEY_FACTOR[whole.unit]) * 100
            yield _Derivation(lo, hi, mid, f"{part.text} / {whole.text} = {mid:.2f}%", [part, whole])
    elif dim.startswith("count"):
        counts = [f for f in pool if _dimension(f.unit) == dim and f.role == "count" and f.value != 0]
        for size in (2, 3):
            for combo in combinations(counts[:MAX_TRIPLE_POOL], size):
                total = sum(f.value for f in combo)
                yield _Derivation(total, total, total, " + ".join(f.text for f in combo) + f" = {total}{n.unit}", list(combo))


def _derived_ok(n: FoundNumber, d: _Derivation) -> bool:
    cv, cd = _to_base(n.value, n.decimals, n.unit if n.unit else (d.figures[0].unit if d.figures else ""))
    if d.lo == d.hi:
        return cv == d.mid
    return _consistent_with_interval(cv, cd, d.lo, d.hi, _trailing_zeros(n.value_text)) or (
        _round(d.mid, cd) == cv and _significant(cv, cd) >= MIN_SIGNIFICANT
    )
