"""Units and the rounding rule of the verifier.

What a unit measures (money, percent, score, a kind of count), money in 元, and when a
number as written agrees with a stated or derived value once display rounding is allowed for
(`rounds_to`, `_consistent_with_interval`). Part of the verifier, see rag/verify.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from index.numbers import half_interval

_MONEY_FACTOR = {"元": 0, "千元": 3, "万元": 4, "亿元": 8}  # power of ten of one unit in 元
_COUNT_FAMILY = {"人": "人", "名": "人", "余人": "人", "个": "个", "个（套）": "个", "台（套）": "台", "台": "台",
                 "套": "台", "篇（部）": "篇", "篇（条）": "篇", "篇": "篇", "条": "篇"}


def _dimension(unit: str) -> str:
    if unit in _MONEY_FACTOR:
        return "money"
    if unit == "%":
        return "percent"
    if unit == "分":
        return "score"
    if unit == "":
        return "bare"
    return "count:" + _COUNT_FAMILY.get(unit, unit)


def _to_base(value: Decimal, decimals: int, unit: str) -> tuple[Decimal, int]:
    """Money in 元 with its display decimals in 元 (4.55万元 → 45500, −2); others unchanged."""
    power = _MONEY_FACTOR.get(unit)
    if power is None:
        return value, decimals
    return value.scaleb(power), decimals - power


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _significant(value: Decimal, decimals: int) -> int:
    """Significant digits of a value displayed with `decimals` digits (46000 at −3 → 2)."""
    scaled = int(abs(value).scaleb(decimals).to_integral_value(rounding=ROUND_HALF_UP))
    return len(str(scaled)) if scaled else 0


def _trailing_zeros(written: str) -> int:
    """Zeros ending an integer as written ('46000' → 3): it may be rounded to that place."""
    digits = written.replace(",", "")
    if "." in digits or not digits.strip("0"):
        return 0
    return len(digits) - len(digits.rstrip("0"))


MIN_SIGNIFICANT = 2


def rounds_to(claim_value: Decimal, claim_decimals: int, exact: Decimal, exact_decimals: int, zeros: int = 0) -> bool:
    """The rounding rule: a claimed value agrees with a stated one when it is equal, or when it
    is the stated value rounded half-up to fewer decimals and keeps at least MIN_SIGNIFICANT
    significant digits (4.55 → 4.6 yes, → 5 no; 10.16 → 10 yes; 45500元 = 4.55万元).
    An integer written with `zeros` trailing zeros may be a rounding to tens, hundreds… (46000元
    for 4.55万元); a decimal's trailing zeros are precision (14.70 is not 14.71 rounded)."""
    if claim_value == exact:
        return True
    for d in range(claim_decimals, claim_decimals - zeros - 1, -1):
        if d < exact_decimals and _round(exact, d) == claim_value and _significant(claim_value, d) >= MIN_SIGNIFICANT:
            return True
    return False


def _consistent_with_interval(claim_value: Decimal, claim_decimals: int, lo: Decimal, hi: Decimal,
                              zeros: int = 0) -> bool:
    """A derived value (known only within [lo, hi]) agrees with a claim displayed with its decimals."""
    mid = (lo + hi) / 2
    for d in range(claim_decimals, claim_decimals - zeros - 1, -1):
        if _significant(claim_value, d) < MIN_SIGNIFICANT and claim_value != mid:
            continue
        half = half_interval(d)
        # the displayed claim overlaps what the stated figures allow; a rounding to tens or
        # more (d < 0) must also be the exact value's own rounding
        if claim_value - half <= hi and lo <= claim_value + half and (d >= 0 or _round(mid, d) == claim_value):
            return True
    return False


def _fmt(value: Decimal, decimals: int | None = None) -> str:
    if decimals is not None:
        return f"{_round(value, max(decimals, 0)):f}"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


def _in_unit(value: Decimal, unit: str) -> Decimal:
    power = _MONEY_FACTOR.get(unit)
    return value.scaleb(-power) if power is not None else value
