"""Last year's report of the same department: the one pairing `juesuan check` and the app use.

The cross-year rule (`across.prior_year`) compares a report's implied prior-year figures with
what last year's report stated, so each report is paired with at most one earlier report:
among the candidates (the `--previous` reports given to `juesuan check`, or the ingested
reports a user may read), the one of the same department (spaces ignored) and the year before;
failing that the latest earlier year (the rule then says it lacks data rather than comparing two
years apart); a report never pairs with itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from index.models import ParsedReport, Report


@dataclass(frozen=True)
class Edition:
    """What pairing needs to know of a report: which one it is, whose, and which year."""

    report_id: str
    department: str | None
    year: int | None

    @classmethod
    def of(cls, report: Report) -> Edition:
        """The edition of a parsed or stored report."""
        return cls(report.id, report.department, report.year)

    @classmethod
    def of_row(cls, row: dict) -> Edition:
        """The edition of a row of `Store.reports()` (keys id, department, year)."""
        return cls(row["id"], row["department"], row["year"])


def _same_department(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return "".join(a.split()) == "".join(b.split())


def last_year(current: Edition, candidates: Sequence[Edition], single_input: bool = False) -> Edition | None:
    """Last year's edition for `current` among `candidates`, or None.

    `single_input`: the user checks one report and named one previous report, so that one is
    used whatever its department (it is what they asked for)."""
    others = [c for c in candidates if c.report_id != current.report_id]
    if single_input and len(others) == 1:
        return others[0]
    same = [c for c in others if _same_department(c.department, current.department)]
    if current.year is None:
        return same[0] if len(same) == 1 else None
    exact = [c for c in same if c.year == current.year - 1]
    if exact:
        return exact[0]
    earlier = [c for c in same if c.year is not None and c.year < current.year]
    if earlier:
        return max(earlier, key=lambda c: c.year or 0)
    undated = [c for c in same if c.year is None]
    return undated[0] if len(undated) == 1 else None


def pick_previous(
    parsed: ParsedReport, previous: list[tuple[str, ParsedReport]], single_input: bool
) -> tuple[str, ParsedReport] | None:
    """The (label, report) of `previous` that is last year's report for `parsed` (`last_year`)."""
    editions = [Edition.of(p.report) for _, p in previous]
    chosen = last_year(Edition.of(parsed.report), editions, single_input)
    return None if chosen is None else previous[editions.index(chosen)]


def stored_previous(rows: list[dict], report_id: str) -> dict | None:
    """The row of `rows` (rows of `Store.reports()`, those the caller may read) that is last
    year's report for the stored report `report_id`, or None (also when it is not in `rows`)."""
    current = next((r for r in rows if r["id"] == report_id), None)
    if current is None:
        return None
    editions = [Edition.of_row(r) for r in rows]
    chosen = last_year(Edition.of_row(current), editions)
    return None if chosen is None else rows[editions.index(chosen)]
