"""Coverage-guided fuzzing of the loaders with atheris (libFuzzer), for long runs by hand.

    pip install atheris      # a wheel for CPython 3.11 on Linux x86-64
    python tests/fuzz/atheris_loaders.py -max_total_time=600 -rss_limit_mb=2048 [corpus_dir]

Not a CI test (it runs until stopped); the bounded, reproducible tests are the hypothesis ones
next to it. Each input is written under each supported suffix and must end in a result or a
LoadError naming the file; anything else, a hang past -timeout or memory past -rss_limit_mb is
a crash libFuzzer saves for replay.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from index.loaders import SUPPORTED_SUFFIXES, LoadError, load_document
    from index.parse import parse_document

_FOLDER = Path(tempfile.mkdtemp(prefix="juesuan-atheris-"))


def one_input(data: bytes) -> None:
    """Load and parse `data` as every kind of report file."""
    if not data:
        return
    suffix = SUPPORTED_SUFFIXES[data[0] % len(SUPPORTED_SUFFIXES)]
    path = _FOLDER / f"input{suffix}"
    path.write_bytes(data[1:] or b"\n")
    try:
        parse_document(load_document(path, 50 * 1024 * 1024), path.read_bytes())
    except LoadError as exc:
        if not str(exc).startswith(f"{path.name}: "):
            raise AssertionError(f"error without the file's name: {exc}") from None


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
