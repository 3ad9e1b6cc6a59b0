"""Ingest throughput: reports per second without embeddings, and embedding time per 1,000 chunks.

    python bench/ingest.py [--copies 100] [--chunks 1000]

1. Text ingest without embeddings: 100 copies of the bundled sample (each with an appended
   line, so every copy has its own hash and is a new report) are loaded, parsed, written to
   SQLite (one transaction each, as `Library.ingest_file` does) and indexed by BM25 once at
   the end, as `Library.ingest` does.
2. Embedding: 1,000 chunk texts (the sample's chunks, repeated) are embedded with the model
   `JUESUAN_EMBEDDING__*` selects (the offline fallback when the default cannot be loaded).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from index.bm25 import tokenize
from index.embeddings import load_embedder
from index.ingest import Library
from index.loaders import load_document
from index.parse import parse_document, parse_file, report_id_for
from index.settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "2023年度米易县人民政府办公室部门决算.txt"


def bench_text_ingest(copies: int, workdir: Path) -> None:
    """Parse + SQLite + BM25 for `copies` distinct copies of the sample, without embeddings."""
    base = SAMPLE.read_text(encoding="utf-8")
    files = []
    for i in range(copies):
        path = workdir / "in" / f"copy{i:03d}_{SAMPLE.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base + f"\n本副本编号：{i}\n", encoding="utf-8")
        files.append(path)
    library = Library(Settings(data_dir=workdir / "data"))
    settings = library.settings
    chunks = 0
    t0 = time.perf_counter()
    for path in files:
        data = path.read_bytes()
        parsed = parse_document(load_document(path, settings.max_upload_bytes), data, settings.chunk_chars)
        assert parsed.report.id == report_id_for(data)
        tokens = [tokenize(f"{c.heading}\n{c.text}") for c in parsed.chunks]
        with library.store.transaction() as db:
            library.store.add_report(db, parsed, tokens)
        chunks += len(parsed.chunks)
    t_store = time.perf_counter() - t0
    t1 = time.perf_counter()
    index = library.bm25  # built once from SQLite, as Library.ingest does after a batch
    t_bm25 = time.perf_counter() - t1
    total = time.perf_counter() - t0
    assert len(index.ids) == chunks and len(library.store.report_ids()) == copies
    library.close()
    print(f"Text ingest, no embeddings: {copies} reports, {chunks} chunks")
    print(f"  parse + SQLite:     {t_store:7.2f} s  ({copies / t_store:6.1f} reports/s)")
    print(f"  BM25 build (once):  {t_bm25:7.2f} s")
    print(f"  total:              {total:7.2f} s  ({copies / total:6.1f} reports/s)")


def bench_embedding(n_chunks: int) -> None:
    """Time to embed `n_chunks` chunk texts with the embedder the settings select."""
    settings = Settings()
    t0 = time.perf_counter()
    embedder = load_embedder(settings.embedding)
    t_load = time.perf_counter() - t0
    texts = [f"{c.heading}\n{c.text}" for c in parse_file(SAMPLE).chunks]
    texts = (texts * (n_chunks // len(texts) + 1))[:n_chunks]
    embedder.embed_documents(texts[:32], settings.embedding.batch_size)  # warm-up
    t1 = time.perf_counter()
    embedder.embed_documents(texts, settings.embedding.batch_size)
    t_embed = time.perf_counter() - t1
    kind = "offline fallback, English-only" if embedder.is_fallback else "configured model"
    print(f"Embedding: model {embedder.name} ({kind}), dim {embedder.dimension}, "
          f"device {settings.embedding.device}, batch {settings.embedding.batch_size}")
    print(f"  model load:         {t_load:7.2f} s")
    print(f"  {n_chunks} chunks:        {t_embed:7.2f} s  ({t_embed * 1000 / n_chunks:6.2f} s per 1,000 chunks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--chunks", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="juesuan-bench-") as tmp:
        bench_text_ingest(args.copies, Path(tmp))
    bench_embedding(args.chunks)


if __name__ == "__main__":
    main()
