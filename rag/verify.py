"""Deterministic verification of the numbers in an answer (no LLM).

`verify(answer_text, figures, passages, report_year)` finds every number an answer states,
binds it to what it measures (metric, year, role: amount / change / share / completion rate /
count / score) and judges it against the report's stated figures:

- supported: the report states it (within display rounding), or it follows from stated
  figures (a sum, a difference, a share, a prior-year value) — `Claim.how` says how;
- contradicted: the report states a different value for the metric, role and year bound —
  `Claim.expected` is the report's value, `Claim.evidence` where it stands;
- unsupported: the number cannot be bound, or nothing in the report states or implies it.

See docs/verification.md for the rules (rounding, derivations, display policy) and the
measured catch / false-flag rates (`python -m evals.verify_eval`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from itertools import combinations

from index.lexicon import FUNCTIONAL_CLASSES, METRIC_ALIASES, canonical_metric, to_simplified
from index.lexicon import clean_metric_text as _clean_metric_text
from index.models import Figure, ParsedReport
from index.numbers import (
    ALL_UNITS,
    MONEY_UNITS,
    NUMBER_PATTERN,
    chinese_to_int,
    half_interval,
    normalize_unit,
    parse_decimal,
)
from rag.models import Claim, ClaimEvidence

__all__ = ["MARKS", "FoundNumber", "find_numbers", "render_marked", "verify", "verify_against_report"]

# Metric names are cleaned (simplified, no quotes…) many times per answer: cache it.
clean_metric_text = lru_cache(maxsize=65536)(_clean_metric_text)

# --- finding numbers ------------------------------------------------------------------------

_UNIT_ALT = "|".join(re.escape(u) for u in ALL_UNITS if u != "项") + r"|项(?!目)"
_ARABIC_RE = re.compile(
    rf"(?P<num>{NUMBER_PATTERN})\s*(?P<approx>余|多)?\s*"
    rf"(?P<unit>(?:{_UNIT_ALT})(?![钟之别数])|万(?![\u4e00-\u9fff])|)"
)
_CN_COUNT_UNITS = ("人次", "批次", "团组", "辆", "个", "名", "人", "项", "次", "台", "套", "家", "所", "篇", "份",
                   "件", "条", "户", "期")
_CN_RE = re.compile(
    r"(?<![第每其之])(?P<num>[零〇一二两三四五六七八九十百千]+)(?P<unit>"
    + "|".join(u if u != "项" else "项(?!目)" for u in _CN_COUNT_UNITS)
    + r")"
)
_CITATION_RE = re.compile(r"[\[［【]\s*\d+(?:\s*[,，、\-–]\s*\d+)*\s*[\]］】]")
_YEAR_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*(?:年度|年末|年底|年)")
_DATE_RE = re.compile(r"\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{1,2}\s*日")
_CODE_RE = re.compile(r"\d+\s*[类款](?!\w*[\d.])|[（(]\s*\d+\s*项\s*[）)]")
_NUMBERING_RE = re.compile(r"(?:^|(?<=[\s>：:。；;]))\s*(?:\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])|\d{1,2}[.．](?!\d)")
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
    """Spans that hold no claims: citation markers, years, dates, codes, list numbering."""
    spans = []
    for pattern in (_CITATION_RE, _YEAR_RE, _DATE_RE, _CODE_RE, _NUMBERING_RE):
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
    return found


# --- units and rounding ---------------------------------------------------------------------

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


# --- the report's vocabulary: metrics, projects and their aspects ---------------------------

_GENERIC = {"支出", "经费", "费用", "资金", "预算", "决算", "合计", "项目", "年度", "单位", "政府", "财政", "拨款",
            "其中", "总额", "金额", "情况", "部门", "本年", "全年", "万元", "共计", "主要", "用于", "完成", "比上年"}
_FILLERS = re.compile(
    r"(?:支出决算数|支出决算|决算数|决算|支出数|累计|共计|合计为|总计为|均为|分别为|分别|各|为|是|达到|达|约|有|共有|共|"
    r"其中|的|了|一共|总共|全年|本年度|本年|年度|上年|去年|上一年|该|项目|：|:|\s)"
)


_GENERIC_RE = re.compile("|".join(sorted(_GENERIC, key=len, reverse=True)) + "|数额|总数|数量|数|额|中")


def _strip_fillers(words: str) -> str:
    return _FILLERS.sub("", words)


@dataclass
class _Term:
    text: str  # cleaned
    kind: str  # metric, subject, aspect
    metrics: frozenset[str] = frozenset()  # for a metric term: the figure metrics it names


@dataclass
class _Vocabulary:
    terms_by_first: dict[str, list[_Term]] = field(default_factory=dict)
    metrics: set[str] = field(default_factory=set)  # non-project metrics of the figures
    subjects: set[str] = field(default_factory=set)

    def add(self, term: _Term) -> None:
        if len(term.text) < 2 or term.text in _GENERIC:
            return
        bucket = self.terms_by_first.setdefault(term.text[0], [])
        for existing in bucket:
            if existing.text == term.text and existing.kind == term.kind:
                existing.metrics = existing.metrics | term.metrics
                return
        bucket.append(term)
        bucket.sort(key=lambda t: -len(t.text))


def _split_subject(figure: Figure) -> tuple[str | None, str]:
    """(project, aspect) of a project's figure ('政府工作专项经费 执行数'), else (None, metric)."""
    if figure.subject and figure.metric.startswith(figure.subject + " "):
        return figure.subject, figure.metric[len(figure.subject) + 1:]
    if figure.subject and figure.metric == figure.subject:
        return figure.subject, ""
    return None, figure.metric


