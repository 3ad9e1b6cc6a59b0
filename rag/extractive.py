"""The extractive provider: an answer composed from the report's own figures and sentences.

It needs no model. It finds the metric the question names among the figures of the
retrieved passages, reads what kind of question it is (why / how many / what share / how much
changed / how much executed / how much), and writes the figures with the report's own words
for the change and its reason, each sentence cited [n]. When the passages hold no figure of a
metric the question names, the answer is CANNOT_ANSWER: it never guesses.

    公务接待费为何下降？ → 公务接待费支出4.55万元，比上年减少1.05万元，下降18.75%[1]。
                           主要原因是公务接待批次和人次较上年有所减少[1]。
"""

from __future__ import annotations

import re
from collections import Counter

from index.bm25 import normalize_text
from rag.context import Context, ContextFigure
from rag.models import CANNOT_ANSWER

__all__ = ["extractive_answer", "question_intent"]

_INTENTS = (
    ("reason", re.compile(r"为何|为什么|原因|怎么会|何故|缘何")),
    ("count", re.compile(r"几[辆个人台次项批]|多少[辆个人台项批]|多少人次|数量")),
    ("share", re.compile(r"占|比重|比例|份额")),
    ("completion", re.compile(r"执行|完成|执行率|完成率")),
    ("change", re.compile(r"比上年|较上年|同比|增加|减少|增长|下降|少了|多了|变化|变动|上升")),
    ("score", re.compile(r"得分|评分|分数|打分")),
)
_SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
_REASON = re.compile(r"原因")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def question_intent(question: str) -> str:
    """What the question asks for: reason, count, share, completion, change, score or amount."""
    for name, pattern in _INTENTS:
        if pattern.search(question):
            return name
    return "amount"


def _year_of(figures: list[ContextFigure]) -> int | None:
    years = Counter(cf.figure.year for cf in figures if cf.figure.year)
    return max(years) if years else None


def _pick(figures: list[ContextFigure], role: str) -> ContextFigure | None:
    """The figure of a role to state: from the narrative before a table, first in reading order."""
    found = [cf for cf in figures if cf.figure.role == role]
    found.sort(key=lambda cf: (cf.figure.source != "text", cf.n, cf.figure.start))
    return found[0] if found else None


def _best_passage(figures: list[ContextFigure]) -> int:
    """The passage holding most of the metric's figures (the section about it, not a mention)."""
    counts = Counter(cf.n for cf in figures)
    return min(counts, key=lambda n: (-counts[n], n))


def _amount_phrase(cf: ContextFigure, metric: str) -> str:
    f = cf.figure
    label = f.label if metric.split()[-1] in f.label else metric.split()[-1]
    verb = "" if label.endswith(("支出", "费", "经费", "数", "额", "收入", "合计")) else "为"
    return f"{label}{verb}{f.text}{f.unit}"


def _change_phrase(amount: ContextFigure | None, rate: ContextFigure | None) -> str:
    parts = []
    if amount is not None:
        word = {"increase": "增加", "decrease": "减少"}.get(amount.figure.direction or "", "变动")
        parts.append(f"比上年{word}{amount.figure.text}{amount.figure.unit}")
    if rate is not None:
        word = {"increase": "增长", "decrease": "下降"}.get(rate.figure.direction or "", "变动")
        parts.append(f"{word}{rate.figure.text}{rate.figure.unit}")
    return "，".join(parts)


def _reason_sentence(context: Context, n: int, after: int) -> str | None:
    """The report's own '主要原因…' sentence in passage n, at or after a character offset."""
    np = context.passage(n)
    if np is None:
        return None
    text = np.text
    offset = max(0, after - np.passage.chunk.start)
    sentences = [(m.start(), m.group(0).strip()) for m in _SENTENCE.finditer(text)]
    candidates = [s for start, s in sentences if _REASON.search(s) and start + len(s) >= offset]
    if not candidates:
        return None
    sentence = re.sub(r"(其中|具体如下|如下)[：:]?$", "", candidates[0]).rstrip("，,：:；; ")
    return sentence.rstrip("。") if sentence else None


def _cite(sentence: str, n: int) -> str:
    return f"{sentence}[{n}]。"


def _subject_answer(context: Context) -> str:
    """For a project the question names without naming one of its indicators ("政府工作专项经费
    执行了多少？"): the project's narrative amounts and rates in its own section, as stated."""
    q = normalize_text(context.question)
    subjects = {cf.figure.metric.split()[0] for cf in context.figures if " " in cf.figure.metric}
    named = sorted((s for s in subjects if normalize_text(s) in q), key=len, reverse=True)
    if not named:
        return CANNOT_ANSWER
    prefix = named[0] + " "
    figures = [cf for cf in context.figures if cf.figure.metric.startswith(prefix)
               and cf.figure.role in ("amount", "completion_rate") and cf.figure.source == "text"]
    if not figures:
        return CANNOT_ANSWER
    n = _best_passage(figures)
    phrases: list[str] = []
    seen: set[str] = set()
    for cf in sorted((cf for cf in figures if cf.n == n), key=lambda cf: cf.figure.start):
        if cf.figure.metric not in seen and len(phrases) < 3:
            seen.add(cf.figure.metric)
            phrases.append(f"{cf.figure.label}{cf.figure.text}{cf.figure.unit}")
    return _cite(f"{named[0]}" + "，".join(phrases), n)


