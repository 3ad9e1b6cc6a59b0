"""Questions are segmented with the index's own small dictionary, not jieba's whole one.

The saved index carries the dictionary a question is cut with (its terms and jieba's common
words). These tests hold what that must not change: every term the full dictionary finds in a
real or sample question, among the terms the index holds, is still found; the saved index
round-trips the dictionary; and searching a loaded index does not read jieba's dictionary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from index.bm25 import BM25Index, tokenize
from index.parse import parse_file
from tests.conftest import ROOT, SEED

QUESTION_SETS = ("qa_seed.jsonl", "retrieval_seed.jsonl", "qa_real.jsonl")


def _questions() -> list[str]:
    data = ROOT / "evals" / "data"
    return [json.loads(line)["question"] for name in QUESTION_SETS
            for line in (data / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _index(paths: list[Path]) -> BM25Index:
    ids, tokens = [], []
    for path in paths:
        for chunk in parse_file(path, 50_000_000, 800).chunks:
            ids.append(chunk.id)
            tokens.append(tokenize(f"{chunk.heading}\n{chunk.text}"))
    return BM25Index.build(ids, tokens, generation=1)


def test_questions_keep_every_scoring_term_of_the_full_dictionary(tmp_path: Path) -> None:
    reports = sorted((ROOT / "evals" / "data" / "corpus" / "reports").glob("*.txt"))
    built = _index([SEED, *reports])
    built.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded is not None
    vocab = built._retriever.vocab_dict  # type: ignore[attr-defined]
    questions = _questions()
    assert len(questions) >= 190
    lost = {}
    for question in questions:
        full = {t for t in tokenize(question) if t in vocab}
        small = {t for t in loaded.query_terms(question) if t in vocab}
        if full - small:
            lost[question] = sorted(full - small)
    assert lost == {}
    # The small dictionary is small: the index's terms and the common words, not all of jieba's.
    words = json.loads((tmp_path / "bm25" / "query_dict.json").read_text(encoding="utf-8"))["words"]
    assert 5_000 < len(words) < 40_000


def test_search_on_a_loaded_index_does_not_read_jiebas_dictionary(tmp_path: Path) -> None:
    _index([SEED]).save(tmp_path / "bm25")
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "import index.bm25 as b\n"
        "idx = b.BM25Index.load(Path(sys.argv[1]))\n"
        "hits = idx.search('公务接待费为何下降？', 3)\n"
        "print(json.dumps({'hits': len(hits), 'full_dictionary': b._TOKENIZER is not None}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "bm25")], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(proc.stdout)
    assert result == {"hits": 3, "full_dictionary": False}


def test_an_index_saved_without_a_dictionary_still_answers(tmp_path: Path) -> None:
    """Indexes written before the dictionary was saved fall back to jieba's own."""
    built = _index([SEED])
    built.save(tmp_path / "bm25")
    (tmp_path / "bm25" / "query_dict.json").unlink()
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded is not None
    assert loaded.search("公务接待费为何下降？", 3) == built.search("公务接待费为何下降？", 3)