_VOCAB_CACHE: list[tuple[list[Figure], int, _Vocabulary]] = []


def _vocabulary(figures: list[Figure]) -> _Vocabulary:
    """The vocabulary of a figure list, cached for the last few lists seen (by identity)."""
    for cached, size, vocab in _VOCAB_CACHE:
        if cached is figures and size == len(figures):
            return vocab
    vocab = _build_vocabulary(figures)
    _VOCAB_CACHE.insert(0, (figures, len(figures), vocab))
    del _VOCAB_CACHE[4:]
    return vocab


def _build_vocabulary(figures: list[Figure]) -> _Vocabulary:
    vocab = _Vocabulary()
    for f in figures:
        subject, part = _split_subject(f)
        if subject:
            vocab.subjects.add(subject)
            vocab.add(_Term(clean_metric_text(subject), "subject", frozenset({subject})))
            for aspect in (part, f.column or ""):
                for word in (aspect, aspect.removesuffix("数"), aspect.removeprefix("绩效自评")):
                    vocab.add(_Term(clean_metric_text(word), "aspect"))
            continue
        vocab.metrics.add(f.metric)
        names = {f.metric, f.label, f.metric.removesuffix("支出"), f.metric.removesuffix("费")}
        for name in names:
            clean = clean_metric_text(name)
            if len(clean) >= 2 and (name == f.metric or canonical_metric(clean)[0] == f.metric or len(clean) <= 20):
                vocab.add(_Term(clean, "metric", frozenset({f.metric})))
    for canonical, aliases in METRIC_ALIASES.items():
        for alias in aliases:
            vocab.add(_Term(clean_metric_text(alias), "metric", frozenset({canonical})))
    for name in FUNCTIONAL_CLASSES.values():
        vocab.add(_Term(name, "metric", frozenset({name})))
        vocab.add(_Term(name.removesuffix("支出"), "metric", frozenset({name})))
    for word in ("年初预算", "调整后预算", "预算执行数", "执行数", "预算执行率", "执行率", "得分", "自评得分", "权重",
                 "全年预算", "预算数", "到位资金", "资金到位率", "指标值", "完成值"):
        vocab.add(_Term(word, "aspect"))
    return vocab


@dataclass
class _Mention:
    start: int  # span in the answer
    end: int
    term: _Term


def _normalized(text: str) -> tuple[str, list[int]]:
    """The answer as metric names are matched: simplified, no quotes or spaces, full-width
    parentheses; with the answer offset of each character."""
    simple = to_simplified(text)
    if len(simple) != len(text):
        simple = text
    chars, index = [], []
    for i, ch in enumerate(simple):
        if ch in "“”\"'‘’「」『』" or ch.isspace():
            continue
        chars.append({"(": "（", ")": "）"}.get(ch, ch))
        index.append(i)
    return "".join(chars), index


def _mentions(text: str, vocab: _Vocabulary) -> list[_Mention]:
    """Metric, project and aspect names in the answer, longest first, not overlapping."""
    norm, index = _normalized(text)
    found: list[_Mention] = []
    i = 0
    while i < len(norm):
        for term in vocab.terms_by_first.get(norm[i], ()):
            if norm.startswith(term.text, i):
                end = i + len(term.text)
                found.append(_Mention(index[i], index[end - 1] + 1, term))
                i = end
                break
        else:
            i += 1
    return found


