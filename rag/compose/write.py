"""Sentences from findings: each figure with the report's name for it and the words of its role,
one sentence per passage cited [n]; the report's reason sentence as printed; "报告未说明…" for a
part the report has nothing for.

    三公经费年初预算2.95万元，三公经费2.05万元[1]。
    公务接待费26.4万元，比上年减少9.6万元，下降26.67%[1]。下降原因是进一步厉行节约，减少接待批次和人次[1]。
    报告未说明公务接待费占三公经费的比例。
"""

from __future__ import annotations

import re

from index.lexicon import is_known_metric, to_simplified
from rag.compose.find import Finding
from rag.compose.names import base_metric, counted_thing, locate
from rag.compose.parts import Part
from rag.compose.text import clause_start, display_label, without_readings
from rag.context import Context, ContextFigure

__all__ = ["refusal", "write"]

# The order figures of one thing are stated in.
_ORDER = ("prior", "budget", "amount", "count", "change_amount", "change_rate", "budget_change", "completion",
          "share", "score")
_BUDGET_WORDS = {"initial_budget": "年初预算", "adjusted_budget": "调整后预算", "budget": "预算数"}
_WHAT_IT_IS = ("prior", "budget", "amount", "count")
_MAX_NAME = 14
_MAX_LEAD = 24  # characters of a clause quoted before its number


def _name(cf: ContextFigure) -> str:
    """What the answer calls a figure: the lexicon's name when it knows the metric, else the
    report's label as printed."""
    metric = base_metric(cf.figure)
    label = display_label(cf.figure.label)
    if is_known_metric(metric) or len(label) > _MAX_NAME or not label:
        return metric if " " not in metric else metric.split()[-1]
    return label


def _value(cf: ContextFigure, context: Context) -> str:
    """The number and unit as printed, with the report's 余/多 when it gives an approximate count."""
    f = cf.figure
    text = f.text.lstrip("-")
    where = locate(context, cf) if f.approximate else None
    if where is not None:
        after = where[0][where[1] + len(f.text):][:1]
        if after in ("余", "多"):
            return f"{text}{after}{f.unit}"
    return f"{text}{f.unit}"


def _quoted(cf: ContextFigure, context: Context) -> str | None:
    """A count as the report says it, from its clause's start to the thing counted
    ("现有72个教学班", "学校现有师生1000余人")."""
    where = locate(context, cf)
    if where is None:
        return None
    text, at = where
    end = at + len(cf.figure.text)
    thing = counted_thing(context, cf)
    found = to_simplified(text).find(thing, end) if thing else -1
    if found >= 0:
        end = found + len(thing)
    else:
        unit = re.match(r"\s*(?:余|多)?\s*" + re.escape(cf.figure.unit) + r"(?:左右)?", to_simplified(text[end:]))
        end += unit.end() if unit else 0
    start = clause_start(text, at)
    if at - start > _MAX_LEAD:  # a long list before the number: from the figure's own label, else the number
        label_at = text.rfind(cf.figure.label, start, at) if cf.figure.label else -1
        start = label_at if label_at >= 0 else at
    quote = re.sub(r"\s+", "", without_readings(text[start:end]))
    return quote if 2 < len(quote) <= 60 else None


def _budget_word(f) -> str:  # type: ignore[no-untyped-def]
    if " " in f.metric and not f.subject:
        return f.metric.split()[-1]
    return _BUDGET_WORDS.get(f.basis or "", "预算数")


def _thing(cf: ContextFigure) -> str:
    """What a figure is about: its project, else its metric."""
    return cf.figure.subject or base_metric(cf.figure)


def _aspect(cf: ContextFigure) -> str:
    """Which of a project's figures it is, in the report's words (全年预算数, 执行数, 预算执行率)."""
    f = cf.figure
    label = display_label(f.label)
    if f.table_id is not None and f.column:  # a table cell, of a text layer or read by OCR
        return f.column if label in ("总额", "合计", "金额") else f"{label}{f.column}"
    return label


