"""BM25 over jieba-segmented text, with the fiscal lexicon kept whole.

Text is normalised before segmentation (traditional → simplified, full-width → half-width,
lower case), so a question in 繁體 or without punctuation meets the same terms as the report.
The index is derived from the chunks in SQLite and saved under `data_dir/bm25/` together with
the store generation it was built from; a stale or missing index is rebuilt on load.

A question is segmented with a small dictionary saved beside the index: the index's own terms
and jieba's common words (frequency ≥ 1,000, about 9,000 words such as 多少 and 为什么, which
decide how the words around them are cut), with their jieba frequencies and jieba's total.
Loading jieba's whole dictionary (~350,000 words) costs about 0.7 s; the saved one loads in a
few milliseconds, so a fresh `juesuan ask` does not pay for words no chunk contains. A term the
index does not hold cannot score; tests/test_bm25_query.py checks that every scoring term the
full dictionary finds in the real and sample questions is found this way too.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import jieba

from index.lexicon import FISCAL_TERMS, to_simplified

if TYPE_CHECKING:
    import numpy as np  # imported where an index is searched: tokenising needs no numpy

log = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

_TOKENIZER: jieba.Tokenizer | None = None
_STOP = set("的了和与及或是在为对其中等之也而并且于以")


def _tokenizer() -> jieba.Tokenizer:
    global _TOKENIZER
    if _TOKENIZER is None:
        tokenizer = jieba.Tokenizer()
        for term in FISCAL_TERMS:
            tokenizer.add_word(term, freq=2_000_000)
        _TOKENIZER = tokenizer
    return _TOKENIZER


def normalize_text(text: str) -> str:
    """Simplified characters, half-width forms, lower case: the form both sides are matched in."""
    text = unicodedata.normalize("NFKC", to_simplified(text)).lower()
    # “三公”经费 and 三公经费 are the same term: quotes must not split it.
    return re.sub(r"[“”\"'‘’「」]", "", text)


def tokenize(text: str, tokenizer: jieba.Tokenizer | None = None) -> list[str]:
    """BM25 terms of a text: jieba words (fiscal terms whole), without punctuation or stop words."""
    # Search mode: a fiscal term is indexed whole *and* as the dictionary words inside it, so
    # "中小企业合同金额" in a question meets "授予中小企业合同金额" in the report.
    words = (tokenizer or _tokenizer()).lcut_for_search(normalize_text(text), HMM=True)
    return [w for w in (w.strip() for w in words) if w and w not in _STOP and any(ch.isalnum() for ch in w)]


_COMMON_WORD_FREQ = 1000


def query_dictionary(vocab: dict[str, int]) -> dict[str, object]:
    """The dictionary questions are segmented with: the index's terms that are jieba words,
    and jieba's common words.

    Terms jieba made with its HMM (not dictionary words) stay out, as they were out when the
    chunks were segmented; `total` is the full dictionary's, so word scores are unchanged.
    """
    full = _tokenizer()
    full.check_initialized()
    words = {w: f for w, f in full.FREQ.items() if f >= _COMMON_WORD_FREQ}
    words.update((w, full.FREQ[w]) for w in vocab if full.FREQ.get(w))
    return {"total": full.total, "words": words}


def query_tokenizer(dictionary: dict[str, object]) -> jieba.Tokenizer:
    """A jieba tokenizer over a saved `query_dictionary`, built without reading jieba's own."""
    words: dict[str, int] = dict(dictionary["words"])  # type: ignore[call-overload]
    freq: dict[str, int] = {}
    for word, count in words.items():
        freq[word] = int(count)
        for end in range(1, len(word)):
            freq.setdefault(word[:end], 0)  # prefixes let the DAG walk into longer words
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total = freq, int(dictionary["total"])  # type: ignore[call-overload]
    tokenizer.initialized = True
    return tokenizer