# --- binding a number ------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_BREAK = re.compile(r"[，,：:；;（(）)]|(?<=[元%％辆人次个项名])\s*[、和及]")
_SHARE_BEFORE = re.compile(r"(?:占(?P<base>[^，。；、占]{0,30}?)(?:的)?\s*(?:比重|比例|比)?(?:为|约|是|达)?|占比(?:为|约|是|达)?"
                           r"|(?:比重|比例)(?:为|约|是)?)\s*(?:约|近)?\s*$")
_COMPLETION_BEFORE = re.compile(r"(?:完成(?:了)?(?:年初预算|调整后预算|全年预算|预算)(?:数)?的?|预算执行率|执行率|预算完成率|完成率)"
                                r"(?:为|达到?|是|约)?\s*$")
_SCORE_BEFORE = re.compile(r"(?:得分|评分|自评得分|总得分|分数)(?:为|是|达到?)?\s*$")
_WEIGHT_BEFORE = re.compile(r"权重(?:为|是)?\s*$")
_PRIOR_YEAR = re.compile(r"(?<![比较与同])(?:上年度?|上一年度?|去年|前一年)(?!相比|同期)")
_THIS_YEAR = re.compile(r"本年度?|今年|当年|本年")
_COMPARE_SPAN = re.compile(r"(?:比|较|与|同)\s*(?:(?:19|20)\d{2}\s*年度?|上一?年度?|去年)(?:同期)?(?:相比|相较)?")

_ROLES_FOR = {
    "amount": {"amount", "target", "actual"},
    "change_amount": {"change_amount"},
    "count": {"count", "target", "actual"},
    "score": {"score"},
    "weight": {"weight"},
    "share": {"share"},
    "change_rate": {"change_rate"},
    "completion_rate": {"completion_rate"},
    "rate": {"rate", "target", "actual", "completion_rate", "share"},
    None: {"amount", "target", "actual", "count", "score", "share", "rate", "completion_rate", "change_rate",
           "change_amount", "weight"},
}


@dataclass
class _Binding:
    metrics: set[str] = field(default_factory=set)  # figure metrics named (strong)
    fuzzy: set[str] = field(default_factory=set)  # metrics only resembling what is named (weak)
    subject: str | None = None
    aspect: str = ""
    year: int | None = None
    role: str | None = None
    base_metrics: set[str] = field(default_factory=set)
    named: str = ""  # the metric as the answer names it
    total: bool = False  # "合计…": the sum of the items named before it

    @property
    def strong(self) -> bool:
        return bool(self.metrics) or (self.subject is not None and bool(self.aspect))


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE_END.finditer(text, 0, pos):
        start = m.end()
    m = _SENTENCE_END.search(text, pos)
    return start, (m.start() if m else len(text))


def _clause_start(text: str, sentence_start: int, pos: int, mentions: list[_Mention] = ()) -> int:
    """Where the clause holding `pos` starts (a parenthesis inside a name such as
    因公出国（境）费 does not break it)."""
    cut = sentence_start
    for m in _CLAUSE_BREAK.finditer(text, sentence_start, pos):
        if not any(x.start <= m.start() < x.end for x in mentions):
            cut = m.end()
    return cut


def _role(prefix: str, unit: str, direction: str | None) -> str | None:
    dim = _dimension(unit)
    if dim == "percent":
        if _SHARE_BEFORE.search(prefix):
            return "share"
        if direction:
            return "change_rate"
        if _COMPLETION_BEFORE.search(prefix):
            return "completion_rate"
        return None
    if direction:
        return "change_amount" if dim in ("money", "bare") else None
    if _WEIGHT_BEFORE.search(prefix):
        return "weight"
    if dim == "money":
        return "amount"
    if dim == "score" or _SCORE_BEFORE.search(prefix):
        return "score"
    if dim.startswith("count"):
        return "count"
    return None


def _lcs(a: str, b: str) -> int:
    """Length of the longest common substring, ignoring generic words."""
    best = 0
    for i in range(len(a)):
        for j in range(i + 2, len(a) + 1):
            piece = a[i:j]
            if piece in b:
                if piece not in _GENERIC and j - i > best:
                    best = j - i
            else:
                break
    return best


