"""The sums family: stated totals against their parts, each rule on tiny reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.rule_helpers import parse_text, run, severities, table_report

PROCUREMENT = "十、其他重要事项的情况说明\n（二）政府采购支出情况\n2023年度，测试局政府采购支出总额{total}万元，其中：政府采购货物支出2.00万元，政府采购工程支出1.00万元，政府采购服务支出{service}万元。"


@pytest.mark.parametrize(
    ("total", "service", "expected"),
    [
        ("5.00", "2.00", []),  # holds
        ("5.02", "2.00", []),  # three parts of ±0.005: just inside the rounding interval
        ("5.03", "2.00", [("sums.procurement_parts", "rounding", "info")]),  # one unit outside
        ("5.04", "2.00", [("sums.procurement_parts", "sums", "error")]),  # further
        ("5.00", "3.00", [("sums.procurement_parts", "sums", "error")]),
    ],
)
def test_procurement_parts(tmp_path: Path, total: str, service: str, expected: list) -> None:
    findings, _ = run(
        parse_text(tmp_path, PROCUREMENT.format(total=total, service=service)), "sums.procurement_parts"
    )
    assert severities(findings) == expected
    if findings:
        assert findings[0].evidence and findings[0].message.endswith("。")


def test_procurement_listing_only_some_parts_is_not_a_sum(tmp_path: Path) -> None:
    body = "十、其他重要事项的情况说明\n（二）政府采购支出情况\n2023年度，测试局政府采购支出总额5.00万元，其中：政府采购货物支出2.00万元。"
    findings, insufficient = run(
        parse_text(tmp_path, body), "sums.procurement_parts", "sums.part_exceeds_whole"
    )
    assert findings == []
    assert insufficient == {"sums.procurement_parts": 1}


def test_part_never_exceeds_whole(tmp_path: Path) -> None:
    ok, _ = run(
        parse_text(tmp_path, PROCUREMENT.format(total="5.00", service="2.00")), "sums.part_exceeds_whole"
    )
    assert ok == []
    bad, _ = run(
        parse_text(tmp_path, PROCUREMENT.format(total="2.0", service="10")), "sums.part_exceeds_whole"
    )
    assert severities(bad) == [("sums.part_exceeds_whole", "sums", "error")]
    assert (
        "政府采购服务支出10万元" in bad[0].message and bad[0].expected == "2.00" and bad[0].actual == "10"
    )


SANGONG = """七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2023年度“三公”经费财政拨款支出决算为{total}万元，完成预算100%。
（二）“三公”经费财政拨款支出决算具体情况说明
2023年度“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算6.00万元，占60.00%；公务接待费支出决算4.00万元，占40.00%。"""


def test_sangong_parts_bound_across_subsections(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, SANGONG.format(total="10.00")), "sums.sangong_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, SANGONG.format(total="12.00")), "sums.sangong_parts")
    assert severities(findings) == [("sums.sangong_parts", "sums", "error")]
    assert (
        findings[0].expected == "10.00" and findings[0].actual == "12.00" and findings[0].difference == "2.00"
    )


def test_sangong_total_stated_twice_differently_is_insufficient(tmp_path: Path) -> None:
    body = SANGONG.format(total="10.00").replace(
        "完成预算100%。", "完成预算100%。\n2023年度“三公”经费财政拨款支出决算为12.00万元。"
    )
    findings, insufficient = run(parse_text(tmp_path, body), "sums.sangong_parts")
    assert findings == [] and insufficient.get("sums.sangong_parts") == 1


VEHICLE = """七、财政拨款“三公”经费支出决算情况说明
（二）“三公”经费财政拨款支出决算具体情况说明
2.公务用车购置及运行维护费支出10.16万元。
其中：公务用车购置支出{buy}万元。
公务用车运行维护费支出10.16万元。"""


def test_vehicle_parts_within_a_section(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, VEHICLE.format(buy="0")), "sums.vehicle_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, VEHICLE.format(buy="1.00")), "sums.vehicle_parts")
    assert severities(findings) == [("sums.vehicle_parts", "sums", "error")]


def test_reception_parts(tmp_path: Path) -> None:
    body = """七、财政拨款“三公”经费支出决算情况说明
