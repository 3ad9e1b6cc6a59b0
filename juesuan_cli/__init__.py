"""The `juesuan` command: one subcommand per job.

    juesuan serve              the browser app (ingests the bundled sample on first start)
    juesuan ingest PATH...     parse and store reports
    juesuan figures PATH...    every stated figure, one row each: table, JSON, CSV, XLSX, Parquet
    juesuan reports            what is stored
    juesuan remove ID...       remove stored reports from every store
    juesuan check PATH...      run the consistency rules over files, folders or stored reports
    juesuan ask QUESTION       answer a question from the stored reports, every number checked
    juesuan verify TEXT --report R   check every number of an answer against one report
    juesuan doctor             check (or --repair) that the stores agree with SQLite
    juesuan eval               the scorecard: retrieval, answers, verifier, rules (docs/evaluation.md)

Exit codes: 0 success, 2 when an input could not be read (each named, with the reason);
`check` exits 1 when a report has an error finding (and no input was unreadable).
"""

from __future__ import annotations

# Each module registers its commands; `juesuan --help` lists them in this order.
# isort: off
from juesuan_cli import serving, reading, checking, answering  # noqa: F401
# isort: on
from juesuan_cli.answering import answer_json
from juesuan_cli.common import app

__all__ = ["answer_json", "app", "main"]


def main() -> None:
    """Console entry point."""
    app()
