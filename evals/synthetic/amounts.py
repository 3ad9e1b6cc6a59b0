"""The Decimal arithmetic of a consistent report: rounding as published, ratios, money drawn
exact in 元, plausible prior-year figures, and the department's amounts drawn once, before any
text is written (parts exact, then rounded; totals the sum of the rounded parts).

`_Amounts` is mixed into `evals.synthetic._Generator`, which supplies `self.rng` and `self.kind`.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from evals.synthetic.vocab import _COMMON_KUAN, _KUAN

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)


def q2(value: Decimal) -> Decimal:
    """Round half-up to two decimals, as published."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q0(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole in percent, rounded to two decimals (0 when the whole is 0)."""
    return q2(HUNDRED * part / whole) if whole else ZERO


class _Amounts:
    def money(self, lo: float, hi: float) -> Decimal:
        """An exact amount in 万元 (whole 元, i.e. four decimals), log-uniform in [lo, hi]."""
        value = self.rng.uniform(0, 1)
        amount = Decimal(str(lo)) * (Decimal(str(hi)) / Decimal(str(lo))) ** Decimal(str(value))
        return Decimal(int(amount * 10000)) / 10000

    def prior_of(self, current: Decimal, flat_ok: bool = False) -> Decimal:
        """A plausible prior-year figure (two decimals), different from `current` unless flat."""
        r = self.rng.random()
        if flat_ok and r < 0.1:
            return current
        while True:
            factor = Decimal(str(round(self.rng.uniform(0.7, 1.35), 4)))
            prior = q2(current * factor)
            if prior != current and prior > 0:
                return prior

    def _figures(self) -> None:
        """Draw all the amounts first (parts exact, then rounded; totals sum the rounded parts)."""
        rng = self.rng
        scale = self.money(80, 30000)  # size of the department's budget, 万元
        items: list[tuple[str, str, str, str, str, str, Decimal]] = []  # 类code, 类name, 款code, 款name, 项code, 项name, amount
        for key in self.kind[1]:
            c, cname, k, kname, xiangs = _KUAN[key]
            chosen = [xiangs[0]] + [x for x in xiangs[1:] if rng.random() < 0.6]
            for xc, xname in chosen:
                share = Decimal(str(rng.uniform(0.04, 0.5)))
                items.append((c, cname, k, kname, xc, xname, q2(scale * share * Decimal(str(rng.uniform(0.5, 1))))))
        for c, cname, k, kname, xiangs in _COMMON_KUAN:
            if k == "08" and rng.random() < 0.6:
                continue
            for xc, xname in xiangs:
                if xc == "02" and c == "208" and rng.random() < 0.5:
                    continue
                if xc == "02" and c == "210" and rng.random() < 0.4:
                    continue
                items.append((c, cname, k, kname, xc, xname, q2(scale * Decimal(str(rng.uniform(0.005, 0.08))))))
        items = [i for i in items if i[6] > 0]
        # keep the template order: by 类 code, then 款, then 项
        items.sort(key=lambda i: (i[0], i[2], i[4]))
        self.items = items
        self.G = sum((i[6] for i in items), ZERO)  # 一般公共预算财政拨款支出
        personnel = q2(self.G * Decimal(str(rng.uniform(0.45, 0.8))))
        public = q2(self.G * Decimal(str(rng.uniform(0.04, 0.15))))
        self.personnel, self.public = personnel, public
        self.Gb = personnel + public
        self.Gp = self.G - self.Gb
        # Income other than appropriations (事业收入, 其他收入), for some departments
        self.other_income: list[tuple[str, Decimal]] = []
        if rng.random() < 0.35:
            if rng.random() < 0.6:
                self.other_income.append(("事业收入", q2(self.G * Decimal(str(rng.uniform(0.02, 0.3))))))
            self.other_income.append(("其他收入", q2(self.G * Decimal(str(rng.uniform(0.002, 0.05))))))
        self.O = sum((a for _, a in self.other_income), ZERO)
        ob = q2(self.O * Decimal(str(rng.uniform(0, 1)))) if self.O else ZERO
        self.B = self.Gb + ob
        self.P = self.Gp + (self.O - ob)
        self.E = self.B + self.P
        assert self.E == self.G + self.O
        self.T = self.E
        self.T0 = self.prior_of(self.T)
        self.G0 = self.prior_of(self.G) if self.O else self.T0
        # 三公
        self.cars = rng.choice([0, 1, 2, 3, 3, 4, 5, 6, 8, 12])
        zero_sg = rng.random() < 0.08
        base = min(scale, Decimal(3000))
        self.abroad = ZERO if zero_sg or rng.random() < 0.85 else q2(base * Decimal(str(rng.uniform(0.001, 0.01))))
        buys = 0 if zero_sg or self.cars == 0 or rng.random() < 0.8 else rng.randint(1, min(2, self.cars))
        self.car_buys = buys
        self.car_buy = q2(Decimal(str(rng.uniform(12, 28))) * buys) if buys else ZERO
        self.car_run = ZERO if zero_sg or self.cars == 0 else q2(Decimal(self.cars) * Decimal(str(rng.uniform(0.8, 4.5))))
        self.car = self.car_buy + self.car_run
        self.domestic = ZERO if zero_sg or rng.random() < 0.05 else q2(base * Decimal(str(rng.uniform(0.0005, 0.008))))
        self.foreign = ZERO if zero_sg or rng.random() < 0.9 else q2(Decimal(str(rng.uniform(0.1, 2))))
        self.reception = self.domestic + self.foreign
        self.S = self.abroad + self.car + self.reception
        self.abroad0 = ZERO if self.abroad == 0 and rng.random() < 0.8 else self.prior_of(self.abroad or Decimal("3.2"))
        self.car0 = self.prior_of(self.car, flat_ok=True) if self.car else (ZERO if rng.random() < 0.5 else self.prior_of(Decimal("4.5")))
        self.reception0 = self.prior_of(self.reception, flat_ok=True) if self.reception else ZERO
        self.S0 = self.abroad0 + self.car0 + self.reception0


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative integers."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]
