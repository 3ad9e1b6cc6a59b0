"""The figures that answer one part of a question, found by key: name, year, role, basis and
what a change is measured against.

A name is looked up in steps, each tried only when the one before finds nothing for the part:
the figures of that exact name; those whose name contains it ("财政拨款收入" → the report's
财政拨款收入总计); the whole a part belongs to (收入总计 → 收支总计, which states both); and, for
words the lexicon does not know, the report's names that share the most with them. Among the
figures of a role, the one stated next to the figures already chosen comes first (the amount
in the sentence that states its change), then text before tables, then reading order.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from index.models import Figure
from rag.compose.names import Names, base_metric, locate
from rag.compose.parts import Part
from rag.compose.text import plain
from rag.context import Context, ContextFigure

__all__ = ["Finding", "Reason", "find", "report_year"]

_BUDGET_BASES = ("budget", "initial_budget", "adjusted_budget")
# Names that stand for one another when the report states only one: "收支较上年减少…" is the change
# of 收入总计 and of 支出总计 (they are equal), and 收入总计 is the 收支总计 of a report that states
# 收入总计 and 支出总计 apart.
_RELATED = {"收入总计": ("收支总计",), "支出总计": ("收支总计",), "收支总计": ("收入总计", "支出总计")}
_SAME_UNIT = {"人": ("人", "名", "人次"), "名": ("人", "名"), "个": ("个", "项", "家", "所"), "辆": ("辆",)}
# After "；": the reason goes on ("一是…；二是…"), or the next statement starts.
_NEXT_REASON = re.compile(r"\s*(?:[二三四五六]是|其次|另外|同时|此外|[二三四五六]、|[(（]?[2-9][)）.、])")
_SEMICOLON = re.compile(r"[；;]")
_REASON_END = re.compile(r"[。！!？?\n]")
_REASON = re.compile(r"(?:主要)?原因(?:主要)?(?:是|为|系|在于)?[：:]?|主要是|主要由于|由于|系因")


@dataclass(frozen=True)
class Reason:
    """The report's own reason sentence and the passage holding it."""

    n: int
    text: str


@dataclass
class Finding:
    """What answers one part: the figures it asks for, figures stated with them (the amount
    beside its change), and the report's reason where one is asked."""

    part: Part
    asked: list[tuple[str, ContextFigure]]
    beside: list[tuple[str, ContextFigure]]
    reason: Reason | None = None

    @property
    def answered(self) -> bool:
        """True when the report states what the part asks."""
        if self.part.asks == "reason":
            return self.reason is not None
        return bool(self.asked)

    @property
    def says_something(self) -> bool:
        """True when the answer has something of the report's to say for the part: what it asks,
        or for a reason the figures to be explained ("人员经费841.35万元。报告未说明…的原因。")."""
        return self.answered or bool(self.asked)


def report_year(context: Context) -> int | None:
    """The year the context's figures mostly account for."""
    years = Counter(cf.figure.year for cf in context.figures if cf.figure.year)
    return max(years, key=lambda y: (years[y], y)) if years else None


def _candidates(part: Part, names: Names) -> list[list[ContextFigure]]:
    """The figures a part's name may stand for, one list per lookup step."""
    if not part.known:
        return [names.resembling(part.name.split("|"))]
    steps = [names.of_name(part.name), *names.containing(part.name)]
    steps += [names.of_name(plain(other)) for other in _RELATED.get(part.name, ())]
    if part.scope:  # the figures of the funds named, when the report says which funds a figure covers
        steps = [[cf for cf in step if plain(cf.figure.scope or "") == part.scope] or step for step in steps]
    return [s for s in steps if s]


def _is_budget(f: Figure) -> bool:
    return f.basis in _BUDGET_BASES or (" " in f.metric and not f.subject and "预算" in f.metric.split()[-1])


def _year_ok(f: Figure, year: int | None) -> bool:
    return year is None or f.year in (year, None)


def _unit_ok(f: Figure, unit: str) -> bool:
    return not unit or f.unit.startswith(_SAME_UNIT.get(unit, (unit,)))