def _claim_year(text: str, sentence_start: int, pos: int, mentions: list[_Mention], report_year: int | None) -> int | None:
    """The year a number refers to: the last year named before it in its sentence (not a
    comparison "比2022年", not part of a project name), 上年/去年 → the report year − 1, else
    the report year."""
    part = max(text.rfind("；", sentence_start, pos), text.rfind(";", sentence_start, pos))
    if part >= 0:
        sentence_start = part + 1  # "…2022年的公务接待费；按本年4.55万元…": a new statement
    head = text[sentence_start:pos]
    compare = [(m.start() + sentence_start, m.end() + sentence_start) for m in _COMPARE_SPAN.finditer(head)]
    named = [(m.start, m.end) for m in mentions]
    year, at = None, -1
    if compare and re.fullmatch(r"(?:的|时|度)*(?:数额|数|金额|为|是)?\s*", text[compare[-1][1]:pos]):
        # "比2022年的17.37万元": the number is the compared year's value
        y = re.search(r"(?:19|20)\d{2}", text[compare[-1][0]:compare[-1][1]])
        if y:
            return int(y.group(0))
        return report_year - 1 if report_year is not None else None
    for m in _YEAR_RE.finditer(head):
        s = m.start() + sentence_start
        if any(a <= s < b for a, b in compare) or any(a <= s < b for a, b in named):
            continue
        year, at = int(m.group("year")), s
    for m in _THIS_YEAR.finditer(head):
        s = m.start() + sentence_start
        if s > at and report_year is not None and not any(a <= s < b for a, b in compare):
            year, at = report_year, s
    for m in _PRIOR_YEAR.finditer(head):
        s = m.start() + sentence_start
        if any(a <= s < b for a, b in compare) or s < at or report_year is None:
            continue
        year, at = report_year - 1, s
    return year if year is not None else report_year


def _bind(text: str, n: FoundNumber, mentions: list[_Mention], vocab: _Vocabulary, report_year: int | None,
          previous: _Binding | None) -> _Binding:
    s_start, _ = _sentence_span(text, n.num_start)
    c_start = _clause_start(text, s_start, n.text_start, mentions)
    prefix = text[c_start:n.text_start]
    binding = _Binding(year=_claim_year(text, s_start, n.num_start, mentions, report_year))
    binding.role = _role(text[s_start:n.text_start], n.unit, n.direction)
    if binding.role is None and _dimension(n.unit) == "bare" and _SCORE_BEFORE.search(prefix):
        binding.role = "score"
    before = [m for m in mentions if s_start <= m.start and m.end <= n.text_start]
    share_at = None
    if binding.role == "share":
        share = text.rfind("占", s_start, n.num_start)
        if share >= 0:
            share_at = share
            binding.base_metrics = {x for m in before if m.start > share and m.term.kind == "metric" for x in m.term.metrics}
            before = [m for m in before if m.end <= share]
    in_clause = [m for m in before if m.start >= c_start]
    subject = next((m for m in reversed(before) if m.term.kind == "subject"), None)
    if subject is None:
        # a project named in an earlier sentence of the answer, with no other metric since
        earlier = [m for m in mentions if m.end <= s_start]
        if earlier and earlier[-1].term.kind in ("subject", "aspect"):
            subject = next((m for m in reversed(earlier) if m.term.kind == "subject"), None)
    metric = next((m for m in reversed(in_clause) if m.term.kind == "metric"), None)
    sentence_metric = next((m for m in reversed(before) if m.term.kind == "metric"), None)
    content = _content_words(text[c_start:share_at] if share_at is not None and share_at >= c_start else prefix)
    if subject is not None and ((metric or sentence_metric) is None or (metric or sentence_metric).start < subject.start):
        binding.subject = next(iter(subject.term.metrics))
        aspect = next((m for m in reversed(before) if m.term.kind == "aspect" and m.start >= subject.end), None)
        if aspect is not None:
            binding.aspect = aspect.term.text
        else:
            end = share_at if share_at is not None else n.text_start
            words = _strip_fillers(clean_metric_text(text[max(subject.end, c_start):end]))
            binding.aspect = words if len(words) >= 2 else ""
        binding.named = subject.term.text + (" " + binding.aspect if binding.aspect else "")
        return binding
    bare_prefix = "".join(" " if any(m.start <= i < m.end for m in mentions) else ch
                          for i, ch in enumerate(text[c_start:n.text_start], start=c_start))
    if metric is None and _TOTAL_WORDS.search(bare_prefix) and any(m.term.kind == "metric" for m in before):
        # "人员经费841.35万元，公用经费86.10万元，合计927.45万元": a total of the items before it
        binding.total = True
        binding.named = "合计"
        binding.fuzzy = {x for m in before if m.term.kind == "metric" for x in m.term.metrics}
        return binding
    if metric is None and sentence_metric is not None and len(content) < 2:
        metric = sentence_metric  # "…4.55万元，比上年减少1.05万元": the clause names nothing else
    if metric is not None:
        binding.metrics = set(metric.term.metrics)
        binding.named = metric.term.text
        binding.fuzzy = _related(metric.term.text, vocab) - binding.metrics
        q_start = max([c_start] + [m.end for m in before if m.end <= metric.start])
        qualifier = _DEPARTMENT.sub("", _content_words(text[q_start:metric.start])) if metric.start >= c_start else ""
        trailing = _GENERIC_RE.sub("", _content_words(text[metric.end:n.text_start])).removeprefix("中")
        if len(trailing) >= 2 and binding.role not in ("share", "completion_rate"):
            # "公务接待费中餐费3.2万元": words after the name narrow it to a part of it
            words = metric.term.text + trailing
            specific = {m for m in vocab.metrics if m not in binding.metrics and _subsequence(words, clean_metric_text(m))}
            binding.named = words
            binding.fuzzy = specific or (binding.metrics | binding.fuzzy | _related(trailing, vocab))
            binding.metrics = specific if len(specific) == 1 else set()
            return binding
        if len(qualifier) >= 2:
            # "全年更新购置公务用车0辆": words before the name narrow it to another metric
            # ("按规定更新购置公务用车"); when none is known, the binding is too loose to contradict.
            specific = {m for m in vocab.metrics if m not in binding.metrics
                        and _subsequence(qualifier + metric.term.text, clean_metric_text(m))}
            binding.named = qualifier + metric.term.text
            binding.fuzzy = specific or (binding.metrics | binding.fuzzy)
            binding.metrics = specific if len(specific) == 1 else set()
        return binding
    # no name known to the report: what the words before the number resemble
    words = content if len(content) >= 2 else _content_words(text[s_start:n.text_start])
    if binding.role == "count" and metric is None:
        # "对44个项目开展了预算事前绩效评估": the thing counted may follow the number
        after = text[n.end:]
        clause_end = _CLAUSE_BREAK.search(after)
        following = _content_words(after[: clause_end.start() if clause_end else len(after)])
        words = (content + following) if len(content) >= 2 or len(following) < 2 else following
    if len(words) >= 2:
        binding.named = words
        binding.fuzzy = _related(words, vocab)
    if not binding.fuzzy and sentence_metric is not None:
        # "（报告数为4.55万元）": nothing resembles a metric; the sentence's last one, loosely
        binding.fuzzy = set(sentence_metric.term.metrics)
        binding.named = binding.named or sentence_metric.term.text
    elif not binding.fuzzy and previous is not None and binding.role in ("change_amount", "change_rate", "share", "completion_rate"):
        binding.fuzzy = previous.metrics | previous.fuzzy
        binding.subject, binding.named = previous.subject, previous.named
    return binding


