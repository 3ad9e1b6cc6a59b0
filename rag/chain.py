"""The answering chain: question → retrieve → context → prompt → model → parse → verify → Answer.

Built with LangChain runnables so that any chat model plugs in (rag.providers), and so that
the same pieces serve `invoke` (one Answer) and `stream` (text deltas for the UI, then the
verified Answer):

    prepare  = retrieve passages, load the figures of their reports, build the Context
    generate = prompt | chat model | text          (or the extractive composer: no model)
    finish   = parse_answer (clean-up, [n] → Citation, CANNOT_ANSWER) → verify → Answer

The verifier is deterministic (rag.verify): it checks every number of the answer against the
report's figures. It is imported lazily and can be injected, so the chain is testable alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda

from index.ingest import Library
from index.models import Figure
from index.settings import LLMSettings, Settings
from prompts import PromptTemplate, load_prompts
from rag.context import Context, build_context, trusted_figures
from rag.extractive import extractive_answer
from rag.models import CANNOT_ANSWER, Answer, Claim
from rag.output import cite_from_evidence, parse_answer
from rag.providers import ModelChoice, choose_model
from rag.retrieve import HybridRetriever, Passage

log = logging.getLogger(__name__)

__all__ = ["AnswerChain", "Verifier", "answer_prompt", "load_verifier"]

Verifier = Callable[..., list[Claim]]


def load_verifier() -> Verifier:
    """The deterministic verifier, rag.verify.verify(answer_text, figures, passages, report_year)."""
    from rag.verify import verify

    return verify


def answer_prompt(templates: dict[str, PromptTemplate] | None = None) -> ChatPromptTemplate:
    """The chat prompt of prompts/answer_system.txt and prompts/answer_user.txt, with the
    cannot-answer phrase filled in (it is defined once, in rag.models)."""
    templates = templates or load_prompts()
    for name in ("answer_system", "answer_user"):
        if name not in templates:
            raise FileNotFoundError(f"prompts/{name}.txt is missing")
    prompt = ChatPromptTemplate.from_messages(
        [("system", templates["answer_system"].text), ("human", templates["answer_user"].text)]
    )
    return prompt.partial(cannot_answer=CANNOT_ANSWER)


@dataclass
class _State:
    """What one question carries from `prepare` to `finish`."""

    question: str
    passages: list[Passage]
    figures: list[Figure]
    context: Context
    report_year: int | None


class AnswerChain:
    """Answers questions about the reports of a Library with a chosen provider.

    `llm` overrides the provider chosen from settings (tests pass a fake chat model);
    `verifier` overrides rag.verify.verify.
    """

    def __init__(
        self,
        library: Library,
        settings: Settings | None = None,
        provider: str | None = None,
        llm: BaseChatModel | None = None,
        provider_name: str | None = None,
        verifier: Verifier | None = None,
        retriever: HybridRetriever | None = None,
    ) -> None:
        self.library = library
        self.settings = settings or library.settings
        self.llm_settings: LLMSettings = self.settings.llm
        self.prompt = answer_prompt()  # loads and checks the templates: fails here, not mid-answer
        if llm is not None:
            self.choice = ModelChoice(provider_name or getattr(llm, "_llm_type", "custom"), llm,
                                      provider_name or type(llm).__name__)
        else:
            self.choice = choose_model(self.llm_settings, provider, self.settings.data_dir / "models")
        self.retriever = retriever or HybridRetriever(library, self.settings.retrieval)
        self._verifier = verifier
        self.generate: Runnable = self._generator()
        self.runnable: Runnable = (
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
        if self.choice.model is None:
            return RunnableLambda(lambda state: extractive_answer(state.context)).with_config(run_name="extractive")
        to_vars = RunnableLambda(lambda state: {
            "passages": state.context.passages_text,
            "figures": state.context.figures_text,
            "question": state.question,
        })
        return to_vars | self.prompt | self.choice.model | StrOutputParser()

    def retrieve(self, question: str, report_ids: list[str] | None = None) -> list[Passage]:
        """The passages for a question (within `report_ids` when given)."""
        k = max(self.llm_settings.context_passages, 1)
        return self.retriever.retrieve(question, k=k, report_ids=report_ids)

    def _prepare(self, inputs: dict[str, Any]) -> _State:
        question = str(inputs["question"]).strip()
        passages = self.retrieve(question, inputs.get("report_ids"))
        report_ids = sorted({p.chunk.report_id for p in passages})
        figures = trusted_figures(self.library.store.figures(report_ids)) if report_ids else []
        context = build_context(
            question, passages, figures, self.llm_settings.context_passages, self.llm_settings.context_chars
        )
        years = {row["year"] for row in self.library.store.reports() if row["id"] in report_ids and row["year"]}
        return _State(question, passages, figures, context, years.pop() if len(years) == 1 else None)

    def _generate_and_finish(self, state: _State) -> Answer:
        return self._finish(state, self.generate.invoke(state))

    def _finish(self, state: _State, raw: str) -> Answer:
        """Clean the model's text, cite, verify every number, and enforce CANNOT_ANSWER."""
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
        return Answer(
            question=state.question, answer=text, raw_answer=raw, provider=self.provider,
            citations=citations, claims=claims,
        )

    def _verify(self, state: _State, text: str) -> list[Claim]:
        passages = [np.text for np in state.context.passages]
        return self.verifier(text, state.figures, passages=passages, report_year=state.report_year)

    # --- public API --------------------------------------------------------------------------

    def invoke(self, question: str, report_ids: list[str] | None = None) -> Answer:
        """The verified answer to a question."""
        return self.runnable.invoke({"question": question, "report_ids": report_ids})

    def stream(self, question: str, report_ids: list[str] | None = None) -> Iterator[str | Answer]:
        """Text deltas as the model writes them, then the verified Answer (always last).

        The deltas are the model's raw text, for showing progress; the Answer's `answer` is
        the cleaned, verified text that replaces them.
        """
        state = self._prepare({"question": question, "report_ids": report_ids})
        pieces: list[str] = []
        for delta in self.generate.stream(state):
            if delta:
                pieces.append(delta)
                yield delta
        yield self._finish(state, "".join(pieces))
