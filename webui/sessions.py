"""What a browser session holds, and which stored reports it may read.

`new_session` is one session's state (its uploads and model settings); `Visibility` records
which uploads are private to the session that made them (docs/ui.md, sessions and scopes).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from index.settings import Settings


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

    Private ids are kept in `data_dir/ui_private.json` so that a restart does not turn an
    upload into a shared report; after a restart nobody owns them until they are uploaded again.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "ui_private.json"
        self.lock = threading.Lock()
        try:
            self.private: set[str] = set(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            self.private = set()

    def mark(self, report_id: str, shared: bool) -> None:
        """Record an upload as private (or shared, which also lifts an earlier private mark)."""
        with self.lock:
            (self.private.discard if shared else self.private.add)(report_id)
            self.path.write_text(json.dumps(sorted(self.private)), encoding="utf-8")

    def visible(self, all_ids: set[str], uploads: list[str]) -> set[str]:
        """The shared reports plus this session's own uploads."""
        return (all_ids - self.private) | (set(uploads) & all_ids)
