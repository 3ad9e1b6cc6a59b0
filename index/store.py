"""The SQLite store: reports, sections, tables, figures and chunks, queryable across reports.

SQLite is the source of truth of what is ingested. A report is written in one transaction, so
a failure or an interrupt leaves the database as it was. The vector store and the BM25 index
are derived from it: anything they hold for a report SQLite does not know is an orphan of an
interrupted ingest, and is cleaned or rebuilt (see `index.ingest` and `index.doctor`).

Several processes may share one data directory (two `juesuan ingest`, the app). Every write
(ingest, removal, repair, creating the stores) holds the data directory's writer lock
(`writer_lock`, the file `juesuan.lock`): writers take turns, readers never wait. SQLite also
records, in the same transaction as the report, whether an upload is private to its session
(`private_reports`) and whether its chunks' vectors were stored (`vector_sets`), so that a
failure or a kill can never publish a private upload or leave a report's vectors unaccounted.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from filelock import FileLock, Timeout

from index.models import Cell, Chunk, Figure, Gap, ParsedReport, Report, Section, Table

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY, source_name TEXT NOT NULL, format TEXT NOT NULL, title TEXT,
    department TEXT, year INTEGER, pages INTEGER, text TEXT NOT NULL,
    page_starts TEXT NOT NULL, ingested_at TEXT NOT NULL DEFAULT (datetime('now')),
    gaps TEXT NOT NULL DEFAULT '[]', ocr_pages TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE IF NOT EXISTS sections (
    report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, id INTEGER NOT NULL,
    parent INTEGER, level INTEGER NOT NULL, marker TEXT NOT NULL, title TEXT NOT NULL,
    path TEXT NOT NULL, title_path TEXT NOT NULL, page INTEGER, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, inferred INTEGER NOT NULL, PRIMARY KEY (report_id, id)
);
CREATE TABLE IF NOT EXISTS tables (
    report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, id INTEGER NOT NULL,
    title TEXT, kind TEXT, subject TEXT, unit TEXT, page INTEGER, section TEXT,
    header_rows INTEGER NOT NULL, rows TEXT NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    PRIMARY KEY (report_id, id)
);
CREATE TABLE IF NOT EXISTS figures (
    report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE, idx INTEGER NOT NULL,
    metric TEXT NOT NULL, label TEXT NOT NULL, subject TEXT, code TEXT, "column" TEXT,
    value TEXT NOT NULL, text TEXT NOT NULL, decimals INTEGER NOT NULL, unit TEXT NOT NULL,
    year INTEGER, compared_to INTEGER, role TEXT NOT NULL, basis TEXT, against TEXT, scope TEXT,
    direction TEXT, base TEXT, approximate INTEGER NOT NULL, source TEXT NOT NULL, table_id INTEGER, "row" INTEGER,
    col INTEGER, section TEXT NOT NULL, page INTEGER, box TEXT, start INTEGER NOT NULL,
    "end" INTEGER NOT NULL, quote TEXT NOT NULL, PRIMARY KEY (report_id, idx)
);
CREATE INDEX IF NOT EXISTS figures_metric ON figures (metric, year);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY, report_id TEXT NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, text TEXT NOT NULL, section TEXT NOT NULL, heading TEXT NOT NULL,
    page INTEGER, start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL,
    tokens TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_report ON chunks (report_id, idx);
-- Uploads private to the session that made them (the app's sessions and scopes). No foreign key:
-- a mark may be written for a report id before or without the report (it only ever hides).
CREATE TABLE IF NOT EXISTS private_reports (report_id TEXT PRIMARY KEY);
-- The reports whose chunk vectors are stored, and in which collection (one per embedding model).
CREATE TABLE IF NOT EXISTS vector_sets (
    report_id TEXT PRIMARY KEY REFERENCES reports(id) ON DELETE CASCADE, collection TEXT NOT NULL
);
"""

log = logging.getLogger(__name__)

LOCK_NAME = "juesuan.lock"
_LOCKS: dict[Path, FileLock] = {}
_LOCKS_GUARD = threading.Lock()


