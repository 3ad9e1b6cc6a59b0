"""The doctor: do the derived stores hold what SQLite says, and if not, rebuild them from it.

SQLite is the truth (`index.store`). Two stores are derived from its chunks:

- the BM25 index (`data_dir/bm25`), saved with the store generation it was built from. An index
  whose generation is behind (or that is missing or unreadable) is *stale*: every reader
  rebuilds it before searching, so it is reported but is not an inconsistency. An index that
  claims the current generation must hold exactly the stored chunks.
- the vectors (ChromaDB, `data_dir/chroma`, one collection per embedding model). SQLite records
  which reports' vectors were stored, and in which collection (`vector_sets`): those must all be
  there. A report ingested without a model (dense retrieval off) has none and needs none, the
  way retrieval treats it. Vectors of chunks SQLite does not hold are orphans of an interrupted
  ingest.

`diagnose` compares sets of chunk ids per report (no embedding, no BM25 scoring: ids and counts
only, so ingest and the app run it at start-up); `repair` rebuilds what is missing and removes
what is extra, under the writer lock, re-embedding only the reports whose vectors are missing.
`juesuan doctor` is the command line over both.

The kept originals of PDF reports (`data_dir/originals`, which the app draws a quote's page
from) are not a derived store: a PDF report without one is only a note (the app then shows its
quotes as text; ingesting the same file again keeps it), and `repair` deletes an original whose
report is no longer stored.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from index.bm25 import BM25Index, leftovers, remove_leftovers
from index.originals import ORIGINALS, original_path, positions_path

if TYPE_CHECKING:
    from index.ingest import Library

__all__ = ["Diagnosis", "diagnose", "repair", "startup_check"]

log = logging.getLogger(__name__)


@dataclass
class Diagnosis:
    """What the derived stores lack or hold in excess, per store and report (chunk counts)."""

    data_dir: Path
    reports: int = 0
    chunks: int = 0
    missing: dict[str, dict[str, int]] = field(default_factory=lambda: {"bm25": {}, "vectors": {}})
    extra: dict[str, dict[str, int]] = field(default_factory=lambda: {"bm25": {}, "vectors": {}})
    bm25_stale: bool = False
    vector_reports: int = 0
    leftovers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        """True when no store lacks or holds extra chunks (a stale BM25 index is rebuilt on use)."""
        return not any(self.missing.values()) and not any(self.extra.values())

    def to_json(self) -> dict:
        """The `juesuan doctor --json` object."""
        return {
            "consistent": self.consistent,
            "data_dir": str(self.data_dir),
            "sqlite": {"reports": self.reports, "chunks": self.chunks, "reports_with_vectors": self.vector_reports},
            "missing": self.missing,
            "extra": self.extra,
            "bm25_stale": self.bm25_stale,
            "leftovers": self.leftovers,
            "notes": self.notes,
        }

    def summary(self) -> str:
        """One line: consistent, or what each store lacks and holds in excess."""
        if self.consistent:
            return f"{self.data_dir}: consistent ({self.reports} reports, {self.chunks} chunks)"
        parts = []
        for kind, table in (("lacks", self.missing), ("has extra", self.extra)):
            for store, per_report in table.items():
                if per_report:
                    parts.append(f"{store} {kind} {sum(per_report.values())} chunk(s) of {len(per_report)} report(s)")
        return f"{self.data_dir}: inconsistent: {'; '.join(parts)}"


def _report_of(chunk_id: str) -> str:
    return chunk_id.rpartition(":")[0] or chunk_id


def _count(chunk_ids: set[str], owner: dict[str, str]) -> dict[str, int]:
    return dict(Counter(owner.get(cid) or _report_of(cid) for cid in chunk_ids))


def diagnose(library: Library, quick: bool = False) -> Diagnosis:
    """Compare the chunk ids of SQLite, the BM25 index and the vector collections.

    `quick` (start-up) reads only the BM25 index's list of ids, not the index itself.
    """
    store = library.store
    with library._lock, store.snapshot():
        generation = store.generation()
        owner = store.chunk_ids()
        marked = store.vector_sets()
        reports = len(store.report_ids())
    found = Diagnosis(library.data_dir, reports=reports, chunks=len(owner), vector_reports=len(marked))
    stored = set(owner)
    bm25_dir = library.data_dir / "bm25"
    found.leftovers = [p.name for p in leftovers(bm25_dir)]

    bm25_ids, bm25_generation = _bm25_ids(bm25_dir, quick)
    if bm25_ids is None or bm25_generation != generation:
        found.bm25_stale = bool(stored) or bm25_ids is not None
        if found.bm25_stale:
            found.notes.append("the BM25 index is behind the store: it is rebuilt before the next search")
    else:
        found.missing["bm25"] = _count(stored - bm25_ids, owner)
        found.extra["bm25"] = _count(bm25_ids - stored, owner)

    collections = _vector_ids(library, set(marked.values()))
    expected: dict[str, set[str]] = {}
    for cid, rid in owner.items():
        if rid in marked:
            expected.setdefault(marked[rid], set()).add(cid)
    missing_vectors: set[str] = set()
    extra_vectors: set[str] = set()
    for name in set(expected) | set(collections):
        have = set(collections.get(name, {}))
        missing_vectors |= expected.get(name, set()) - have
        extra_vectors |= have - stored
    found.missing["vectors"] = _count(missing_vectors, owner)
    found.extra["vectors"] = _count(extra_vectors, {**owner, **{c: r for v in collections.values() for c, r in v.items()}})
    if marked and not library.settings.chroma_url and not (library.data_dir / "chroma").is_dir():
        found.notes.append("the ChromaDB folder is gone: the vectors of every report are missing")
    if not quick:  # a full check: listing the reports' formats is too slow for every start-up
        found.notes.extend(_original_notes(library))
    return found


def _original_notes(library: Library) -> list[str]:
    """Notes on the kept originals of PDF reports: missing ones, and ones of no stored report."""
    pdfs = {r["id"] for r in library.store.reports() if r["format"] == "pdf"}
    missing = sorted(rid for rid in pdfs if not original_path(library.data_dir, rid).is_file())
    notes = []
    if missing:
        notes.append(f"{len(missing)} PDF report(s) have no kept original (stored before originals were kept, or"
                     f" it could not be written): the app shows their quotes as text; ingest the same file again"
                     f" to keep it ({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''})")
    if orphans := _orphan_originals(library):
        notes.append(f"{len(orphans)} kept original(s) belong to no stored report: `juesuan doctor --repair` removes them")
    return notes


def _orphan_originals(library: Library) -> list[Path]:
    """Files in data_dir/originals that are not the original of a stored report or its print
    positions (or are half written)."""
    folder = library.data_dir / ORIGINALS
    if not folder.is_dir():
        return []
    stored = library.store.report_ids()
    kept = {name for rid in stored for name in (f"{rid}.pdf", positions_path(library.data_dir, rid).name)}
    return sorted(p for p in folder.iterdir() if p.name not in kept)


def _bm25_ids(folder: Path, quick: bool) -> tuple[set[str] | None, int | None]:
    """The chunk ids and generation of the saved BM25 index; (None, None) when none can be read."""
    if quick:
        try:
            meta = json.loads((folder / "meta.json").read_text())
            return set(meta["ids"]), int(meta["generation"])
        except (OSError, ValueError, KeyError, TypeError):
            return None, None
    index = BM25Index.load(folder)
    return (set(index.ids), index.generation) if index is not None else (None, None)


def _vector_ids(library: Library, names: set[str]) -> dict[str, dict[str, str]]:
    """Chunk id → report id of every vector, per collection; {} when Chroma was never created.

    Opens ChromaDB only when its folder exists (it is created by the first stored vector); a
    Chroma server (`chroma_url`) is always asked, and one that does not answer raises
    `index.vectors.VectorStoreUnavailable`.
    """
    url = library.settings.chroma_url
    if not url and not (library.data_dir / "chroma").is_dir():
        return {}
    from index.vectors import stored_vector_ids

    return stored_vector_ids(library.data_dir, url)


def repair(library: Library, embed: bool = True) -> Diagnosis:
    """Rebuild from SQLite what the derived stores lack, remove what they hold in excess, and
    clean the leftovers of killed writers; returns the diagnosis afterwards.

    Holds the writer lock throughout. Missing vectors are re-embedded with the embedding model
    in use (loaded here); with `embed=False` they are left (and still reported).
    """
    with library._lock, library.store.lock:
        before = diagnose(library)
        remove_leftovers(library.data_dir / "bm25")
        if before.bm25_stale or any(before.missing["bm25"].values()) or any(before.extra["bm25"].values()):
            _rebuild_bm25(library)
        if not library.settings.chroma_url and not (library.data_dir / "chroma").is_dir():
            _forget_chroma(library)
        if before.extra["vectors"]:
            from index.vectors import delete_vector_ids

            delete_vector_ids(library.data_dir, set(library.store.chunk_ids()), library.settings.chroma_url)
        if before.missing["vectors"] and embed:
            library.backfill_vectors(report_ids=before.missing["vectors"])
        for orphan in _orphan_originals(library):
            orphan.unlink(missing_ok=True)
        after = diagnose(library)
    log.info("doctor repair: %s", after.summary())
    return after


def _rebuild_bm25(library: Library) -> None:
    store = library.store
    with store.snapshot():
        generation = store.generation()
        pairs = store.chunks()
    index = BM25Index.build([c.id for c, _ in pairs], [t for _, t in pairs], generation)
    index.save(library.data_dir / "bm25")
    library._bm25 = index


def _forget_chroma(library: Library) -> None:
    """Drop this process's handle on a ChromaDB folder that was deleted under it, so the next
    open creates a fresh one instead of writing into the removed files."""
    library._vectors = None
    import sys

    if "chromadb" in sys.modules:  # else this process never opened it: nothing to forget
        from chromadb.api.shared_system_client import SharedSystemClient

        SharedSystemClient.clear_system_cache()


def startup_check(library: Library, who: str, repair_now: bool = False, embed: bool = True) -> Diagnosis:
    """The quick check ingest and the app run before they start; one log line when inconsistent.

    With `repair_now` (the app) what is wrong is repaired at once (vectors re-embedded only
    with `embed`, i.e. when dense retrieval uses them).
    """
    try:
        found = diagnose(library, quick=True)
    except Exception as exc:  # noqa: BLE001 - a check must never stop the start
        log.warning("%s: could not check the stores of %s (%s: %s)", who, library.data_dir, type(exc).__name__, exc)
        return Diagnosis(library.data_dir)
    if found.consistent:
        return found
    if repair_now:
        log.warning("%s: %s; repairing", who, found.summary())
        return repair(library, embed=embed)
    log.warning("%s: %s; run `juesuan doctor --repair --data-dir %s`", who, found.summary(), library.data_dir)
    return found
