"""Hostile files end in a result or one clear line and exit 2, in bounded time and memory
(issue 13, items 3, 6 and 7). Each file here was first measured against the code before the
fix (docs/security.md, "Hostile files"); the CLI runs in a child process whose address space
is capped, so a file that unpacks into gigabytes fails its test instead of the machine.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from index.loaders import LoadError, load_document
from index.settings import LimitSettings
from tests.fuzz.budget import memory_limit, run_cli, time_limit
from tests.fuzz.hostile import (
    TITLE,
    docx_with,
    empty_paragraphs,
    long_paragraphs,
    missing_part_named,
    pdf_pages,
    xlsx_with_cells,
)

MB = 1024 * 1024


def _one_error_line(result, name: str, limit: str) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1, result.stderr[-2000:]
    assert name in lines[0] and limit in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_two_million_empty_paragraphs_are_refused_before_parsing(tmp_path: Path) -> None:
    # 18 KB on disk; before the limit: 40 s (over 200 s on a busy machine), 580 MB, and exit 0.
    path = docx_with(tmp_path / "paragraphs.docx", empty_paragraphs(2_000_000))
    assert path.stat().st_size < 100_000
    result = run_cli(["figures", str(path)], timeout=90, memory_mb=1500)
    _one_error_line(result, "paragraphs.docx", "JUESUAN_LIMITS__MAX_ELEMENTS")


def test_a_docx_unpacking_past_the_limit_is_refused_unread(tmp_path: Path) -> None:
    # Under 1 MB on disk, 150 MB unpacked (the 300 KB → 300 MB took 700 MB of memory).
    path = docx_with(tmp_path / "bomb.docx", long_paragraphs(150))
    assert path.stat().st_size < 1 * MB
    result = run_cli(["figures", str(path)], timeout=90, memory_mb=1000)
    _one_error_line(result, "bomb.docx", "JUESUAN_LIMITS__MAX_UNCOMPRESSED_MB")


def test_the_unpacked_limit_is_a_setting(tmp_path: Path) -> None:
    path = docx_with(tmp_path / "small.docx", long_paragraphs(3))
    with pytest.raises(LoadError, match=r"small\.docx: .*上限 2 MB"):
        load_document(path, 50 * MB, limits=LimitSettings(max_uncompressed_mb=2))
    doc = load_document(path, 50 * MB, limits=LimitSettings(max_uncompressed_mb=4))
    assert TITLE in [block.text for block in doc.blocks]


def test_one_cell_at_xfd1000000_is_refused_without_building_the_grid(tmp_path: Path) -> None:
    # 5 KB on disk; before: a grid of 16 billion cells (20 GB, killed).
    path = xlsx_with_cells(tmp_path / "far.xlsx", {"A1": "收入决算表", "XFD1000000": 1})
    for command in ("figures", "check"):
        result = run_cli([command, str(path)], timeout=90, memory_mb=1200)
        _one_error_line(result, "far.xlsx", "JUESUAN_LIMITS__MAX_COLS")


def test_a_far_row_reads_only_the_cells_that_exist(tmp_path: Path) -> None:
    path = xlsx_with_cells(tmp_path / "tall.xlsx", {"A1": "收入决算表", "A2": "项目", "B2": "金额",
                                                  "A3": "收入合计", "B3": 100, "A1000000": "注：单位万元"})
    with time_limit(30, "tall.xlsx"), memory_limit(200, "tall.xlsx"):
        doc = load_document(path, 50 * MB)
    rows = [row for block in doc.blocks for row in block.rows]
    assert ["收入合计", "100"] in rows and ["注：单位万元", ""] in rows


def test_spreadsheet_limits_name_the_sheet_and_the_limit(tmp_path: Path) -> None:
    path = xlsx_with_cells(tmp_path / "wide.xlsx", {"A1": "x", "A2": "y", "J3": 1})
    with pytest.raises(LoadError, match=r"wide\.xlsx: 工作表“Sheet”列过多（10 个，上限 5 个"):
        load_document(path, 50 * MB, limits=LimitSettings(max_cols=5))
    with pytest.raises(LoadError, match=r"wide\.xlsx: 工作表“Sheet”行过多（3 个，上限 2 个"):
        load_document(path, 50 * MB, limits=LimitSettings(max_rows=2))
    with pytest.raises(LoadError, match=r"wide\.xlsx: .*单元格过多"):
        load_document(path, 50 * MB, limits=LimitSettings(max_cells=20))


def test_a_2000_page_pdf_is_refused_before_its_pages_are_read(tmp_path: Path) -> None:
    path = pdf_pages(tmp_path / "long.pdf", 2000)
    result = run_cli(["figures", str(path)], timeout=120, memory_mb=1500)
    line = _one_error_line(result, "long.pdf", "JUESUAN_LIMITS__MAX_PAGES")
    assert "2000 页" in line


def test_the_page_limit_is_a_setting(tmp_path: Path) -> None:
    path = pdf_pages(tmp_path / "six.pdf", 6)
    result = run_cli(["figures", str(path)], env={"JUESUAN_LIMITS__MAX_PAGES": "5"}, timeout=90)
    assert "上限 5 页" in _one_error_line(result, "six.pdf", "JUESUAN_LIMITS__MAX_PAGES")
    assert run_cli(["figures", "--json", str(path)], timeout=90).returncode == 0


def test_a_text_of_numbers_alone_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # 60 KB of "1人": 30,000 numbers would take minutes to bind, one by one.
    path = tmp_path / "numbers.txt"
    path.write_text(f"{TITLE}\n" + "1人" * 30_000 + "\n", encoding="utf-8")
    result = run_cli(["figures", str(path)], timeout=60)
    _one_error_line(result, "numbers.txt", "JUESUAN_LIMITS__MAX_NUMBERS")


def test_a_10_kb_first_line_no_longer_freezes(tmp_path: Path) -> None:
    # Before: 5 KB took 6 s, 10 KB 57 s, 100 KB minutes (the title pattern backtracked).
    path = tmp_path / "line.txt"
    path.write_text("2023年度" * 1_700 + f"\n{TITLE}\n一、收入\n收入合计100.00万元。\n", encoding="utf-8")
    result = run_cli(["figures", str(path)], timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"{TITLE}（" in result.stdout and "100.00" in result.stdout


# --- Rich markup in names and messages ----------------------------------------------------------


def test_markup_in_file_and_part_names_prints_literally(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "[b]x.txt").write_text(f"{TITLE}\n一、收入\n收入合计100.00万元。\n", encoding="utf-8")
    docx_with(folder / "part.docx", rels=missing_part_named("[/]x.xml"))
    result = run_cli(["ingest", str(folder), "-q"], timeout=300)
    # Before: MarkupError "closing tag '[/]' … has nothing to close", a traceback, and the
    # name "[b]x.txt" printed as "x.txt" in bold.
    assert "✓ [b]x.txt" in result.stdout
    line = _one_error_line(result, "part.docx", "[/]x.xml")
    assert line.startswith("✗ part.docx")


def test_markup_in_a_report_title_prints_literally(tmp_path: Path) -> None:
    path = tmp_path / "[red]t.txt"
    path.write_text("[b]某局[/b]2023年度部门决算\n一、收入\n收入合计100.00万元。\n", encoding="utf-8")
    result = run_cli(["figures", str(path)], timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "[b]某局[/b]2023年度部门决算" in result.stdout


# --- A damaged database ------------------------------------------------------------------------


def _damaged_stores(tmp_path: Path) -> list[Path]:
    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "juesuan.sqlite").write_bytes(hashlib.sha256(b"x").digest() * 600)
    good = tmp_path / "good"
    assert run_cli(["ingest", str(Path(__file__).parents[1] / "index" / "samples"), "--data-dir", str(good), "-q"],
                   timeout=300).returncode == 0
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    data = (good / "juesuan.sqlite").read_bytes()
    (truncated / "juesuan.sqlite").write_bytes(data[: len(data) // 2])
    shutil.rmtree(good)
    return [garbage, truncated]


@pytest.mark.slow
def test_a_damaged_database_is_one_line_and_left_untouched(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text(f"{TITLE}\n一、收入\n收入合计100.00万元。\n", encoding="utf-8")
    for data_dir in _damaged_stores(tmp_path):
        before = (data_dir / "juesuan.sqlite").read_bytes()
        for command in (["reports"], ["ingest", str(report), "-q"], ["ask", "收入合计是多少？"]):
            result = run_cli([*command, "--data-dir", str(data_dir)], timeout=300)
            line = _one_error_line(result, "juesuan.sqlite", "数据库文件已损坏")
            assert str(data_dir) in line, command
            assert (data_dir / "juesuan.sqlite").read_bytes() == before, command


def test_the_app_gets_the_same_line(tmp_path: Path) -> None:
    # The app's upload handler shows `IngestResult.message` (webui/handlers.py).
    from index.ingest import Library
    from index.settings import Settings

    path = xlsx_with_cells(tmp_path / "far.xlsx", {"A1": "收入决算表", "XFD1000000": 1})
    cli_line = _one_error_line(run_cli(["figures", str(path)], timeout=90), "far.xlsx", "MAX_COLS")
    library = Library(Settings())
    try:
        with time_limit(60, "ingest_file far.xlsx"), memory_limit(300, "ingest_file far.xlsx"):
            result = library.ingest_file(path, source_name="far.xlsx")
        assert result.status == "failed" and f"✗ {result.message}" == cli_line
        assert library.store.report_ids() == set()
    finally:
        library.close()


def test_stored_cells_are_counted_before_openpyxl_builds_them(tmp_path: Path) -> None:
    path = xlsx_with_cells(tmp_path / "many.xlsx", {f"{col}{row}": row for col in "ABCDEFGHIJ" for row in range(1, 61)})
    with pytest.raises(LoadError, match=r"many\.xlsx: 单元格过多（600 个，上限 500 个"):
        load_document(path, 50 * MB, limits=LimitSettings(max_cells=500))
    assert load_document(path, 50 * MB, limits=LimitSettings(max_cells=600)).blocks
