"""The yoy family: prior = current − change, rate = change / prior, directions, zero base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.rule_helpers import parse_text, run, severities

RUNNING = "十、其他重要事项的情况说明\n（一）机关运行经费支出情况\n2023年度，测试局机关运行经费支出110.00万元，比2022年度{word}10.00万元，{rate_word}{rate}%。"


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("10.00", []),  # 10.00 / (110.00 − 10.00)
        ("10.01", []),  # computed [9.994, 10.006] overlaps [10.005, 10.015]: just inside
        ("10.02", [("yoy.rate", "rounding", "info")]),  # one unit outside
        ("11.00", [("yoy.rate", "yoy", "error")]),  # further
    ],
)
def test_growth_rate(tmp_path: Path, rate: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, RUNNING.format(word="增加", rate_word="增长", rate=rate)), "yoy")
    assert severities(findings) == expected


def test_decrease_rate(tmp_path: Path) -> None:
    # 110.00 now, 10.00 less than last year: prior 120.00, 8.33%
    ok = RUNNING.format(word="减少", rate_word="下降", rate="8.33")
    assert run(parse_text(tmp_path, ok), "yoy")[0] == []
    findings, _ = run(
        parse_text(tmp_path, RUNNING.format(word="减少", rate_word="下降", rate="10.00")), "yoy"
    )
    assert severities(findings) == [("yoy.rate", "yoy", "error")]
    assert findings[0].expected == "8.33"


def test_direction_words_must_agree(tmp_path: Path) -> None:
    findings, _ = run(parse_text(tmp_path, RUNNING.format(word="减少", rate_word="增长", rate="8.33")), "yoy")
    assert severities(findings) == [("yoy.direction", "yoy", "error")]


def test_no_growth_rate_on_a_zero_base(tmp_path: Path) -> None:
    body = "十、其他重要事项的情况说明\n（一）机关运行经费支出情况\n机关运行经费支出10.23万元，比2022年度增加10.23万元，增长100.00%。"
    findings, _ = run(parse_text(tmp_path, body), "yoy")
    assert severities(findings) == [("yoy.zero_base", "yoy", "warning")]


def test_rate_without_current_amount_is_insufficient(tmp_path: Path) -> None:
    body = "十、其他重要事项的情况说明\n（一）机关运行经费支出情况\n机关运行经费比2022年度增加10.00万元，增长10.00%。"
    findings, insufficient = run(parse_text(tmp_path, body), "yoy.rate")
    assert findings == [] and insufficient == {"yoy.rate": 1}


SANGONG = """七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2023年度“三公”经费财政拨款支出决算为14.71万元，较上年度减少{total}万元，下降{rate}%。
（二）“三公”经费财政拨款支出决算具体情况说明
1.因公出国（境）经费支出0万元。因公出国（境）支出决算与2022年持平。
2.公务用车购置及运行维护费支出10.16万元。公务用车购置及运行维护费支出决算比2022年度减少1.61万元，下降13.68%。
3.公务接待费支出4.55万元。公务接待费支出决算比2022年度减少1.05万元，下降18.75%。"""


def test_sangong_part_changes_add_up(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, SANGONG.format(total="2.66", rate="15.31")), "yoy")[0] == []
    findings, _ = run(parse_text(tmp_path, SANGONG.format(total="3.66", rate="19.92")), "yoy")
    assert severities(findings) == [("yoy.sangong_changes", "yoy", "error")]
    assert "持平" in findings[0].message


def test_sangong_part_change_missing_is_insufficient(tmp_path: Path) -> None:
    body = SANGONG.format(total="3.66", rate="19.92").replace("因公出国（境）支出决算与2022年持平。", "")
    findings, insufficient = run(parse_text(tmp_path, body), "yoy.sangong_changes")
    # Two breakdowns cannot be checked: the 三公 (出国's change missing) and the 公务用车 (neither
    # 购置 nor 运行's change stated).
    assert findings == [] and insufficient == {"yoy.sangong_changes": 2}
