"""One last-year pairing for `juesuan check`, `juesuan ask` and the app's 审查 tab.

`last_year` on small editions; `StoredChecks` (what the app and `ask` show) on a real store
holding the bundled sample, the same department's report a year earlier and another
department's."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.audit.check import StoredChecks
from evals.audit.pairing import Edition, last_year, stored_previous
from index import SAMPLE_REPORT
from index.ingest import Library
from index.settings import CheckSettings, Settings

DEPT = "米易县人民政府办公室"


@pytest.mark.parametrize(
    ("current", "candidates", "single", "expected"),
    [
        # the same department (spaces ignored) and the year before, among others
        (("c", DEPT, 2023), [("o", "米易县教育局", 2022), ("a", DEPT, 2021), ("b", "米 易县人民政府办公室", 2022)],
         False, "b"),
        # failing that, the latest earlier year
        (("c", DEPT, 2023), [("a", DEPT, 2020), ("b", DEPT, 2021)], False, "b"),
        # never a later year, another department or the report itself
        (("c", DEPT, 2023), [("x", DEPT, 2024), ("o", "米易县教育局", 2022), ("c", DEPT, 2023)], False, None),
        # one input and one named previous report: that one, whatever its department
        (("c", DEPT, 2023), [("o", "米易县教育局", 2022)], True, "o"),
        # an undated report pairs only with the one report of its department
        (("c", DEPT, None), [("a", DEPT, 2021)], False, "a"),
        (("c", DEPT, None), [("a", DEPT, 2021), ("b", DEPT, 2022)], False, None),
    ],
)
def test_last_year(current, candidates, single, expected) -> None:
    chosen = last_year(Edition(*current), [Edition(*c) for c in candidates], single)
    assert (chosen.report_id if chosen else None) == expected


@pytest.fixture
def store_of_three(tmp_path: Path):
    """A library with the sample (2023), its department's 2022 report and another department's 2022."""
    text = SAMPLE_REPORT.read_text(encoding="utf-8")
    earlier = tmp_path / "上年.txt"
    earlier.write_text(text.replace("2023年度", "2022年度"), encoding="utf-8")
    other = tmp_path / "其他单位.txt"
    other.write_text(text.replace("2023年度", "2022年度").replace(DEPT, "米易县教育局"), encoding="utf-8")
    library = Library(Settings(data_dir=tmp_path / "data"))
    results = library.ingest([SAMPLE_REPORT, earlier, other], progress=False, embed=False)
    assert [r.status for r in results] == ["ingested"] * 3, [r.message for r in results]
    yield library, [r.report_id for r in results]
    library.close()


def test_stored_previous_is_the_departments_year_before(store_of_three) -> None:
    library, (sample, earlier, other) = store_of_three
    rows = library.store.reports()
    assert stored_previous(rows, sample)["id"] == earlier
    assert stored_previous(rows, earlier) is None  # nothing earlier of its department
    assert stored_previous(rows, other) is None  # another department's reports are never its last year
    assert stored_previous([r for r in rows if r["id"] != earlier], sample) is None  # not readable: not used
    assert stored_previous(rows, "no-such-id") is None


def test_stored_checks_pair_among_the_readable_reports(store_of_three) -> None:
    library, (sample, earlier, _) = store_of_three
    store, rows = library.store, library.store.reports()
    checks = StoredChecks(CheckSettings())
    result = checks.result(store, sample, rows)
    assert result is not None and result.previous == "上年.txt"
    assert checks.result(store, sample, rows) is result  # run once
    # A reader who may not see last year's report gets the findings without it.
    alone = checks.result(store, sample, [r for r in rows if r["id"] != earlier])
    assert alone is not None and alone.previous is None
    # A report the reader may not see has no findings for them.
    assert checks.result(store, sample, [r for r in rows if r["id"] != sample]) is None
    checks.forget(earlier)
    assert checks.result(store, sample, rows) is not result  # dropped with the report it was paired with


def test_stored_checks_follow_the_check_settings(store_of_three) -> None:
    library, (sample, _, _) = store_of_three
    store, rows = library.store, library.store.reports()
    only = StoredChecks(CheckSettings(rules="across", previous_from_store=False)).result(store, sample, rows)
    assert only is not None and only.previous is None and only.summary.rules_run == 1
    with pytest.raises(ValueError, match="JUESUAN_CHECK__RULES: .*no.such.rule"):
        StoredChecks(CheckSettings(rules="no.such.rule"))
