"""The report's vocabulary, and where an answer names it.

From a report's figures: the metric names (with their aliases), the projects and the aspects
of a project (执行数, 得分…); `_mentions` finds them in an answer, longest first. Part of the
verifier, see rag/verify.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from index.lexicon import FUNCTIONAL_CLASSES, METRIC_ALIASES, canonical_metric, to_simplified
from index.lexicon import clean_metric_text as _clean_metric_text
from index.models import Figure

# Metric names are cleaned (simplified, no quotes…) many times per answer: cache it.
clean_metric_text = lru_cache(maxsize=65536)(_clean_metric_text)


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


_VOCAB_CACHE: list[tuple[int, int, _Vocabulary]] = []


def _vocabulary(figures: list[Figure]) -> _Vocabulary:
    """The vocabulary of a figure list, cached for the last few lists seen (by content: the same
    reports' figures give one vocabulary however many times the list is rebuilt)."""
    key = hash(tuple((f.report_id, f.start, f.end, f.metric, f.label) for f in figures))
    for cached, size, vocab in _VOCAB_CACHE:
        if cached == key and size == len(figures):
            return vocab
    vocab = _build_vocabulary(figures)
    _VOCAB_CACHE.insert(0, (key, len(figures), vocab))
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
