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
from pathlib import Path

import jieba

from index.lexicon import FISCAL_TERMS, to_simplified

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

    def search(self, query: str, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top chunk ids for a question, with their scores; restricted to `allowed` ids if given."""
        if self._retriever is None:
            return []
        vocab = self._retriever.vocab_dict  # type: ignore[attr-defined]
        terms = [vocab[t] for t in self.query_terms(query) if t in vocab]
        if not terms:
            return []
        scores = self._retriever.get_scores(terms)  # type: ignore[attr-defined]
        order = scores.argsort()[::-1]
        hits = []
        for index in order:
            if scores[index] <= 0:
                break
            chunk_id = self.ids[index]
            if allowed is None or chunk_id in allowed:
                hits.append((chunk_id, float(scores[index])))
                if len(hits) >= k:
                    break
        return hits

    def save(self, folder: Path) -> None:
        """Write the index atomically: a half-written index never replaces a whole one."""
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=folder.parent))
        try:
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25s"))  # type: ignore[attr-defined]
                (tmp / "vocab.json").write_text(json.dumps(self._retriever.vocab_dict, ensure_ascii=False))  # type: ignore[attr-defined]
            if self._query_words is not None:
                (tmp / "query_dict.json").write_text(json.dumps(self._query_words, ensure_ascii=False))
            (tmp / "meta.json").write_text(json.dumps({"generation": self.generation, "ids": self.ids}))
            old = folder.with_name(folder.name + ".old")
            if folder.exists():
                os.replace(folder, old)
            os.replace(tmp, folder)
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
        except (OSError, ValueError, KeyError):
            return None
