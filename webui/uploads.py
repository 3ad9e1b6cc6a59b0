"""What happens to uploads after the ingest (docs/security.md, "Uploads"): Gradio's own copy of
the file is deleted, a session can remove its private uploads, and private uploads older than
the retention period (JUESUAN_UI__UPLOAD_RETENTION_DAYS) are removed at start-up.

Removal itself is `index.ingest.Library.remove_report` (SQLite, then vectors, under the data
directory's writer lock; BM25 follows the store's generation).
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from index.ingest import Library

log = logging.getLogger("app")

__all__ = ["discard_upload_copy", "expired_uploads", "remove_expired_uploads", "upload_folder"]


def upload_folder() -> Path:
    """Where Gradio keeps the files a browser uploads (GRADIO_TEMP_DIR, else <tmp>/gradio)."""
    from gradio.utils import get_upload_folder

    return Path(get_upload_folder()).resolve()


def discard_upload_copy(path: Path, folder: Path | None = None) -> bool:
    """Delete Gradio's copy of an uploaded file (and its folder when that is left empty).

    Only a file inside Gradio's upload folder is touched: a path from anywhere else (a test, a
    caller's own file) is left alone. True when a copy was deleted.
    """
    folder = (folder or upload_folder()).resolve()
    try:
        resolved = path.resolve()
    except OSError:
        return False
    if folder not in resolved.parents or not resolved.is_file():
        return False
    try:
        resolved.unlink()
    except OSError as exc:
        log.warning("could not delete the uploaded copy %s: %s", resolved.name, exc.strerror or exc)
        return False
    parent = resolved.parent
    if parent != folder:
        try:
            os.rmdir(parent)  # Gradio puts each upload in a folder of its own; only when empty
        except OSError:
            pass
    return True


def expired_uploads(library: Library, days: float, now: datetime | None = None) -> list[str]:
    """Ids of the private uploads stored more than `days` days ago (none when days is 0)."""
    if days <= 0:
        return []
    cutoff = (now or datetime.now(UTC)).replace(tzinfo=None) - timedelta(days=days)
    private = library.store.private_ids()
    expired = []
    for row in library.store.reports():
        if row["id"] not in private:
            continue
        try:
            stored = datetime.fromisoformat(row["ingested_at"])  # SQLite's datetime('now'): UTC
        except (TypeError, ValueError):
            continue
        if stored < cutoff:
            expired.append(row["id"])
    return expired


def remove_expired_uploads(library: Library, days: float, now: datetime | None = None) -> list[str]:
    """Remove the private uploads older than `days` days; returns their ids."""
    removed = [rid for rid in expired_uploads(library, days, now) if library.remove_report(rid)]
    if removed:
        log.info("removed %d private upload(s) older than %g days (JUESUAN_UI__UPLOAD_RETENTION_DAYS)",
                 len(removed), days)
    return removed
