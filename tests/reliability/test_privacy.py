"""A private upload never becomes visible to other sessions: not when a write fails after the
report is stored, not when the old marks file is damaged (issue 13, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.ingest import Library
from index.settings import Settings
from tests.conftest import SEED, SMALL_REPORT
from webui.sessions import Visibility, new_session


def _small(folder: Path, n: int) -> list[Path]:
    """`n` small reports that differ (different bytes, so different ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"small-{i}.txt"
        path.write_text(SMALL_REPORT.format(extra=f"第{i}份。"), encoding="utf-8")
        paths.append(path)
    return paths


def test_an_upload_is_stored_private_even_when_marking_it_fails(tmp_path: Path) -> None:
    """Before: the report was committed, then the mark written; a failure in between (disk full,
    a kill) left it shared with every session."""
    from webui.handlers import JuesuanApp

    library = Library(Settings(data_dir=tmp_path / "data"))
    ui = JuesuanApp(library)

    def disk_full(report_id: str, shared: bool) -> None:
        raise OSError(28, "No space left on device")

    ui.visibility.mark = disk_full  # type: ignore[method-assign]
    [upload] = _small(tmp_path / "in", 1)
    with pytest.raises(OSError):
        ui.upload([str(upload)], False, new_session(), "all", None, progress=lambda *a, **k: None)
    [stored] = library.store.report_ids()
    someone_else = new_session()
    assert ui.visible_reports(someone_else) == []
    assert stored in Visibility(tmp_path / "data").private  # and after a restart
    library.close()


def test_a_private_report_and_its_mark_are_one_transaction(tmp_path: Path) -> None:
    """The mark is in SQLite with the report: a failed commit leaves neither."""
    library = Library(Settings(data_dir=tmp_path))
    [path] = _small(tmp_path / "in", 1)

    def broken_commit(*args, **kwargs):
        raise RuntimeError("database is gone")

    original = library.store.add_report
    library.store.add_report = broken_commit  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        library.ingest_file(path, embed=False, private=True)
    assert library.store.report_ids() == set() and library.store.private_ids() == set()
    library.store.add_report = original  # type: ignore[method-assign]
    result = library.ingest_file(path, embed=False, private=True)
    assert library.store.private_ids() == {result.report_id}
    library.close()


def test_a_truncated_marks_file_of_an_earlier_version_fails_closed(tmp_path: Path) -> None:
    """Before: a truncated ui_private.json loaded as 'nothing is private'."""
    library = Library(Settings(data_dir=tmp_path))
    ids = [library.ingest_file(p, embed=False).report_id for p in _small(tmp_path / "in", 2)]
    library.close()
    (tmp_path / "ui_private.json").write_text(json.dumps(ids)[:30], encoding="utf-8")  # cut mid-id
    visibility = Visibility(tmp_path)
    assert visibility.private >= set(ids)
    assert visibility.visible(set(ids), []) == set()
    assert not (tmp_path / "ui_private.json").exists()
    assert (tmp_path / "ui_private.json.unreadable").exists()  # kept for the operator
    assert Visibility(tmp_path).private >= set(ids)  # a restart keeps them private


def test_marks_of_an_earlier_version_are_moved_into_sqlite(tmp_path: Path) -> None:
    library = Library(Settings(data_dir=tmp_path))
    private, shared = (library.ingest_file(p, embed=False).report_id for p in _small(tmp_path / "in", 2))
    library.close()
    (tmp_path / "ui_private.json").write_text(json.dumps([private]), encoding="utf-8")
    assert Visibility(tmp_path).visible({private, shared}, []) == {shared}
    assert (tmp_path / "ui_private.json.migrated").exists() and not (tmp_path / "ui_private.json").exists()
    visibility = Visibility(tmp_path)
    assert visibility.private == {private}
    visibility.mark(private, shared=True)  # sharing it later lifts the mark
    assert Visibility(tmp_path).visible({private, shared}, []) == {private, shared}


def test_removing_a_report_removes_its_private_mark(tmp_path: Path) -> None:
    """Re-ingesting the same bytes later from the CLI must not find an old upload's mark."""
    library = Library(Settings(data_dir=tmp_path))
    result = library.ingest_file(SEED, embed=False, private=True)
    assert library.remove_report(result.report_id)
    assert library.store.private_ids() == set()
    library.close()