_DEPARTMENT = re.compile(r"^[\u4e00-\u9fff]{0,14}?(?:办公室|局|委员会|委|中心|学校|医院|单位|部门)|^(?:我县|全县|本级)")
_TOTAL_WORDS = re.compile(r"合计|共计|总计|一共|总共|合起来|加起来|之和|两项|两者|二者|三项|总额")
_ROLE_WORDS = re.compile(
    r"(?:比|较|与|同)\s*(?:(?:19|20)\d{2}\s*年度?|上一?年度?|去年)(?:同期)?(?:相比|相较)?|同比|"
    r"增加|增长|上升|提高|增多|减少|下降|降低|缩减|节约|节省|压减|多了|少了|"
    r"占比|占|比重|比例|完成(?:了)?(?:年初预算|调整后预算|全年预算|预算)(?:数)?|预算执行率|执行率|完成率|"
    r"(?:19|20)\d{2}\s*年度?|截至|截止|[约近达]|左右"
)


def _content_words(prefix: str) -> str:
    """The words of a clause before a number that could name something: role, comparison,
    time and filler words, numbers and units removed."""
    words = _ROLE_WORDS.sub("", clean_metric_text(_DATE_RE.sub("", prefix)))
    words = re.sub(rf"{NUMBER_PATTERN}|[%％]|万元|亿元|元|[\[\]［］【】]", "", words)
    words = _strip_fillers(words)
    return re.sub(r"[^\u4e00-\u9fffA-Za-z]", "", words)


def _related(words: str, vocab: _Vocabulary) -> set[str]:
    """Metrics whose names resemble `words`: one inside the other in order ("国内接待" in
    "国内公务接待费"), and those sharing the longest common run of characters (at least two,
    not a generic word)."""
    inside, related, best = set(), set(), 2
    for metric in vocab.metrics:
        name = clean_metric_text(metric)
        if _subsequence(words, name) or _subsequence(name, words):
            inside.add(metric)
        score = _lcs(words, name)
        if score > best:
            related, best = {metric}, score
        elif score == best:
            related.add(metric)
    return inside | related


def _subsequence(short: str, long: str) -> bool:
    if len(short) < 3:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


