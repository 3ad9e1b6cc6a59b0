"""`python -m evals.quality.mutation`: run the harness and print its summary."""

from __future__ import annotations

import argparse

from evals.quality.mutation.harness import run
from evals.quality.mutation.summary import format_result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mutation testing of the rule suite on clean synthetic reports.")
    parser.add_argument("--reports", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-report", type=int, default=None, help="perturb at most N figures per report")
    parser.add_argument("--all-kinds", action="store_true", help="every applicable kind per figure (default: one)")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    result = run(args.reports, args.seed, args.per_report, args.all_kinds, args.jobs)
    print(format_result(result, args.top))


if __name__ == "__main__":
    main()
