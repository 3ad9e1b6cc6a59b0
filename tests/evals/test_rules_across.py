"""The across family: the prior-year figures implied by this year's report equal last year's."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.audit.check import run_rules
from index.parse import parse_file
from tests.evals.rule_helpers import severities

PREVIOUS = (
    "2022年度测试局部门决算\n第二部分 2022年度部门决算情况说明\n一、收入支出决算总体情况说明\n"
    "2022年度收、支总计均为1008.09万元。\n七、财政拨款“三公”经费支出决算情况说明\n2022年度公务接待费支出{prior}万元。\n"
)
CURRENT = (
    "2023年度测试局部门决算\n第二部分 2023年度部门决算情况说明\n一、收入支出决算总体情况说明\n"
    "2023年度收、支总计均为1054.82万元。与2022年度相比，收、支总计各增加46.73万元，增长4.63%。\n"
    "七、财政拨款“三公”经费支出决算情况说明\n2023年度公务接待费支出4.55万元。公务接待费支出决算比2022年度减少1.05万元，下降18.75%。\n"
)


def _pair(tmp_path: Path, prior: str):
    (tmp_path / "prev.txt").write_text(PREVIOUS.format(prior=prior), encoding="utf-8")
    (tmp_path / "cur.txt").write_text(CURRENT, encoding="utf-8")
    return parse_file(tmp_path / "cur.txt"), parse_file(tmp_path / "prev.txt")


@pytest.mark.parametrize(
    ("prior", "expected"),
    [
        ("5.60", []),  # 4.55 + 1.05
        ("5.61", []),  # implied [5.59, 5.61] (two displayed values) touches [5.605, 5.615]
        ("5.62", [("across.prior_year", "rounding", "info")]),
        ("5.63", [("across.prior_year", "across", "error")]),
        ("5.80", [("across.prior_year", "across", "error")]),
    ],
)
def test_prior_year_from_a_change(tmp_path: Path, prior: str, expected: list) -> None:
    current, previous = _pair(tmp_path, prior)
    result = run_rules(current, previous=previous, rule_ids=["across.prior_year"])
    assert severities(result.findings) == expected
    if result.findings:
        assert result.findings[0].expected == prior and len(result.findings[0].evidence) == 3


def test_no_previous_report_no_finding(tmp_path: Path) -> None:
    current, _ = _pair(tmp_path, "5.60")
    assert run_rules(current, rule_ids=["across.prior_year"]).findings == []


def test_previous_report_of_another_year_is_insufficient(tmp_path: Path) -> None:
    current, previous = _pair(tmp_path, "5.60")
    result = run_rules(current, previous=current, rule_ids=["across.prior_year"])
    assert result.findings == [] and result.insufficient.get("across.prior_year") == 1
    assert previous.report.year == 2022
