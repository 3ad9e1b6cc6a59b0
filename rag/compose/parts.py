"""A question in parts: what each part asks, about what, for which year.

    “三公”经费预算和决算各是多少？完成预算的百分之几？比上年减少多少，为什么？
    → 三公经费 budget · 三公经费 amount · 三公经费 completion · 三公经费 change · 三公经费 reason

A question is cut at its punctuation into segments; in each segment the ask words (是多少,
占…百分之几, 完成…预算的百分之几, 比上年减少多少, 几个, 为什么…) are found, and each ask is
about the names said before it in the segment (or after it: "多少学生"), else about those of
the ask before it ("事业收入多少，占多少？"). Several names before one ask ("基本支出和项目支出
各是多少") make one part each. Names are found by a `Names` matcher (rag.compose.names): the
lexicon's and the report's own; where neither knows the words, the part keeps the question's
own phrase and the report's names are searched for it later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from rag.compose.text import plain

__all__ = ["Ask", "Mention", "Part", "split_question"]

Ask = Literal["amount", "budget", "change", "share", "completion", "count", "score", "reason"]


@dataclass(frozen=True)
class Mention:
    """A name found in a question: where, as written, and the key figures are found by."""

    start: int
    end: int
    text: str
    key: str
    scope: str = ""  # the funds the question narrows the name to ("一般公共预算收入总计": 一般公共预算)
    known: bool = True  # False: the question's own words, for which the report's names are searched


class Names(Protocol):
    def mentions(self, text: str) -> list[Mention]: ...


@dataclass(frozen=True)
class Part:
    """One thing a question asks."""

    asks: Ask
    name: str  # the key of the thing asked about (a canonical metric, a report's name or the question's phrase)
    said: str  # the thing as the question words it, for "报告未说明…"
    year: int | None = None  # the year the question names (None: the report's)
    prior: bool = False  # last year's value ("上年“三公”经费是多少？")
    basis: Literal["budget", "actual"] | None = None  # 预算 / 决算, when the question says
    against: Literal["prior_year", "budget"] = "prior_year"  # a change or a reason: against last year or the budget
    want: Literal["amount", "rate"] | None = None  # a change: the amount (减少多少) or the rate (百分之几); None: either
    base: str = ""  # a share or a completion rate: the whole named ("占三公经费的", "年初预算")
    unit: str = ""  # a count: the unit asked (几辆 → 辆)
    about: str = ""  # a reason: what is to be explained ("下降", "超过年初预算")
    known: bool = True  # the name is one the lexicon or the report knows (else a phrase to search for)
    scope: str = ""  # the funds named with it (一般公共预算, 政府性基金, 财政拨款…)


_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
_COMPARED_YEAR = re.compile(r"(?:比|较|与|同)((?:19|20)\d{2})年度?")
_PRIOR = re.compile(r"(?<![比较与同和跟])(?:上一?年度?|去年|前一年)(?!相比|同期|比)")
_SEGMENT = re.compile(r"[？?。！!；;，,\n]+")

_CUE = re.compile(
    r"(?P<reason>为什么|为何|什么原因|原因是什么|何故|缘何|怎么会|为啥|原因)(?P<about>.*)"
    r"|(?P<both>(?P<b1>年初预算|预算|决算|实际支出)数?(?:和|与|及|、)(?P<b2>年初预算|预算|决算|实际支出)数?"
    r"(?:各|分别)?(?:是|为)?(?:多少|几何))"
    r"|(?P<completion>(?:完成|为|达到|占)了?(?P<cbase>年初预算|调整后预算|全年预算|预算)数?的?"
    r"(?:百分之几|多少|几成|%|比例)|(?:预算)?(?:执行率|完成率)(?:是|为)?(?:多少)?|完成了?预算的?(?:百分之几|多少)"
    r"|完成了?(?:年初|全年)?预算(?:了)?(?:吗|没有|没)|(?:预算)?(?:完成|执行)情况(?:如何|怎么样|怎样)?)"
    r"|(?P<share>占比(?:是|为)?(?:多少)?|(?:各|分别)?占(?P<base>[^占]{0,15}?)的?(?:多大)?"
    r"(?:百分之几|多少|比例|比重|几成|%)|所占(?:比例|比重)|(?:比例|比重)(?:是|为)?多少)"
    r"|(?P<change>(?P<cmp>(?:比|较|与|同)(?P<cmpwhat>上一?年度?|去年|(?:19|20)\d{2}年度?|年初预算|预算)?(?:相比)?)?"
    r"(?P<cword>增减幅度|增减金额|增减|减少|增加|下降|降低|增长|上升|降幅|增幅|少了|多了|降了|涨了|变化|变动)了?"
    r"(?P<cask>多少|百分之几|几成|幅度|是多少|几))"
    r"|(?P<budget>(?P<bword>年初预算|调整后预算|预算)数?(?:是|为|有)?(?:多少|几何))"
    r"|(?P<actual>(?:实际支出|实际|决算数?|执行数?)(?:是|为|有)?(?:多少|几何))"
    r"|(?P<count>(?:几|多少)(?P<unit>个|辆|人次|人|台|次|项|批次|批|名|家|所|位|间|户|套|条))"
    r"|(?P<score>得分|评分|(?:得了?)?(?:多少分|几分))"
    r"|(?P<amount>多少钱|多少万元|多少|几何|有没有|是否|有无|吗)"
)
# "三公经费里公务接待费占多大比例": the first name is the whole, the second the part asked about.
_WITHIN = re.compile(r"^(?:里|中|当中|中的|里的|里面)$")
_AMOUNT_WORDS = ("减少", "增加", "增减", "增减金额", "少了", "多了")
_BUDGET_ABOUT = re.compile(r"预算|没花完|未花完|结余|超支|超出|超过|节约|未完成|没完成")
# Words around a name that are not part of it, taken off the question's own phrase.
_FILLER = re.compile(
    r"(?:19|20)\d{2}年度?|年末|年底|本年度?|今年|全年|全区|全县|全市|全镇|全乡|本单位|本部门|我局|该局|"
    r"各是|各|分别|总共|一共|共有|共|花了|花费|用了|是|(?<!实)有|为|的|了|吗|呢|要|现有|实际|多少|几"
)


@dataclass
class _Cue:
    start: int
    end: int
    asks: Ask
    match: re.Match[str]


def _cues(segment: str) -> list[_Cue]:
    out = []
    for m in _CUE.finditer(segment):
        kind = next(k for k in ("reason", "both", "completion", "share", "change", "budget", "actual", "count",
                                "score", "amount") if m.group(k) is not None)
        asks: Ask = {"both": "amount", "actual": "amount"}.get(kind, kind)  # type: ignore[assignment]
        out.append(_Cue(m.start(), m.end(), asks, m))
    return out


def _phrase(text: str) -> str:
    """The question's own words for a thing, without the words around names."""
    return _FILLER.sub("", text).strip("、和及与")


