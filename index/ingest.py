"""Ingest: files → parsed reports → SQLite + ChromaDB + BM25, all or nothing per file.

For each file: parse it (no writes), embed its chunks (no writes), then, holding the data
directory's writer lock, add the vectors and write SQLite in one transaction (the report, its
private mark for an upload, and the record that its vectors are stored). If the SQLite write
fails or is interrupted, the vectors just added are deleted again. SQLite is the truth: vectors
of a report SQLite does not hold (left by a process killed between the two writes) are removed
at the next open, and the BM25 index is rebuilt whenever its generation differs from the
store's. A failure in one file is reported and the others go on. Re-ingesting the same bytes is
a no-op (the report id is their hash), also when another process ingests them at the same time.
A PDF's own bytes are kept too, as `data_dir/originals/<report id>.pdf` (`index.originals`, at
the commit point, under the lock; removed with the report), so the app can show a quote on its
printed page, and beside it where each run of its text was printed
(`<report id>.positions.json.gz`, `keep_positions`), so showing a page never parses the PDF
again (for a scan that would mean OCR'ing it again).

Writers take turns across processes (`index.store.writer_lock`), only for their writes: parsing
and embedding run in parallel, readers never wait. `Library.ingest` parses (and tokenises for
BM25) on every core (`index.parallel.map_ordered`), embeds the chunks of several reports in one
call, and writes from one process, one transaction per report, in the order of the files. `index.doctor` checks that the derived
stores hold what SQLite says; an ingest runs its quick check first and logs one line when not.

The embedding model and ChromaDB are opened on first use, not with the library: answering with
dense retrieval off reads SQLite and BM25 only, and never imports torch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from index.bm25 import BM25Index, tokenize
from index.embeddings import load_embedder, surely_fallback
from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
from index.models import Chunk, ParsedReport
from index.originals import REPORT_ID, keep_original, keep_positions, original_path, positions_path
from index.parallel import map_ordered
from index.parse import parse_document, report_id_for
from index.settings import EmbeddingSettings, LimitSettings, Settings
from index.store import Store
from index.vectors import VectorStore

if TYPE_CHECKING:
    from index.embedder import Embedder  # imports langchain_core: only with a loaded model

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
        """False when no vector was ever stored here (no ChromaDB folder), told without opening Chroma.

        With a Chroma server (`chroma_url`) it may hold vectors whatever this process saw: True."""
        if self.settings.chroma_url:
            return True
        return self._vectors is not None or (self.data_dir / "chroma").is_dir()

    @property
    def vectors(self) -> VectorStore:
        """The vector collection of the embedding model in use, without orphans."""
        with self._lock:
            if self._vectors is None:
                slug = self.embedder.slug
                with self.store.lock:  # no ingest is between its two writes while we look
                    vectors = VectorStore(self.data_dir, slug, self.settings.chroma_url)
                    stored = set(self.store.chunk_ids())
                    orphans = sorted(set(vectors.chunk_ids()) - stored)
                    if orphans:
                        log.info("removing %d vector(s) left by an interrupted ingest", len(orphans))
                        vectors.delete_ids(orphans)
                self._vectors = vectors
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
                with self.store.lock:  # one writer of the folder; another may have just saved it
                    index = BM25Index.load(folder)
                    with self.store.snapshot():  # the generation and the chunks of one state
                        generation = self.store.generation()
                        if index is None or index.generation != generation:
                            pairs = self.store.chunks()
                    if index is None or index.generation != generation:
                        index = BM25Index.build([c.id for c, _ in pairs], [t for _, t in pairs], generation)
                        index.save(folder)
            self._bm25 = index
            return index

    def close(self) -> None:
        """Close the SQLite connection."""
        self.store.close()

    def ingest_file(
        self, path: Path, source_name: str | None = None, embed: bool = True, private: bool = False
    ) -> IngestResult:
        """Parse, embed and store one file; never raises for a bad file.

        `source_name` is the name to store and show (an upload saved under a safe temporary
        name); it is never used as a path. Defaults to `path.name`. `private` stores the report
        as private to the uploading session, in the same transaction as the report itself.
        """
        prepared = _prepare(self._job(path, source_name))
        if isinstance(prepared, IngestResult):
            if prepared.status == "unchanged" and prepared.report_id:
                with self._lock, self.store.lock:  # stored before originals were kept: keep it now
                    if self.store.has_report(prepared.report_id):
                        keep_original(self.data_dir, path, prepared.report_id)
            return prepared
        embeddings = self._embed(prepared.parsed.chunks) if embed else None
        return self._write(prepared, embeddings, private)

    def _job(self, path: Path, source_name: str | None = None, stored: set[str] | None = None) -> _PrepareJob:
        """What a worker needs to read `path`. Whether its bytes are stored already is told here
        (`stored`: the stored report ids, read once for many files), so a known file is not parsed."""
        try:
            report_id = report_id_for(path.read_bytes())
            known = report_id in stored if stored is not None else self.store.has_report(report_id)
        except OSError:
            known = False  # the worker reports the file as it reports any unreadable one
        return _PrepareJob(
            path=path, source_name=source_name, max_bytes=self.settings.max_upload_bytes,
            chunk_chars=self.settings.chunk_chars, limits=self.settings.limits, stored=known,
        )

    def _write(self, prepared: _Prepared, embeddings: list[list[float]] | None, private: bool = False) -> IngestResult:
        """Store one parsed report (its vectors first, then SQLite in one transaction) under the writer lock."""
        parsed, path = prepared.parsed, prepared.path
        vectors = self.vectors if embeddings is not None else None
        with self._lock, self.store.lock:
            # Under the writer lock: the same bytes may have been stored meanwhile, by another
            # session of the app or another process.
            if self.store.has_report(parsed.report.id):
                keep_original(self.data_dir, path, parsed.report.id)  # stored before originals were kept
                return IngestResult(path, "unchanged", "已入库，内容未变", parsed.report.id)
            if vectors is not None:
                vectors.add(parsed.chunks, embeddings)  # type: ignore[arg-type]
            try:
                with self.store.transaction() as db:
                    self.store.add_report(
                        db, parsed, prepared.tokens, private=private, vectors=vectors.name if vectors else None
                    )
            except BaseException:
                if vectors is not None and not self.store.has_report(parsed.report.id):
                    vectors.delete_reports([parsed.report.id])
                raise
            if keep_original(self.data_dir, path, parsed.report.id) or not positions_path(
                    self.data_dir, parsed.report.id).exists():
                keep_positions(self.data_dir, parsed)
        counts = {
            "sections": len(parsed.sections), "tables": len(parsed.tables),
            "figures": len(parsed.figures), "chunks": len(parsed.chunks),
        }
        return IngestResult(path, "ingested", "", parsed.report.id, counts)

    def _embed(self, chunks: list[Chunk]) -> list[list[float]]:
        return self.embedder.embed_documents(
            [f"{c.heading}\n{c.text}" for c in chunks], self.settings.embedding.batch_size
        )

    def backfill_vectors(self, report_ids: Iterable[str] | None = None) -> int:
        """Embed the chunks of stored reports that have no vectors yet; returns how many reports.

        Vectors, like the BM25 index, are derived from SQLite: a report ingested with
        `embed=False` (the app's first start, so the page opens without waiting for the
        embedding model) gets them here, later, from its stored chunks. A report whose vectors
        are all in the collection already (stored before SQLite recorded them) is only recorded.
        `report_ids` limits it to those reports (the doctor's repair), re-embedding them.
        """
        vectors = self.vectors
        marked = self.store.vector_sets()
        if report_ids is None:
            todo = sorted(r for r in self.store.report_ids() if marked.get(r) != vectors.name)
        else:
            todo = sorted(set(report_ids))
        have = set(vectors.chunk_ids()) if report_ids is None else set()
        for report_id in todo:
            chunks = [chunk for chunk, _ in self.store.chunks([report_id])]
            embeddings = None if chunks and all(c.id in have for c in chunks) else self._embed(chunks)
            with self._lock, self.store.lock:
                if self.store.has_report(report_id):  # not deleted meanwhile
                    if embeddings is not None:
                        vectors.add(chunks, embeddings)
                    with self.store.transaction() as db:
                        self.store.mark_vectors(db, [report_id], vectors.name)
        return len(todo)

    def remove_report(self, report_id: str) -> bool:
        """Remove a report from all three stores; False when it was not stored.

        SQLite first (the truth), then its vectors; a kill in between leaves orphan vectors,
        which the next open removes. The BM25 index follows the store's generation.
        """
        with self._lock, self.store.lock:
            removed = self.store.delete_report(report_id)
            if removed and self.has_vectors():
                self.vectors.delete_reports([report_id])
            if REPORT_ID.fullmatch(report_id):
                original_path(self.data_dir, report_id).unlink(missing_ok=True)
                positions_path(self.data_dir, report_id).unlink(missing_ok=True)
        return removed

    def ingest(
        self, paths: Iterable[Path], progress: bool = True, embed: bool = True, jobs: int | None = None,
        use_ray: bool = False, ray_address: str | None = None,
    ) -> list[IngestResult]:
        """Ingest files and folders (recursively); BM25 is refreshed once at the end.

        Files are parsed on `jobs` processes (None: every core; 1: this process only) and written
        from this one, in order; the chunks of several reports are embedded in one call. With
        `embed=False` the vectors are left for `backfill_vectors()`. `use_ray` parses (and
        embeds) on a Ray cluster's workers instead (`index.ray_backend`); this process stays the
        one writer of the stores.
        """
        files = expand_paths(paths)
        from index.doctor import startup_check  # the doctor uses this module's Library

        startup_check(self, "ingest")
        columns = (TextColumn("[bold]入库[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        results: list[IngestResult | None] = [None] * len(files)
        with Progress(*columns, disable=not progress, transient=False) as bar:
            task = bar.add_task("", total=len(files))
            for index, result in self._ingest_ordered(files, embed, jobs, use_ray, ray_address):
                results[index] = result
                bar.update(task, description=files[index].name[:40])
                bar.advance(task)
        done = [r for r in results if r is not None]
        if any(r.status == "ingested" for r in done):
            _ = self.bm25  # rebuild now, not at the first question
        return done

    def _ingest_ordered(
        self, files: list[Path], embed: bool, jobs: int | None, use_ray: bool = False, ray_address: str | None = None
    ) -> Iterator[tuple[int, IngestResult]]:
        """(index in `files`, result), in order: parsed on `jobs` processes, embedded in batches."""
        stored = set(self.store.report_ids())
        todo: list[tuple[int, _PrepareJob]] = []
        for index, path in enumerate(files):
            if not path.exists():
                yield index, IngestResult(path, "failed", f"{path.name}: 文件不存在")
            elif path.is_dir():
                yield index, IngestResult(path, "failed", f"{path.name}: 文件夹中没有支持的报告文件")
            else:
                job = self._job(path, stored=stored)
                # On Ray the workers embed too: the model is loaded once per worker, and this
                # process, the writer, only writes.
                todo.append((index, replace(job, embedding=self.settings.embedding) if use_ray and embed else job))
        if any(not job.stored for _, job in todo):
            tokenize("预热")  # jieba's dictionary loads here once; forked workers inherit it
        batch: list[tuple[int, _Prepared]] = []
        prepared_all = map_ordered(
            _prepare, [job for _, job in todo], jobs=jobs, use_ray=use_ray, ray_address=ray_address
        )
        for (index, _), prepared in zip(todo, prepared_all, strict=True):
            if isinstance(prepared, IngestResult):
                yield index, prepared
                continue
            batch.append((index, prepared))
            if not embed or sum(len(p.parsed.chunks) for _, p in batch) >= _EMBED_BATCH_CHUNKS:
                yield from self._write_batch(batch, embed)
                batch = []
        yield from self._write_batch(batch, embed)

    def _write_batch(self, batch: list[tuple[int, _Prepared]], embed: bool) -> Iterator[tuple[int, IngestResult]]:
        """Embed the chunks of several parsed reports in one call, then write each report."""
        if not batch:
            return
        vectors: list[list[float]] = []
        if embed and all(p.vectors is not None and p.model == self.embedder.slug for _, p in batch):
            vectors = [v for _, p in batch for v in p.vectors or []]  # embedded by the Ray workers
        elif embed:
            vectors = self._embed([c for _, p in batch for c in p.parsed.chunks])
        at = 0
        for index, prepared in batch:
            n = len(prepared.parsed.chunks)
            own = vectors[at: at + n] if embed else None
            at += n
            yield index, self._write(prepared, own)


# The chunks embedded in one model call at ingest: a few reports' worth, so that small reports
# fill the model's batches, while the reports waiting to be written stay few.
_EMBED_BATCH_CHUNKS = 512


@dataclass(frozen=True)
class _PrepareJob:
    """What reading one file needs, sent to a worker process (plain, picklable data)."""

    path: Path
    source_name: str | None
    max_bytes: int
    chunk_chars: int
    limits: LimitSettings
    stored: bool  # its bytes are stored already: read it (to report a bad file as before), don't parse
    embedding: EmbeddingSettings | None = None  # set: embed the chunks here too (a Ray worker)


@dataclass
class _Prepared:
    """A file parsed and tokenised for BM25, ready to embed and write."""

    path: Path
    parsed: ParsedReport
    tokens: list[list[str]]
    vectors: list[list[float]] | None = None  # the chunks' embeddings, when the worker made them
    model: str = ""  # the slug of the model that made them (the writer checks it is its own)


def _prepare(job: _PrepareJob) -> _Prepared | IngestResult:
    """Load, parse and tokenise one file (no writes); an IngestResult when it is bad or known."""
    path = job.path
    name = job.source_name or path.name
    try:
        doc = load_document(path, job.max_bytes, job.source_name, limits=job.limits)
        data = path.read_bytes()
        report_id = report_id_for(data)
        if job.stored:
            return IngestResult(path, "unchanged", "已入库，内容未变", report_id)
        parsed = parse_document(doc, data, job.chunk_chars, job.limits)
        if not parsed.figures and parsed.report.year is None:
            raise LoadError(f"{name}: 不像一份部门决算（没有找到年度、单位或任何数字）")
    except LoadError as exc:
        return IngestResult(path, "failed", str(exc))
    except Exception as exc:
        log.exception("unexpected error parsing %s", name)
        return IngestResult(path, "failed", f"{name}: 解析失败（{type(exc).__name__}: {exc}）")
    tokens = [_chunk_tokens(f"{c.heading}\n{c.text}") for c in parsed.chunks]
    if job.embedding is None:
        return _Prepared(path, parsed, tokens)
    embedder = load_embedder(job.embedding)  # loaded once per worker process
    texts = [f"{c.heading}\n{c.text}" for c in parsed.chunks]
    vectors = embedder.embed_documents(texts, job.embedding.batch_size) if texts else []
    return _Prepared(path, parsed, tokens, vectors, embedder.slug)


# Lines tokenised in this process: a chunk repeats its section's heading and a table chunk its
# table's title and header row, and reports of one template share many lines.
_LINE_TOKENS: dict[str, list[str]] = {}
_LINE_TOKENS_MAX = 50_000


def _chunk_tokens(text: str) -> list[str]:
    """`tokenize(text)`, line by line through a cache. The same terms: jieba never joins words
    across a line break, and the normalisation before it works character by character."""
    terms: list[str] = []
    for line in text.split("\n"):
        cached = _LINE_TOKENS.get(line)
        if cached is None:
            if len(_LINE_TOKENS) >= _LINE_TOKENS_MAX:
                _LINE_TOKENS.clear()
            cached = _LINE_TOKENS[line] = tokenize(line)
        terms.extend(cached)
    return terms


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
