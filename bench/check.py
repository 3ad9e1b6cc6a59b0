"""Rule-suite throughput: reports checked per second on copies of the bundled sample.

    python bench/check.py [--copies 200]

Prints three figures, so that it is clear what is timed:
- parse only: `index.parse.parse_file` (load + layout + sections + tables + figures + chunks);
- rules only: `evals.check.run_rules` on already parsed reports;
- both: parse + run_rules per report, as `juesuan check` does for a file.
Each copy carries an appended line, so every copy is a distinct file (its own report id).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evals.check import run_rules
from evals.registry import RULES
from index.parse import parse_file

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "2023年度米易县人民政府办公室部门决算.txt"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args(argv)
    base = SAMPLE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(args.copies):
            path = Path(tmp) / f"copy{i:03d}_{SAMPLE.name}"
            path.write_text(base + f"\n本副本编号：{i}\n", encoding="utf-8")
            files.append(path)
        run_rules(parse_file(files[0]))  # warm-up: jieba, OpenCC and regex caches load once
        t0 = time.perf_counter()
        parsed = [parse_file(path) for path in files]
        t_parse = time.perf_counter() - t0
        t1 = time.perf_counter()
        findings = 0
        for report in parsed:
            findings += len(run_rules(report).findings)
        t_rules = time.perf_counter() - t1
        t2 = time.perf_counter()
        for path in files:
            run_rules(parse_file(path))
        t_both = time.perf_counter() - t2
    n = args.copies
    print(f"{n} copies of {SAMPLE.name}; {len(RULES)} rules registered; {findings // n} findings per report")
    print(f"parse only : {n / t_parse:8.1f} reports/s  ({1000 * t_parse / n:6.1f} ms each)")
    print(f"rules only : {n / t_rules:8.1f} reports/s  ({1000 * t_rules / n:6.1f} ms each)")
    print(f"parse+rules: {n / t_both:8.1f} reports/s  ({1000 * t_both / n:6.1f} ms each)")


if __name__ == "__main__":
    main()