def _named_metrics(context: Context) -> list[str]:
    """The metrics the question names, without one that is part of a longer one named
    ("公务接待费" inside "国内公务接待费"), in the order the question names them."""
    kept = [m for m in context.metrics if not any(m != other and m in other for other in context.metrics)]
    q = normalize_text(context.question)
    return sorted(kept, key=lambda m: q.find(normalize_text(m.split()[-1])))


def extractive_answer(context: Context) -> str:
    """An answer built only from the context's figures and sentences, or CANNOT_ANSWER.

    A question about a year the report does not account for gets CANNOT_ANSWER (a 2023 report
    answering "2021年度的三公经费" with 2023 figures would be wrong and look right). A question
    naming several metrics ("人员经费和公用经费各是多少？") gets one sentence for each (up to 3).
    """
    if not context.metrics:
        return _subject_answer(context)
    asked_years = {int(y) for y in _YEAR.findall(context.question)}
    report_year = _year_of(context.figures)
    if asked_years and report_year is not None and report_year not in asked_years:
        return CANNOT_ANSWER
    answers = [_metric_answer(context, metric) for metric in _named_metrics(context)[:3]]
    answers = [a for a in answers if a != CANNOT_ANSWER]
    return "".join(answers) or CANNOT_ANSWER


def _metric_answer(context: Context, metric: str) -> str:
    """The answer for one metric the question names."""
    figures = [cf for cf in context.figures if cf.figure.metric == metric]
    year = _year_of(figures)
    figures = [cf for cf in figures if cf.figure.year in (year, None)]
    if not figures:
        return CANNOT_ANSWER
    intent = question_intent(context.question)
    n = _best_passage(figures)
    local = [cf for cf in figures if cf.n == n] + [cf for cf in figures if cf.n != n]

    if intent == "count":
        count = _pick(local, "count")
        if count is None:
            return CANNOT_ANSWER
        return _cite(f"{count.figure.label}共{count.figure.text}{count.figure.unit}", count.n)
    if intent == "share":
        share = _pick(local, "share")
        if share is None:
            return CANNOT_ANSWER
        amount = _pick([cf for cf in local if cf.n == share.n], "amount")
        base = f"占{share.figure.base}" if share.figure.base else "占"
        head = f"{_amount_phrase(amount, metric)}，" if amount else f"{metric}"
        return _cite(f"{head}{base}{share.figure.text}{share.figure.unit}", share.n)
    if intent == "score":
        score = _pick(local, "score")
        if score is None:
            return CANNOT_ANSWER
        label = score.figure.label
        # The label often names the score already ("部门整体绩效自评得分"): don't say 得分 twice.
        phrase = label if label.endswith(("得分", "评分", "分数")) else f"{label}得分"
        return _cite(f"{phrase}{score.figure.text}{score.figure.unit}", score.n)

    amount = _pick(local, "amount")
    sentences: list[str] = []
    if intent == "completion":
        rate = _pick(local, "completion_rate")
        if rate is None and amount is None:
            return CANNOT_ANSWER
        if amount is not None:
            sentences.append(_cite(_amount_phrase(amount, metric), amount.n))
        if rate is not None:
            base = rate.figure.base or "预算"
            sentences.append(_cite(f"完成{base}{rate.figure.text}{rate.figure.unit}", rate.n))
        return "".join(sentences)

    change_amount = _pick(local, "change_amount")
    change_rate = _pick(local, "change_rate")
    if amount is None and change_amount is None and change_rate is None:
        return CANNOT_ANSWER
    first = _amount_phrase(amount, metric) if amount is not None else metric
    change = _change_phrase(change_amount, change_rate)
    if intent in ("reason", "change", "amount") and change:
        cite_n = (change_amount or change_rate or amount).n  # type: ignore[union-attr]
        same = amount is not None and amount.n == cite_n
        if same:
            sentences.append(_cite(f"{first}，{change}", cite_n))
        else:
            if amount is not None:
                sentences.append(_cite(first, amount.n))
            sentences.append(_cite(f"{metric}{change}", cite_n))
    elif amount is not None:
        sentences.append(_cite(first, amount.n))
    if intent == "reason":
        anchor = change_amount or change_rate or amount
        assert anchor is not None
        reason = _reason_sentence(context, anchor.n, anchor.figure.start)
        sentences.append(_cite(reason, anchor.n) if reason else "报告没有说明原因。")
    return "".join(sentences)
