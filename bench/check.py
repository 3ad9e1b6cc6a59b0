"""`juesuan check` throughput: reports checked per second, on one process and on every core.

    python -m bench.check [--copies 100] [--jobs 1,2] [--pdf] [--memory 1000]

1. Text reports: `--copies` distinct copies of the bundled sample (each with an appended line, so
   each is its own report) checked through `evals.audit.check.check_sources`, the runner of
   `juesuan check`, once per `--jobs` value. Printed: wall time, CPU time (this process and its
   workers, `resource.getrusage`), reports per second of each, and whether every run gave the
   same results in the same order as the first. The machine is shared: the load average is
   printed next to each figure, and CPU time moves less with the load than wall time.
   Where a report's time goes (one process, CPU): parse (`parse_file(chunks=False)`) and rules.
2. `--pdf`: each real PDF of ../shared/samples checked (parse + rules, one process) next to its
   floor, bare pdfplumber `extract_text` of the same pages, as a ratio (goal: at most 1.3×).
3. `--memory N`: N generated reports (`evals.synthetic.generate`, distinct departments and
   figures) checked on every core; peak RSS of this process and of the largest worker.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

from evals.audit.check import check_sources, run_rules
from evals.audit.inputs import ReportInputs, Source
from evals.audit.registry import RULES
from index import SAMPLE_REPORT
from index.parallel import default_jobs
from index.parse import parse_file

GOAL_REPORTS_PER_S = 50.0  # text reports, on 2 cores
GOAL_PDF_RATIO = 1.3
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (pool workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    """The load averages (1, 5, 15 minutes)."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def copies_of_sample(folder: Path, n: int) -> list[Source]:
    base = SAMPLE_REPORT.read_text(encoding="utf-8")
    sources = []
    for i in range(n):
        path = folder / f"copy{i:04d}_{SAMPLE_REPORT.name}"
        path.write_text(base + f"\n本副本编号：{i}\n", encoding="utf-8")
        sources.append(Source(label=str(path), path=path))
    return sources


def timed_check(sources: list[Source], jobs: int) -> tuple[float, float, list[str]]:
    """Wall seconds, CPU seconds and the results (as JSON) of checking `sources` on `jobs` processes."""
    inputs = ReportInputs(None)
    started, cpu = time.perf_counter(), cpu_seconds()
    results = [r if isinstance(r, str) else r.model_dump_json() for _, r in check_sources(inputs, sources, jobs=jobs)]
    return time.perf_counter() - started, cpu_seconds() - cpu, results


def bench_text(copies: int, jobs_list: list[int]) -> None:
    with tempfile.TemporaryDirectory(prefix="juesuan-bench-check-") as tmp:
        sources = copies_of_sample(Path(tmp), copies)
        timed_check(sources[:2], 1)  # warm-up: the parsers' caches, the rule registry
        # Where a report's time goes, on one process.
        t0 = time.process_time()
        parsed = [parse_file(s.path, chunks=False) for s in sources[:20]]  # type: ignore[arg-type]
        t1 = time.process_time()
        for report in parsed:
            run_rules(report)
        t2 = time.process_time()
        print(f"{copies} copies of {SAMPLE_REPORT.name} ({len(SAMPLE_REPORT.read_text(encoding='utf-8')):,} "
              f"characters); {len(RULES)} rules; {default_jobs()} cores")
        print(f"  one report, one process (CPU): parse {1000 * (t1 - t0) / 20:.0f} ms + rules "
              f"{1000 * (t2 - t1) / 20:.0f} ms")
        first: list[str] | None = None
        for jobs in jobs_list:
            before = load()
            wall, cpu, results = timed_check(sources, jobs)
            same = "" if first is None else (f"; results identical to --jobs {jobs_list[0]}" if results == first
                                             else "; RESULTS DIFFER from the first run")
            first = first or results
            cores = min(jobs, default_jobs())
            print(f"  --jobs {jobs}: {wall:6.2f} s wall = {copies / wall:5.1f} reports/s; CPU {cpu:6.2f} s = "
                  f"{1000 * cpu / copies:4.0f} ms/report, i.e. {cores * copies / cpu:5.1f} reports/s on {cores} "
                  f"idle core(s) (goal {GOAL_REPORTS_PER_S:.0f}/s on 2); load {before} -> {load()}{same}")


def bench_pdf() -> None:
    import pdfplumber

    pdfs = sorted(SAMPLES.glob("*.pdf"))
    if not pdfs:
        print(f"--pdf: no PDF in {SAMPLES}")
        return
    print(f"PDF check (parse + rules, one process, CPU) against bare pdfplumber extract_text; load {load()}")
    for path in pdfs:
        for _ in range(2):  # the second round is timed: fonts and caches are loaded by then
            t0 = time.process_time()
            with pdfplumber.open(path) as pdf:
                pages = len(pdf.pages)
                for page in pdf.pages:
                    page.extract_text()
            t1 = time.process_time()
            run_rules(parse_file(path, chunks=False))
            t2 = time.process_time()
        bare, ours = t1 - t0, t2 - t1
        print(f"  {path.name[:36]:<38} {pages:3d} pages: bare {bare:5.2f} s, check {ours:5.2f} s, "
              f"ratio {ours / bare:4.2f}x (goal <= {GOAL_PDF_RATIO}x)")


def bench_memory(reports: int) -> None:
    from evals.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="juesuan-bench-check-mem-") as tmp:
        sources = []
        for seed in range(reports):
            path = Path(tmp) / f"synthetic-{seed:04d}.txt"
            path.write_text(generate(seed)[0], encoding="utf-8")
            sources.append(Source(label=str(path), path=path))
        before = load()
        wall, cpu, _ = timed_check(sources, default_jobs())  # the results held, as `juesuan check` holds them
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"memory: {reports} generated reports checked on {default_jobs()} processes in {wall:.1f} s "
              f"(CPU {cpu:.1f} s; load {before} -> {load()}): peak RSS this process {own:.0f} MB, largest "
              f"worker {worker:.0f} MB, together at most {own + default_jobs() * worker:.0f} MB (goal < 2048 MB)")


def main(argv: list[str] | None = None) -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--jobs", default=f"1,{default_jobs()}", help="comma-separated process counts")
    parser.add_argument("--pdf", action="store_true", help="also the real PDFs against bare pdfplumber")
    parser.add_argument("--memory", type=int, default=0, metavar="N", help="also peak RSS checking N reports")
    args = parser.parse_args(argv)
    bench_text(args.copies, [int(j) for j in args.jobs.split(",")])
    if args.pdf:
        bench_pdf()
    if args.memory:
        bench_memory(args.memory)


if __name__ == "__main__":
    main()