def _clause(slot: str, cf: ContextFigure, context: Context, named: bool, compared: bool,
            year: int | None) -> str:
    """One figure as a clause; `named` when the sentence has already named the thing, `compared`
    when it has already said what a change is compared with."""
    f = cf.figure
    if f.subject:
        return f"{'' if named else f.subject}{_aspect(cf)}{_value(cf, context)}"
    name = "" if named else _name(cf)
    value = _value(cf, context)
    if slot == "count" or (slot == "amount" and f.role == "count"):
        return _quoted(cf, context) or f"{_name(cf)}{value}"
    if slot == "prior" or (slot == "amount" and f.year and year and f.year < year):
        # last year's amount: "上年" after the name, where the verifier reads it as the year
        when = "上年" if year is not None and f.year in (None, year - 1) else f"{f.year}年"
        return f"{_name(cf)}{when}{value}"
    if slot == "budget":
        return f"{_name(cf)}{_budget_word(f)}{value}"
    if slot == "amount":
        return f"{_name(cf)}{value}"
    if slot in ("change_amount", "change_rate"):
        up = f.direction == "increase"
        word = ("增加" if up else "减少") if slot == "change_amount" else ("增长" if up else "下降")
        if f.direction is None:
            word = "变动"
        versus = ""
        if not compared:
            versus = "比上年" if f.compared_to in (None, (year or 0) - 1) else f"比{f.compared_to}年"
        return f"{name}{versus}{word}{value}"
    if slot == "budget_change":
        if f.direction is None:
            return f"{name}与预算的差值{value}"
        return f"{name}比预算{'多' if f.direction == 'increase' else '少'}{value}"
    if slot == "completion":
        return f"{name}完成{f.base or '预算'}的{value}"
    if slot == "share":
        return f"{name}占{f.base}的{value}" if f.base else f"{name}占{value}"
    label = f.label if f.label.endswith(("得分", "评分", "分数")) else f"{f.label}得分"
    return f"{display_label(label)}{value}"


def _stated(findings: list[Finding]) -> list[tuple[str, ContextFigure]]:
    """The figures of some findings in the order they are stated, each once: what a thing is
    (its amount, budget, count) first, then what was asked about it, in the question's order."""
    seen: set[tuple[str, int]] = set()
    out = []
    ranked = [(0 if slot in _WHAT_IT_IS else i + 1, _ORDER.index(slot), slot, cf)
              for i, f in enumerate(findings) for slot, cf in f.asked + f.beside]
    for *_, slot, cf in sorted(ranked, key=lambda r: r[:2]):
        key = (cf.figure.report_id, cf.figure.start)
        if key not in seen:
            seen.add(key)
            out.append((slot, cf))
    return out


def _sentences(stated: list[tuple[str, ContextFigure]], context: Context, year: int | None) -> list[str]:
    """The figures as sentences, a new one (and a new [n]) when the passage changes."""
    out: list[str] = []
    clauses: list[str] = []
    n = None
    metric = None
    slots: list[str] = []  # the slots of the sentence's clauses about the same thing
    for slot, cf in stated:
        if n is not None and cf.n != n:
            out.append(f"{'，'.join(clauses)}[{n}]。")
            clauses = []
        named = bool(clauses) and _thing(cf) == metric
        compared = named and any(s in ("change_amount", "change_rate") for s in slots)
        slots = slots if named else []
        n, metric = cf.n, _thing(cf)
        clauses.append(_clause(slot, cf, context, named=named, compared=compared, year=year))
        slots.append(slot)
    if clauses:
        out.append(f"{'，'.join(clauses)}[{n}]。")
    return out


def refusal(part: Part) -> str:
    """What the answer says for a part the report has nothing for."""
    said = part.said.split("|")[0]
    year = f"{part.year}年" if part.year else ""
    what = {
        "amount": "上年的数额" if part.prior else "",
        "budget": "的预算数",
        "change": "与预算的差异" if part.against == "budget" else "比上年的变化",
        "share": f"占{part.base}的比例" if part.base else "所占的比例",
        "completion": "完成预算的比例",
        "count": "的数量",
        "score": "的得分",
        "reason": f"{part.about}的原因" if part.about else "的原因",
    }[part.asks]
    return f"报告未说明{year}{said}{what}。"


def write(findings: list[Finding], context: Context, year: int | None) -> str:
    """The answer for the findings of one question, parts about the same thing together."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.part.name, []).append(finding)
    answer: list[str] = []
    refusals: list[str] = []
    for group in groups.values():
        answered = [f for f in group if f.asked]
        answer += _sentences(_stated(answered), context, year)
        for finding in group:
            if finding.reason is not None:
                sentence = without_readings(finding.reason.text)
                line = f"{sentence}[{finding.reason.n}]。"
                if line not in answer:
                    answer.append(line)
        refusals += [refusal(f.part) for f in group if not f.answered and refusal(f.part) not in refusals]
    # One script for the answer: a 繁體 report's words in simplified, as the lexicon's names are.
    return to_simplified("".join(answer + refusals))