def _base_ok(f: Figure, base: str) -> bool:
    if not base or not f.base:
        return True
    a, b = plain(base).removeprefix("本年"), plain(f.base).removeprefix("本年")
    return a in b or b in a


def _want(part: Part, year: int | None) -> list[tuple[str, object]]:
    """The slots a part asks for, each a (slot, test) pair."""
    def amount(f: Figure) -> bool:
        return f.role == "amount" and not _is_budget(f) and f.basis != "executed" and _year_ok(f, year)

    def value(f: Figure) -> bool:
        return amount(f) or (f.role == "count" and _year_ok(f, year) and _unit_ok(f, part.unit))

    def budget(f: Figure) -> bool:
        return f.role == "amount" and _is_budget(f) and _year_ok(f, year)

    def change(role: str) -> object:
        def test(f: Figure) -> bool:
            against = f.against or "prior_year"
            return f.role == role and against == part.against and _year_ok(f, year)
        return test

    if part.asks == "budget":
        return [("budget", budget)]
    if part.asks == "change":
        slots = [("change_amount", change("change_amount")), ("change_rate", change("change_rate"))]
        return slots[::-1] if part.want == "rate" else slots
    if part.asks == "share":
        return [("share", lambda f: f.role == "share" and _year_ok(f, year) and _base_ok(f, part.base))]
    if part.asks == "completion":
        return [("completion", lambda f: f.role == "completion_rate" and _year_ok(f, year))]
    if part.asks == "count":
        return [("count", lambda f: f.role == "count" and _year_ok(f, year) and _unit_ok(f, part.unit))]
    if part.asks == "score":
        return [("score", lambda f: f.role == "score")]
    if part.asks == "reason":
        if part.against == "budget":
            return [("budget_change", change("change_amount")), ("completion",
                    lambda f: f.role == "completion_rate" and _year_ok(f, year)), ("budget", budget)]
        return [("change_amount", change("change_amount")), ("change_rate", change("change_rate"))]
    return [("amount" if not part.prior else "prior", value)]


def _rank(cf: ContextFigure, near: list[ContextFigure]) -> tuple:
    f = cf.figure
    same_sentence = any(n.n == cf.n and n.figure.quote == f.quote for n in near)
    same_passage = any(n.n == cf.n for n in near)
    return (not same_sentence, not same_passage, f.placed != "text", cf.n, f.start)


def _choose(figures: list[ContextFigure], test, near: list[ContextFigure]) -> ContextFigure | None:  # type: ignore[no-untyped-def]
    found = [cf for cf in figures if test(cf.figure)]
    return min(found, key=lambda cf: _rank(cf, near)) if found else None


def _project_want(part: Part, year: int | None) -> list[tuple[str, object]]:
    """The slots of a project's part ("政府工作专项经费执行了多少？"): its budget, what it executed
    and its execution rate, by the words of each figure's name (全年预算数, 执行数, 预算执行率)."""
    def aspect(f: Figure) -> str:
        return f"{f.metric.split(' ', 1)[-1]} {f.column or ''}"

    def budget(f: Figure) -> bool:
        return f.role == "amount" and (f.basis in _BUDGET_BASES or "预算" in aspect(f).replace("预算执行", ""))

    def executed(f: Figure) -> bool:
        return f.role == "amount" and not budget(f) and (
            f.basis == "actual" or bool(re.search(r"执行|支出|决算|实际|金额", aspect(f))))

    def completion(f: Figure) -> bool:
        return f.role == "completion_rate"

    slots: dict[str, list[tuple[str, object]]] = {
        "budget": [("budget", budget)],
        "completion": [("completion", completion), ("budget", budget), ("amount", executed)],
        "score": [("score", lambda f: f.role == "score" and "得分" in aspect(f))],
    }
    return slots.get(part.asks, [("amount", executed), ("budget", budget), ("completion", completion)])


