"""Interval arithmetic over displayed values (the XBRL Calculations 1.1 idea).

A value displayed with d decimals stands for [v − ½·10^−d, v + ½·10^−d]. Sums, differences,
products and ratios of such intervals bound what the exact values could have been; a relation
is consistent when the interval of one side overlaps the other's. Everything is Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from index.models import Figure
from index.numbers import half_interval

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Interval:
    """A closed interval [lo, hi] of Decimals."""

    lo: Decimal
    hi: Decimal

    @classmethod
    def displayed(cls, value: Decimal, decimals: int) -> Interval:
        """The values a number displayed with `decimals` digits may stand for."""
        half = half_interval(decimals)
        return cls(value - half, value + half)

    @classmethod
    def of(cls, figure: Figure) -> Interval:
        """The interval of a stated figure."""
        return cls.displayed(figure.value, figure.decimals)

    @classmethod
    def exact(cls, value: Decimal) -> Interval:
        """A value known exactly."""
        return cls(value, value)

    @property
    def mid(self) -> Decimal:
        """The middle of the interval."""
        return (self.lo + self.hi) / 2

    def __add__(self, other: Interval) -> Interval:
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __sub__(self, other: Interval) -> Interval:
        return Interval(self.lo - other.hi, self.hi - other.lo)

    def __mul__(self, other: Interval) -> Interval:
        products = [self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi]
        return Interval(min(products), max(products))

    def __truediv__(self, other: Interval) -> Interval:
        """Division; raises ZeroDivisionError when the divisor's interval contains 0."""
        if other.lo <= 0 <= other.hi:
            raise ZeroDivisionError("divisor interval contains zero")
        quotients = [self.lo / other.lo, self.lo / other.hi, self.hi / other.lo, self.hi / other.hi]
        return Interval(min(quotients), max(quotients))

    def overlaps(self, other: Interval) -> bool:
        """True when some value lies in both intervals."""
        return self.lo <= other.hi and other.lo <= self.hi

    def distance(self, other: Interval) -> Decimal:
        """How far apart the two intervals are (0 when they overlap)."""
        if self.overlaps(other):
            return Decimal(0)
        return other.lo - self.hi if self.hi < other.lo else self.lo - other.hi

    def widen(self, amount: Decimal) -> Interval:
        """The interval grown by `amount` on both sides."""
        return Interval(self.lo - amount, self.hi + amount)


def sum_interval(figures: list[Figure]) -> Interval:
    """Interval of the sum of stated figures."""
    total = Interval.exact(Decimal(0))
    for figure in figures:
        total = total + Interval.of(figure)
    return total


def verdict(stated: Interval, computed: Interval, decimals: int) -> str:
    """'ok' (consistent within rounding), 'rounding' (off by at most one unit of the last
    displayed digit: holds only if the author rounded the wrong way) or 'error'. Against an
    exact zero (nothing spent, so 0%) any other printed value is an error: there is nothing
    a rounding slip could have turned into it."""
    if stated.overlaps(computed):
        return "ok"
    if computed.lo == computed.hi == 0:
        return "error"
    unit = Decimal(10) ** (-decimals)
    return "rounding" if stated.distance(computed) <= unit else "error"
