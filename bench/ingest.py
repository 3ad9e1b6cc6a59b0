"""Ingest throughput: reports per second without embeddings, embedding time per 1,000 chunks.

    python -m bench.ingest [--copies 100] [--jobs 1,2] [--chunks 1000] [--memory 1000]

1. Text ingest without embeddings: `--copies` distinct copies of the bundled sample (each with an
   appended line, so each is a new report) through `Library.ingest(jobs=N)`: parsing and BM25
   tokenising on N processes, one writer, one SQLite transaction per report, the BM25 index
   built once at the end. Wall and CPU time (this process and its workers), with the load average.
2. `--memory N`: N generated reports (`evals.synthetic.generate`) ingested the same way on every
   core; peak RSS of the writer and of the largest worker.
3. Embedding: `--chunks` chunk texts (the sample's, repeated) through the ingest path
   (`Embedder.embed_documents`, the model `JUESUAN_EMBEDDING__*` selects) next to its floor, a
   bare `model.encode` of the same texts with the same batch size, as a ratio.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from bench.check import cpu_seconds, load
from index import SAMPLE_REPORT
from index.embeddings import load_embedder
from index.ingest import Library
from index.parallel import default_jobs
from index.parse import parse_file
from index.settings import Settings

GOAL_REPORTS_PER_S = 20.0  # text reports without embeddings, on 2 cores


def timed_ingest(files: list[Path], data_dir: Path, jobs: int) -> tuple[float, float, int]:
    """Wall and CPU seconds of ingesting `files` without embeddings, and the chunks stored."""
    library = Library(Settings(data_dir=data_dir))
    started, cpu = time.perf_counter(), cpu_seconds()
    results = library.ingest(files, progress=False, embed=False, jobs=jobs)
    wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    bad = [r.message for r in results if r.status != "ingested"]
    if bad:
        raise SystemExit(f"ingest failed: {bad[:3]}")
    chunks = sum(r.counts["chunks"] for r in results)
    library.close()
    return wall, cpu, chunks


def bench_text_ingest(copies: int, jobs_list: list[int], workdir: Path) -> None:
    base = SAMPLE_REPORT.read_text(encoding="utf-8")
    files = []
    for i in range(copies):
        path = workdir / "in" / f"copy{i:04d}_{SAMPLE_REPORT.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(base + f"\n本副本编号：{i}\n", encoding="utf-8")
        files.append(path)
    timed_ingest(files[:2], workdir / "warm", 1)  # jieba's dictionary, the parsers' caches
    print(f"Text ingest, no embeddings: {copies} copies of the sample; {default_jobs()} cores")
    for jobs in jobs_list:
        before = load()
        wall, cpu, chunks = timed_ingest(files, workdir / f"data-{jobs}", jobs)
        cores = min(jobs, default_jobs())
        print(f"  --jobs {jobs}: {wall:6.2f} s wall = {copies / wall:5.1f} reports/s; CPU {cpu:6.2f} s = "
              f"{1000 * cpu / copies:4.0f} ms/report, i.e. {cores * copies / cpu:5.1f} reports/s on {cores} idle "
              f"core(s) (goal {GOAL_REPORTS_PER_S:.0f}/s on 2); {chunks} chunks; load {before} -> {load()}")


def bench_memory(reports: int, workdir: Path) -> None:
    from evals.synthetic import generate

    files = []
    for seed in range(reports):
        path = workdir / "gen" / f"synthetic-{seed:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate(seed)[0], encoding="utf-8")
        files.append(path)
    before = load()
    wall, cpu, chunks = timed_ingest(files, workdir / "data-memory", default_jobs())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"memory: {reports} generated reports ({chunks} chunks) ingested on {default_jobs()} processes in "
          f"{wall:.1f} s (CPU {cpu:.1f} s; load {before} -> {load()}): peak RSS writer {own:.0f} MB, largest "
          f"worker {worker:.0f} MB, together at most {own + default_jobs() * worker:.0f} MB (goal < 2048 MB)")


def bench_embedding(n_chunks: int) -> None:
    settings = Settings()
    t0 = time.perf_counter()
    embedder = load_embedder(settings.embedding)
    t_load = time.perf_counter() - t0
    texts = [f"{c.heading}\n{c.text}" for c in parse_file(SAMPLE_REPORT).chunks]
    texts = (texts * (n_chunks // len(texts) + 1))[:n_chunks]
    batch = settings.embedding.batch_size
    embedder.embed_documents(texts[:batch], batch)  # warm-up
    kind = "offline fallback, English-only" if embedder.is_fallback else "configured model"
    print(f"Embedding: model {embedder.name} ({kind}), dim {embedder.dimension}, device "
          f"{settings.embedding.device}, batch {batch}; model load {t_load:.1f} s")
    timings = {}
    for name, embed in (
        ("bare model.encode", lambda: embedder.model.encode(texts, batch_size=batch, show_progress_bar=False)),  # type: ignore[attr-defined]
        ("ingest path (embed_documents)", lambda: embedder.embed_documents(texts, batch)),
    ):
        before, started, cpu = load(), time.perf_counter(), cpu_seconds()
        embed()
        timings[name] = (time.perf_counter() - started, cpu_seconds() - cpu)
        wall, used = timings[name]
        print(f"  {name:<30} {1000 * wall / n_chunks:6.1f} s wall, {1000 * used / n_chunks:6.1f} s CPU per "
              f"1,000 chunks; load {before}")
    floor, ours = timings["bare model.encode"], timings["ingest path (embed_documents)"]
    print(f"  ratio to the floor: {ours[0] / floor[0]:.2f}x wall, {ours[1] / floor[1]:.2f}x CPU")


def main(argv: list[str] | None = None) -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--jobs", default=f"1,{default_jobs()}", help="comma-separated process counts")
    parser.add_argument("--chunks", type=int, default=1000, help="chunks to embed (0: skip)")
    parser.add_argument("--memory", type=int, default=0, metavar="N", help="also peak RSS ingesting N reports")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="juesuan-bench-") as tmp:
        bench_text_ingest(args.copies, [int(j) for j in args.jobs.split(",")], Path(tmp))
        if args.memory:
            bench_memory(args.memory, Path(tmp))
    if args.chunks:
        bench_embedding(args.chunks)


if __name__ == "__main__":
    main()
