"""Retrieval-augmented answering over ingested reports."""

from rag.models import CANNOT_ANSWER, Answer, Citation, Claim, ClaimEvidence
from rag.retrieve import RANKERS, HybridRetriever, Passage

__all__ = [
    "CANNOT_ANSWER",
    "RANKERS",
    "Answer",
    "Citation",
    "Claim",
    "ClaimEvidence",
    "HybridRetriever",
    "Passage",
]
