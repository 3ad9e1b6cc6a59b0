"""Ingest into the three stores: idempotent, all-or-nothing per file, bad input rejected cleanly."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from index.ingest import Library
from index.settings import Settings

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def _library(data_dir: Path, **overrides) -> Library:
    return Library(Settings(data_dir=data_dir, **overrides))


def _snapshot(data_dir: Path) -> dict:
    """Everything a user could observe in the stores: SQLite rows, vectors, BM25 generation."""
    snap: dict = {}
    db_path = data_dir / "juesuan.sqlite"
    if db_path.exists():
        db = sqlite3.connect(db_path)
        for table in ("reports", "sections", "tables", "figures", "chunks", "meta"):
            rows = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            snap[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
        db.close()
    library = _library(data_dir)
    snap["vectors"] = library.vectors.count()
    library.close()
    meta = data_dir / "bm25" / "meta.json"
    snap["bm25"] = json.loads(meta.read_text())["generation"] if meta.exists() else None
    return snap


def _pdf(path: Path, lines: list[str], encrypt: str | None = None) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(lines):
        c.drawString(60, 780 - 20 * i, line)
    c.save()
    return path


def _bad_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of bad input with a word its error message must contain."""
    folder.mkdir(exist_ok=True)
    empty = folder / "empty.txt"
    empty.write_bytes(b"")
    junk = folder / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 40)
    good_pdf = _pdf(folder / "whole.pdf", ["2023年度收、支总计均为1054.82万元。"])
    truncated = folder / "truncated.pdf"
    truncated.write_bytes(good_pdf.read_bytes()[: len(good_pdf.read_bytes()) // 2])
    encrypted = _pdf(folder / "encrypted.pdf", ["2023年度收、支总计均为1054.82万元。"], encrypt="secret")
    scanned = folder / "scanned.pdf"
    c = canvas.Canvas(str(scanned), pagesize=A4)
    c.rect(50, 50, 400, 600, fill=1)
    c.save()
    not_zip = folder / "notzip.docx"
    not_zip.write_text("这不是 Word 文件", encoding="utf-8")
    zip_no_doc = folder / "nodoc.docx"
    with zipfile.ZipFile(zip_no_doc, "w") as z:
        z.writestr("hello.txt", "hi")
    good_pdf.unlink()
    return {
        "empty": (empty, "空"),
        "junk": (junk, "不是文本文件"),
        "truncated": (truncated, "truncated.pdf"),
        "encrypted": (encrypted, "加密"),
        "scanned": (scanned, "OCR"),
        "not_zip": (not_zip, "zip"),
        "zip_no_doc": (zip_no_doc, "nodoc.docx"),
    }


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the seed ingested once (embedding is the slow part)."""
    data_dir = tmp_path_factory.mktemp("ingested")
    library = _library(data_dir)
    from tests.conftest import SEED

    results = library.ingest([SEED], progress=False)
    library.close()
    assert [r.status for r in results] == ["ingested"]
    return data_dir


def test_seed_lands_in_all_three_stores(ingested: Path) -> None:
    library = _library(ingested)
    [row] = library.store.reports()
    assert row["department"] == "米易县人民政府办公室" and row["year"] == 2023
    assert row["chunks"] > 50 and row["figures"] > 300 and row["tables"] >= 14
    assert library.vectors.count() == row["chunks"]
    hits = library.bm25.search("公务接待费为何下降", 3)
    assert hits and hits[0][0].startswith(row["id"])
    # Figures are queryable across reports by metric and year, with Decimal values as printed.
    [amount] = [f for f in library.store.figures(metric="公务接待费", year=2023, role="amount") if f.section.endswith("3.")][:1]
    assert str(amount.value) == "4.55" and amount.unit == "万元"
    library.close()


def test_reingest_same_bytes_is_a_no_op(ingested: Path) -> None:
    from tests.conftest import SEED

    before = _snapshot(ingested)
    library = _library(ingested)
    results = library.ingest([SEED], progress=False)
    library.close()
    assert [r.status for r in results] == ["unchanged"]
    assert _snapshot(ingested) == before


@pytest.mark.parametrize(
    "kind", ["empty", "junk", "truncated", "encrypted", "scanned", "not_zip", "zip_no_doc"]
)
def test_bad_input_is_named_and_changes_nothing(ingested: Path, tmp_path: Path, kind: str) -> None:
    path, word = _bad_files(tmp_path)[kind]
    before = _snapshot(ingested)
    library = _library(ingested)
    [result] = library.ingest([path], progress=False)
    library.close()
    assert result.status == "failed"
    assert result.message.startswith(path.name) and word.lower() in result.message.lower(), result.message
    assert _snapshot(ingested) == before


def test_file_over_the_size_limit(ingested: Path, tmp_path: Path) -> None:
    from tests.conftest import SEED

    big = tmp_path / "big.txt"
    big.write_text(SEED.read_text(encoding="utf-8") * 30, encoding="utf-8")  # ~1.3 MB
    before = _snapshot(ingested)
    library = _library(ingested, max_upload_mb=1)
    [result] = library.ingest([big], progress=False)
    library.close()
    assert result.status == "failed" and "过大" in result.message and "big.txt" in result.message
    assert _snapshot(ingested) == before


def test_interrupted_ingest_leaves_stores_as_before(ingested: Path, tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C between the vector write and the SQLite commit: nothing of the report remains."""
    from tests.conftest import SEED

    other = tmp_path / "other.txt"
    other.write_text(SEED.read_text(encoding="utf-8").replace("2023年度", "2024年度"), encoding="utf-8")
    before = _snapshot(ingested)
    library = _library(ingested)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(library.store, "add_report", interrupted)
    with pytest.raises(KeyboardInterrupt):
        library.ingest([other], progress=False)
    library.close()
    assert _snapshot(ingested) == before


def test_orphan_vectors_of_a_killed_ingest_are_removed(tmp_path: Path) -> None:
    """A process killed after the vector write left vectors SQLite never heard of."""
    from index.parse import parse_file
    from tests.conftest import SEED

    library = _library(tmp_path)
    parsed = parse_file(SEED)
    library.vectors.add(parsed.chunks[:3], library.embedder.embed_documents([c.text for c in parsed.chunks[:3]]))
    library.close()
    reopened = _library(tmp_path)
    assert reopened.vectors.count() == 0
    reopened.close()


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env_cmd = [sys.executable, "-m", "juesuan_cli", *args, "--data-dir", str(data_dir)]
    return subprocess.run(env_cmd, check=False, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


def test_cli_ingest_exit_codes_and_messages(tmp_path: Path) -> None:
    """One bad file among good ones: the good are stored, the bad named, exit code 2."""
    from tests.conftest import SEED

    bad = _bad_files(tmp_path / "bad")
    data_dir = tmp_path / "store"
    run = _cli("ingest", str(SEED), str(bad["truncated"][0]), str(bad["empty"][0]), data_dir=data_dir)
    assert run.returncode == 2, run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("✗")]
    assert len(errors) == 2 and any("truncated.pdf" in e for e in errors) and any("empty.txt" in e for e in errors)
    assert "d5eedabbc71b3061" in run.stdout
    listing = _cli("reports", "--json", data_dir=data_dir)
    assert listing.returncode == 0
    [row] = json.loads(listing.stdout)
    assert row["department"] == "米易县人民政府办公室" and row["year"] == 2023 and row["figures"] > 300
    again = _cli("ingest", str(SEED), data_dir=data_dir)
    assert again.returncode == 0 and "未变" in again.stdout


def test_two_threads_ingesting_the_same_file_store_it_once(tmp_path: Path) -> None:
    """Two sessions upload the same report at once: one stores it, the other finds it there."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import SEED

    library = _library(tmp_path)
    _ = library.embedder  # load the model first, so both threads reach the write together
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: library.ingest_file(SEED), range(2)))
    assert sorted(r.status for r in results) == ["ingested", "unchanged"]
    [row] = library.store.reports()
    assert library.vectors.count() == row["chunks"]
    library.close()


def test_vectors_can_be_backfilled_after_an_ingest_without_embeddings(tmp_path: Path) -> None:
    """The app's first start stores the sample without waiting for embeddings, then fills them in."""
    from tests.conftest import SEED

    library = _library(tmp_path)
    [result] = library.ingest([SEED], progress=False, embed=False)
    assert result.status == "ingested" and library.vectors.count() == 0
    assert library.bm25.search("公务接待费为何下降", 1)  # searchable at once
    assert library.backfill_vectors() == 1
    assert library.vectors.count() == result.counts["chunks"]
    assert library.backfill_vectors() == 0  # nothing left to do
    library.close()
