"""The context a model answers from: numbered passages and the figures they state.

Passages are numbered [1]..[n] in retrieval order and wrapped as quoted material:

    <资料 编号="1" 章节="第二部分 > 七、 > （二） > 3." 页="—">
    3.公务接待费支出4.55万元，……
    </资料>

Report text is data, never instructions (rag.injection, docs/security.md): a passage is read
in a normalised form (NFKC, simplified, no zero-width characters, look-alikes folded); a line
that speaks to a model is quoted only up to that sentence; angle brackets become full-width and
anything still like the wrapper tag is replaced, so a passage cannot close its quote and speak
as the prompt. Figures stated in the left-out text are not offered to the model either.

The model also gets a fact table: one line per figure of the metrics the question names,
stated inside those passages, with what it is (本年决算, 预算, 比上年减少, 完成年初预算…):

    指标 | 年度 | 口径 | 数值 | 单位 | 出处
    公务接待费 | 2023 | 本年决算 | 4.55 | 万元 | [1]
    公务接待费 | 2023 | 比上年减少 | 1.05 | 万元 | [1]

so that a model copies the number of the part asked instead of a total or a change, and
cites where it stands. Which figures answer the question is found by rag.compose (the
figure-first composer); the chain fills the table in with `with_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from index.bm25 import normalize_text
from index.models import Figure
from rag.injection import (
    INSTRUCTION_PATTERN,
    is_instruction,
    matching_form,
    neutralise,
    neutralise_attribute,
    quote_passage,
)
from rag.retrieve import Passage

__all__ = [
    "FACT_HEADER",
    "INSTRUCTION_PATTERN",
    "MAX_FACTS",
    "ROLE_LABELS",
    "Context",
    "ContextFigure",
    "Fact",
    "NumberedPassage",
    "build_context",
    "fact_head",
    "fact_phrase",
    "fact_role",
    "fact_table",
    "question_metrics",
    "render_facts",
    "trusted_figures",
    "with_facts",
]

ROLE_LABELS = {
    "amount": "金额", "share": "占比", "change_amount": "比上年变动额", "change_rate": "比上年变动率",
    "completion_rate": "完成率", "count": "数量", "score": "得分", "weight": "权重", "target": "指标值",
    "actual": "完成值", "rate": "比率",
}


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
class Fact:
    """One line of the fact table: a stated figure, what it is, and the passages stating it."""

    metric: str
    year: int | None
    role: str  # 本年决算, 预算, 比上年减少, 比上年下降, 完成年初预算, 占本年支出合计, 数量…
    value: str  # as printed
    unit: str
    passages: tuple[int, ...]
    figure: Figure  # the first figure stating it

    def line(self) -> str:
        """`公务接待费 | 2023 | 本年决算 | 4.55 | 万元 | [1]`."""
        cited = "".join(f"[{n}]" for n in self.passages)
        return f"{_defuse(self.metric)} | {self.year or '—'} | {self.role} | {self.value} | {self.unit} | {cited}"


@dataclass(frozen=True)
class Context:
    """Everything the model step needs, and what the verifier and citations need after it."""

    question: str
    passages: list[NumberedPassage]
    figures: list[ContextFigure]
    metrics: list[str]
    passages_text: str
    figures_text: str
    facts: list[Fact] = field(default_factory=list)  # the fact table figures_text renders
    parts: list[str] = field(default_factory=list)  # what the question asks, one part each (rag.compose)

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
    """The figures not stated inside a sentence that gives instructions (a prompt injection).
    Such a sentence is not the report's: its figures are kept out of the prompt and out of the
    verifier's evidence, so an injected "公务接待费为100万元" cannot make itself "supported"."""
    return [f for f in figures if not is_instruction(f.quote)]


def _defuse(text: str) -> str:
    """Report text (a metric, a section) that cannot form the <资料> wrapper."""
    return neutralise(text)


def _attr(value: str) -> str:
    return neutralise_attribute(value) if value else "—"


