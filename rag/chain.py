"""The answering chain: question → retrieve → context → prompt → model → parse → verify → Answer.

Built with LangChain runnables so that any chat model plugs in (rag.providers), and so that
the same pieces serve `invoke` (one Answer) and `stream` (text deltas for the UI, then the
verified Answer):

    prepare  = retrieve passages, load the figures of their reports, build the Context; for a
               model, the fact table of the figures answering the question's parts (found by
               rag.compose, as the extractive answer finds them) and the parts themselves
    generate = prompt | chat model, streamed through the loop guard (or the extractive
               composer: no model); the model gets a token budget for the question's parts
    finish   = parse_answer (clean-up, loops cut, [n] → Citation, CANNOT_ANSWER) → verify
               → a "核对：" line listing the corrections of contradicted numbers → Answer

Without a model (the extractive provider) the same steps run as plain calls and LangChain is
not imported: a fresh `juesuan ask` then starts in about a second (bench/ask.py).

The verifier is deterministic (rag.verify): it checks every number of the answer against the
report's figures. It is imported lazily and can be injected, so the chain is testable alone.
`findings(answer, check)` then lists the rule findings (`juesuan check`) on the figures the
answer's numbers were checked against; the caller passes (and caches) the check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from index.ingest import Library
from index.models import Figure
from index.settings import LLMSettings, Settings
from prompts import load_prompts
from rag.compose import findings_for
from rag.context import Context, ContextFigure, build_context, fact_table, trusted_figures, with_facts
from rag.extractive import extractive_answer
from rag.guard import guard_stream, token_budget
from rag.marks import corrections_line
from rag.models import CANNOT_ANSWER, Answer, Claim
from rag.output import AnswerFinding, cite_from_evidence, cited_findings, parse_answer
from rag.providers import ModelChoice, choose_model, with_budget
from rag.retrieve import HybridSearch, Passage

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import Runnable

log = logging.getLogger(__name__)

PASSAGES_LEFT_OUT = "（这个问题只问数字：资料中的有关数字都列在下面的数字表里。）"
REASON_HINT = "（先写数字表中这个指标的金额和比上年的变动，再写资料中报告说的原因。）"

__all__ = ["AnswerChain", "Verifier", "answer_prompt", "load_verifier"]

Verifier = Callable[..., list[Claim]]


def load_verifier() -> Verifier:
    """The deterministic verifier, rag.verify.verify(answer_text, figures, passages, report_year)."""
    from rag.verify import verify

    return verify


def answer_prompt(templates: dict[str, ChatPromptTemplate] | None = None) -> ChatPromptTemplate:
    """The chat prompt of prompts/answer_system.txt and prompts/answer_user.txt (loaded and
    checked by `prompts.load_prompts`), with the cannot-answer phrase filled in (it is defined
    once, in rag.models). Its variables: passages, figures, question."""
    templates = templates or load_prompts()
    for name in ("answer_system", "answer_user"):
        if name not in templates:
            raise FileNotFoundError(f"prompts/{name}.txt is missing")
    prompt = templates["answer_system"] + templates["answer_user"]
    return prompt.partial(cannot_answer=CANNOT_ANSWER)


@dataclass
class _State:
    """What one question carries from `prepare` to `finish`."""

    question: str
    passages: list[Passage]
    figures: list[Figure]
    context: Context
    report_year: int | None
    why: bool = False  # a part of the question asks for a reason (the model needs the report's words)
    texts: list[str] | None = None  # the reports' texts: a number quoted from them word for word is theirs
    department: str | None = None
    scanned: frozenset[tuple[str, int]] = frozenset()  # (report id, page) of pages read by OCR


class AnswerChain:
    """Answers questions about the reports of a Library with a chosen provider.

    `llm` overrides the provider chosen from settings (tests pass a fake chat model);
    `verifier` overrides rag.verify.verify; `retriever` shares a `HybridSearch` (and its caches)
    with other callers; `guarded=False` turns the loop guard off (the budget by parts and the stop
    on a loop; the model's repeat penalty is its provider's). With a model, the prompt files are
    loaded and checked here (a bad one raises `prompts.PromptError` before any question); the
    extractive provider uses no prompt and loads none.
    """

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        provider: str | None = None,
        llm: BaseChatModel | None = None,
        provider_name: str | None = None,
        verifier: Verifier | None = None,
        retriever: HybridSearch | None = None,
        guarded: bool = True,
    ) -> None:
        self.library = library
        self.settings = settings or library.settings
        self.llm_settings: LLMSettings = self.settings.llm
        if llm is not None:
            self.choice = ModelChoice(provider_name or getattr(llm, "_llm_type", "custom"), llm,
                                      provider_name or type(llm).__name__)
        else:
            self.choice = choose_model(self.llm_settings, provider, self.settings.data_dir / "models")
        self.retriever = retriever or HybridSearch(library, self.settings.retrieval)
        if self.choice.model is not None:
            _ = self.prompt  # loads and checks the prompt files: fails here, not mid-answer
        self._verifier = verifier
        self.guarded = guarded  # False: no budget by parts, no stop on a loop (to measure what they prevent)

    @cached_property
    def prompt(self) -> ChatPromptTemplate:
        """The chat prompt the model is given (`answer_prompt()`, built once)."""
        return answer_prompt()

    @cached_property
    def generate(self) -> Runnable:
        """Context → the model's raw text, as a LangChain runnable that streams."""
        return self._generator()

    @cached_property
    def runnable(self) -> Runnable:
        """prepare | generate and finish, as one LangChain runnable (the model path)."""
        from langchain_core.runnables import RunnableLambda

        return (
            RunnableLambda(self._prepare) | RunnableLambda(self._generate_and_finish)
        ).with_config(run_name="juesuan_answer")

    @property
    def provider(self) -> str:
        """Name of the provider answering: extractive, llamacpp, openai, ollama (or the fake's)."""
        return self.choice.provider

    @property
    def verifier(self) -> Verifier:
        """The injected verifier, or the real one (imported on first use)."""
        if self._verifier is None:
            self._verifier = load_verifier()
        return self._verifier

    # --- the steps ---------------------------------------------------------------------------

    def _generator(self) -> Runnable:
        """Context → the model's raw text (a runnable that streams)."""
        from langchain_core.runnables import RunnableGenerator, RunnableLambda

        if self.choice.model is None:
            return RunnableLambda(lambda state: extractive_answer(state.context)).with_config(run_name="extractive")
        return RunnableGenerator(self._guarded).with_config(run_name=self.provider)

    def prompt_vars(self, state: _State) -> dict[str, str]:
        """The prompt's variables for one question.

        The passages are left out when the fact table holds figures and the question asks no
        reason: on the real question set the bundled model then copied the number of the row
        asked for instead of the first number of the passages (a total for its part).
        """
        context, why = state.context, state.why
        passages = context.passages_text if not context.facts or why else PASSAGES_LEFT_OUT
        # Asked why, the model wrote the reason alone; the figures it explains belong in the answer.
        question = f"{state.question}\n{REASON_HINT}" if why and context.facts else state.question
        return {"passages": passages, "figures": context.figures_text, "question": question}

    def budget(self, state: _State) -> int:
        """The output tokens one answer may take: by the question's parts, at most max_tokens."""
        ceiling = self.llm_settings.max_tokens
        return token_budget(len(state.context.parts), ceiling) if self.guarded else ceiling

    def _guarded(self, states: Iterator[_State]) -> Iterator[str]:
        """The model's text, streamed within the question's token budget and stopped at a loop.
        A question asking numbers when the fact table is empty is not put to the model."""
        if self.choice.model is None:
            raise RuntimeError("the extractive provider has no model to stream")
        for state in states:
            if not state.context.facts and not state.why:
                # Nothing the model may copy a number from: the bundled model then made one up
                # (the prompt's own example) for every unanswerable question of the real set.
                yield CANNOT_ANSWER
                continue
            model = with_budget(self.choice.model, self.budget(state))
            messages = self.prompt.format_messages(**self.prompt_vars(state))
            deltas = (chunk.text for chunk in model.stream(messages))
            try:
                yield from guard_stream(deltas, len(state.context.passages)) if self.guarded else deltas
            except ValueError as exc:
                # LangChain's complaint about a stream that ended without a word: an empty answer
                # (parse_answer makes it CANNOT_ANSWER), not an error.
                if "No generation chunks" not in str(exc):
                    raise

    def retrieve(self, question: str, report_ids: list[str] | None = None) -> list[Passage]:
        """The passages for a question (within `report_ids` when given)."""
        k = max(self.llm_settings.context_passages, 1)
        return self.retriever.retrieve(question, k=k, report_ids=report_ids)

    def _prepare(self, inputs: dict[str, Any]) -> _State:
        question = str(inputs["question"]).strip()
        passages = self.retrieve(question, inputs.get("report_ids"))
        report_ids = sorted({p.chunk.report_id for p in passages})
        figures = trusted_figures(self.library.store.figures(report_ids)) if report_ids else []
        rows = [row for row in self.library.store.reports() if row["id"] in report_ids]
        years = {row["year"] for row in rows if row["year"]}
        report_year = years.pop() if len(years) == 1 else None
        departments = {row["department"] for row in rows if row["department"]}
        department = departments.pop() if len(departments) == 1 else None
        texts = [r.text for r in map(self.library.store.get_report, report_ids) if r is not None]
        context = build_context(
            question, passages, figures, self.llm_settings.context_passages, self.llm_settings.context_chars,
        )
        why = False
        if self.choice.model is not None:
            context, why = self._with_facts(context, report_year)
        scanned = frozenset((row["id"], page) for row in rows for page in row.get("ocr_pages") or ())
        return _State(question, passages, figures, context, report_year, why, texts, department, scanned)

    @staticmethod
    def _with_facts(context: Context, report_year: int | None) -> tuple[Context, bool]:
        """The context with the fact table a model answers from: the figures the figure-first
        composer finds for each part of the question (by metric, year and role), then the other
        figures of their metrics; and the parts (one token budget each). Also whether a part
        asks for a reason."""
        findings = findings_for(context)
        # What each part asks first, then what is stated with it (the amount beside its change).
        found = [cf for f in findings for _, cf in f.asked] + [cf for f in findings for _, cf in f.beside]
        unique: dict[tuple, ContextFigure] = {}
        for cf in found:
            unique.setdefault((cf.n, cf.figure.report_id, cf.figure.start), cf)
        answering = list(unique.values())
        parts = [f"{f.part.said}（{f.part.asks}）" for f in findings]
        why = any(f.part.asks == "reason" for f in findings)
        return with_facts(context, fact_table(context.figures, answering, report_year), parts), why

    def _generate_and_finish(self, state: _State) -> Answer:
        return self._finish(state, self.generate.invoke(state))

    def _finish(self, state: _State, raw: str) -> Answer:
        """Clean the model's text, cite, verify every number, enforce CANNOT_ANSWER, and end an
        answer with a contradicted number with the 核对 line of corrections."""
        raw = raw or ""  # a stream that said nothing is invoked as None
        parsed = parse_answer(raw, state.context.passages)
        text, citations, claims = parsed.text, parsed.citations, []
        if not parsed.cannot_answer:
            claims = self._verify(state, text)
            if not citations and claims:
                # A model that forgot its [n]: cite the passages where the verifier found the
                # supported numbers (only those), then verify the marked text again.
                text, citations = cite_from_evidence(text, claims, state.context.passages)
                claims = self._verify(state, text) if citations else claims
        if parsed.cannot_answer or text == CANNOT_ANSWER:
            text, citations, claims = CANNOT_ANSWER, [], []
        citations = [c.model_copy(update={"ocr": True}) if (c.report_id, c.page) in state.scanned else c
                     for c in citations]
        if corrections := corrections_line(claims):
            # After the verified text, so the claims' spans still point into it.
            text = f"{text}\n{corrections}"
        return Answer(
            question=state.question, answer=text, raw_answer=raw, provider=self.provider,
            citations=citations, claims=claims,
        )

    def _verify(self, state: _State, text: str) -> list[Claim]:
        """The verdicts `juesuan verify` gives the same text against the same reports: their
        figures, year, department and texts (rag.verify.verify_against_report)."""
        passages = [np.text for np in state.context.passages]
        return self.verifier(text, state.figures, passages=passages, report_year=state.report_year,
                             texts=state.texts, department=state.department)

    # --- public API --------------------------------------------------------------------------

    def findings(
        self, answer: Answer, check: Callable[[str], Any], report_ids: list[str] | None = None
    ) -> list[AnswerFinding]:
        """The rule findings on the figures the answer's numbers were checked against.

        `check(report_id)` is a report's `evals.audit.check.CheckResult` (or None); the app passes
        the one its review tab shows, the CLI one that runs the rules once per report. The
        figures are those of the cited reports (else `report_ids`, else all stored).
        """
        if not any(c.verdict != "unsupported" for c in answer.claims):
            return []
        ids = sorted({c.report_id for c in answer.citations}) or report_ids or self.library.store.report_ids()
        return cited_findings(answer.claims, self.library.store.figures(ids), check)

    def invoke(self, question: str, report_ids: list[str] | None = None) -> Answer:
        """The verified answer to a question."""
        inputs = {"question": question, "report_ids": report_ids}
        if self.choice.model is None:  # no model: the same steps, without LangChain
            state = self._prepare(inputs)
            return self._finish(state, extractive_answer(state.context))
        return self.runnable.invoke(inputs)

    def stream(self, question: str, report_ids: list[str] | None = None) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the verified Answer (always last).

        The deltas are the model's raw text, for showing progress; the Answer's `answer` is
        the cleaned, verified text that replaces them.
        """
        state = self._prepare({"question": question, "report_ids": report_ids})
        if self.choice.model is None:
            raw = extractive_answer(state.context)
            yield raw
            yield self._finish(state, raw)
            return
        pieces: list[str] = []
        for delta in self.generate.stream(state):
            if delta:
                pieces.append(delta)
                yield delta
        yield self._finish(state, "".join(pieces))
