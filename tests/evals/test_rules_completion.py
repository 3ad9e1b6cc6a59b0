"""The completion family: completion / execution rates and budget-vs-actual wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.rule_helpers import parse_text, run, severities, table_report

PROJECT = "十、其他重要事项的情况说明\n（四）预算绩效管理情况\n1.测试项目绩效自评得分为100分。绩效自评综述：项目全年预算数100.00万元，执行数为95.83万元，完成预算的{rate}%。"


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("95.83", []),
        ("95.84", []),  # 95.83/100.00 lies in [95.8202, 95.8398]: just inside
        ("95.85", [("completion.rate", "rounding", "info")]),  # one unit outside
        ("100", [("completion.rate", "completion", "error")]),  # the seed's error 5
    ],
)
def test_project_rate_against_the_budget_of_its_sentence(tmp_path: Path, rate: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, PROJECT.format(rate=rate)), "completion")
    assert severities(findings) == expected


def test_rate_without_any_budget_is_insufficient(tmp_path: Path) -> None:
    body = "五、一般公共预算财政拨款支出决算情况说明\n（三）一般公共预算财政拨款支出决算具体情况\n2023年度一般公共预算支出决算数为1054.82万元，完成预算100%。"
    findings, insufficient = run(parse_text(tmp_path, body), "completion.rate")
    assert findings == [] and insufficient == {"completion.rate": 1}


NAMED = "五、一般公共预算财政拨款支出决算情况说明\n（三）一般公共预算财政拨款支出决算具体情况\n一般公共预算财政拨款支出年初预算为{initial}万元，全年预算为321.02万元，支出决算为307.82万元，完成年初预算的{rate}%。"


def test_named_denominator(tmp_path: Path) -> None:
    ok = parse_text(tmp_path, NAMED.format(initial="321.02", rate="95.89"))
    assert run(ok, "completion")[0] == []
    # the rate is the 全年预算 one, though the text says 年初预算 (which is 0)
    findings, _ = run(parse_text(tmp_path, NAMED.format(initial="0", rate="95.89")), "completion")
    assert severities(findings) == [("completion.named_base", "completion", "warning")]
    assert "全年预算数321.02万元" in findings[0].message
    findings, _ = run(parse_text(tmp_path, NAMED.format(initial="330.00", rate="99.00")), "completion")
    assert severities(findings) == [("completion.rate", "completion", "error")]


HEADER = ["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率"]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("100.00%", []),  # 95.83 / 95.83 (调整后)
        ("95.83%", []),  # 95.83 / 100.00 (年初)
        ("96.96%", [("completion.table_rate", "completion", "error")]),  # the seed's error 3
        ("95.84%", []),
        ("95.85%", [("completion.table_rate", "rounding", "info")]),
    ],
)
def test_table_execution_rate_either_budget(rate: str, expected: list) -> None:
    parsed = table_report(
        "资金计划",
        "测试项目",
        HEADER,
        [
            ["总额", "100.00", "95.83", "95.83", rate],
            ["单位资金", "0.00", "0.00", "0.00", "0.00%"],
        ],
    )
    findings, _ = run(parsed, "completion.table_rate")
    assert severities(findings) == expected
    if findings:
        assert "调整后预算数" in findings[0].message and "年初预算数" in findings[0].message


def test_table_one_finding_per_table_naming_each_row() -> None:
    parsed = table_report(
        "绩效自评表-预算执行",
        "测试项目",
        HEADER,
        [
            ["总额", "100.00", "95.83", "95.83", "96.96%"],
            ["其中：财政资金", "2.04", "2.00", "2.00", "96.96%"],
        ],
    )
    findings, _ = run(parsed, "completion.table_rate")
    assert len(findings) == 1 and "总额行" in findings[0].message and "财政资金行" in findings[0].message


WORDING = "五、一般公共预算财政拨款支出决算情况说明\n（三）一般公共预算财政拨款支出决算具体情况\n1、一般公共服务支出（类）社会工作事务（款）事业运行（项）。主要用于：事业单位人员支出。全年预算为17.68万元，支出决算为{actual}万元。决算数{word}全年预算数{tail}"


@pytest.mark.parametrize(
    ("actual", "word", "tail", "expected"),
    [
        ("11.31", "小于", "的主要原因：人员变动。", []),
        ("11.31", "大于", "的主要原因：人员变动。", [("completion.wording", "completion", "error")]),
        ("17.68", "与", "持平。", []),
        ("11.31", "与", "持平。", [("completion.wording", "completion", "error")]),
        ("17.00", "与", "基本持平。", []),
    ],
)
def test_budget_vs_actual_wording(tmp_path: Path, actual: str, word: str, tail: str, expected: list) -> None:
    findings, _ = run(
        parse_text(tmp_path, WORDING.format(actual=actual, word=word, tail=tail)), "completion.wording"
    )
    assert severities(findings) == expected


def test_wording_against_the_rate_of_the_paragraph(tmp_path: Path) -> None:
    body = "七、财政拨款“三公”经费支出决算情况说明\n（一）“三公”经费财政拨款支出决算总体情况说明\n2023年度“三公”经费财政拨款支出决算为14.71万元，完成预算{rate}%。决算数与预算数持平。"
    assert run(parse_text(tmp_path, body.format(rate="100")), "completion.wording")[0] == []
    findings, _ = run(parse_text(tmp_path, body.format(rate="90")), "completion.wording")
    assert severities(findings) == [("completion.wording", "completion", "error")]
