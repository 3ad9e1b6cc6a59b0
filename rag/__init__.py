"""Retrieval-augmented answering over ingested reports."""

from rag.retrieve import RANKERS, HybridRetriever, Passage

__all__ = ["RANKERS", "HybridRetriever", "Passage"]
