"""What a browser session holds, and which stored reports it may read.

`new_session` is one session's state (its uploads and model settings); `Visibility` records
which uploads are private to the session that made them (docs/ui.md, sessions and scopes).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from index.settings import Settings
from index.store import Store

log = logging.getLogger(__name__)

LEGACY_FILE = "ui_private.json"


def new_session(settings: Settings | None = None) -> dict[str, Any]:
    """What one browser session holds: its uploads and its model settings (never shared).
    The model starts as the server's (JUESUAN_LLM__*); the server's key is never copied here."""
    llm = settings.llm if settings else None
    return {
        "uploads": [],
        "top_k": llm.context_passages if llm else 5,
        "llm": {"provider": llm.provider if llm else "auto", "endpoint": "", "model": "", "api_key": ""},
    }


class Visibility:
    """Which stored reports are private to the session that uploaded them.

    The marks live in SQLite (`index.store`, table `private_reports`), written in the same
    transaction as the uploaded report (`Library.ingest_file(private=True)`): a report is never
    committed, and so never visible, without its mark, and a restart does not turn an upload
    into a shared report. After a restart nobody owns them until they are uploaded again.

    Earlier versions kept the marks in `data_dir/ui_private.json`, written non-atomically. It is
    read once, on open, into SQLite and renamed `ui_private.json.migrated`. When it cannot be
    read (truncated, not a list of ids) it fails closed: every report stored at that moment is
    marked private (any of them might be one it listed), the file is renamed
    `ui_private.json.unreadable`, and a warning says so; a report is shared again by uploading
    it with 共享 ticked (docs/security.md).
    """

    def __init__(self, data_dir: Path, store: Store | None = None) -> None:
        self.store = store or Store(data_dir)
        self.lock = threading.Lock()
        self._migrate(data_dir / LEGACY_FILE)

    def _migrate(self, old: Path) -> None:
        if not old.exists():
            return
        with self.store.lock:  # two app processes starting at once migrate it once
            if not old.exists():
                return
            try:
                ids = json.loads(old.read_text(encoding="utf-8"))
                if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                    raise ValueError("not a list of report ids")
                target = old.with_name(old.name + ".migrated")
            except (OSError, ValueError) as exc:
                ids = sorted(self.store.report_ids())
                target = old.with_name(old.name + ".unreadable")
                log.warning(
                    "%s cannot be read (%s); every stored report (%d) is now private: upload one with"
                    " 共享 ticked to share it again",
                    old, exc, len(ids),
                )
            self.store.set_private(ids, True)  # committed before the old file is set aside
            os.replace(old, target)

    @property
    def private(self) -> set[str]:
        """The ids marked private."""
        return self.store.private_ids()

    def mark(self, report_id: str, shared: bool) -> None:
        """Record an upload as private (or shared, which also lifts an earlier private mark)."""
        with self.lock:
            self.store.set_private([report_id], not shared)

    def visible(self, all_ids: set[str], uploads: list[str]) -> set[str]:
        """The shared reports plus this session's own uploads."""
        return (all_ids - self.private) | (set(uploads) & all_ids)