# --- judging ---------------------------------------------------------------------------------


def _aspect_matches(figure: Figure, aspect: str) -> bool:
    _, part = _split_subject(figure)
    names = [clean_metric_text(part), clean_metric_text(figure.column or "")]
    aspect = aspect.removesuffix("数")
    if any(aspect and (aspect in name or (name and name.removesuffix("数") in aspect)) for name in names):
        return True
    combined = "".join(names)
    return _subsequence(aspect, combined)


def _year_of(figure: Figure, report_year: int | None) -> int | None:
    return figure.year if figure.year is not None else report_year


def _direction_ok(n: FoundNumber, figure: Figure) -> bool:
    return n.direction is None or figure.direction is None or n.direction == figure.direction


def _value_matches(n: FoundNumber, figure: Figure) -> bool:
    if _dimension(n.unit) != "bare" and _dimension(n.unit) != _dimension(figure.unit):
        return False
    cv, cd = _to_base(n.value, n.decimals, n.unit if _dimension(n.unit) != "bare" else figure.unit)
    fv, fd = _to_base(figure.value, figure.decimals, figure.unit)
    return rounds_to(cv, cd, fv, fd, 0 if n.chinese else _trailing_zeros(n.value_text))


def _candidates(figures: list[Figure], binding: _Binding, n: FoundNumber, metrics: set[str] | None,
                report_year: int | None, any_year: bool = False) -> list[Figure]:
    roles = _ROLES_FOR.get(binding.role, _ROLES_FOR[None])
    dim = _dimension(n.unit)
    out = []
    for f in figures:
        if dim != "bare" and _dimension(f.unit) != dim:
            continue
        if f.role not in roles:
            continue
        if not any_year and binding.year is not None and _year_of(f, report_year) != binding.year:
            continue
        if metrics is None:  # project binding
            subject, _ = _split_subject(f)
            if subject != binding.subject or (binding.aspect and not _aspect_matches(f, binding.aspect)):
                continue
        elif f.metric not in metrics:
            continue
        if binding.role == "share" and binding.base_metrics and f.base and f.base not in binding.base_metrics:
            continue
        out.append(f)
    return out


def _evidence(figure: Figure) -> ClaimEvidence:
    return ClaimEvidence(quote=figure.quote, section=figure.section, page=figure.page)


_WORD_FOR = {("change_amount", "increase"): "增加", ("change_amount", "decrease"): "减少",
             ("change_rate", "increase"): "增长", ("change_rate", "decrease"): "下降"}


def _expected(figure: Figure, n: FoundNumber) -> str:
    word = _WORD_FOR.get((figure.role, figure.direction or ""), "")
    text = f"{word}{figure.text}{figure.unit}"
    if n.unit in _MONEY_FACTOR and figure.unit in _MONEY_FACTOR and n.unit != figure.unit:
        value, _ = _to_base(figure.value, 0, figure.unit)
        converted = value.scaleb(-_MONEY_FACTOR[n.unit]).normalize()
        text += f"（即 {converted:f}{n.unit}）"
    return text


def _fmt(value: Decimal, decimals: int | None = None) -> str:
    if decimals is not None:
        return f"{_round(value, max(decimals, 0)):f}"
    return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"


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


def _in_unit(value: Decimal, unit: str) -> Decimal:
    power = _MONEY_FACTOR.get(unit)
    return value.scaleb(-power) if power is not None else value


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


def _normspace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _passage_figures(figures: list[Figure], passages: list[str]) -> list[Figure]:
    joined = [_normspace(p) for p in passages]
    return [f for f in figures if any(_normspace(f.quote) in p for p in joined)]


def _cited(text: str, n: FoundNumber, passages: list[str]) -> list[str]:
    """The passages cited ([n]) in the number's sentence, else all passages."""
    s_start, s_end = _sentence_span(text, n.num_start)
    numbers = {int(x) for m in _CITATION_RE.finditer(text[s_start:s_end]) for x in re.findall(r"\d+", m.group(0))}
    chosen = [passages[i - 1] for i in sorted(numbers) if 1 <= i <= len(passages)]
    return chosen or passages


def _passage_states(n: FoundNumber, binding: _Binding, passages: list[str]) -> str | None:
    """A sentence of a cited passage stating the same number and unit after words that
    resemble the answer's (for numbers the figures do not cover)."""
    if not binding.named:
        return None
    for passage in passages:
        for sentence in re.split(r"(?<=[。；;！？\n])", passage):
            for m in _ARABIC_RE.finditer(sentence):
                unit = normalize_unit(m.group("unit") or "")
                unit = "万元" if unit == "万" else unit
                if not unit or _dimension(unit) != _dimension(n.unit):
                    continue
                value, decimals = parse_decimal(m.group("num"))
                cv, cd = _to_base(n.value, n.decimals, n.unit)
                fv, fd = _to_base(value, decimals, unit)
                if rounds_to(cv, cd, fv, fd, _trailing_zeros(n.value_text)) and _lcs(binding.named, clean_metric_text(sentence[: m.start()])) >= 2:
                    return sentence.strip()
    return None