def _parts_of(cue: _Cue, names: list[Mention], year: int | None, prior: bool, segment: str) -> list[Part]:
    """The parts one ask makes, one per name it is about."""
    m = cue.match
    out: list[Part] = []
    whole = ""
    if cue.asks == "share" and len(names) == 2 and _WITHIN.match(segment[names[0].end:names[1].start]):
        whole, names = names[0].text, names[1:]
    for name in names:
        part = Part(cue.asks, name.key, name.text, year=year, prior=prior, known=name.known, scope=name.scope)
        if cue.asks == "reason":
            about = m.group("about") or ""
            against = "budget" if _BUDGET_ABOUT.search(about) else "prior_year"
            part = replace(part, about=about, against=against)  # type: ignore[arg-type]
        elif m.group("both") is not None:
            for word in (m.group("b1"), m.group("b2")):
                basis = "budget" if "预算" in word else "actual"
                out.append(replace(part, asks="budget" if basis == "budget" else "amount", basis=basis))  # type: ignore[arg-type]
            continue
        elif cue.asks == "completion":
            part = replace(part, base=m.group("cbase") or "")
        elif cue.asks == "share":
            part = replace(part, base=(m.group("base") or "").removesuffix("的") or whole)
        elif cue.asks == "change":
            word, ask = m.group("cword"), m.group("cask")
            what = m.group("cmpwhat") or ""
            want = "rate" if ask in ("百分之几", "幅度", "几成") or word in ("增减幅度", "降幅", "增幅") else (
                "amount" if word in _AMOUNT_WORDS else None)
            part = replace(part, want=want, against="budget" if "预算" in what else "prior_year")  # type: ignore[arg-type]
        elif cue.asks == "budget":
            part = replace(part, basis="budget")
        elif m.group("actual") is not None:
            part = replace(part, basis="actual")
        elif cue.asks == "count":
            part = replace(part, unit=m.group("unit"))
        out.append(part)
    return out


