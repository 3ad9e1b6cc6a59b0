"""Ingest: files → parsed reports → SQLite + ChromaDB + BM25, all or nothing per file.

For each file: parse it (no writes), embed its chunks (no writes), add the vectors, then write
SQLite in one transaction. If the SQLite write fails or is interrupted, the vectors just added
are deleted again. SQLite is the truth: vectors of a report SQLite does not hold (left by a
process killed between the two writes) are removed at the next open, and the BM25 index is
rebuilt whenever its generation differs from the store's. A failure in one file is reported
and the others go on. Re-ingesting the same bytes is a no-op (the report id is their hash).

The embedding model and ChromaDB are opened on first use, not with the library: answering with
dense retrieval off reads SQLite and BM25 only, and never imports torch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from index.bm25 import BM25Index, tokenize
from index.embeddings import Embedder, load_embedder, surely_fallback
from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from index.models import Chunk
from index.parse import parse_document, report_id_for
from index.settings import Settings
from index.store import Store
from index.vectors import VectorStore

log = logging.getLogger(__name__)


@dataclass
class IngestResult:
    """What happened to one file."""

    path: Path
    status: Literal["ingested", "unchanged", "failed"]
    message: str = ""
    report_id: str | None = None
    counts: dict[str, int] = field(default_factory=dict)


class Library:
    """The three stores of a data directory, opened together and kept consistent."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.data_dir = settings.data_dir
        self.store = Store(self.data_dir)
        self._embedder = embedder
        self._vectors: VectorStore | None = None
        self._bm25: BM25Index | None = None
        # One writer at a time, and one BM25 rebuild at a time: the app serves several
        # sessions from threads that share this library (and its SQLite connection).
        self._lock = threading.RLock()

    @property
    def embedder(self) -> Embedder:
        """The embedding model, loaded on first use (it takes seconds)."""
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings.embedding)
            return self._embedder

    @property
    def embedder_is_fallback(self) -> bool:
        """Whether the embedder in use is the offline fallback; not loaded to tell when that is sure."""
        if self._embedder is None and surely_fallback(self.settings.embedding):
            return True
        return self.embedder.is_fallback

    def has_vectors(self) -> bool:
        """False when no vector was ever stored here (no ChromaDB folder), told without opening Chroma."""
        return self._vectors is not None or (self.data_dir / "chroma").is_dir()

    @property
    def vectors(self) -> VectorStore:
        """The vector collection of the embedding model in use, without orphans."""
        if self._vectors is None:
            self._vectors = VectorStore(self.data_dir, self.embedder.slug)
            orphans = self._vectors.report_ids() - self.store.report_ids()
            if orphans:
                log.info("removing vectors of %d report(s) left by an interrupted ingest", len(orphans))
                self._vectors.delete_reports(sorted(orphans))
        return self._vectors

    @property
    def bm25(self) -> BM25Index:
        """The BM25 index, rebuilt when it does not reflect the store."""
        with self._lock:
            generation = self.store.generation()
            if self._bm25 is not None and self._bm25.generation == generation:
                return self._bm25
            folder = self.data_dir / "bm25"
            index = BM25Index.load(folder)
            if index is None or index.generation != generation:
                pairs = self.store.chunks()
                index = BM25Index.build([c.id for c, _ in pairs], [t for _, t in pairs], generation)
                index.save(folder)
            self._bm25 = index
            return index

    def close(self) -> None:
        """Close the SQLite connection."""
        self.store.close()

    def ingest_file(self, path: Path, source_name: str | None = None, embed: bool = True) -> IngestResult:
        """Parse, embed and store one file; never raises for a bad file.

        `source_name` is the name to store and show (an upload saved under a safe temporary
        name); it is never used as a path. Defaults to `path.name`.
        """
        name = source_name or path.name
        try:
            doc = load_document(path, self.settings.max_upload_bytes, source_name)
            data = path.read_bytes()
            report_id = report_id_for(data)
            if self.store.has_report(report_id):
                return IngestResult(path, "unchanged", "已入库，内容未变", report_id)
            parsed = parse_document(doc, data, self.settings.chunk_chars)
            if not parsed.figures and parsed.report.year is None:
                raise LoadError(f"{name}: 不像一份部门决算（没有找到年度、单位或任何数字）")
        except LoadError as exc:
            return IngestResult(path, "failed", str(exc))
        except Exception as exc:
            log.exception("unexpected error parsing %s", name)
            return IngestResult(path, "failed", f"{name}: 解析失败（{type(exc).__name__}: {exc}）")
        tokens = [tokenize(f"{c.heading}\n{c.text}") for c in parsed.chunks]
        embeddings = self._embed(parsed.chunks) if embed else None
        with self._lock:
            if self.store.has_report(parsed.report.id):  # the same bytes, ingested meanwhile
                return IngestResult(path, "unchanged", "已入库，内容未变", parsed.report.id)
            if embeddings is not None:
                self.vectors.add(parsed.chunks, embeddings)
            try:
                with self.store.transaction() as db:
                    self.store.add_report(db, parsed, tokens)
            except BaseException:
                if embeddings is not None:
                    self.vectors.delete_reports([parsed.report.id])
                raise
        counts = {
            "sections": len(parsed.sections), "tables": len(parsed.tables),
            "figures": len(parsed.figures), "chunks": len(parsed.chunks),
        }
        return IngestResult(path, "ingested", "", parsed.report.id, counts)

    def _embed(self, chunks: list[Chunk]) -> list[list[float]]:
        return self.embedder.embed_documents(
            [f"{c.heading}\n{c.text}" for c in chunks], self.settings.embedding.batch_size
        )

    def backfill_vectors(self) -> int:
        """Embed the chunks of stored reports that have no vectors yet; returns how many reports.

        Vectors, like the BM25 index, are derived from SQLite: a report ingested with
        `embed=False` (the app's first start, so the page opens without waiting for the
        embedding model) gets them here, later, from its stored chunks.
        """
        missing = sorted(self.store.report_ids() - self.vectors.report_ids())
        for report_id in missing:
            chunks = [chunk for chunk, _ in self.store.chunks([report_id])]
            embeddings = self._embed(chunks)
            with self._lock:
                if self.store.has_report(report_id):  # not deleted meanwhile
                    self.vectors.add(chunks, embeddings)
        return len(missing)

    def ingest(self, paths: Iterable[Path], progress: bool = True, embed: bool = True) -> list[IngestResult]:
        """Ingest files and folders (recursively); BM25 is refreshed once at the end.

        With `embed=False` the vectors are left for `backfill_vectors()`.
        """
        files = expand_paths(paths)
        results: list[IngestResult] = []
        columns = (TextColumn("[bold]入库[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not progress, transient=False) as bar:
            task = bar.add_task("", total=len(files))
            for path in files:
                bar.update(task, description=path.name[:40])
                if not path.exists():
                    results.append(IngestResult(path, "failed", f"{path.name}: 文件不存在"))
                elif path.is_dir():
                    results.append(IngestResult(path, "failed", f"{path.name}: 文件夹中没有支持的报告文件"))
                else:
                    results.append(self.ingest_file(path, embed=embed))
                bar.advance(task)
        if any(r.status == "ingested" for r in results):
            _ = self.bm25  # rebuild now, not at the first question
        return results


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the supported report files inside any folder given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            files.extend(found or [path])
        else:
            files.append(path)
    return files
