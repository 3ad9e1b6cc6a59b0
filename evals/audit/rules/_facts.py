"""The report's stated amounts as a table of quantities: the arithmetic rules are joins over it.

A quantity is named by its key — metric, year, basis (the final account or which budget),
project (subject) and funds (scope) — whatever sentence, paragraph or table states it. A total
in one sentence, its parts in the next and the change in a third are joined by their keys, so
the wording of a sentence does not decide which relations can be checked; the wording only
decides the keys (`index.figures`). When one key is stated with two different values the
nearest statement wins if one is near (same sentence, then the same section before the
anchor), else the key is ambiguous and the rule reports insufficient data: the disagreement
itself is `repeated.same_figure`'s finding, and no other rule builds on a value it doubts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from evals.audit.registry import RuleContext
from evals.audit.rules._arith import (
    Ambiguous,
    in_scope,
    is_money,
    same_value,
    section_ancestors,
    sentence_mates,
)
from index.figures.keys import BUDGET_BASES, split_metric
from index.models import Figure


@dataclass(frozen=True)
class Key:
    """What a stated amount is an amount of."""

    metric: str
    year: int | None
    basis: str = "actual"
    subject: str | None = None
    scope: str | None = None


def key_of(figure: Figure) -> Key:
    """The key of a stated amount."""
    metric, basis = split_metric(figure)
    return Key(metric, figure.year, basis, figure.subject, figure.scope)


# Tables whose cells state the narrative's own quantities (the 三公 table, and small tables a
# text prints without a standard title); the other standard tables' rows are classifications
# (a 经济分类 row 公务用车运行维护费 of the 基本支出 table is not the 三公 amount) and are tied to
# the narrative by the nine_tables family.
JOINABLE_KINDS = (None, "一般公共预算财政拨款“三公”经费支出决算表")


class Facts:
    """The money amounts of one report, by key."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.by_key: dict[Key, list[Figure]] = defaultdict(list)
        kinds = {t.id: t.kind for t in ctx.report.tables}
        for figure in ctx.report.figures:
            if figure.role != "amount" or not is_money(figure):
                continue
            if figure.placed == "table" and kinds.get(figure.table_id) not in JOINABLE_KINDS:
                continue
            self.by_key[key_of(figure)].append(figure)

    def quantities(self, metric: str | None = None) -> list[Key]:
        """Every key (of one metric)."""
        return [k for k in self.by_key if metric is None or k.metric == metric]

    def statements(self, key: Key, *, any_scope: bool = False) -> list[Figure]:
        """The figures stating a key (with any funds scope when `any_scope`)."""
        if not any_scope:
            return list(self.by_key.get(key, []))
        return [f for k, fs in self.by_key.items() if _same_but_scope(k, key) for f in fs]

    def find(self, key: Key, near: Figure | None = None, *, any_scope: bool = False) -> Figure | None:
        """The statement of `key` a figure at `near` refers to: in its sentence (the nearest before
        it), else the nearest before it in its section, else — walking up the sections — the one
        value every statement in scope agrees on. Raises Ambiguous when a scope holds two values."""
        found = self.statements(key, any_scope=any_scope)
        if not found:
            return None
        if near is not None and near.placed == "table":
            # A table's own cells first: its rows and columns state one consistent set of values.
            same_table = [f for f in found if f.placed == "table" and f.table_id == near.table_id]
            if same_table:
                found = same_table
        if near is None:
            if not same_value(found):
                raise Ambiguous(key.metric)
            return min(found, key=lambda f: f.start)
        mates = [f for f in found if f in sentence_mates(self.ctx, near)]
        if mates:
            before = [f for f in mates if f.start < near.start]
            return before[-1] if before else mates[0]
        text = [f for f in found if f.placed == "text"]
        section = [f for f in text if f.section == near.section and f.start < near.start]
        if section:
            return section[-1]
        for scope in section_ancestors(near.section):
            inside = [f for f in text if in_scope(f, scope)]
            if inside:
                if not same_value(inside):
                    raise Ambiguous(key.metric)
                before = [f for f in inside if f.start < near.start]
                return before[-1] if before else inside[0]
        if not same_value(found):
            raise Ambiguous(key.metric)
        return min(found, key=lambda f: (f.placed != "text", f.start))

    def budgets(self, key: Key, near: Figure | None = None) -> list[Figure]:
        """The budget amounts stated for the metric of `key` (each kind of budget once)."""
        out: list[Figure] = []
        for basis in BUDGET_BASES:
            try:
                found = self.find(Key(key.metric, key.year, basis, key.subject, key.scope), near, any_scope=True)
            except Ambiguous:
                continue
            if found is not None:
                out.append(found)
        return out


def _same_but_scope(a: Key, b: Key) -> bool:
    return (a.metric, a.year, a.basis, a.subject) == (b.metric, b.year, b.basis, b.subject)


def signed(change: Figure) -> int:
    """+1 for an increase, −1 for a decrease (from the direction word or the printed sign)."""
    if change.direction == "decrease":
        return -1
    if change.direction == "increase":
        return 1
    return -1 if change.value < 0 else 1


def changes(ctx: RuleContext, role: str, against: str = "prior_year") -> Iterable[Figure]:
    """Change figures of one role compared against last year (or the budget)."""
    for figure in ctx.report.figures:
        if figure.role == role and (figure.against or "prior_year") == against:
            yield figure