def format_passage(np: NumberedPassage, max_chars: int) -> str:
    """One passage wrapped as quoted material, labelled with its number, section and page;
    instructions in it left out and the wrapper escaped (rag.injection.quote_passage)."""
    chunk = np.passage.chunk
    text = quote_passage(chunk.text.strip()).text
    if len(text) > max_chars:
        text = text[:max_chars].rstrip() + "……"
    page = str(chunk.page) if chunk.page is not None else "—"
    return f'<资料 编号="{np.n}" 章节="{_attr(chunk.section)}" 页="{page}">\n{text}\n</资料>'


def _figures_in(passages: list[NumberedPassage], figures: list[Figure]) -> list[ContextFigure]:
    """Figures whose printed span lies inside a passage, in passage then text order."""
    found: list[ContextFigure] = []
    for np in passages:
        c = np.passage.chunk
        left_out = [_visible_text(t) for t in quote_passage(c.text).left_out]
        inside = [
            f for f in figures
            if f.report_id == c.report_id and c.start <= f.start < c.end
            and not any(_overlaps(_visible_text(f.quote), t) for t in left_out)
        ]
        found += [ContextFigure(np.n, f) for f in sorted(inside, key=lambda f: f.start)]
    return found


def _visible_text(text: str) -> str:
    return "".join(matching_form(text).split())


def _overlaps(quote: str, left_out: str) -> bool:
    """Whether a figure's sentence lies in (or holds) text left out of a passage."""
    return bool(quote) and bool(left_out) and (quote in left_out or left_out in quote)


# --- the fact table --------------------------------------------------------------------------

_BASIS_WORDS = {"预算数", "预算", "年初预算数", "年初预算", "调整后预算数", "调整后预算", "决算数", "决算", "执行数"}
_BASIS_ROLE = {"budget": "预算", "initial_budget": "年初预算", "adjusted_budget": "调整后预算", "executed": "执行数"}
_AGAINST = {"prior_year": "比上年", "budget": "比预算", "execution": "比执行数"}
_AMOUNT_CHANGE = {"increase": "增加", "decrease": "减少", "flat": "持平"}
_RATE_CHANGE = {"increase": "增长", "decrease": "下降", "flat": "持平"}
_OTHER_ROLES = {"count": "数量", "score": "得分", "weight": "权重", "target": "指标值", "actual": "完成值", "rate": "比率"}
# Order of the lines of one metric after those asked for: the amount first, then how it compares.
_ROLE_ORDER = {"amount": 0, "completion_rate": 1, "change_amount": 2, "change_rate": 3, "share": 4, "count": 5}
MAX_FACTS = 30
FACT_HEADER = "指标 | 年度 | 口径 | 数值 | 单位 | 出处"


def fact_head(f: Figure) -> str:
    """The metric without the basis word a table column appended ("三公经费 预算数" → 三公经费);
    a project's metric ("政府工作专项经费 执行数") is kept whole: the word is what it measures."""
    head, _, tail = f.metric.rpartition(" ")
    return head if head and tail in _BASIS_WORDS and not f.subject else f.metric


def _shown(f: Figure) -> str:
    """The metric as the table shows it: a project's table cell names its column too
    ("政府工作专项经费 总额（预算执行数）"), which is what the number is."""
    head = fact_head(f)
    return f"{head}（{f.column}）" if f.subject and f.column and f.column not in head else head


def fact_role(f: Figure, report_year: int | None = None) -> str:
    """What a figure is, in the words an answer uses: 本年决算, 上年决算, 预算, 年初预算, 比上年减少,
    比上年下降, 比预算增加, 完成年初预算, 占本年支出合计, 数量, 得分…"""
    if f.role == "amount":
        if f.subject:  # a project's amount: its metric says which (全年预算数, 执行数)
            return "金额"
        if f.basis in _BASIS_ROLE:
            return _BASIS_ROLE[f.basis]
        prior = report_year is not None and f.year is not None and f.year < report_year
        return "上年决算" if prior else "本年决算"
    if f.role in ("change_amount", "change_rate"):
        words = _AMOUNT_CHANGE if f.role == "change_amount" else _RATE_CHANGE
        # A signed number ("-204.61" in a 增减 column) says its direction itself.
        word = "增减" if f.text.startswith(("-", "+", "－")) else words.get(f.direction or "", "增减")
        return _AGAINST.get(f.against or "prior_year", "比上年") + word
    if f.role == "share":
        return f"占{f.base}" if f.base else "占比"
    if f.role == "completion_rate":
        return f"完成{f.base}" if f.base else "完成预算"
    return _OTHER_ROLES.get(f.role, f.role)


