"""The hybrid search as a LangChain retriever, for a user's own LCEL chains.

    from rag.retrieve import HybridRetriever, format_docs   # the names live here, loaded on first use

    retriever = HybridRetriever(library, k=3)
    docs = retriever.invoke("公务接待费为何下降？")      # list[Document], best first
    chain = {"passages": retriever | format_docs, "question": RunnablePassthrough()} | prompt | llm

A `Document` is one stored chunk: `page_content` is the passage text, `id` the chunk id, and
`metadata` says where it came from and how it ranked (`passage_document`). The search itself is
`rag.retrieve.HybridSearch`, unchanged: the same question gives the same chunks in the same
order, with the same scores, as `AnswerChain` retrieves. Async calls (`ainvoke`, `abatch`) run
the search in the default executor.

This module imports langchain_core; `rag.retrieve` imports it only when the name
`HybridRetriever` is first used, so answering without a model never loads LangChain.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from index.ingest import Library
from index.models import Chunk
from index.settings import RetrievalSettings
from rag.context import NumberedPassage, format_passage
from rag.retrieve import HybridSearch, Passage

__all__ = ["HybridRetriever", "document_passage", "format_docs", "passage_document"]

# The metadata keys that rebuild a Chunk (with page_content as its text).
_CHUNK_KEYS = ("report_id", "index", "section", "heading", "page", "start", "end", "kind")


def passage_document(passage: Passage, report: dict[str, Any] | None = None) -> Document:
    """One retrieved passage as a LangChain Document.

    metadata: `chunk_id`, `report_id`, `index` (the chunk's place in its report), `section`
    (path such as 第二部分 > 七、 > （二） > 3.), `heading`, `page` (None for a text file), `start`
    and `end` (character span in the report's text), `kind` (text or table), `score` (fused
    RRF score), `ranks` (ranker name → 1-based rank), and from the stored report row when given:
    `department`, `year` and `source` (the file name it was ingested from).
    """
    chunk = passage.chunk
    metadata: dict[str, Any] = {"chunk_id": chunk.id, **chunk.model_dump(include=set(_CHUNK_KEYS))}
    metadata.update(score=passage.score, ranks=dict(passage.ranks))
    if report is not None:
        metadata.update(department=report.get("department"), year=report.get("year"),
                        source=report.get("source_name"))
    return Document(id=chunk.id, page_content=chunk.text, metadata=metadata)


def document_passage(doc: Document) -> Passage:
    """The Passage a Document of `passage_document` was made from (to cite or verify it)."""
    meta = doc.metadata
    chunk = Chunk(id=meta["chunk_id"], text=doc.page_content, **{k: meta[k] for k in _CHUNK_KEYS})
    ranks = dict(meta.get("ranks") or {})
    return Passage(chunk=chunk, score=meta.get("score", 0.0), bm25_rank=ranks.get("bm25"),
                   dense_rank=ranks.get("dense"), figure_rank=ranks.get("figures"), ranks=ranks)


def format_docs(docs: list[Document], max_chars: int = 3000) -> str:
    """Documents as the answering prompt quotes passages: numbered from 1, so an answer cites
    them as [1], [2]…, each wrapped as report text that is data, never instructions:

        <资料 编号="1" 章节="第二部分 > 七、 > （二） > 3." 页="—">
        3.公务接待费支出4.55万元，……
        </资料>

    `max_chars` is shared by the passages, as in the chain (each gets at least 200).
    """
    per_passage = max(200, max_chars // max(1, len(docs)))
    numbered = [NumberedPassage(n, document_passage(doc)) for n, doc in enumerate(docs, start=1)]
    return "\n\n".join(format_passage(np, per_passage) for np in numbered) or "（没有检索到资料）"


class HybridRetriever(BaseRetriever):
    """BM25 + dense + figures, fused by weighted RRF, as a LangChain retriever.

    `HybridRetriever(library)` searches every stored report; `k` (default: the retrieval
    settings' `top_k`), `report_ids`, `department` and `year` narrow it as in
    `HybridSearch.retrieve`. `HybridRetriever(search=engine)` shares an existing engine (and its
    caches) with an `AnswerChain`.
    """

    search: HybridSearch = Field(description="the retrieval engine (rag.retrieve.HybridSearch)")
    k: int | None = Field(default=None, ge=1, description="passages per question; None: settings.top_k")
    report_ids: list[str] | None = Field(default=None, description="only these reports")
    department: str | None = Field(default=None, description="only reports of this department (substring)")
    year: int | None = Field(default=None, description="only reports of this year")

    def __init__(self, library: Library | None = None, settings: RetrievalSettings | None = None,
                 **fields: Any) -> None:
        if library is not None:
            if "search" in fields:
                raise TypeError("give either a library or search=, not both")
            fields["search"] = HybridSearch(library, settings)
        elif settings is not None:
            raise TypeError("settings= needs a library (or build the HybridSearch with them)")
        super().__init__(**fields)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.search.retrieve(query, k=self.k, report_ids=self.report_ids,
                                        department=self.department, year=self.year)
        if not passages:
            return []
        reports = {row["id"]: row for row in self.search.library.store.reports()}
        return [passage_document(p, reports.get(p.chunk.report_id)) for p in passages]
