"""index.parallel.map_ordered (results in input order, on a real process pool and in-process) and\nwhat uses it: the check parse mode, the fast 繁體 and tokenising paths, ingest on several processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from index import SAMPLE_REPORT
from index.parallel import default_jobs, map_ordered


def _square_slowly(n: int) -> tuple[int, int]:
    # Early items sleep longest, so workers finish out of order and only the ordering logic
    # puts them back.
    time.sleep(0.02 * (n % 5 == 0) + 0.001 * (10 - n % 10))
    return n * n, os.getpid()


def _fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("item 7 is bad")
    return n


def test_pool_results_come_back_in_input_order_from_several_processes():
    results = list(map_ordered(_square_slowly, range(40), jobs=2))
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert len({pid for _, pid in results}) == 2  # really two workers
    assert os.getpid() not in {pid for _, pid in results}


def test_jobs_one_runs_in_this_process():
    results = list(map_ordered(_square_slowly, [1, 2, 3], jobs=1))
    assert results == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


def test_a_generator_of_items_and_progress_counts():
    seen: list[tuple[int, int | None]] = []
    out = list(map_ordered(_fail_on_seven, (n for n in range(5)), jobs=2,
                           progress=lambda done, total: seen.append((done, total))))
    assert out == [0, 1, 2, 3, 4]
    assert seen == [(1, None), (2, None), (3, None), (4, None), (5, None)]
    sized: list[tuple[int, int | None]] = []
    list(map_ordered(_fail_on_seven, [0, 1, 2], jobs=2, progress=lambda d, t: sized.append((d, t))))
    assert sized == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_error_is_raised_at_its_item_after_the_results_before_it(jobs):
    got: list[int] = []
    with pytest.raises(ValueError, match="item 7 is bad"):
        got.extend(map_ordered(_fail_on_seven, range(20), jobs=jobs))
    assert got == list(range(7))


def test_stopping_early_does_not_hang():
    started = time.monotonic()
    for value in map_ordered(_square_slowly, range(10_000), jobs=2):
        if value[0] >= 9:
            break
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True])
def test_bad_jobs_is_one_clear_error(jobs):
    with pytest.raises(ValueError, match="jobs must be a whole number of at least 1"):
        list(map_ordered(_fail_on_seven, [1, 2], jobs=jobs))


def test_default_jobs_is_the_core_count():
    assert default_jobs() >= 1
    assert default_jobs() <= (os.cpu_count() or 1)


# --- the callers: parse modes, the fast paths and ingest on several processes -------------------

CORPUS = sorted((Path(__file__).resolve().parents[1] / "evals" / "data" / "corpus" / "reports").glob("*.txt"))


def test_to_simplified_is_opencc_on_real_reports_and_mixed_text():
    import random

    from index.lexicon import _T2S, to_simplified

    texts = [p.read_text(encoding="utf-8") for p in CORPUS] + [SAMPLE_REPORT.read_text(encoding="utf-8")]
    assert any(to_simplified(t) != t for t in texts)  # the corpus has 繁體 reports: the slow path runs too
    for text in texts:
        assert to_simplified(text) == _T2S.convert(text)
    # Dictionary words of both scripts, separators and plain text in random mixes.
    words = [k for group in _T2S._dict_chain_data for _, _, d in group for k in list(d)[::7]]
    alphabet = [*words, "经费", "經費", "，", "。", " ", "\n", "（", "）", "abc", "2023", "的"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25)))
        assert to_simplified(text) == _T2S.convert(text), text


def test_check_parse_mode_differs_only_by_the_chunks():
    from index.parse import parse_file

    for path in [SAMPLE_REPORT, *CORPUS[:8]]:
        full, lean = parse_file(path), parse_file(path, chunks=False)
        assert full.chunks and lean.chunks == []
        assert lean.model_dump(exclude={"chunks"}) == full.model_dump(exclude={"chunks"})


def test_chunk_tokens_line_by_line_are_the_tokens_of_the_whole_text():
    from index.bm25 import tokenize
    from index.ingest import _chunk_tokens
    from index.parse import parse_file

    for path in [SAMPLE_REPORT, *CORPUS[:15]]:
        for chunk in parse_file(path).chunks:
            text = f"{chunk.heading}\n{chunk.text}"
            assert _chunk_tokens(text) == tokenize(text)


def _stored(library) -> tuple:
    store = library.store
    chunks = [(c.model_dump(), tokens) for c, tokens in store.chunks()]
    figures = [f.model_dump() for f in store.figures()]
    reports = [{k: v for k, v in r.items() if k != "ingested_at"} for r in store.reports()]
    return reports, chunks, figures


def test_ingest_on_two_processes_stores_what_one_process_stores(tmp_path):
    from index.ingest import Library
    from index.settings import Settings

    bad = tmp_path / "坏文件.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    files = [*CORPUS[:4], bad, SAMPLE_REPORT, *CORPUS[4:8], CORPUS[0]]  # the last one twice
    runs = []
    for jobs in (1, 2):
        library = Library(Settings(data_dir=tmp_path / f"jobs{jobs}"))
        results = library.ingest(files, progress=False, embed=False, jobs=jobs)
        runs.append(([(r.path, r.status, r.message, r.report_id, r.counts) for r in results], _stored(library)))
        library.close()
    assert runs[0] == runs[1]
    statuses = [status for _, status, *_ in runs[0][0]]
    assert statuses == ["ingested"] * 4 + ["failed", "ingested"] + ["ingested"] * 4 + ["unchanged"]
