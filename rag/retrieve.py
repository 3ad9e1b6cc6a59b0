"""Hybrid retrieval: BM25, dense vectors and a figure lookup, fused by weighted RRF.

Three rankers each order chunk ids for a question:

- BM25 (`library.bm25`): jieba terms with the fiscal lexicon kept whole; robust to 繁體,
  full-width forms and missing punctuation because both sides are normalised.
- dense (`library.vectors`): cosine similarity of sentence embeddings. When the embedder in
  use is the English-only offline fallback its weight is `fallback_dense_weight`.
- figures (`library.store.figures`): the stated figures whose metric the question names
  (the longest name first), mapped to the chunks whose span holds the figure.

Scores are fused with weighted reciprocal rank fusion: score(c) = Σ w_r / (rrf_k + rank_r(c)).
A scope narrows all rankers to some reports: explicit filters (report ids, department, year)
and, when they match stored reports, a year ("2022年") or a department named in the question.

Two classes, one engine:

- `HybridSearch` is the engine: plain Python, returns `Passage`s with each ranker's rank. The
  answering chain uses it, and so does everything that must start fast (`juesuan ask` without
  a model imports no LangChain).
- `HybridRetriever` is the same search as a LangChain `BaseRetriever` (`invoke(question)` →
  `list[Document]`), for a user's own LCEL chains, with `format_docs` to quote its documents
  in a prompt. They live in `rag.langchain_retriever` and are imported from there on first use
  of their names, so `from rag.retrieve import HybridRetriever, format_docs` works and
  importing this module stays cheap.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from index.bm25 import normalize_text
from index.ingest import Library
from index.models import Chunk
from index.settings import RetrievalSettings

if TYPE_CHECKING:
    from rag.langchain_retriever import HybridRetriever, document_passage, format_docs, passage_document

__all__ = [
    "RANKERS", "HybridRetriever", "HybridSearch", "Passage", "document_passage", "format_docs", "passage_document",
]
# Defined in rag.langchain_retriever (it imports langchain_core): loaded when first asked for.
_LANGCHAIN_NAMES = ("HybridRetriever", "document_passage", "format_docs", "passage_document")

RANKERS = ("bm25", "dense", "figures")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


class Passage(BaseModel):
    """One retrieved chunk, its fused score and its 1-based rank in each ranker (None: not ranked)."""

    chunk: Chunk
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None
    figure_rank: int | None = None
    ranks: dict[str, int] = Field(default_factory=dict, description="ranker name -> rank, for display")


class HybridSearch:
    """Retrieves chunks of a `Library` for a question (the engine; no LangChain)."""

    def __init__(self, library: Library, settings: RetrievalSettings | None = None) -> None:
        self.library = library
        self.settings = settings or library.settings.retrieval
        self._generation = -1
        self._chunks: dict[str, list[Chunk]] = {}
        self._spans: dict[str, _Spans] = {}
        self._metrics: list[tuple[str, tuple[str, ...]]] | None = None
        self._keys: list[dict] | None = None
        # (metric, is a project) -> chunk id -> (figures in it, (report id, chunk index)), whole store
        self._tallies: dict[tuple[str, bool], dict[str, tuple[int, tuple[str, int]]]] = {}

    # --- caches, valid for one store generation ------------------------------------------

    def _fresh(self) -> None:
        generation = self.library.store.generation()
        if generation != self._generation:
            self._generation, self._chunks, self._spans, self._metrics = generation, {}, {}, None
            self._keys, self._tallies = None, {}

    def _report_chunks(self, report_id: str) -> list[Chunk]:
        self._fresh()
        if report_id not in self._chunks:
            self._chunks[report_id] = [c for c, _ in self.library.store.chunks([report_id])]
        return self._chunks[report_id]

    def chunk(self, chunk_id: str) -> Chunk | None:
        """The stored chunk with this id (ids are 'report id:index')."""
        report_id, _, index = chunk_id.rpartition(":")
        chunks = self._report_chunks(report_id)
        i = int(index) if index.isdigit() else -1
        if 0 <= i < len(chunks) and chunks[i].id == chunk_id:
            return chunks[i]
        return next((c for c in chunks if c.id == chunk_id), None)

    def _metric_names(self) -> list[tuple[str, tuple[str, ...]]]:
        """Distinct stored metrics with their normalised parts ('项目 指标' has two parts)."""
        self._fresh()
        if self._metrics is None:
            names = self.library.store.metrics()
            self._metrics = [(m, tuple(normalize_text(p) for p in m.split())) for m in sorted(names)]
        return self._metrics

    def _report_keys(self) -> list[dict]:
        """id, department and year of each stored report, with the department normalised ("dept")."""
        self._fresh()
        if self._keys is None:
            self._keys = [{**r, "dept": normalize_text(r["department"] or "")}
                          for r in self.library.store.report_keys()]
        return self._keys

    # --- scope ------------------------------------------------------------------------------

    def scope(
        self,
        question: str,
        report_ids: list[str] | None = None,
        department: str | None = None,
        year: int | None = None,
    ) -> list[str] | None:
        """Report ids the question is about; None means every stored report."""
        rows = self._report_keys()
        narrowed = False
        if report_ids is not None:
            wanted = set(report_ids)
            rows, narrowed = [r for r in rows if r["id"] in wanted], True
        if department:
            dept = normalize_text(department)
            rows, narrowed = [r for r in rows if dept in r["dept"]], True
        if year is not None:
            rows, narrowed = [r for r in rows if r["year"] == year], True
        q = normalize_text(question)
        named = [r for r in rows if r["department"] and r["dept"] in q]
        if named and len(named) < len(rows):
            rows, narrowed = named, True
        if year is None:
            years = {int(y) for y in _YEAR.findall(q)}
            by_year = [r for r in rows if r["year"] in years]
            if by_year and len(by_year) < len(rows):
                rows, narrowed = by_year, True
        return [r["id"] for r in rows] if narrowed else None

    # --- rankers -------------------------------------------------------------------------

    def rank_bm25(self, question: str, k: int, report_ids: list[str] | None = None) -> list[str]:
        """Chunk ids by BM25 score (with a scope, only its reports' chunks are ranked)."""
        return [cid for cid, _ in self.library.bm25.search(question, k, report_ids=report_ids)]

    def rank_dense(self, question: str, k: int, report_ids: list[str] | None = None) -> list[str]:
        """Chunk ids by cosine similarity of embeddings."""
        if not self.library.has_vectors():  # nothing to search: don't load the model to embed the question
            return []
        embedding = self.library.embedder.embed_query(question)
        return [cid for cid, _ in self.library.vectors.query(embedding, k, report_ids)]

    def rank_figures(self, question: str, k: int, report_ids: list[str] | None = None) -> list[str]:
        """Chunks holding figures whose metric the question names; longer metric names first.

        A metric '项目 指标' matches when all its parts occur in the question. When no metric
        matches, figures of a project (subject) the question names are used instead.
        """
        q = normalize_text(question)
        matched = {m: sum(map(len, parts)) for m, parts in self._metric_names() if all(p in q for p in parts)}
        if matched:
            names = [(metric, False, matched[metric]) for metric in sorted(matched, key=lambda m: -matched[m])]
        else:
            subjects = {m.split()[0] for m, parts in self._metric_names() if len(parts) > 1 and parts[0] in q}
            names = [(subject, True, len(subject)) for subject in subjects]
        best: dict[str, int] = {}
        count: dict[str, int] = defaultdict(int)
        order: dict[str, tuple[str, int]] = {}
        for name, project, length in names:
            for chunk_id, (figures, place) in self._tally(name, project, report_ids).items():
                best[chunk_id] = max(best.get(chunk_id, 0), length)
                count[chunk_id] += figures
                order[chunk_id] = place
        ranked = sorted(best, key=lambda cid: (-best[cid], -count[cid], order[cid]))
        return ranked[:k]

    def _tally(
        self, metric: str, project: bool, report_ids: list[str] | None
    ) -> dict[str, tuple[int, tuple[str, int]]]:
        """Chunk id -> (how many figures of `metric` it holds, (report id, chunk index)), within
        the scope; over the whole store kept for the store's generation (a metric is asked often)."""
        self._fresh()
        key = (metric, project)
        if report_ids is None and key in self._tallies:
            return self._tallies[key]
        # Where each figure stands, read through the metric index with the scope in the query;
        # no figure is built.
        places = self.library.store.figure_places(metric, report_ids, project=project)
        self._load_spans({rid for rid, _ in places})
        tally: dict[str, tuple[int, tuple[str, int]]] = {}
        for report_id, offset in places:
            found = self._spans[report_id].chunk_at(offset)
            if found is not None:
                chunk_id, index = found
                tally[chunk_id] = (tally[chunk_id][0] + 1 if chunk_id in tally else 1, (report_id, index))
        if report_ids is None:
            if len(self._tallies) >= 256:  # bounded: a long-running app asks about many metrics
                self._tallies.clear()
            self._tallies[key] = tally
        return tally

    def _load_spans(self, report_ids: set[str]) -> None:
        """The chunk spans of these reports, read once per store generation."""
        self._fresh()
        missing = sorted(report_ids - self._spans.keys())
        for at in range(0, len(missing), 500):  # SQLite's limit of variables per statement
            for report_id, spans in self.library.store.chunk_spans(missing[at: at + 500]).items():
                self._spans[report_id] = _Spans(spans)

    def _chunk_at(self, report_id: str, offset: int) -> Chunk | None:
        """The first chunk of a report (in order) whose span holds the offset."""
        chunks = self._report_chunks(report_id)
        return next((c for c in chunks if c.start <= offset < c.end), None)

    # --- fusion -------------------------------------------------------------------------

    def weights(self) -> dict[str, float]:
        """The weight of each ranker; the dense weight depends on the embedder in use."""
        s = self.settings
        dense = s.dense_weight
        if dense > 0 or s.fallback_dense_weight > 0:
            # Told without loading the model when the fallback is sure to be used (offline, nothing
            # cached): with its weight at 0 an answer then never imports torch.
            dense = s.fallback_dense_weight if self.library.embedder_is_fallback else s.dense_weight
        return {"bm25": s.bm25_weight, "dense": dense, "figures": s.figure_weight}

    def fuse(self, rankings: dict[str, list[str]], weights: dict[str, float]) -> list[tuple[str, float]]:
        """Weighted reciprocal rank fusion of ranked chunk-id lists, best first."""
        scores: dict[str, float] = defaultdict(float)
        for name, ids in rankings.items():
            weight = weights.get(name, 0.0)
            if weight <= 0:
                continue
            for rank, chunk_id in enumerate(ids, start=1):
                scores[chunk_id] += weight / (self.settings.rrf_k + rank)
        return sorted(scores.items(), key=lambda item: (-item[1], item[0]))

    def rankings(
        self, question: str, depth: int, report_ids: list[str] | None, weights: dict[str, float] | None = None
    ) -> dict[str, list[str]]:
        """Each ranker's list (only those with a positive weight when `weights` is given)."""
        methods = {"bm25": self.rank_bm25, "dense": self.rank_dense, "figures": self.rank_figures}
        return {
            name: method(question, depth, report_ids)
            for name, method in methods.items()
            if weights is None or weights.get(name, 0) > 0
        }

    def retrieve(
        self,
        question: str,
        k: int | None = None,
        report_ids: list[str] | None = None,
        department: str | None = None,
        year: int | None = None,
    ) -> list[Passage]:
        """The top-k passages for a question, within the filters and the scope the question names."""
        k = k or self.settings.top_k
        scope = self.scope(question, report_ids, department, year)
        if scope is not None and not scope:
            return []
        weights = self.weights()
        rankings = self.rankings(question, max(50, 5 * k), scope, weights)
        passages = []
        for chunk_id, score in self.fuse(rankings, weights):
            chunk = self.chunk(chunk_id)
            if chunk is None:
                continue
            ranks = {name: ids.index(chunk_id) + 1 for name, ids in rankings.items() if chunk_id in ids}
            passages.append(Passage(
                chunk=chunk, score=score, bm25_rank=ranks.get("bm25"), dense_rank=ranks.get("dense"),
                figure_rank=ranks.get("figures"), ranks=ranks,
            ))
            if len(passages) >= k:
                break
        return passages


class _Spans:
    """A report's chunk spans, to find the chunk an offset stands in without its text."""

    def __init__(self, spans: list[tuple[str, int, int, int]]) -> None:
        self.spans = spans
        self.starts = [start for _, _, start, _ in spans]
        self.sorted = all(a <= b for a, b in zip(self.starts, self.starts[1:]))
        # The largest end up to each chunk: the first chunk ending after an offset is found by bisection.
        self.reach: list[int] = []
        for _, _, _, end in spans:
            self.reach.append(max(end, self.reach[-1]) if self.reach else end)

    def chunk_at(self, offset: int) -> tuple[str, int] | None:
        """(id, index) of the first chunk, in order, with start <= offset < end (as `_chunk_at`)."""
        if self.sorted:
            # Chunks [0, j) start at or before the offset; the first ending after it is the answer
            # when it is among them.
            j = bisect_right(self.starts, offset)
            i = bisect_right(self.reach, offset)
            return (self.spans[i][0], self.spans[i][1]) if i < j else None
        for chunk_id, index, start, end in self.spans:
            if start <= offset < end:
                return chunk_id, index
        return None


def __getattr__(name: str) -> Any:
    # The LangChain-facing names, imported on first use: langchain_core takes about half a
    # second to import, which `juesuan ask` without a model never pays.
    if name in _LANGCHAIN_NAMES:
        from rag import langchain_retriever

        return getattr(langchain_retriever, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
