"""Retrieval-augmented answering over ingested reports."""

from typing import TYPE_CHECKING, Any

from rag.models import CANNOT_ANSWER, Answer, Citation, Claim, ClaimEvidence
from rag.retrieve import RANKERS, HybridSearch, Passage

if TYPE_CHECKING:
    from rag.langchain_retriever import HybridRetriever

__all__ = [
    "CANNOT_ANSWER",
    "RANKERS",
    "Answer",
    "Citation",
    "Claim",
    "ClaimEvidence",
    "HybridRetriever",
    "HybridSearch",
    "Passage",
]


def __getattr__(name: str) -> Any:
    # The LangChain retriever imports langchain_core: loaded on first use, not with `rag`.
    if name == "HybridRetriever":
        from rag.langchain_retriever import HybridRetriever

        return HybridRetriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
