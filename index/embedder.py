"""The Embedder: a loaded sentence-transformers model as a LangChain `Embeddings`.

`embed_documents(texts)` and `embed_query(text)` give normalised vectors (cosine similarity is
a dot product); a query gets the model's retrieval instruction when it has one (bge-*-zh).
Being an `Embeddings`, it plugs into anything of LangChain's that embeds (a vector store, a
semantic cache), and `aembed_documents` / `aembed_query` run it in the default executor.

It is made by `index.embeddings.load_embedder`, which imports this module (and langchain_core
with it) only when a model is loaded: a model costs seconds and torch anyway, and answering
without dense retrieval loads neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from langchain_core.embeddings import Embeddings

__all__ = ["Embedder"]


@dataclass
class Embedder(Embeddings):
    """A loaded sentence-transformers model and how to call it."""

    name: str
    model: object
    is_fallback: bool = False
    query_prefix: str = ""

    @property
    def slug(self) -> str:
        """A short name usable in a collection name."""
        return re.sub(r"[^a-zA-Z0-9]+", "-", self.name.split("/")[-1]).strip("-").lower()[:40]

    @property
    def dimension(self) -> int:
        """Embedding size."""
        model = self.model
        # sentence-transformers renamed the method; older releases only have the first name.
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # type: ignore[attr-defined]
        return int(getter())

    def embed_documents(self, texts: list[str], batch_size: int = 32) -> list[list[float]]:
        """Normalised embeddings of passages, one per text, in order."""
        if not texts:
            return []
        vectors = self.model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        """Normalised embedding of a question (with the model's query instruction, if any)."""
        return self.embed_documents([self.query_prefix + text])[0]
