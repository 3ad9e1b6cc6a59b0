"""`kill -9` of `juesuan ingest` at random moments: what was committed stays, the stores agree
(per `juesuan doctor`), and running the ingest again completes it (issue 13, the campaign).

Seeded: the delays are the same on every run. Most kills hit an ingest that stores no vectors
(see helpers.NO_EMBED: the embedding model alone takes 15 s to load on a busy machine); one more
hits the unchanged command while it writes vectors.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from index.doctor import diagnose
from index.ingest import Library
from index.settings import Settings
from tests.reliability.helpers import ENV, ROOT, corpus_folder, doctor, juesuan, run, stored_chunks

REPORTS = [f"{i:03d}.txt" for i in range(11, 21)]
KILLS = 20


def _kill_after(argv: list[str], delay: float) -> bool:
    """Start a command and SIGKILL it after `delay` seconds; False when it finished first."""
    proc = subprocess.Popen(argv, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        return True
    assert proc.returncode == 0, proc.stderr.read().decode()[-2000:] if proc.stderr else ""
    return False


def _assert_whole(data_dir: Path, reference: dict[str, int]) -> None:
    """Every stored report is complete (as many chunks as a clean ingest gives), SQLite is
    intact, and the derived stores agree with it."""
    if not (data_dir / "juesuan.sqlite").exists():
        return
    db = sqlite3.connect(data_dir / "juesuan.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    stored = stored_chunks(data_dir)
    assert all(stored[rid] == reference[rid] for rid in stored), (stored, reference)
    library = Library(Settings(data_dir=data_dir))
    found = diagnose(library)
    library.close()
    assert found.consistent, found.to_json()


def test_sigkill_at_random_moments_of_an_ingest(tmp_path: Path) -> None:
    rng = random.Random(1313)
    folder = corpus_folder(tmp_path / "reports", REPORTS)
    reference_dir = tmp_path / "reference"
    started = time.monotonic()
    done = run("ingest", str(folder), "--data-dir", str(reference_dir), "-q", embed=False)
    full = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    reference = stored_chunks(reference_dir)
    assert len(reference) == len(REPORTS)

    kills, rounds, data_dir = 0, 0, tmp_path / "data-0"
    while kills < KILLS:
        argv = juesuan("ingest", str(folder), "--data-dir", str(data_dir), "-q", embed=False)
        if _kill_after(argv, rng.uniform(0.3, full)):
            kills += 1
            _assert_whole(data_dir, reference)
        else:  # it got to the end: start again on a fresh directory, to be killed anew
            assert stored_chunks(data_dir) == reference
            rounds += 1
            data_dir = tmp_path / f"data-{rounds}"
    # The last killed directory: doctor agrees, and running the ingest again completes it.
    code, found = doctor(data_dir)
    assert code == 0 and found["consistent"] is True, found
    again = run("ingest", str(folder), "--data-dir", str(data_dir), "-q", embed=False)
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert stored_chunks(data_dir) == reference
    assert doctor(data_dir)[0] == 0


def test_sigkill_while_vectors_are_written(tmp_path: Path) -> None:
    """The unchanged `juesuan ingest`, killed once it has begun writing vectors."""
    rng = random.Random(1314)
    folder = corpus_folder(tmp_path / "reports", REPORTS[:4])
    data_dir = tmp_path / "data"
    for _ in range(1):
        proc = subprocess.Popen(
            juesuan("ingest", str(folder), "--data-dir", str(data_dir), "-q"),
            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 240
        while not (data_dir / "chroma").exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        code, found = doctor(data_dir)
        assert all(not per_report for per_report in found["missing"].values()), found  # nothing committed lost
        if code != 0:  # vectors of the file being written when it died: removed by --repair
            code, found = doctor(data_dir, "--repair")
            assert code == 0 and found["consistent"] is True, found
    done = run("ingest", str(folder), "--data-dir", str(data_dir), "-q")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    code, found = doctor(data_dir)
    assert code == 0 and found["sqlite"]["reports"] == 4 and found["sqlite"]["reports_with_vectors"] == 4
    library = Library(Settings(data_dir=data_dir))
    assert library.vectors.count() == sum(stored_chunks(data_dir).values())
    library.close()