（二）“三公”经费财政拨款支出决算具体情况说明
3.公务接待费支出4.55万元。
国内公务接待支出{domestic}万元。
外事接待支出0.31万元。"""
    assert run(parse_text(tmp_path, body.format(domestic="4.24")), "sums.reception_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, body.format(domestic="4.55")), "sums.reception_parts")
    assert severities(findings) == [("sums.reception_parts", "sums", "error")]


def test_reception_two_different_domestic_amounts_is_insufficient(tmp_path: Path) -> None:
    body = """七、财政拨款“三公”经费支出决算情况说明
（二）“三公”经费财政拨款支出决算具体情况说明
3.公务接待费支出4.55万元。
国内公务接待支出4.24万元。
国内公务接待支出4.00万元。
外事接待支出0.31万元。"""
    findings, insufficient = run(parse_text(tmp_path, body), "sums.reception_parts")
    assert findings == [] and insufficient == {"sums.reception_parts": 1}


EXPENDITURE = "三、支出决算情况说明\n2023年度本年支出合计{total}万元，其中：基本支出60.00万元，占60.00%；项目支出40.00万元，占40.00%。"


def test_expenditure_parts(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, EXPENDITURE.format(total="100.00")), "sums.expenditure_parts")[0] == []
    assert run(parse_text(tmp_path, EXPENDITURE.format(total="100.01")), "sums.expenditure_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, EXPENDITURE.format(total="100.02")), "sums.expenditure_parts")
    assert severities(findings) == [("sums.expenditure_parts", "rounding", "info")]
    findings, _ = run(parse_text(tmp_path, EXPENDITURE.format(total="101.00")), "sums.expenditure_parts")
    assert severities(findings) == [("sums.expenditure_parts", "sums", "error")]


BASIC = """六、一般公共预算财政拨款基本支出决算情况说明
2023年度一般公共预算财政拨款基本支出927.45万元，其中：
人员经费841.35万元，主要包括：基本工资、津贴补贴。
公用经费{public}万元，主要包括：办公费、邮电费。"""


def test_basic_parts(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, BASIC.format(public="86.10")), "sums.basic_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, BASIC.format(public="86.20")), "sums.basic_parts")
    assert severities(findings) == [("sums.basic_parts", "sums", "error")]


INCOME = "二、收入决算情况说明\n2023年度本年收入合计{total}万元，其中：一般公共预算财政拨款收入90.00万元，占90.00%；事业收入10.00万元，占10.00%。"


def test_income_parts(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, INCOME.format(total="100.00")), "sums.income_parts")[0] == []
    findings, _ = run(parse_text(tmp_path, INCOME.format(total="110.00")), "sums.income_parts")
    assert severities(findings) == [("sums.income_parts", "sums", "error")]


def test_income_with_an_unlisted_source_is_insufficient(tmp_path: Path) -> None:
    body = "二、收入决算情况说明\n2023年度本年收入合计110.00万元，其中：一般公共预算财政拨款收入90.00万元；事业收入10.00万元。"
    findings, insufficient = run(parse_text(tmp_path, body), "sums.income_parts")
    assert findings == [] and insufficient == {"sums.income_parts": 1}


CLASSES = """五、一般公共预算财政拨款支出决算情况说明
（二）一般公共预算财政拨款支出决算结构情况
2023年度一般公共预算财政拨款支出{total}万元，主要用于以下方面:一般公共服务支出80.00万元，占80.00%；住房保障支出20.00万元，占20.00%。
（三）一般公共预算财政拨款支出决算具体情况
1.一般公共服务（201类）政府办公厅（室）及相关机构事务（03款）行政运行（01项）: 支出决算为{run}万元，完成预算100%；
一般公共服务（201类）政府办公厅（室）及相关机构事务（03款）一般行政管理事务（02项）: 支出决算为30.00万元，完成预算100%；
2.住房保障（221类）住房改革（02款）住房公积金（01项）:支出决算为20.00万元，完成预算100%。"""


def test_functional_classes(tmp_path: Path) -> None:
    assert (
        run(parse_text(tmp_path, CLASSES.format(total="100.00", run="50.00")), "sums.functional_classes")[0]
        == []
    )
    findings, _ = run(
        parse_text(tmp_path, CLASSES.format(total="100.00", run="55.00")), "sums.functional_classes"
    )
    assert severities(findings) == [("sums.functional_classes", "sums", "error")]
    assert "201" in findings[0].message
    findings, _ = run(
        parse_text(tmp_path, CLASSES.format(total="100.00", run="45.00")), "sums.functional_classes"
    )
    assert severities(findings) == [("sums.functional_classes", "sums", "warning")]  # an item may be missing
    findings, _ = run(
        parse_text(tmp_path, CLASSES.format(total="101.00", run="50.00")), "sums.functional_classes"
    )
    assert severities(findings) == [("sums.functional_classes", "sums", "error")]


def test_qizhong_breakdown(tmp_path: Path) -> None:
    body = "二、部门财政资金收支情况\n（一）部门财政资金收入情况\n2023年测试局财政拨款收入决算总额为{total}万元，其中基本支出927.45万元，项目支出127.37万元。"
    assert run(parse_text(tmp_path, body.format(total="1054.82")), "sums")[0] == []
    findings, _ = run(parse_text(tmp_path, body.format(total="1064.82")), "sums")
    assert severities(findings) == [("sums.qizhong_breakdown", "sums", "error")]


def test_a_known_total_with_qizhong_is_checked_once(tmp_path: Path) -> None:
    body = "二、部门财政资金收支情况\n（二）部门财政资金支出情况\n2023年测试局支出决算总额为1064.82万元，其中基本支出927.45万元，项目支出127.37万元。"
    findings, _ = run(parse_text(tmp_path, body), "sums")
    assert severities(findings) == [("sums.expenditure_parts", "sums", "error")]


def test_grand_totals_without_balances_only_checks_part_of_whole(tmp_path: Path) -> None:
    body = "一、收入支出决算总体情况说明\n2023年度收、支总计均为{grand}万元。\n二、收入决算情况说明\n2023年度本年收入合计100.00万元，其中：一般公共预算财政拨款收入100.00万元，占100%。"
    assert run(parse_text(tmp_path, body.format(grand="120.00")), "sums.grand_totals")[0] == []
    findings, _ = run(parse_text(tmp_path, body.format(grand="90.00")), "sums.grand_totals")
    assert severities(findings) == [("sums.grand_totals", "sums", "error")]


def test_expenditure_table_rows_are_checked_by_the_nine_tables_family() -> None:
    header = ["项目", "本年支出合计", "基本支出", "项目支出"]
    ok = table_report(
        "支出决算表", None, header, [["合计", "100.00", "60.00", "40.00"], ["行政运行", "60.00", "60.00", ""]]
    )
    assert run(ok, "nine_tables.row_columns")[0] == []
    bad = table_report("支出决算表", None, header, [["合计", "100.00", "60.00", "45.00"]])
    findings, _ = run(bad, "nine_tables.row_columns")
    assert severities(findings) == [("nine_tables.row_columns", "nine_tables", "error")]
    edge = table_report("支出决算表", None, header, [["合计", "100.02", "60.00", "40.00"]])
    assert severities(run(edge, "nine_tables.row_columns")[0]) == [("nine_tables.row_columns", "rounding", "info")]


# ---- funding sources of a project's table (绩效自评表 预算执行 part, 资金计划) ----------------

_FUND_HEADER = ["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率"]


def _fund_table(kind: str, fiscal: list[str], own: list[str] | None = None, extra: list[list[str]] | None = None):
    rows = [
        ["总额", "100.00", "95.83", "95.83", "100.00%"],
        ["其中：财政资金", *fiscal, "100.00%"],
        ["财政专户管理资金", "0.00", "0.00", "0.00", "0.00%"],
        ["单位资金", *(own or ["0.00", "0.00", "0.00"]), "0.00%"],
        ["其他资金", "", "", "", ""],
        *(extra or []),
    ]
    return table_report(kind, "政府工作专项经费", _FUND_HEADER, rows)


@pytest.mark.parametrize("kind", ["绩效自评表-预算执行", "资金计划"])
@pytest.mark.parametrize(
    ("fiscal", "own", "expected"),
    [
        (["100.00", "95.83", "95.83"], None, []),
        (["90.00", "85.83", "85.83"], ["10.00", "10.00", "10.00"], []),  # two sources
        (["99.99", "95.82", "95.84"], ["0.00", "0.00", "0.00"], []),  # two parts of ±0.005 hold ±0.01
        (["99.97", "95.83", "95.83"], None, [("sums.funding_sources", "rounding", "info")]),  # one unit outside
        (["2.04", "2.00", "2.00"], None, [("sums.funding_sources", "sums", "error")]),  # seed-audit item 6
        (["100.00", "95.83", "95.93"], None, [("sums.funding_sources", "sums", "error")]),
    ],
)
def test_funding_sources(kind: str, fiscal: list[str], own: list[str] | None, expected: list) -> None:
    findings, _ = run(_fund_table(kind, fiscal, own), "sums.funding_sources")
    assert severities(findings) == expected
    if expected and expected[0][2] == "error":
        assert len(findings) == 1  # one finding per table, naming the columns that fail
        quotes = {e.start for e in findings[0].evidence}
        assert len(quotes) >= 2


def test_funding_sources_names_each_failing_column() -> None:
    findings, _ = run(_fund_table("绩效自评表-预算执行", ["2.04", "2.00", "2.00"]), "sums.funding_sources")
    message = findings[0].message
    assert all(word in message for word in ("年初预算", "调整后预算数", "预算执行数", "2.04", "100.00"))
    assert findings[0].expected == "年初预算=2.04；调整后预算数=2.00；预算执行数=2.00"


def test_funding_sources_with_an_unknown_row_is_insufficient() -> None:
    """A row the rule cannot read as a funding source (a sub-breakdown such as 中央资金) may
    change what adds up to what: no verdict."""
    table = _fund_table("资金计划", ["2.04", "2.00", "2.00"], extra=[["中央资金", "1.00", "1.00", "1.00", ""]])
    findings, insufficient = run(table, "sums.funding_sources")
    assert findings == [] and insufficient.get("sums.funding_sources") == 1


ZERO_SANGONG = """七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2023年度“三公”经费财政拨款支出决算为{total}万元。
（二）“三公”经费财政拨款支出决算具体情况说明
2023年度“三公”经费财政拨款支出决算中，因公出国（境）费支出决算{abroad}万元；公务用车购置及运行维护费支出决算0万元；公务接待费支出决算0万元。"""


@pytest.mark.parametrize(
    ("total", "abroad", "expected"),
    [
        ("0", "0", []),
        ("0", "0.00", []),
        # a bare 0 is nothing spent, not a value rounded to whole 万元: 0 → 1 is an error
        ("0", "1", [("sums.sangong_parts", "sums", "error")]),
        ("1.00", "0", [("sums.sangong_parts", "sums", "error")]),
    ],
)
def test_a_bare_zero_is_exact(tmp_path: Path, total: str, abroad: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, ZERO_SANGONG.format(total=total, abroad=abroad)), "sums.sangong_parts")
    assert severities(findings) == expected


APPROPRIATIONS = """一、收入支出决算总体情况说明
2023年度收、支总计均为{grand}万元。
四、财政拨款收入支出决算总体情况说明
2023年度财政拨款收、支总计均为{fiscal}万元。
五、一般公共预算财政拨款支出决算情况说明
（一）一般公共预算财政拨款支出决算总体情况
2023年度一般公共预算财政拨款支出{general}万元，占本年支出合计的100%。"""


@pytest.mark.parametrize(
    ("grand", "fiscal", "general", "expected"),
    [
        ("100.00", "100.00", "100.00", []),
        ("120.00", "110.00", "100.00", []),  # balances: the totals may exceed their parts
        ("100.00", "110.00", "100.00", [("sums.part_exceeds_whole", "sums", "error")]),  # 财政拨款 > 全部
        ("100.00", "99.90", "100.00", [("sums.part_exceeds_whole", "sums", "error")]),  # 一般公共预算 > 财政拨款
    ],
)
def test_appropriations_never_exceed_their_wholes(tmp_path: Path, grand, fiscal, general, expected) -> None:
    body = APPROPRIATIONS.format(grand=grand, fiscal=fiscal, general=general)
    findings, _ = run(parse_text(tmp_path, body), "sums.part_exceeds_whole")
    assert severities(findings) == expected