def verify(
    answer_text: str,
    figures: list[Figure],
    passages: list[str] | None = None,
    report_year: int | None = None,
) -> list[Claim]:
    """Find, bind and judge every number of an answer against a report's stated figures."""
    if report_year is None:
        years = [f.year for f in figures if f.year is not None]
        report_year = max(set(years), key=years.count) if years else None
    vocab = _vocabulary(figures)
    mentions = _mentions(answer_text, vocab)
    numbers = find_numbers(answer_text)
    passages = passages or []
    claims: list[Claim] = []
    used: list[Figure] = []  # figures that supported earlier claims: operands for later derivations
    bindings: list[_Binding] = []
    previous: _Binding | None = None
    for n in numbers:
        binding = _bind(answer_text, n, mentions, vocab, report_year, previous)
        bindings.append(binding)
        if binding.strong or binding.fuzzy:
            previous = binding
        claims.append(_judge(answer_text, n, binding, figures, passages, report_year, used, bindings, numbers))
    return claims


def _judge(text: str, n: FoundNumber, binding: _Binding, figures: list[Figure], passages: list[str],
           report_year: int | None, used: list[Figure], bindings: list[_Binding], numbers: list[FoundNumber]) -> Claim:
    def claim(verdict: str, figure: Figure | None = None, how: str = "", expected: str | None = None,
              evidence: ClaimEvidence | None = None, metric: str | None = None) -> Claim:
        if figure is not None and verdict == "supported":
            used.append(figure)
        return Claim(
            text=n.text, value=n.value_text, unit=n.unit, start=n.text_start, end=n.end, verdict=verdict,
            metric=metric or (figure.metric if figure is not None else (binding.named or None)),
            evidence=evidence or (_evidence(figure) if figure is not None else None), expected=expected, how=how,
        )

    strong_metrics: set[str] | None = binding.metrics if binding.metrics else (None if binding.subject else set())
    strong: list[Figure] = []
    if binding.subject is not None or binding.metrics:
        strong = _candidates(figures, binding, n, strong_metrics, report_year)
        if binding.subject is not None and not binding.aspect:
            strong_ok = [f for f in strong if _value_matches(n, f) and _direction_ok(n, f)]
            if strong_ok:
                return claim("supported", strong_ok[0], how=f"stated: {strong_ok[0].metric}")
            strong = []  # a project named without the aspect: not bound well enough to contradict
    for f in strong:
        if _value_matches(n, f) and _direction_ok(n, f):
            return claim("supported", f, how=f"stated: {f.metric}")
    if strong:
        wrong_direction = [f for f in strong if _value_matches(n, f)]
        best = wrong_direction[0] if wrong_direction else _best(strong, n)
        how = "direction differs" if wrong_direction else f"stated: {best.metric}"
        return claim("contradicted", best, how=how, expected=_expected(best, n))
    # weakly bound: names resembling a metric
    if binding.fuzzy:
        for f in _candidates(figures, binding, n, binding.fuzzy, report_year):
            if _value_matches(n, f) and _direction_ok(n, f):
                return claim("supported", f, how=f"stated: {f.metric}（按相近指标名匹配）")
    cited = _cited(text, n, passages)
    if binding.metrics or binding.fuzzy or binding.subject:
        for f in _passage_figures(figures, cited):
            if _value_matches(n, f) and _direction_ok(n, f) and binding.role in (None, "amount", "count", "rate") \
                    and f.role in _ROLES_FOR.get(binding.role, _ROLES_FOR[None]) \
                    and (binding.year is None or _year_of(f, report_year) == binding.year) \
                    and _lcs(binding.named, clean_metric_text(f.label + f.metric)) >= 2:
                return claim("supported", f, how=f"stated in cited passage: {f.metric}")
    # derived numbers
    named = binding.metrics | binding.fuzzy
    if binding.year is not None and report_year is not None and binding.year < report_year and binding.role in ("amount", None) \
            and _dimension(n.unit) == "money":
        priors = _prior_year(figures, binding.metrics or binding.fuzzy, binding.year, report_year)
        for d in priors:
            if _derived_ok(n, d):
                return claim("supported", d.figures[1], how=d.how)
        if priors and binding.metrics:
            d = priors[0]
            return claim("contradicted", d.figures[1], how=d.how,
                         expected=f"{_fmt(_in_unit(d.mid, d.figures[0].unit), d.figures[0].decimals)}{d.figures[0].unit}（由报告推算）")
    pool = _pool(text, n, binding, figures, cited, passages, report_year, used, bindings, numbers)
    for d in _derivations(n, binding, pool, report_year):
        if _derived_ok(n, d):
            return claim("supported", d.figures[0], how=d.how, metric=binding.named or None)
    if binding.role == "share" and binding.base_metrics and named:
        parts = [f for f in figures if f.metric in named and f.role == "amount" and f.unit in _MONEY_FACTOR
                 and _year_of(f, report_year) == binding.year]
        wholes = [f for f in figures if f.metric in binding.base_metrics and f.role == "amount"
                  and f.unit in _MONEY_FACTOR and _year_of(f, report_year) == binding.year and f.value]
        if parts and wholes and binding.metrics:
            part, whole = parts[0], wholes[0]
            share = part.value.scaleb(_MONEY_FACTOR[part.unit]) / whole.value.scaleb(_MONEY_FACTOR[whole.unit]) * 100
            return claim("contradicted", part, how=f"{part.text} / {whole.text} = {share:.2f}%",
                         expected=f"{share:.2f}%（由报告推算）")
    if sentence := _passage_states(n, binding, cited):
        return claim("supported", how="stated in cited passage", evidence=ClaimEvidence(quote=sentence))
    return claim("unsupported", how="no stated or derivable figure for " + (binding.named or "this number"))


