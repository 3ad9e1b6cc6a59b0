"""One scorecard for every measurement: `juesuan eval` (docs/evaluation.md).

`run_scorecard` runs the suites (retrieval, qa, verify, rules) over the datasets and returns a
`Scorecard`; `render` prints it (rich table, Markdown, HTML); `compare` tells what got better or
worse between two saved runs.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from evals.quality.scorecard.model import (
    SUITES,
    Change,
    Metric,
    Scorecard,
    ScorecardError,
    compare,
    load_scorecard,
)
from evals.quality.scorecard.suites import Options, SuiteRunner

__all__ = ["REPO", "SUITES", "Change", "Metric", "Options", "Scorecard", "ScorecardError", "compare", "git_state",
           "load_scorecard", "run_scorecard"]

#: The checkout the code runs from (where the docs live).
REPO = Path(__file__).resolve().parents[3]


def git_state(repo: Path = REPO) -> tuple[str, bool]:
    """(`git rev-parse --short HEAD`, whether the working tree has changes) — ('unknown', False)
    outside a git checkout. Read only."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown", False
    return head or "unknown", bool(dirty)


def _cpu() -> float:
    """CPU seconds used so far by this process and its finished children (the mutation workers)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def run_scorecard(options: Options, progress: Callable[[str], None] = lambda _: None) -> Scorecard:
    """Run the suites of `options` over its datasets."""
    started, cpu = time.perf_counter(), _cpu()
    commit, dirty = git_state()
    card = Scorecard(
        date=datetime.now(UTC).isoformat(timespec="seconds"), commit=commit, uncommitted=dirty,
        suites=list(options.suites), datasets=[d.name for d in options.datasets], providers=list(options.providers),
        cores=os.cpu_count() or 0, load_average=[round(x, 2) for x in os.getloadavg()],
    )
    runner = SuiteRunner(options, progress)
    card.metrics = runner.run()
    card.notes = runner.notes
    card.seconds = {**runner.seconds, "total": round(time.perf_counter() - started, 1)}
    card.cpu_seconds = round(_cpu() - cpu, 1)
    return card
