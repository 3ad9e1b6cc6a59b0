"""Time and memory budgets for hostile-input tests: a slow input fails its test instead of hanging CI."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class OverBudget(AssertionError):
    """An input took longer or more memory than its budget."""


@contextmanager
def time_limit(seconds: int, what: str = "") -> Iterator[None]:
    """Fail with OverBudget when the block runs longer than `seconds` (SIGALRM: `re` checks
    signals while it backtracks, so a catastrophic regex is interrupted too)."""

    def expire(signum, frame):
        raise OverBudget(f"over {seconds} s: {what}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def memory_limit(megabytes: int, what: str = "") -> Iterator[None]:
    """Fail when the Python allocations of the block peak above `megabytes` (tracemalloc)."""
    tracemalloc.start()
    try:
        yield
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if peak > megabytes * 1024 * 1024:
        raise OverBudget(f"peak {peak / 1e6:.0f} MB over {megabytes} MB: {what}")


def run_cli(args: list[str], *, timeout: int = 120, memory_mb: int = 2048, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `juesuan ARGS` in a child process whose address space is capped at `memory_mb`; fail
    with OverBudget when it runs over `timeout` seconds."""

    def cap() -> None:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        return subprocess.run(
            [sys.executable, "-c", "import juesuan_cli; juesuan_cli.main()", *args],
            check=False, capture_output=True, text=True, timeout=timeout, preexec_fn=cap, cwd=cwd or ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})},
        )
    except subprocess.TimeoutExpired as exc:
        raise OverBudget(f"juesuan {' '.join(args)} ran over {timeout} s") from exc