def writer_lock(data_dir: Path) -> FileLock:
    """The data directory's writer lock, one object per directory and process.

    It is an OS file lock on `data_dir/juesuan.lock` (released by the OS when a process dies,
    so a killed writer never leaves it held), re-entrant within a thread, and excludes other
    threads and processes. Use it as a context manager around every write.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    key = data_dir.resolve()
    with _LOCKS_GUARD:
        if key not in _LOCKS:
            _LOCKS[key] = _LoggingFileLock(str(key / LOCK_NAME))
        return _LOCKS[key]


class _LoggingFileLock(FileLock):
    """A FileLock that says, once per wait, that it waits for another writer."""

    def acquire(self, *args, **kwargs):  # type: ignore[override]
        if args or kwargs:
            return super().acquire(*args, **kwargs)
        try:
            return super().acquire(timeout=2)
        except Timeout:
            log.warning("waiting for another juesuan process writing %s", Path(self.lock_file).parent)
            return super().acquire()

_FIGURE_COLUMNS = (
    "metric", "label", "subject", "code", "column", "value", "text", "decimals", "unit", "year",
    "compared_to", "role", "basis", "against", "scope", "direction", "base", "approximate", "source",
    "table_id", "row", "col",
    "section", "page", "box", "start", "end", "quote",
)


class Store:
    """SQLite database of everything ingested, under `data_dir/juesuan.sqlite`."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data_dir = data_dir
        self.path = data_dir / "juesuan.sqlite"
        self.lock = writer_lock(data_dir)
        # Writers take turns under `lock`; the timeout covers a reader's checkpoint.
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys = ON")
        with self.lock:  # two first starts on one directory: one creates, the other finds
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
            self._db.commit()
        # Writes go through a connection of their own: a transaction's rows are seen by no reader
        # (the app's threads share `_db`) before it commits — a private upload is never listed
        # before its private mark, nor a report half written.
        self._writer: sqlite3.Connection | None = None

    def _migrate(self) -> None:
        """Add the columns later versions introduced to a store an earlier version created
        (its figures then have no basis, against or scope, and its reports no gaps)."""
        added = {
            "figures": ("basis TEXT", "against TEXT", "scope TEXT", "box TEXT"),
            "reports": ("gaps TEXT NOT NULL DEFAULT '[]'", "ocr_pages TEXT NOT NULL DEFAULT '[]'"),
        }
        for table, columns in added.items():
            have = {row["name"] for row in self._db.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column.split()[0] not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
                    if column.startswith("ocr_pages"):
                        # A report stored by a version that read scans but kept no list: its
                        # pages read by OCR are the pages of its figures that say so.
                        self._db.execute(
                            "UPDATE reports SET ocr_pages = (SELECT json_group_array(page) FROM (SELECT DISTINCT"
                            " page FROM figures WHERE report_id = reports.id AND source = 'ocr' AND page IS NOT NULL"
                            " ORDER BY page)) WHERE EXISTS (SELECT 1 FROM figures WHERE report_id = reports.id"
                            " AND source = 'ocr')"
                        )

    def close(self) -> None:
        """Close the database connections."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._db.close()

    def _write_connection(self) -> sqlite3.Connection:
        if self._writer is None:
            self._writer = sqlite3.connect(self.path, check_same_thread=False, timeout=60)
            self._writer.row_factory = sqlite3.Row
            self._writer.execute("PRAGMA foreign_keys = ON")
        return self._writer

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all (also on KeyboardInterrupt); under
        the writer lock."""
        with self.lock:
            db = self._write_connection()
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
            except BaseException:
                db.rollback()
                raise
            else:
                db.commit()

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """Reads inside see one committed state (a deferred read transaction), so that e.g. the
        generation and the chunks read for a BM25 build belong together."""
        self._db.execute("BEGIN")
        try:
            yield self._db
        finally:
            self._db.rollback()

    # --- writing -----------------------------------------------------------------------

    def generation(self) -> int:
        """A counter bumped by every change: derived indexes compare it to know they are stale."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row["value"]) if row else 0

    def add_report(
        self,
        db: sqlite3.Connection,
        parsed: ParsedReport,
        tokens: list[list[str]],
        private: bool = False,
        vectors: str | None = None,
    ) -> None:
        """Insert one parsed report (inside `transaction()`); `tokens` are the chunks' BM25 terms.

        `private` marks it private to the uploading session, in the same transaction: the report
        is never committed without its mark. `vectors` names the collection its chunk vectors
        were stored in (None: none were).
        """
        r = parsed.report
        db.execute(
            "INSERT INTO reports (id, source_name, format, title, department, year, pages, text, page_starts,"
            " gaps, ocr_pages) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (r.id, r.source_name, r.format, r.title, r.department, r.year, r.pages, r.text,
             json.dumps(parsed.page_starts),
             json.dumps([g.model_dump() for g in parsed.gaps], ensure_ascii=False), json.dumps(r.ocr_pages)),
        )
        db.executemany(
            'INSERT INTO sections VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
            [(r.id, s.id, s.parent, s.level, s.marker, s.title, s.path, s.title_path, s.page, s.start,
              s.end, int(s.inferred)) for s in parsed.sections],
        )
        db.executemany(
            "INSERT INTO tables VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(r.id, t.id, t.title, t.kind, t.subject, t.unit, t.page, t.section, t.header_rows,
              json.dumps([[c.model_dump() for c in row] for row in t.rows], ensure_ascii=False),
              t.start, t.end) for t in parsed.tables],
        )
        db.executemany(
            f"INSERT INTO figures (report_id, idx, {', '.join(_quote(c) for c in _FIGURE_COLUMNS)})"
            f" VALUES ({', '.join('?' * (len(_FIGURE_COLUMNS) + 2))})",
            [(r.id, i, *_figure_row(f)) for i, f in enumerate(parsed.figures)],
        )
        db.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(c.id, r.id, c.index, c.text, c.section, c.heading, c.page, c.start, c.end, c.kind,
              " ".join(tok)) for c, tok in zip(parsed.chunks, tokens, strict=True)],
        )
        if private:
            db.execute("INSERT OR IGNORE INTO private_reports VALUES (?)", (r.id,))
        if vectors is not None:
            self.mark_vectors(db, [r.id], vectors)
        self._bump(db)

    def delete_report(self, report_id: str) -> bool:
        """Remove a report and everything extracted from it (and its private mark); False when
        it was not there."""
        with self.transaction() as db:
            deleted = db.execute("DELETE FROM reports WHERE id = ?", (report_id,)).rowcount
            db.execute("DELETE FROM private_reports WHERE report_id = ?", (report_id,))
            if deleted:
                self._bump(db)
        return bool(deleted)

    def set_private(self, report_ids: Iterable[str], private: bool) -> None:
        """Mark reports private to their uploader, or lift the mark (sharing them)."""
        ids = [(rid,) for rid in report_ids]
        with self.transaction() as db:
            if private:
                db.executemany("INSERT OR IGNORE INTO private_reports VALUES (?)", ids)
            else:
                db.executemany("DELETE FROM private_reports WHERE report_id = ?", ids)

    def private_ids(self) -> set[str]:
        """Ids marked private (some may not, or no longer, be stored)."""
        return {row[0] for row in self._db.execute("SELECT report_id FROM private_reports")}

    def mark_vectors(self, db: sqlite3.Connection, report_ids: Iterable[str], collection: str) -> None:
        """Record (inside `transaction()`) that these reports' chunk vectors are in `collection`."""
        db.executemany(
            "INSERT INTO vector_sets VALUES (?, ?) ON CONFLICT(report_id) DO UPDATE SET collection = excluded.collection",
            [(rid, collection) for rid in report_ids],
        )

    def vector_sets(self) -> dict[str, str]:
        """Report id → the collection its vectors were stored in, for reports that have them."""
        return {row[0]: row[1] for row in self._db.execute("SELECT report_id, collection FROM vector_sets")}

    def chunk_ids(self) -> dict[str, str]:
        """Chunk id → report id, for every stored chunk (what the derived stores must hold)."""
        return {row[0]: row[1] for row in self._db.execute("SELECT id, report_id FROM chunks")}

    def _bump(self, db: sqlite3.Connection) -> None:
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('generation', '1') ON CONFLICT(key)"
            " DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    # --- reading -----------------------------------------------------------------------

    def has_report(self, report_id: str) -> bool:
        """True when a report with this id is stored."""
        return self._db.execute("SELECT 1 FROM reports WHERE id = ?", (report_id,)).fetchone() is not None

    def report_ids(self) -> set[str]:
        """Ids of all stored reports."""
        return {row["id"] for row in self._db.execute("SELECT id FROM reports")}

    def reports(self) -> list[dict]:
        """One summary row per report: id, department, year, file, and counts of what it holds."""
        rows = self._db.execute(
            """SELECT r.id, r.source_name, r.format, r.title, r.department, r.year, r.pages, r.ingested_at,
                r.ocr_pages,
                (SELECT COUNT(*) FROM sections s WHERE s.report_id = r.id) AS sections,
                (SELECT COUNT(*) FROM tables t WHERE t.report_id = r.id) AS tables,
                (SELECT COUNT(*) FROM figures f WHERE f.report_id = r.id) AS figures,
                (SELECT COUNT(*) FROM chunks c WHERE c.report_id = r.id) AS chunks
               FROM reports r ORDER BY r.department, r.year, r.source_name"""
        )
        return [dict(row) | {"ocr_pages": json.loads(row["ocr_pages"] or "[]")} for row in rows]

    def get_report(self, report_id: str) -> Report | None:
        """The stored report (with its canonical text), or None."""
        row = self._db.execute("SELECT * FROM reports WHERE id = ?", (report_id,)).fetchone()
        if row is None:
            return None
        return Report(
            id=row["id"], source_name=row["source_name"], format=row["format"], title=row["title"],
            department=row["department"], year=row["year"], pages=row["pages"], text=row["text"],
            ocr_pages=json.loads(row["ocr_pages"] or "[]"),
        )

    def find_reports(self, query: str) -> list[str]:
        """Report ids whose id starts with `query` or whose file name or department contains it."""
        rows = self._db.execute(
            "SELECT id FROM reports WHERE id LIKE ? OR source_name LIKE ? OR department LIKE ?",
            (f"{query}%", f"%{query}%", f"%{query}%"),
        )
        return [row["id"] for row in rows]

    def sections(self, report_id: str) -> list[Section]:
        """A report's sections in reading order."""
        rows = self._db.execute("SELECT * FROM sections WHERE report_id = ? ORDER BY id", (report_id,))
        return [
            Section(id=r["id"], parent=r["parent"], level=r["level"], marker=r["marker"], title=r["title"],
                    path=r["path"], title_path=r["title_path"], page=r["page"], start=r["start"],
                    end=r["end"], inferred=bool(r["inferred"]))
            for r in rows
        ]

    def tables(self, report_id: str) -> list[Table]:
        """A report's tables."""
        rows = self._db.execute("SELECT * FROM tables WHERE report_id = ? ORDER BY id", (report_id,))
        return [
            Table(id=r["id"], title=r["title"], kind=r["kind"], subject=r["subject"], unit=r["unit"],
                  page=r["page"], section=r["section"], header_rows=r["header_rows"],
                  rows=[[Cell(**c) for c in row] for row in json.loads(r["rows"])],
                  start=r["start"], end=r["end"])
            for r in rows
        ]

    def report_keys(self) -> list[dict]:
        """id, department and year of each report, in the order of `reports()`, without its counts
        (what retrieval's scope reads for every question: a millisecond, not a count per report)."""
        rows = self._db.execute("SELECT id, department, year FROM reports ORDER BY department, year, source_name")
        return [dict(row) for row in rows]

    def figure_places(
        self, metric: str, report_ids: Iterable[str] | None = None, project: bool = False
    ) -> list[tuple[str, int]]:
        """(report id, start) of the figures whose metric is exactly `metric` — or, with `project`,
        of a project's figures ("项目 指标" metrics starting with `metric` and a space, with a
        subject) — read through the metric index, without building the figures."""
        ids = list(report_ids) if report_ids is not None else None
        # A few reports: read them by their key, not every figure of the metric (a unary + keeps
        # SQLite off the metric index); many or all: through the metric index.
        column = "+metric" if ids is not None and len(ids) <= 50 else "metric"
        if project:
            where, args = [f"{column} >= ? AND {column} < ? AND subject IS NOT NULL AND subject != ''"], [
                metric + " ", metric + "!"]  # every name that starts with metric + " " (" " < "!")
        else:
            where, args = [f"{column} = ?"], [metric]
        if ids is not None:
            where.append(f"report_id IN ({', '.join('?' * len(ids))})" if ids else "0")
            args.extend(ids)
        rows = self._db.execute(f"SELECT report_id, start FROM figures WHERE {' AND '.join(where)}", args)
        return [(row[0], row[1]) for row in rows]

    def chunk_spans(self, report_ids: Iterable[str]) -> dict[str, list[tuple[str, int, int, int]]]:
        """Report id → (chunk id, index, start, end) of its chunks in order, without their text."""
        ids = list(report_ids)
        spans: dict[str, list[tuple[str, int, int, int]]] = {rid: [] for rid in ids}
        if ids:
            rows = self._db.execute(
                f"SELECT report_id, id, idx, start, end FROM chunks WHERE report_id IN ({', '.join('?' * len(ids))})"
                " ORDER BY report_id, idx", ids,
            )
            for row in rows:
                spans[row[0]].append((row[1], row[2], row[3], row[4]))
        return spans

    def metrics(self) -> set[str]:
        """The distinct metric names of all stored figures (without loading the figures)."""
        return {row[0] for row in self._db.execute("SELECT DISTINCT metric FROM figures")}

    def figures(
        self,
        report_ids: Iterable[str] | None = None,
        metric: str | None = None,
        year: int | None = None,
        role: str | None = None,
    ) -> list[Figure]:
        """Figures across reports, filtered by report, metric (substring), year and role."""
        where, args = [], []
        if report_ids is not None:
            ids = list(report_ids)
            where.append(f"report_id IN ({', '.join('?' * len(ids))})" if ids else "0")
            args.extend(ids)
        if metric:
            where.append("metric LIKE ?")
            args.append(f"%{metric}%")
        if year is not None:
            where.append("year = ?")
            args.append(year)
        if role:
            where.append("role = ?")
            args.append(role)
        sql = "SELECT * FROM figures" + (f" WHERE {' AND '.join(where)}" if where else "")
        rows = self._db.execute(sql + " ORDER BY report_id, idx", args)
        return [_figure_from_row(row) for row in rows]

    def chunks(self, report_ids: Iterable[str] | None = None) -> list[tuple[Chunk, list[str]]]:
        """Chunks with their BM25 tokens, in a stable order (report, index)."""
        sql, args = "SELECT * FROM chunks", []
        if report_ids is not None:
            ids = list(report_ids)
            sql += f" WHERE report_id IN ({', '.join('?' * len(ids))})" if ids else " WHERE 0"
            args = ids
        rows = self._db.execute(sql + " ORDER BY report_id, idx", args)
        return [
            (Chunk(id=r["id"], report_id=r["report_id"], index=r["idx"], text=r["text"], section=r["section"],
                   heading=r["heading"], page=r["page"], start=r["start"], end=r["end"], kind=r["kind"]),
             r["tokens"].split(" ") if r["tokens"] else [])
            for r in rows
        ]

    def load_parsed(self, report_id: str) -> ParsedReport | None:
        """Everything stored for one report, as the parser produced it."""
        report = self.get_report(report_id)
        if report is None:
            return None
        row = self._db.execute("SELECT page_starts, gaps FROM reports WHERE id = ?", (report_id,)).fetchone()
        return ParsedReport(
            report=report,
            sections=self.sections(report_id),
            tables=self.tables(report_id),
            figures=self.figures([report_id]),
            chunks=[c for c, _ in self.chunks([report_id])],
            page_starts=[tuple(p) for p in json.loads(row["page_starts"])],
            gaps=[Gap(**g) for g in json.loads(row["gaps"])],
        )


def _quote(name: str) -> str:
    return f'"{name}"'


def _figure_row(f: Figure) -> tuple:
    data = f.model_dump()
    data["value"] = str(f.value)
    data["approximate"] = int(f.approximate)
    data["box"] = ",".join(map(str, f.box)) if f.box else None
    return tuple(data[c] for c in _FIGURE_COLUMNS)


def _figure_from_row(row: sqlite3.Row) -> Figure:
    data = {c: row[c] for c in _FIGURE_COLUMNS}
    data["value"] = Decimal(row["value"])
    data["approximate"] = bool(row["approximate"])
    data["box"] = tuple(float(v) for v in row["box"].split(",")) if row["box"] else None
    return Figure(report_id=row["report_id"], **data)
