"""The files kept beside a stored PDF report, under `data_dir/originals/`: the PDF's own bytes
(`<report id>.pdf`), so the app can show a quote on its printed page and `juesuan check ID
--format pdf` can annotate it, and where each run of its text was printed
(`<report id>.positions.json.gz`), so neither has to parse the PDF again (for a scan that would
mean OCR'ing it again, seconds a page). Both are named by the report id (the hash of the bytes),
never by the name a file was uploaded under; written by `index.ingest` under the writer lock once
the report is committed, removed with it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from pathlib import Path

from index.models import Glyphs, ParsedReport, Report
from index.parse import report_id_for

log = logging.getLogger(__name__)

# The original PDFs, kept so the app can show a quote on its printed page (webui.page_view).
ORIGINALS = "originals"
REPORT_ID = re.compile(r"[0-9a-f]{16}")  # index.parse.report_id_for: 16 hex digits


def original_path(data_dir: Path, report_id: str) -> Path:
    """Where the original of a stored PDF report is kept: `data_dir/originals/<report id>.pdf`.
    Named by the id (the hash of its bytes), never by the name a file was uploaded under."""
    if not REPORT_ID.fullmatch(report_id):
        raise ValueError(f"not a report id: {report_id[:40]!r}")
    return data_dir / ORIGINALS / f"{report_id}.pdf"


def keep_original(data_dir: Path, path: Path, report_id: str) -> bool:
    """Copy a PDF report's bytes to `original_path` (the caller holds the writer lock and has
    committed the report); True when a copy was written. Only a PDF whose bytes still hash to
    `report_id` is kept; a failure is logged and leaves the ingest as it is (the app then shows
    the quote as text). Written to a temporary name and renamed, so a kill leaves no half file.
    """
    target = original_path(data_dir, report_id)
    if target.exists():
        return False
    try:
        data = path.read_bytes()
        if not data.startswith(b"%PDF") or report_id_for(data) != report_id:
            return False  # not a PDF, or changed since it was parsed
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, target)
    except OSError as exc:
        log.warning("could not keep the original of report %s: %s", report_id, exc.strerror or exc)
        return False
    return True


# A kept positions file is read only up to this size unpacked (a 100-page report's is ~1 MB).
MAX_POSITIONS_BYTES = 64 * 1024 * 1024


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def positions_path(data_dir: Path, report_id: str) -> Path:
    """Where the print positions of a stored PDF report are kept, beside its original."""
    return original_path(data_dir, report_id).with_suffix(".positions.json.gz")


def keep_positions(data_dir: Path, parsed: ParsedReport) -> bool:
    """Write where the parse found each run of a PDF report's text printed (its glyphs, the
    turns of straightened scans, the page of each offset) beside the kept original; True when
    written. Only with the original kept; a failure is logged and changes nothing else."""
    if not parsed.glyphs or not original_path(data_dir, parsed.report.id).is_file():
        return False
    target = positions_path(data_dir, parsed.report.id)
    data = {
        "text": _text_hash(parsed.report.text),  # the text the offsets point into
        "glyphs": [[g.start, g.end, g.page, g.top, g.bottom, g.xs] for g in parsed.glyphs],
        "turns": {str(page): list(turn) for page, turn in parsed.turns.items()},
        "page_starts": [list(pair) for pair in parsed.page_starts],
    }
    try:
        partial = target.with_name(f"{target.name}.partial")
        partial.write_bytes(gzip.compress(json.dumps(data, separators=(",", ":")).encode(), 6))
        os.replace(partial, target)
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not keep the print positions of report %s: %s", parsed.report.id, exc.strerror or exc)
        return False
    return True


def kept_positions(data_dir: Path, report: Report) -> ParsedReport | None:
    """The stored `report` with the print positions `keep_positions` wrote (no sections,
    tables, figures or chunks: what `ParsedReport.boxes` needs); None when none were kept or
    the file cannot be read or is not of this report's text (the caller then parses the PDF)."""
    path = positions_path(data_dir, report.id)
    try:
        with gzip.open(path, "rb") as fh:
            raw = fh.read(MAX_POSITIONS_BYTES + 1)
        if len(raw) > MAX_POSITIONS_BYTES:
            raise ValueError("too large")
        data = json.loads(raw)
        if data["text"] != _text_hash(report.text):
            raise ValueError("written for another text of the report (an earlier parse)")
        size = len(report.text)
        glyphs = [Glyphs(start=s, end=e, page=p, top=t, bottom=b, xs=xs) for s, e, p, t, b, xs in data["glyphs"]]
        if any(not 0 <= g.start < g.end <= size or len(g.xs) not in (2, 2 * (g.end - g.start)) for g in glyphs):
            raise ValueError("a run outside the text")
        turns = {int(page): (float(a), float(x), float(y)) for page, (a, x, y) in data["turns"].items()}
        starts = [(int(offset), int(page)) for offset, page in data["page_starts"]]
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged file of any shape (gzip, JSON, fields) is not used
        log.warning("could not read the print positions of report %s: %s", report.id, exc)
        return None
    return ParsedReport(report=report, sections=[], tables=[], figures=[], chunks=[], glyphs=glyphs,
                        turns=turns, page_starts=starts)
