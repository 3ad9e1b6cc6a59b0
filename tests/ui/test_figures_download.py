"""The 报告 tab's 导出数字: every stated figure of the reports in the scope, one row per figure,
only of the reports the session may read."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

import app
from index.ingest import Library
from index.settings import Settings
from tests.conftest import SMALL_REPORT


@pytest.fixture
def ui(tmp_path: Path):
    library = Library(Settings(data_dir=tmp_path / "data"))
    yield app.JuesuanApp(library)
    library.close()


def test_figures_of_the_scope_only_what_the_session_reads(ui: app.JuesuanApp, seed_path: Path,
                                                          tmp_path: Path) -> None:
    small = tmp_path / "教育局2022.txt"
    small.write_text(SMALL_REPORT.format(extra=""), encoding="utf-8")
    shared = ui.library.ingest_file(small, source_name=small.name, embed=False)
    ui.visibility.mark(shared.report_id, True)
    mine = ui.library.ingest_file(seed_path, source_name=seed_path.name, embed=False, private=True)
    ui.visibility.mark(mine.report_id, False)
    owner, other = app.new_session(), app.new_session()
    owner["uploads"] = [mine.report_id]

    path = ui.figures_file(other, "all", "csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(frame["report_id"]) == {shared.report_id}  # another session's private upload stays out
    assert "1.20" in set(frame["value"]) and "3.20" in set(frame["value"])  # as printed, not 1.2

    own = ui.figures_file(owner, f"report:{mine.report_id}", "xlsx")
    book = pd.read_excel(io.BytesIO(Path(own).read_bytes()), dtype=str)
    stored = ui.library.store.figures([mine.report_id])
    assert len(book) == len(stored) and set(book["report_id"]) == {mine.report_id}
    assert list(book["value"]) == [f.text for f in stored]
    assert ui.figures_file(other, f"report:{mine.report_id}", "csv") is None
