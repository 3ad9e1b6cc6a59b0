"""What to check: a report file, a folder of them, or an ingested report named by id, id prefix,
file name or department — the one resolver of `juesuan check` and `juesuan verify`.

Files are parsed without storing anything; every other argument is looked up in the store of
the data folder, which is opened only if it already exists (a check never creates one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Self

from evals.audit.pairing import Edition, last_year
from index.models import ParsedReport

if TYPE_CHECKING:
    from index.store import Store


@dataclass(frozen=True)
class Source:
    """One report to check: a file on disk or a report already in the store."""

    label: str  # the path as given (a folder's files under it), or the stored file name
    path: Path | None = None
    report_id: str | None = None


class ReportInputs:
    """Resolves arguments to reports and loads them one at a time (memory stays flat over a
    folder of thousands). Close it when done: it closes the store it opened."""

    def __init__(self, data_dir: Path | None, max_bytes: int = 50 * 1024 * 1024, chunk_chars: int = 500) -> None:
        self.data_dir = data_dir
        self.max_bytes = max_bytes
        self.chunk_chars = chunk_chars
        self._store: Store | None = None
        self._rows: list[dict] | None = None

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_store(self) -> Store | None:
        if self._store is None and self.data_dir is not None and (self.data_dir / "juesuan.sqlite").is_file():
            from index.store import Store

            self._store = Store(self.data_dir)
        return self._store

    def resolve(self, args: list[str]) -> tuple[list[Source], list[str]]:
        """Sources for the arguments, in order, and one line per argument that names nothing.

        An existing path is a file, or a folder whose supported report files (recursively, sorted)
        are all checked. Anything else is looked up in the store: an id prefix, or part of a file
        name or department (every match is checked)."""
        from index.loaders import SUPPORTED_SUFFIXES

        sources: list[Source] = []
        failures: list[str] = []
        seen: set[tuple[str | None, str | None]] = set()

        def add(source: Source) -> None:
            key = (str(source.path.resolve()) if source.path else None, source.report_id)
            if key not in seen:
                seen.add(key)
                sources.append(source)

        for arg in args:
            path = Path(arg).expanduser()
            if path.is_dir():
                found = sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                )
                if not found:
                    failures.append(f"{arg}: 文件夹中没有支持的报告文件")
                for p in found:
                    add(Source(label=str(p), path=p))
            elif path.exists():
                add(Source(label=arg, path=path))
            else:
                store = self._open_store()
                ids = store.find_reports(arg) if store is not None and arg.strip() else []
                if not ids:
                    looks_like_path = "/" in arg or "\\" in arg or path.suffix.lower() in SUPPORTED_SUFFIXES
                    reason = "文件不存在" if looks_like_path else "文件不存在，也不是已入库报告的 id"
                    failures.append(f"{arg}: {reason}")
                for report_id in ids:
                    report = store.get_report(report_id) if store is not None else None
                    add(Source(label=report.source_name if report else report_id, report_id=report_id))
        return sources, failures

    def load(self, source: Source) -> ParsedReport:
        """Parse the file or load the stored report; raises LoadError with a line naming it."""
        from index.loaders import LoadError

        if source.path is not None:
            from index.parse import parse_file

            return parse_file(source.path, self.max_bytes, self.chunk_chars)
        store = self._open_store()
        parsed = store.load_parsed(source.report_id) if store is not None and source.report_id else None
        if parsed is None:
            raise LoadError(f"{source.label}: 已入库报告 {source.report_id} 无法读取")
        return parsed

    def printed(self, source: Source, parsed: ParsedReport) -> tuple[ParsedReport, Path | None]:
        """The report with where its text was printed, and its PDF file, for the formats that
        show the report itself (the annotated PDF): a file as it is; a stored PDF report from its
        kept original and the positions kept beside it (or, without them, the original parsed
        again). (parsed, None) when there is no PDF to show."""
        if source.path is not None:
            return parsed, source.path
        if parsed.report.format != "pdf" or self.data_dir is None or not source.report_id:
            return parsed, None
        from index.originals import kept_positions, original_path

        original = original_path(self.data_dir, source.report_id)
        if not original.is_file():
            return parsed, None
        kept = kept_positions(self.data_dir, parsed.report)
        if kept is not None:
            return parsed.model_copy(update={"glyphs": kept.glyphs, "turns": kept.turns}), original
        from index.loaders import LoadError

        try:
            again = self.load(Source(label=source.label, path=original))
        except LoadError:
            return parsed, None
        return (again, original) if again.report.text == parsed.report.text else (parsed, None)

    def previous_in_store(self, parsed: ParsedReport) -> tuple[str, ParsedReport] | None:
        """Last year's report for `parsed` among the ingested reports (pairing.last_year), as
        (its file name, the report); None without a store or such a report."""
        store = self._open_store()
        if store is None:
            return None
        if self._rows is None:
            self._rows = store.reports()
        editions = [Edition.of_row(r) for r in self._rows]
        chosen = last_year(Edition.of(parsed.report), editions)
        last = store.load_parsed(chosen.report_id) if chosen is not None else None
        return (last.report.source_name, last) if last is not None else None
