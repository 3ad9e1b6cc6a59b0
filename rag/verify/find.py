"""Finding the numbers an answer states (no judging yet).

`find_numbers(text)` returns every amount, percentage, count or score written in an answer,
in Arabic or Chinese numerals, with its unit, whether it is approximate ("约", "余") and the
direction word before a change ("减少1.05万元"). Citation markers, years, dates, codes and
list numbering are not claims and are skipped. Part of the verifier, see rag/verify.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from index.numbers import (
    ALL_UNITS,
    MONEY_UNITS,
    NUMBER_PATTERN,
    chinese_to_int,
    normalize_unit,
    parse_decimal,
)

_UNIT_ALT = "|".join(re.escape(u) for u in ALL_UNITS if u != "项") + r"|项(?!目)"
# A sign right before a number, after a change word (not a range "2015-2016", not a list dash).
_SIGN_BEFORE = re.compile(r"(?:增减|变动|变化|增幅|幅度|额|率)(?:为|是)?\s*(?P<sign>[-－—−+＋])\s*$")
_ARABIC_RE = re.compile(
    rf"(?P<num>{NUMBER_PATTERN})\s*(?P<approx>余|多)?\s*"
    rf"(?P<unit>(?:{_UNIT_ALT})(?![钟之别数])|万(?![\u4e00-\u9fff])|)"
)
_CN_COUNT_UNITS = ("人次", "批次", "团组", "辆", "个", "名", "人", "项", "次", "台", "套", "家", "所", "篇", "份",
                   "件", "条", "户", "期")
_CN_RE = re.compile(
    r"(?<![第每其之零〇一二两三四五六七八九十百千])(?P<num>[零〇一二两三四五六七八九十百千]+)(?P<unit>"
    + "|".join(u if u != "项" else "项(?!目)" for u in _CN_COUNT_UNITS)
    + r")"
)
# Numerals inside names are not claims: "中央八项规定", "“十四五”规划", "党的二十大", "三个代表",
# and anything in quotes that is a name ("“三公”", "“六稳”").
_NAMES_RE = re.compile(
    r"(?:中央)?八项规定|(?<![一二两三四五六七八九十])[一二两三四五六七八九十]+(?:个(?:全面|意识|自信|维护|确立|代表(?!团)|务必|统筹|结合|坚持|重点)"
    r"|条(?:底线|红线)|项(?:规定|禁令|制度|纪律)|大(?:精神|报告|会议)?(?=[^\d]|$))"
    r"|十[一二三四五六]五|[十二]?十?[一二三四五六七八九]大|[一二三四五六七八九十]届[一二三四五六七八九十]+中全会"
    r"|[（(]\s*[一二三四五六七八九十]+期\s*[）)]|第[一二三四五六七八九十]+期"  # 配套项目(二期)
    r"|“[^”\d]{1,8}”|\"[^\"\d]{1,8}\""
)
_CITATION_RE = re.compile(r"[\[［【]\s*\d+(?:\s*[,，、\-–]\s*\d+)*\s*[\]］】]")
_YEAR_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*(?:年度|年末|年底|年)")
_DATE_RE = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*日")
_CODE_RE = re.compile(r"(?<!\d)\d+\s*[类款](?!\w{0,40}[\d.])|[（(]\s*\d+\s*项\s*[）)]")
_NUMBERING_RE = re.compile(r"(?:^|(?<=[\s>：:。；;]))(?<!\s\s)\s*(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])|\d{1,2}[.．](?!\d)")
_SKIP_BEFORE = re.compile(r"(?:第|图|表|附件|附表|单价|编号|编码|代码|科目|排名第|前|共计第)\s*$")
_SKIP_AFTER = re.compile(r"^\s*(?:以上|以下|及以上|及以下|（含）以上|[年月日号时岁级章节页]|部分|个月|周年)")
_APPROX_BEFORE = re.compile(r"(?:约|近|超过|超|大约|接近|将近|约为|约合)\s*$")
_DIRECTION_WORDS = ("增加", "增长", "上升", "提高", "增多", "多", "减少", "下降", "降低", "缩减", "少", "节约", "节省",
                    "减", "增", "压减", "下降了", "减少了")
_DIRECTION_BEFORE = re.compile(
    r"(?P<word>增加|增长|上升|提高|增多|多|减少|下降|降低|缩减|少|节约|节省|压减|减|增|降幅|减幅|增幅|涨幅)了?\s*"
    r"(?:约|近|为|达)?\s*$"
)
_INCREASE = ("增加", "增长", "上升", "提高", "增多", "多", "增", "涨幅")
_CHANGE_HINT = re.compile(r"(?:比|较|与|同)(?:上一?年度?|去年|上年度|(?:19|20)\d{2}\s*年度?)|同比|变动|相差|差额|差")


@dataclass
class FoundNumber:
    """A number written in an answer."""

    start: int  # span of the number (and its unit) in the answer
    end: int
    num_start: int
    num_end: int
    text: str  # as written, with its unit (and a direction word before it, for a change)
    value_text: str  # the number as written: '1.05', '三'
    value: Decimal
    decimals: int
    unit: str
    approximate: bool = False
    chinese: bool = False
    direction: str | None = None
    text_start: int = 0  # start of `text` (the direction word, when there is one)


def _masked_spans(text: str) -> list[tuple[int, int]]:
    """Spans that hold no claims: citation markers, years, dates, codes, list numbering, and
    numerals inside names (八项规定, 十四五, 二十大, 三个代表, “三公”, 项目(二期))."""
    spans = []
    for pattern in (_CITATION_RE, _YEAR_RE, _DATE_RE, _CODE_RE, _NUMBERING_RE, _NAMES_RE):
        spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans) or any(s <= start < e for s, e in spans)


def find_numbers(text: str) -> list[FoundNumber]:
    """Every number an answer states: amounts, percentages, counts (Arabic or Chinese numerals).

    Not numbers to check: `[n]` citation markers, years ("2023年" sets a claim's year, see
    `_claim_year`), dates, 功能分类 codes, list numbering, figure/annex/page numbers and
    thresholds ("单价100万元以上").
    """
    masked = _masked_spans(text)
    found: list[FoundNumber] = []
    taken: list[tuple[int, int]] = []
    for match in _ARABIC_RE.finditer(text):
        ns, ne = match.start("num"), match.end("num")
        if _inside(masked, ns, ne):
            continue
        before, after = text[max(0, ns - 6): ns], text[match.end(): match.end() + 6]
        unit = normalize_unit(match.group("unit") or "")
        if _SKIP_BEFORE.search(before):
            continue
        if _SKIP_AFTER.match(text[ne:ne + 4]) or (unit in MONEY_UNITS and _SKIP_AFTER.match(after)):
            continue
        if not unit:
            if re.match(r"^\s*[.．]", text[ne:]) or re.search(r"[A-Za-z]", text[ns - 1: ns] if ns else ""):
                continue
            if re.fullmatch(r"(?:19|20)\d{2}", match.group("num")):
                continue  # a bare year
        unit = "万元" if unit == "万" else unit
        value, decimals = parse_decimal(match.group("num"))
        found.append(FoundNumber(
            start=ns, end=match.end() if unit else ne, num_start=ns, num_end=ne,
            text=text[ns: match.end() if unit else ne].rstrip(), value_text=match.group("num"), value=value,
            decimals=decimals, unit=unit, approximate=bool(match.group("approx")) or bool(_APPROX_BEFORE.search(before)),
        ))
        taken.append((ns, ne))
    for match in _CN_RE.finditer(text):
        ns, ne = match.start("num"), match.end("num")
        if any(s < ne and ns < e for s, e in taken) or _inside(masked, ns, ne):
            continue
        number = chinese_to_int(match.group("num"))
        if number is None:
            continue
        before = text[max(0, ns - 6): ns]
        found.append(FoundNumber(
            start=ns, end=match.end(), num_start=ns, num_end=ne, text=match.group(0), value_text=match.group("num"),
            value=Decimal(number), decimals=0, unit=match.group("unit"), chinese=True,
            approximate=bool(_APPROX_BEFORE.search(before)),
        ))
    found.sort(key=lambda n: n.start)
    for n in found:
        n.text_start = n.start
        head = text[max(0, n.num_start - 8): n.num_start]
        if m := _DIRECTION_BEFORE.search(head):
            word = m.group("word")
            # "多" and "少" are direction words only after a comparison ("比上年少2.66万元").
            if word in ("多", "少", "增", "减") and not _CHANGE_HINT.search(text[max(0, n.num_start - 24): n.num_start]):
                continue
            n.direction = "increase" if word.startswith(_INCREASE) else "decrease"
            n.text_start = max(0, n.num_start - 8) + m.start()
            n.text = text[n.text_start: n.end].rstrip()
        elif (sign := _SIGN_BEFORE.search(head)) and not n.chinese:
            # "比上年增减-204.61万元": a change written with its sign, as a 增减 column prints it.
            n.direction = "decrease" if sign.group("sign") in "-－—−" else "increase"
            n.text_start = max(0, n.num_start - 8) + sign.start("sign")
            n.text = text[n.text_start: n.end].rstrip()
    return found