class BM25Index:
    """A BM25 index over chunk ids, persisted with the store generation it reflects."""

    def __init__(
        self, ids: list[str], retriever: object | None, generation: int,
        query_words: dict[str, object] | None = None,
    ) -> None:
        self.ids = ids
        self._retriever = retriever
        self.generation = generation
        self._query_words = query_words
        self._query_tokenizer: jieba.Tokenizer | None = None
        self._rows: dict[str, np.ndarray] | None = None  # report id -> its chunks' rows, made on first use

    def query_terms(self, query: str) -> list[str]:
        """The question's terms, segmented with the index's own dictionary when it has one."""
        if self._query_tokenizer is None and self._query_words is not None:
            self._query_tokenizer = query_tokenizer(self._query_words)
        return tokenize(query, self._query_tokenizer)

    @classmethod
    def build(cls, ids: list[str], tokens: list[list[str]], generation: int) -> BM25Index:
        """Index the given chunks (ids and their tokens, in the same order)."""
        if not ids:
            return cls([], None, generation)
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs each build at DEBUG
        retriever = bm25s.BM25()
        vocab: dict[str, int] = {}
        corpus_ids = [[vocab.setdefault(t, len(vocab)) for t in doc] or [vocab.setdefault("∅", len(vocab))] for doc in tokens]
        retriever.index(bm25s.tokenization.Tokenized(ids=corpus_ids, vocab=vocab), show_progress=False)
        retriever.vocab_dict = vocab
        return cls(ids, retriever, generation, query_dictionary(vocab))

    def search(
        self, query: str, k: int, allowed: set[str] | None = None, report_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top chunk ids for a question, with their scores, best first; equal scores in the
        order of the index (report id, then chunk index), as the figure ranker breaks its ties,
        so that a chunk printed alike in many reports is the same one for both.

        `report_ids` keeps the chunks of those reports only: they alone are ranked, so a scope
        costs as little as the chunks it holds. `allowed` keeps only those chunk ids (filtered
        after ranking: slower, for a set that is not whole reports)."""
        if self._retriever is None:
            return []
        import numpy as np

        vocab = self._retriever.vocab_dict  # type: ignore[attr-defined]
        terms = [vocab[t] for t in self.query_terms(query) if t in vocab]
        if not terms:
            return []
        scores = self._retriever.get_scores(terms)  # type: ignore[attr-defined]
        if report_ids is not None:
            rows_of = self._report_rows()
            parts = [rows_of[r] for r in dict.fromkeys(report_ids) if r in rows_of]
            rows = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        else:
            rows = np.arange(len(scores))
        picked = scores[rows]
        positive = picked > 0
        rows, picked = rows[positive], picked[positive]
        want = len(rows) if allowed is not None else k
        if len(rows) > want:
            # Only the best `want` (and any tied with the last of them) need sorting.
            kth = np.partition(picked, len(picked) - want)[len(picked) - want]
            keep = picked >= kth
            rows, picked = rows[keep], picked[keep]
        order = np.lexsort((rows, -picked))  # score descending, then the earlier row (chunk id order)
        hits = []
        for at in order:
            chunk_id = self.ids[rows[at]]
            if allowed is None or chunk_id in allowed:
                hits.append((chunk_id, float(picked[at])))
                if len(hits) >= k:
                    break
        return hits

    def _report_rows(self) -> dict[str, np.ndarray]:
        """Report id → the rows of its chunks (ids are 'report id:index')."""
        if self._rows is None:
            import numpy as np

            grouped: dict[str, list[int]] = {}
            for row, chunk_id in enumerate(self.ids):
                grouped.setdefault(chunk_id.rpartition(":")[0], []).append(row)
            self._rows = {rid: np.asarray(rows, dtype=np.int64) for rid, rows in grouped.items()}
        return self._rows

    def save(self, folder: Path) -> None:
        """Write the index crash-safely: a half-written index never replaces a whole one.

        The new index is written to a temporary folder beside `folder`, flushed to disk, and
        swapped in by renames; `meta.json` is written last, so a folder without it is never
        taken for an index. Leftovers of a writer killed mid-way (`.bm25-*`, `bm25.old`) are
        removed first. Callers hold the data directory's writer lock (`index.store`).
        """
        folder.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(folder)
        tmp = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX, dir=folder.parent))
        try:
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25s"))  # type: ignore[attr-defined]
                (tmp / "vocab.json").write_text(json.dumps(self._retriever.vocab_dict, ensure_ascii=False))  # type: ignore[attr-defined]
            if self._query_words is not None:
                (tmp / "query_dict.json").write_text(json.dumps(self._query_words, ensure_ascii=False))
            _fsync_tree(tmp)
            (tmp / "meta.json").write_text(json.dumps({"generation": self.generation, "ids": self.ids}))
            _fsync_tree(tmp)
            old = folder.with_name(folder.name + ".old")
            if folder.exists():
                os.replace(folder, old)
            os.replace(tmp, folder)
            _fsync_dir(folder.parent)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, folder: Path) -> BM25Index | None:
        """The saved index, or None when there is none or it cannot be read."""
        try:
            meta = json.loads((folder / "meta.json").read_text())
            retriever = None
            query_words = None
            if meta["ids"]:
                import bm25s

                retriever = bm25s.BM25.load(str(folder / "bm25s"))
                retriever.vocab_dict = json.loads((folder / "vocab.json").read_text())
                if (folder / "query_dict.json").exists():  # older indexes: the full dictionary
                    query_words = json.loads((folder / "query_dict.json").read_text())
            return cls(meta["ids"], retriever, int(meta["generation"]), query_words)
        except Exception as exc:  # noqa: BLE001 - any damage: the index is derived, rebuild it
            if (folder / "meta.json").exists():
                log.warning("BM25 index %s cannot be read (%s: %s); it will be rebuilt", folder, type(exc).__name__, exc)
            return None


_TMP_PREFIX = ".bm25-"


def leftovers(folder: Path) -> list[Path]:
    """Folders a killed writer may have left beside the index: temporary ones and `bm25.old`."""
    if not folder.parent.is_dir():
        return []
    found = [p for p in folder.parent.iterdir() if p.name.startswith(_TMP_PREFIX) and p.is_dir()]
    old = folder.with_name(folder.name + ".old")
    return sorted(found + ([old] if old.exists() else []))


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove `leftovers(folder)` (under the writer lock: no other writer is using them).
    Never fatal: what cannot be removed is logged and left for the next write."""
    removed = []
    for path in leftovers(folder):
        try:
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            removed.append(path)
        except OSError as exc:
            log.warning("could not remove %s (%s); it will be tried again", path, exc)
    return removed


def _fsync_tree(root: Path) -> None:
    """Flush every file under `root`, and the folders, to disk."""
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(dirpath))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # a platform without directory handles: nothing to flush
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