def _names_in(mentions: list[Mention], start: int, end: int) -> list[Mention]:
    """The names starting between start and end ("三公经费决算数多少": the name may run into the ask)."""
    return [m for m in mentions if start <= m.start < end]


def _distinct(found: list[Mention], segment: str) -> list[Mention]:
    """The things named: names with words between are several ("基本支出和项目支出"), names side by
    side are one ("三公经费支出合计": the name after the first restates it)."""
    out = [found[0]]
    for m in found[1:]:
        if segment[out[-1].end:m.start] not in ("", "的"):
            out.append(m)
    return out


def _about(cue: _Cue, segment: str, start: int, end: int, mentions: list[Mention],
           names: Names) -> tuple[list[Mention], int]:
    """What one ask is about, and where the words it took end: the names before it, else after it
    (a count or an amount: "有多少个教学班"), else the question's own words for the thing."""
    found = _names_in(mentions, start, cue.start)
    taken = start
    if not found and cue.asks == "reason":
        about_at = cue.match.start("about")
        found = [replace(m, start=m.start + about_at, end=m.end + about_at)
                 for m in names.mentions(segment[about_at:cue.end])]
    if not found and cue.asks in ("count", "amount", "score"):
        found = _names_in(mentions, cue.end, end)
        taken = max((m.end for m in found), default=taken)
    if found:
        return _distinct(found, segment), taken
    before = _phrase(segment[start:cue.start])
    after = _phrase(re.split(r"[、和及与]", segment[cue.end:end])[0]) if cue.asks in ("count", "amount") else ""
    words = [w for w in (after, before) if len(w) >= 2]
    if not words:
        return [], taken
    if after:
        taken = cue.end + len(re.split(r"[、和及与]", segment[cue.end:end])[0])
    return [Mention(start, end, words[0], "|".join(words), known=False)], taken


def split_question(question: str, names: Names) -> list[Part]:
    """The parts of a question, in the order it asks them."""
    q = plain(question)
    compared = {int(y) for y in _COMPARED_YEAR.findall(q)}
    named = names.mentions(q)  # a year inside a name ("2022年度政府工作经费") is not the year asked
    years = [int(m.group(1)) for m in _YEAR.finditer(q) if int(m.group(1)) not in compared
             and not any(n.start <= m.start() < n.end for n in named)]
    year = years[0] if years else None
    parts: list[Part] = []
    last: list[Mention] = []  # the names of the ask before
    carried: list[Mention] = []  # names said in a segment without an ask
    for segment in (s for s in _SEGMENT.split(q) if s):
        prior = bool(_PRIOR.search(segment))
        cues = _cues(segment)
        mentions = [m for m in names.mentions(segment)
                    if not any(c.start <= m.start < c.end and c.asks in ("share", "completion", "reason")
                               for c in cues)]
        if not cues:
            carried = mentions or carried
            continue
        taken = 0
        for i, cue in enumerate(cues):
            start = max(cues[i - 1].end if i else 0, taken)
            end = cues[i + 1].start if i + 1 < len(cues) else len(segment)
            about, taken = _about(cue, segment, start, end, mentions, names)
            about = about or last or carried
            if about:
                last = about
                parts += _parts_of(cue, about, year, prior, segment)
    return _unique(parts)


def _unique(parts: list[Part]) -> list[Part]:
    seen: set[Part] = set()
    out = []
    for part in parts:
        if part not in seen:
            seen.add(part)
            out.append(part)
    return out
