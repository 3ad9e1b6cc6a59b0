"""The persistent vector store: chunk embeddings in an embedded ChromaDB under the data dir.

Embeddings are always computed by `index.embeddings` and handed to Chroma: its default
embedding function downloads a model and fails offline. One collection per embedding model,
since vectors of different models cannot be compared. chromadb is imported when a store is
first opened, not with this module.
"""

from __future__ import annotations

from pathlib import Path

from index.models import Chunk


class VectorStore:
    """Chunk vectors of one embedding model."""

    def __init__(self, data_dir: Path, model_slug: str) -> None:
        # Imported here: chromadb takes about a second to import, and answering with dense
        # retrieval off never opens the vector store.
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self._client = chromadb.PersistentClient(
            path=str(data_dir / "chroma"),
            settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False),
        )
        self._collection = self._client.get_or_create_collection(
            name=f"chunks-{model_slug}"[:60], embedding_function=None, metadata={"hnsw:space": "cosine"}
        )

    def add(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Store chunk vectors (upsert: re-adding the same chunk replaces it)."""
        if not chunks:
            return
        self._collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=embeddings,
            metadatas=[{"report_id": c.report_id, "section": c.section, "page": c.page or 0} for c in chunks],
        )

    def delete_reports(self, report_ids: list[str]) -> None:
        """Remove every vector of these reports."""
        for report_id in report_ids:
            self._collection.delete(where={"report_id": report_id})

    def report_ids(self) -> set[str]:
        """Reports that have vectors here (to find orphans of an interrupted ingest)."""
        result = self._collection.get(include=["metadatas"])
        return {m["report_id"] for m in result["metadatas"] or []}

    def count(self) -> int:
        """Number of stored vectors."""
        return self._collection.count()

    def query(self, embedding: list[float], k: int, report_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, optionally within some reports."""
        if self.count() == 0:
            return []
        where = None
        if report_ids is not None:
            if not report_ids:
                return []
            where = {"report_id": {"$in": report_ids}} if len(report_ids) > 1 else {"report_id": report_ids[0]}
        result = self._collection.query(query_embeddings=[embedding], n_results=k, where=where, include=["distances"])
        return [(cid, 1.0 - dist) for cid, dist in zip(result["ids"][0], result["distances"][0], strict=True)]
