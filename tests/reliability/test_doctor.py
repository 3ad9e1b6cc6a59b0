"""`juesuan doctor`: SQLite is the truth; the vectors and the BM25 index are checked against it
and rebuilt from it (issue 13, item 10 and the campaign)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index.bm25 import BM25Index
from index.doctor import diagnose, startup_check
from index.ingest import Library
from index.settings import Settings
from tests.conftest import SEED
from tests.reliability.helpers import doctor, run, stored_chunks


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the sample ingested with its vectors (copied by each test)."""
    data_dir = tmp_path_factory.mktemp("embedded")
    library = Library(Settings(data_dir=data_dir))
    assert [r.status for r in library.ingest([SEED], progress=False)] == ["ingested"]
    library.close()
    return data_dir


def _copy(embedded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(embedded, tmp_path / "data"))


def test_a_deleted_chroma_folder_is_reported_and_rebuilt(embedded: Path, tmp_path: Path) -> None:
    """Before: the vectors were silently gone; only a restart with the sample refilled them."""
    data_dir = _copy(embedded, tmp_path)
    [(report_id, chunks)] = stored_chunks(data_dir).items()
    assert doctor(data_dir)[0] == 0
    shutil.rmtree(data_dir / "chroma")
    code, found = doctor(data_dir)
    assert code == 1 and found["consistent"] is False
    assert found["missing"] == {"bm25": {}, "vectors": {report_id: chunks}}
    code, repaired = doctor(data_dir, "--repair")
    assert code == 0 and repaired["consistent"] is True and repaired["repaired"] is True
    assert doctor(data_dir)[0] == 0
    library = Library(Settings(data_dir=data_dir))
    assert library.vectors.count() == chunks
    library.close()


def test_the_app_start_repairs_a_deleted_chroma_folder(embedded: Path, tmp_path: Path) -> None:
    data_dir = _copy(embedded, tmp_path)
    shutil.rmtree(data_dir / "chroma")
    library = Library(Settings(data_dir=data_dir))
    assert startup_check(library, "app", repair_now=True).consistent
    assert library.vectors.count() == sum(stored_chunks(data_dir).values())
    library.close()


def test_no_vectors_ever_stored_is_consistent(tmp_path: Path) -> None:
    """A library ingested without a model has no vectors and needs none, as retrieval treats it."""
    library = Library(Settings(data_dir=tmp_path))
    library.ingest([SEED], progress=False, embed=False)
    library.close()
    code, found = doctor(tmp_path)
    assert code == 0 and found["consistent"] is True and found["sqlite"]["reports_with_vectors"] == 0


def test_a_bm25_index_that_lacks_chunks_is_rebuilt(tmp_path: Path) -> None:
    library = Library(Settings(data_dir=tmp_path))
    library.ingest([SEED], progress=False, embed=False)
    pairs = library.store.chunks()
    # An index that claims the current generation but misses the last ten chunks.
    BM25Index.build([c.id for c, _ in pairs[:-10]], [t for _, t in pairs[:-10]], library.store.generation()).save(
        tmp_path / "bm25"
    )
    found = diagnose(library)
    assert not found.consistent and sum(found.missing["bm25"].values()) == 10
    library.close()
    code, repaired = doctor(tmp_path, "--repair")
    assert code == 0 and repaired["missing"]["bm25"] == {}


def test_orphan_vectors_are_reported_and_removed(embedded: Path, tmp_path: Path) -> None:
    data_dir = _copy(embedded, tmp_path)
    library = Library(Settings(data_dir=data_dir))
    assert len(library.store.report_ids()) == 1
    chunk, _ = library.store.chunks()[0]
    orphan = chunk.model_copy(update={"id": "feedfeedfeedfeed:0", "report_id": "feedfeedfeedfeed"})
    library.vectors.add([orphan], library.embedder.embed_documents([orphan.text]))
    found = diagnose(library)
    assert found.extra["vectors"] == {"feedfeedfeedfeed": 1} and not found.consistent
    library.close()
    code, repaired = doctor(data_dir, "--repair")
    assert code == 0 and repaired["extra"]["vectors"] == {}


def test_doctor_on_a_folder_that_is_not_a_data_dir(tmp_path: Path) -> None:
    done = run("doctor", "--data-dir", str(tmp_path / "nothing"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "nothing" in done.stderr
    assert not (tmp_path / "nothing").exists()  # nothing created
