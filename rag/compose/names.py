"""The names a question can call a figure by: the lexicon's and the report's own.

Every figure of the context answers to a few names, compared in plain form (rag.compose.text):
its metric (for a budget figure "三公经费 年初预算" the metric it is the budget of), its label as
printed ("公务接待经费支出", "在园幼儿"), its project, and for a count the thing counted when the
report names it after the number ("设9个内设机构", "现有72个教学班") — the parser binds such a
count to the words before it. The lexicon adds its aliases (公车运行费 → 公务用车运行维护费) and
the 功能分类 类 names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from index.lexicon import FUNCTIONAL_CLASSES, METRIC_ALIASES, is_known_metric, to_simplified
from index.models import Figure
from rag.compose.parts import Mention
from rag.compose.text import display_label, plain
from rag.context import Context, ContextFigure

__all__ = ["Names", "base_metric", "counted_thing", "locate"]

# Report names too general to stand for one figure when a question uses them.
_GENERIC = {
    "合计", "总计", "小计", "支出", "收入", "本级", "其中", "项目", "金额", "本年", "上年", "决算", "预算", "预算数",
    "决算数", "年初预算", "数量", "人数", "单位", "部门", "本单位", "全年", "增减", "经费", "资金",
}
# After a count: the thing counted, up to the clause's end ("72个教学班,学生4980人" → 教学班).
# Possessive spaces (\s*+): nothing after them starts with a space, and plain ones split a long
# run of spaces every way between them (cubic: 500 spaces took 1.6 s).
_COUNTED = re.compile(r"^\s*+[^\s\d，,。；;、：:（(）)]{0,2}?\s*+(?:余|多|左右)?\s*+(?P<thing>[^\d，,。；;：:（(）)\s]{2,16})")
_COUNT_UNIT = re.compile(r"^\s*(?:个|辆|人次|人|台|项|批次|批|名|家|所|位|间|户|套|条|次)")


def base_metric(figure: Figure) -> str:
    """The metric a figure is about: "三公经费 年初预算" (a budget of 三公经费) → 三公经费; a project's
    figure ("政府工作专项经费 预算执行率") keeps its whole metric."""
    if " " in figure.metric and not figure.subject:
        return figure.metric.split()[0]
    return figure.metric


def _lexicon() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in METRIC_ALIASES.items():
        for alias in (canonical, *aliases):
            index.setdefault(plain(alias), plain(canonical))
    for name in FUNCTIONAL_CLASSES.values():
        index.setdefault(plain(name), plain(name))
        bare = name.removesuffix("支出")
        if len(bare) >= 4:  # "卫生健康和住房保障各支出多少？" (not 教育, 外交: words of other names)
            index.setdefault(plain(bare), plain(name))
    return index


_LEXICON = _lexicon()


def locate(context: Context, cf: ContextFigure) -> tuple[str, int] | None:
    """The text of the passage holding a figure and where its number starts in it (None for a
    table passage, whose text repeats the table's title and header, or when it is not there)."""
    np = context.passage(cf.n)
    if np is None or np.passage.chunk.kind != "text":
        return None
    text, value = np.passage.chunk.text, cf.figure.text
    guess = cf.figure.start - np.passage.chunk.start
    found = [m.start() for m in re.finditer(re.escape(value), text)]
    if not found:
        return None
    at = min(found, key=lambda i: abs(i - guess))
    return (text, at) if abs(at - guess) <= 8 else None


def counted_thing(context: Context, cf: ContextFigure) -> str:
    """For a count, what the report says it counts after the number ("8个内设机构" → 内设机构)."""
    where = locate(context, cf)
    if where is None or cf.figure.role != "count":
        return ""
    text, at = where
    after = to_simplified(text[at + len(cf.figure.text):][:24])
    unit = _COUNT_UNIT.match(after)
    if unit is None:
        return ""
    m = _COUNTED.match(after[unit.end():])
    return m.group("thing") if m else ""


@dataclass
class Names:
    """The names of a context's figures, and the figures each name stands for."""

    context: Context
    figures: dict[str, list[ContextFigure]] = field(default_factory=dict)  # plain name → figures

    @classmethod
    def of(cls, context: Context) -> Names:
        """The names of the context's figures."""
        names = cls(context)
        for cf in context.figures:
            for name in names.names_of(cf):
                names.figures.setdefault(name, []).append(cf)
        return names

    def names_of(self, cf: ContextFigure) -> set[str]:
        """The plain names a figure answers to."""
        f = cf.figure
        out = {plain(base_metric(f)), plain(display_label(f.label))}
        if f.subject:
            out.add(plain(f.subject))
        if thing := counted_thing(self.context, cf):
            out.add(plain(thing))
        if is_known_metric(base_metric(f)):
            out.add(plain(base_metric(f)))
        return {n for n in out if len(n) >= 2 and n not in _GENERIC}

    def mentions(self, text: str) -> list[Mention]:
        """The names in a (plain) text, longest first, not overlapping: a lexicon alias stands for
        its canonical metric, a report's name for itself."""
        candidates: dict[str, tuple[str, str]] = {
            alias: (key, "") for alias, key in _LEXICON.items() if len(alias) >= 2}
        for name, figures in self.figures.items():
            candidates.setdefault(name, (name, ""))
            # "一般公共预算收入总计": the 收入总计 of the general public budget's funds
            for scope in {plain(cf.figure.scope) for cf in figures if cf.figure.scope}:
                if not name.startswith(scope):
                    candidates.setdefault(scope + name, (name, scope))
        taken: list[tuple[int, int]] = []
        found: list[Mention] = []
        for alias in sorted(candidates, key=len, reverse=True):
            for m in re.finditer(re.escape(alias), text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                taken.append((m.start(), m.end()))
                key, scope = candidates[alias]
                found.append(Mention(m.start(), m.end(), m.group(0), key, scope=scope))
        return sorted(found, key=lambda m: m.start)

    def of_name(self, key: str) -> list[ContextFigure]:
        """The figures a plain name stands for exactly."""
        return list(self.figures.get(key, []))

    def containing(self, key: str) -> list[list[ContextFigure]]:
        """Figures whose names contain a name ("财政拨款收入" → 财政拨款收入总计), one list per
        name, shortest name first."""
        names = sorted((n for n in self.figures if key in n and n != key), key=len)
        return [self.figures[n] for n in names]

    def resembling(self, phrases: Iterable[str]) -> list[ContextFigure]:
        """For words neither the lexicon nor the report uses as a name ("有多少在职在编教职工"):
        the figures whose names share the most with them, the head of the phrase included (its
        last two characters: a Chinese noun phrase ends with what it names)."""
        best: list[ContextFigure] = []
        best_len = 1
        for name, figures in self.figures.items():
            for phrase in phrases:
                if not (phrase[-2:] in name or name[-2:] in phrase):
                    continue
                size = _common(phrase, name)
                if size < 0.6 * len(phrase):  # most of the words asked must be in the name
                    continue
                if size > best_len:
                    best, best_len = list(figures), size
                elif size == best_len:
                    best += [cf for cf in figures if cf not in best]
        return best


def _common(a: str, b: str) -> int:
    """Length of the longest run of characters a and b share."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best