def _is_project(figures: list[ContextFigure], part: Part) -> bool:
    return bool(figures) and all(cf.figure.subject and plain(cf.figure.subject) == part.name for cf in figures)


# What the passage stating an amount says about it besides, stated with it.
_BESIDE_AN_AMOUNT = ("change_amount", "change_rate", "share", "completion_rate")


def find(part: Part, names: Names, context: Context, year: int | None) -> Finding:
    """The figures (and the reason) answering one part, by key."""
    asked_year = part.year or year
    if part.prior and asked_year is not None:
        asked_year -= 1
    finding = Finding(part, [], [])
    for figures in _candidates(part, names):
        project = _is_project(figures, part)
        wanted = _project_want(part, asked_year) if project else _want(part, asked_year)
        asked: list[tuple[str, ContextFigure]] = []
        for slot, test in wanted:
            chosen = _choose(figures, test, [cf for _, cf in asked])
            if chosen is not None:
                asked.append((slot, chosen))
        value = _want(replace(part, asks="amount"), asked_year)[0][1]
        if part.asks == "reason" and not asked:  # "为什么实有人数是0人？": the figure to be explained
            chosen = _choose(figures, value, [])
            asked = [("amount", chosen)] if chosen is not None else []
        if not asked:
            continue
        if project:  # the project's slots after the first are what is stated with it
            finding.asked, finding.beside = asked[:1], asked[1:]
            break
        finding.asked = asked
        near = [cf for _, cf in asked]
        if part.asks in ("change", "share", "completion", "reason") and not part.prior:
            amount = _choose(figures, value, near)
            if amount is not None and amount not in near and amount.figure.role == "amount":
                finding.beside.append(("amount", amount))
        if part.asks == "amount" and not part.prior and near[0].figure.role == "amount":
            finding.beside += _same_passage(near[0], figures)
        if part.asks == "reason":
            finding.reason = reason_for(context, near)
        break
    return finding


def _same_passage(amount: ContextFigure, figures: list[ContextFigure]) -> list[tuple[str, ContextFigure]]:
    """The change, share and completion rate the amount's own passage states for it."""
    out: list[tuple[str, ContextFigure]] = []
    slot_of = {"completion_rate": "completion"}
    for cf in figures:
        f = cf.figure
        if (cf.n == amount.n and f.role in _BESIDE_AN_AMOUNT and f.year == amount.figure.year
                and (f.against or "prior_year") == "prior_year" and f.table_id is None
                and not any(slot_of.get(f.role, f.role) == s for s, _ in out)):
            out.append((slot_of.get(f.role, f.role), cf))
    return out


def reason_for(context: Context, figures: list[ContextFigure]) -> Reason | None:
    """The report's reason for the figures: the clause saying 原因/主要是… after the last of them,
    in its own sentence or the next one, as long as no figure of another metric stands before it
    (in "A减少1万元；B减少2万元，原因是…" the reason is B's, not A's)."""
    anchor = max(figures, key=lambda cf: (cf.n, cf.figure.start))
    where = locate(context, anchor)
    if where is None:
        return None
    text, at = where
    shift = anchor.figure.start - at  # report offset of text[0]
    others = [cf.figure.start - shift for cf in context.figures
              if cf.n == anchor.n and base_metric(cf.figure) != base_metric(anchor.figure)]
    at += len(anchor.figure.text)
    for _ in range(2):  # its own sentence, then the next
        close = _REASON_END.search(text, at)
        end = close.start() if close else len(text)
        m = _REASON.search(text, at, end)
        if m is not None:
            if any(at <= o < m.start() for o in others):
                return None
            start = max((p.end() for p in re.finditer(r"[，,；;：:。]", text[:m.start()])), default=0)
            start = start if start > at else m.start()
            sentence = re.sub(r"[，,；;]?(?:其中|具体如下|如下|具体情况如下)[：:]?$", "", text[start:end].strip())
            return Reason(anchor.n, sentence.rstrip("，,；;：: ")) if len(sentence) > 4 else None
        if close is None:
            return None
        at = end + 1
    return None