def fact_table(
    figures: list[ContextFigure],
    answering: list[ContextFigure],
    report_year: int | None = None,
    max_facts: int = MAX_FACTS,
) -> list[Fact]:
    """The facts a model may copy, one line per distinct (metric, year, role, value, unit) with
    every passage stating it: first the figures found to answer the question's parts
    (`answering`: rag.compose, the figure-first composer's search by metric, year and role),
    then the other figures of the same metrics stated in the passages (the amount beside its
    change, the budget beside the final account), at most `max_facts` lines."""
    if report_year is None:
        years = [cf.figure.year for cf in figures if cf.figure.year is not None]
        report_year = max(set(years), key=years.count) if years else None
    rank = {m: i for i, m in enumerate(dict.fromkeys(fact_head(cf.figure) for cf in answering))}
    listed = {(cf.n, cf.figure.report_id, cf.figure.start) for cf in answering}
    more = sorted((cf for cf in figures if fact_head(cf.figure) in rank
                   and (cf.n, cf.figure.report_id, cf.figure.start) not in listed),
                  key=lambda cf: (rank[fact_head(cf.figure)], _ROLE_ORDER.get(cf.figure.role, 9),
                                  cf.figure.placed != "text", cf.n))
    facts: dict[tuple, Fact] = {}
    for cf in [*answering, *more]:
        f = cf.figure
        key = (_shown(f), f.year, fact_role(f, report_year), f.value.normalize(), f.unit)
        if key in facts:
            old = facts[key]
            if cf.n not in old.passages:
                facts[key] = Fact(old.metric, old.year, old.role, old.value, old.unit,
                                  tuple(sorted((*old.passages, cf.n))), old.figure)
        elif len(facts) < max_facts:
            facts[key] = Fact(key[0], f.year, key[2], f.text, f.unit, (cf.n,), f)
    return list(facts.values())


def render_facts(facts: list[Fact]) -> str:
    """The fact table as the prompt shows it (a header and one line per fact), or "（无）"."""
    return "\n".join([FACT_HEADER] + [f.line() for f in facts]) if facts else "（无）"


def with_facts(context: Context, facts: list[Fact], parts: list[str]) -> Context:
    """The context with its fact table and the question's parts (rag.chain fills them in)."""
    return replace(context, facts=facts, figures_text=render_facts(facts), parts=parts)


def fact_phrase(metric: str, year: str, role: str, value: str, unit: str) -> str:
    """A fact-table row as words an answer would use (for rows a model echoes back):
    "2023年公务接待费4.55万元", "公务接待费比上年减少1.05万元", "公务接待费完成年初预算的75.43%"."""
    number = f"{value}{unit}"
    if role == "本年决算":
        return f"{year}年{metric}{number}" if year.isdigit() else f"{metric}{number}"
    if role == "上年决算":
        return f"{year}年{metric}{number}" if year.isdigit() else f"{metric}上年{number}"
    if role == "数量":
        return f"{metric}{number}"
    if role.startswith("完成"):
        return f"{metric}{role}的{number}"
    return f"{metric}{role}{number}"


def build_context(
    question: str,
    passages: list[Passage],
    figures: list[Figure],
    max_passages: int = 5,
    max_chars: int = 3000,
) -> Context:
    """Number the passages, pick the figures they state, and render the passages for the prompt.

    `figures` are the stored figures of the passages' reports; only those inside a passage are
    kept (a number the answer may state must be citable), and none stated inside an
    instruction-like sentence (`trusted_figures`). The fact table is left empty: which of these
    figures answer the question is found by rag.compose, and the chain adds them (`with_facts`).
    """
    numbered = [NumberedPassage(i, p) for i, p in enumerate(passages[:max_passages], start=1)]
    in_passages = _figures_in(numbered, trusted_figures(figures))
    metrics = question_metrics(question, {cf.figure.metric for cf in in_passages})
    per_passage = max(200, max_chars // max(1, len(numbered)))
    passages_text = "\n\n".join(format_passage(np, per_passage) for np in numbered) or "（没有检索到资料）"
    return Context(question, numbered, in_passages, metrics, passages_text, render_facts([]))
