"""Synthetic 部门决算 reports with known figures, for testing the parser and the rule suite.

`generate(seed)` writes a realistic report (the national template as the bundled sample
follows it: 第一部分 部门概况, 第二部分 sections 一、 to 十、 with their formulaic sentences,
第三部分 名词解释, 第四部分 附件 with one flattened 项目支出绩效自评表 per project) and returns
it with its ground truth: every figure stated, with metric, role, value, year, its span in
the text, and the relations it takes part in (which part sums to which total, which share
has which base, …).

The figures are made as a careful author makes them: money exact in 元 (four decimals of
万元), parts rounded half-up to the two decimals printed, totals the sum of the rounded parts,
shares / rates / completion rates rounded from the unrounded values. So a generated report
is consistent within display rounding, and any rule that flags it raises a false alarm.
Everything is `decimal.Decimal`; randomness comes only from `random.Random(seed)`.

`plant(text, family, rng, truth)` edits one figure or phrase so the report breaks one
relation of the given rule family, and records what it planted.

The parts are modules of this package: truth (the ground-truth types), vocab (the words),
amounts (the Decimal arithmetic), text (writing the sections), sangong (七、三公 and
十、其他重要事项), tables (the projects and their flattened 绩效自评表) and plant (planted
errors); this module assembles the generator, and the package `evals.synthetic` exports its
public API.

    python -m evals.synthetic --seed 3 > report.txt    # print one report
    python -m evals.synthetic --seed 3 --truth         # and its ground truth as JSON lines
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict
from decimal import Decimal

from evals.synthetic.amounts import HUNDRED, ZERO, _Amounts
from evals.synthetic.plant import FAMILIES, parse_text, perturb_number, plant
from evals.synthetic.sangong import _SanGong
from evals.synthetic.tables import _Tables
from evals.synthetic.text import _Sections, _Writer
from evals.synthetic.truth import Fact, GroundTruth, Planted, Project, Relation
from evals.synthetic.vocab import _DEPARTMENTS, PLACES

__all__ = [
    "FAMILIES", "Fact", "GroundTruth", "Planted", "Project", "Relation", "generate", "main", "parse_text",
    "perturb_number", "plant",
]


class _Generator(_Amounts, _Sections, _SanGong, _Tables):
    """One report being written: the state the mixins share (rng, year, department, the writer)
    and the facts and relations recorded as the text is written."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        rng = self.rng
        self.year = rng.randint(2019, 2024)
        self.prior = self.year - 1
        self.place = rng.choice(PLACES)
        kind = rng.choice(_DEPARTMENTS)
        self.kind = kind
        self.dept = self.place + kind[0]
        self.strip_zeros = rng.random() < 0.25  # some authors print 86.6 for 86.60
        self.facts: list[Fact] = []
        self.relations: list[Relation] = []
        self.projects: list[Project] = []
        self.w = _Writer()

    # ---- facts and relations ------------------------------------------------------------

    def _fmt_amount(self, v: Decimal) -> str:
        if v == 0:
            return "0"
        text = f"{v:.2f}"
        if self.strip_zeros:
            text = text.rstrip("0").rstrip(".")
        return text

    def _fmt_pct(self, v: Decimal) -> str:
        if v in (ZERO, HUNDRED):
            return str(int(v))
        text = f"{v:.2f}"
        if self.strip_zeros:
            text = text.rstrip("0").rstrip(".")
        return text

    def fact(self, key: str, metric: str, role: str, value: Decimal, unit: str = "万元", *, text: str | None = None,
             source: str = "text", **kw) -> Fact:
        if text is None:
            if unit == "%":
                text = self._fmt_pct(value)
            elif unit in ("万元", "元") and role in ("amount", "change_amount"):
                text = self._fmt_amount(value)
            else:
                text = str(value)
        if any(f.key == key for f in self.facts):
            raise ValueError(f"duplicate fact key {key}")
        f = Fact(key=key, metric=metric, role=role, value=value, text=text, unit=unit, year=kw.pop("year", self.year),
                 source=source, **kw)
        self.facts.append(f)
        return f

    def rel(self, family: str, statement: str, *members: Fact, strict: bool = True) -> None:
        rid = f"{family}:{len(self.relations)}"
        self.relations.append(Relation(rid, family, statement, [m.key for m in members], strict))
        for m in members:
            m.relations.append(rid)

    # ---- the report ---------------------------------------------------------------------

    def build(self) -> tuple[str, GroundTruth]:
        self._figures()
        self._part_one()
        self._part_two()
        self._part_three()
        self._part_four()
        text = self.w.text
        for f in self.facts:
            assert text[f.start:f.end] == f.text, (f.key, f.text, text[f.start:f.end])
        truth = GroundTruth(self.seed, self.dept, self.year, self.facts, self.relations, self.projects)
        return text, truth


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def generate(seed: int) -> tuple[str, GroundTruth]:
    """A consistent synthetic report and its ground truth, determined by `seed`."""
    return _Generator(seed).build()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--truth", action="store_true", help="print the ground truth as JSON lines after the text")
    args = parser.parse_args(argv)
    text, truth = generate(args.seed)
    sys.stdout.write(text)
    if args.truth:
        for fact in truth.facts:
            print(json.dumps(fact.to_json(), ensure_ascii=False))
        for relation in truth.relations:
            print(json.dumps(asdict(relation), ensure_ascii=False))


if __name__ == "__main__":
    main()