def _best(candidates: list[Figure], n: FoundNumber) -> Figure:
    """The report's value to show for a contradicted number: its narrative statement first."""
    return min(candidates, key=lambda f: (f.source != "text", f.role not in ("amount", "count", "share"), f.start))


def _pool(text: str, n: FoundNumber, binding: _Binding, figures: list[Figure], cited: list[str], passages: list[str],
          report_year: int | None, used: list[Figure], bindings: list[_Binding], numbers: list[FoundNumber]) -> list[Figure]:
    """Operands a derived number may use: figures of the metrics its sentence names, figures
    that supported the answer's other numbers, and figures of the cited passages."""
    s_start, s_end = _sentence_span(text, n.num_start)
    metrics: set[str] = set()
    subjects: set[str] = set()
    for other, b in zip(numbers, bindings):
        if s_start <= other.num_start < s_end:
            metrics |= b.metrics | b.base_metrics
            if b.subject:
                subjects.add(b.subject)
    metrics |= binding.metrics | binding.fuzzy | binding.base_metrics
    pool: list[Figure] = []
    seen: set[tuple] = set()

    def add(f: Figure) -> None:
        key = (f.metric, f.value, f.role, f.year, f.unit)
        if key not in seen:
            seen.add(key)
            pool.append(f)

    for f in used:
        add(f)
    for f in figures:
        if f.metric in metrics or (f.subject in subjects and _split_subject(f)[0] == f.subject):
            add(f)
    if passages:
        for f in _passage_figures(figures, cited):
            add(f)
    return pool


def verify_against_report(answer_text: str, parsed_report: ParsedReport, passages: list[str] | None = None) -> list[Claim]:
    """`verify` with a parsed report's figures and year."""
    return verify(answer_text, parsed_report.figures, passages, parsed_report.report.year)


# --- showing the verdicts ---------------------------------------------------------------------

MARKS = {"supported": "✓", "contradicted": "✗", "unsupported": "?"}


def mark_for(claim: Claim) -> str:
    """The colour-free mark shown after a number."""
    if claim.verdict == "supported":
        return "✓" if claim.how.startswith("stated") else "✓[推算]"
    if claim.verdict == "contradicted":
        return f"✗[报告为 {claim.expected}]" if claim.expected else "✗[与报告不符]"
    return "?[未核实]"


def render_marked(answer_text: str, claims: list[Claim]) -> str:
    """The answer with each number followed by its verdict mark (after its citation markers):
    "4.55万元 ✓", "4.65万元 ✗[报告为 4.55万元]", "3.2万元 ?[未核实]"."""
    out, pos = [], 0
    for c in sorted(claims, key=lambda c: c.start):
        end = c.end
        while m := _CITATION_RE.match(answer_text, end):
            end = m.end()
        if end < pos:
            continue
        out.append(answer_text[pos:end])
        out.append(" " + mark_for(c))
        pos = end
    out.append(answer_text[pos:])
    return "".join(out)
