"""Binding a number of an answer to what it measures.

For each number found: the metric or project (and aspect) its sentence names, the year it
refers to, its role (amount, change, share, completion rate, count, score, weight), and — when
no name of the report is used — the metrics the words before it resemble. Part of the
verifier, see rag/verify.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.figures.words import opens_with_comparison
from index.models import Figure
from index.numbers import NUMBER_PATTERN
from rag.verify.find import _DATE_RE, _YEAR_RE, FoundNumber
from rag.verify.rounding import _dimension
from rag.verify.vocabulary import (
    _GENERIC,
    _GENERIC_RE,
    _Mention,
    _strip_fillers,
    _Vocabulary,
    clean_metric_text,
)

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
    if sentence_metric is None and subject is None and opens_with_comparison(text[s_start:n.text_start], None):
        # "公务接待费完成年初预算的百分之几？比上年减少26.67%": a sentence opening with a
        # comparison goes on about the metric the sentence before named (as the report grammar reads it).
        p_start, _ = _sentence_span(text, max(s_start - 1, 0))
        sentence_metric = next((m for m in reversed(mentions) if p_start <= m.start and m.end <= s_start
                                and m.term.kind == "metric"), None)
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


def _year_of(figure: Figure, report_year: int | None) -> int | None:
    return figure.year if figure.year is not None else report_year
