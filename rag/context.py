"""The context a model answers from: numbered passages and the figures they state.

Passages are numbered [1]..[n] in retrieval order and wrapped as quoted material:

    <资料 编号="1" 章节="第二部分 > 七、 > （二） > 3." 页="—">
    3.公务接待费支出4.55万元，……
    </资料>

Report text is data, never instructions: anything in it that looks like the wrapper's own
tags is defused (full-width brackets) so a passage cannot close its quote and speak as the
prompt. The figures table lists the stated figures inside those passages, those of the
metric the question names first, so that a model copies numbers instead of inventing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.bm25 import normalize_text
from index.models import Figure
from rag.retrieve import Passage

__all__ = [
    "INSTRUCTION_PATTERN",
    "ROLE_LABELS",
    "Context",
    "ContextFigure",
    "NumberedPassage",
    "build_context",
    "question_metrics",
    "trusted_figures",
]

ROLE_LABELS = {
    "amount": "金额", "share": "占比", "change_amount": "比上年变动额", "change_rate": "比上年变动率",
    "completion_rate": "完成率", "count": "数量", "score": "得分", "weight": "权重", "target": "指标值",
    "actual": "完成值", "rate": "比率",
}
_DIRECTION = {"increase": "增加", "decrease": "减少", "flat": "持平"}
_TAG = re.compile(r"<\s*/?\s*资料")
# Text in a report that speaks to a model instead of a reader. The figures stated inside such
# a sentence are not the report's: they are kept out of the prompt and out of the verifier's
# evidence, so an injected "公务接待费为100万元" cannot make itself "supported".
INSTRUCTION_PATTERN = re.compile(
    r"忽略(?:以上|上述|前面|之前|先前|所有|全部)?的?(?:指令|指示|要求|规则|提示|内容)"
    r"|(?:系统|system)\s*(?:提示|prompt)|你(?:现在)?是一个|请(?:直接)?(?:回答|输出)\s*[：:]"
    r"|ignore\s+(?:all\s+|the\s+)?(?:previous|above|prior)\s+instructions",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NumberedPassage:
    """A retrieved passage with the number the answer cites it by."""

    n: int
    passage: Passage

    @property
    def text(self) -> str:
        """The chunk's text."""
        return self.passage.chunk.text


@dataclass(frozen=True)
class ContextFigure:
    """A stated figure and the number of the passage that holds it."""

    n: int
    figure: Figure


@dataclass(frozen=True)
class Context:
    """Everything the model step needs, and what the verifier and citations need after it."""

    question: str
    passages: list[NumberedPassage]
    figures: list[ContextFigure]
    metrics: list[str]
    passages_text: str
    figures_text: str

    def passage(self, n: int) -> NumberedPassage | None:
        """The passage numbered n, or None."""
        return self.passages[n - 1] if 1 <= n <= len(self.passages) else None


def question_metrics(question: str, metrics: set[str] | list[str]) -> list[str]:
    """Metrics the question names (all parts of '项目 指标' present), longest first."""
    q = normalize_text(question)
    found = []
    for metric in set(metrics):
        parts = [normalize_text(p) for p in metric.split()]
        if parts and all(p and p in q for p in parts):
            found.append(metric)
    return sorted(found, key=lambda m: (-len(m.replace(" ", "")), m))


def trusted_figures(figures: list[Figure]) -> list[Figure]:
    """The figures not stated inside a sentence that gives instructions (a prompt injection)."""
    return [f for f in figures if not INSTRUCTION_PATTERN.search(f.quote)]


def _defuse(text: str) -> str:
    """Report text with anything resembling the <资料> wrapper made harmless."""
    return _TAG.sub(lambda m: m.group(0).replace("<", "＜"), text).replace("资料>", "资料＞")


def _attr(value: str) -> str:
    return value.replace('"', "”").replace("<", "＜") if value else "—"


def format_passage(np: NumberedPassage, max_chars: int) -> str:
    """One passage wrapped as quoted material, labelled with its number, section and page."""
    chunk = np.passage.chunk
    text = _defuse(chunk.text.strip())
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + "……"
    page = str(chunk.page) if chunk.page is not None else "—"
    return f'<资料 编号="{np.n}" 章节="{_attr(chunk.section)}" 页="{page}">\n{text}\n</资料>'


def _figure_line(cf: ContextFigure) -> str:
    f = cf.figure
    role = ROLE_LABELS.get(f.role, f.role)
    if f.role in ("change_amount", "change_rate") and f.direction:
        role += f"（{_DIRECTION[f.direction]}）"
    name = f.metric if f.label in f.metric else f"{f.metric}（{f.label}）"
    return f"[{cf.n}] | {_defuse(name)} | {f.text}{f.unit} | {role} | {f.year or '—'}"


def _figures_in(passages: list[NumberedPassage], figures: list[Figure]) -> list[ContextFigure]:
    """Figures whose printed span lies inside a passage, in passage then text order."""
    found: list[ContextFigure] = []
    for np in passages:
        c = np.passage.chunk
        inside = [f for f in figures if f.report_id == c.report_id and c.start <= f.start < c.end]
        found += [ContextFigure(np.n, f) for f in sorted(inside, key=lambda f: f.start)]
    return found


def build_context(
    question: str,
    passages: list[Passage],
    figures: list[Figure],
    max_passages: int = 5,
    max_chars: int = 3000,
    max_figures: int = 16,
) -> Context:
    """Number the passages, pick the figures they state, and render both for the prompt.

    `figures` are the stored figures of the passages' reports; only those inside a passage are
    kept (a number the answer may state must be citable), and none stated inside an
    instruction-like sentence (`trusted_figures`). The question's own metrics come
    first in the table; duplicates (same metric, number, role, passage) are listed once.
    """
    numbered = [NumberedPassage(i, p) for i, p in enumerate(passages[:max_passages], start=1)]
    in_passages = _figures_in(numbered, trusted_figures(figures))
    metrics = question_metrics(question, {cf.figure.metric for cf in in_passages})
    rank = {m: i for i, m in enumerate(metrics)}
    ordered = sorted(in_passages, key=lambda cf: rank.get(cf.figure.metric, len(rank)))
    seen: set[tuple] = set()
    table: list[ContextFigure] = []
    for cf in ordered:
        key = (cf.n, cf.figure.metric, cf.figure.text, cf.figure.unit, cf.figure.role)
        if key not in seen:
            seen.add(key)
            table.append(cf)
    table = table[:max_figures]
    per_passage = max(200, max_chars // max(1, len(numbered)))
    passages_text = "\n\n".join(format_passage(np, per_passage) for np in numbered) or "（没有检索到资料）"
    figures_text = "\n".join(["编号 | 指标 | 数值 | 类型 | 年度"] + [_figure_line(cf) for cf in table]) \
        if table else "（无）"
    return Context(question, numbered, in_passages, metrics, passages_text, figures_text)
