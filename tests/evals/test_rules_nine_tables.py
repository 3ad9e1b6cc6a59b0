"""The nine_tables family: the standard tables add up, agree with each other and with the narrative."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.models import Cell, ParsedReport, Table
from index.parse import parse_file
from tests.evals.rule_helpers import parse_text, run, severities

T1_ROWS = [
    ["一、一般公共预算财政拨款收入", "100.00", "一、一般公共服务支出", "80.00"],
    ["二、政府性基金预算财政拨款收入", "", "八、社会保障和就业支出", "20.00"],
    ["本年收入合计", "100.00", "本年支出合计", "100.00"],
    ["年初结转和结余", "5.00", "年末结转和结余", "5.00"],
    ["总计", "105.00", "总计", "105.00"],
]
CODE_ROWS = [
    ["201", "一般公共服务支出", "80.00", "50.00", "30.00"],
    ["20103", "政府办公厅（室）及相关机构事务", "80.00", "50.00", "30.00"],
    ["2010301", "行政运行", "50.00", "50.00", ""],
    ["2010302", "一般行政管理事务", "30.00", "", "30.00"],
    ["208", "社会保障和就业支出", "20.00", "20.00", ""],
    ["20805", "行政事业单位养老支出", "20.00", "20.00", ""],
    ["2080505", "机关事业单位基本养老保险缴费支出", "20.00", "20.00", ""],
]
T4_ROWS = [
    ["一、一般公共预算财政拨款", "100.00", "一、一般公共服务支出", "80.00", "80.00", "", ""],
    ["", "", "八、社会保障和就业支出", "20.00", "20.00", "", ""],
    ["本年收入合计", "100.00", "本年支出合计", "100.00", "100.00", "", ""],
    ["总计", "100.00", "总计", "100.00", "100.00", "", ""],
]
T6_ROWS = [
    ["301", "工资福利支出", "60.00", "302", "商品和服务支出", "10.00"],
    ["30101", "基本工资", "60.00", "30201", "办公费", "10.00"],
    ["303", "对个人和家庭的补助", "0.00", "310", "资本性支出", "0.00"],
    ["人员经费合计", "", "60.00", "公用经费合计", "", "10.00"],
]
T7_HEADER = [
    f"{item} {m}" for item in ("合计", "因公出国（境）费", "公务用车购置及运行维护费 小计", "公务用车购置及运行维护费 公务用车购置费",
                              "公务用车购置及运行维护费 公务用车运行维护费", "公务接待费") for m in ("预算数", "决算数")
]
T7_ROW = ["4.00", "3.00", "1.00", "1.00", "2.00", "1.00", "1.00", "0.00", "1.00", "1.00", "1.00", "1.00"]


def _table(tid: int, kind: str, header: list[list[str]], rows: list[list[str]]) -> Table:
    grid = [*header, *rows]
    cells = [[Cell(text=t, row=r, col=c) for c, t in enumerate(line)] for r, line in enumerate(grid)]
    return Table(id=tid, title=kind, kind=kind, unit="万元", section="第二部分", page=1, header_rows=len(header),
                 rows=cells, start=0, end=0)


def tables(change: dict | None = None) -> list[Table]:
    """The nine tables of a tiny consistent department; `change` sets (kind, row, col) -> text."""
    code_header = [["项目", "", "本年支出合计", "基本支出", "项目支出"], ["功能分类科目编码", "科目名称", "", "", ""]]
    t5_header = [["项目", "", "合计", "基本支出", "项目支出"], ["功能分类科目编码", "科目名称", "", "", ""]]
    spec = {
        "收入支出决算总表": ([["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]], T1_ROWS),
        "支出决算表": (code_header, [["合计", "", "100.00", "70.00", "30.00"], *CODE_ROWS]),
        "财政拨款收入支出决算总表": (
            [["收入", "", "支出", "", "", "", ""],
             ["项目", "决算数", "项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]],
            T4_ROWS),
        "一般公共预算财政拨款支出决算表": (t5_header, [*CODE_ROWS, ["合计", "", "100.00", "70.00", "30.00"]]),
        "一般公共预算财政拨款基本支出决算表": ([["经济分类科目编码", "科目名称", "决算数"] * 2], T6_ROWS),
        "一般公共预算财政拨款“三公”经费支出决算表": ([T7_HEADER], [T7_ROW]),
    }
    result = []
    for tid, (kind, (header, rows)) in enumerate(spec.items()):
        rows = [list(r) for r in rows]
        for (k, r, c), text in (change or {}).items():
            if k == kind:
                rows[r][c] = text
        result.append(_table(tid, kind, header, rows))
    return result


def report(tmp_path: Path, change: dict | None = None, narrative: str = "一、收入支出决算总体情况说明\n说明。") -> ParsedReport:
    parsed = parse_text(tmp_path, narrative)
    return parsed.model_copy(update={"tables": tables(change), "report": parsed.report.model_copy(update={"format": "pdf"})})


def test_a_consistent_set_has_no_finding(tmp_path: Path) -> None:
    assert run(report(tmp_path), "nine_tables")[0] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30.00", []), ("30.01", []),  # 50.00 + 30.01 stands for [80.00, 80.02]: touches 80.00's interval
     ("30.02", [("nine_tables.hierarchy", "rounding", "info")]),
     ("30.03", [("nine_tables.hierarchy", "nine_tables", "error")])],
)
def test_hierarchy_kuan_is_the_sum_of_its_xiang(tmp_path: Path, text: str, expected: list) -> None:
    # 2010302 in 支出决算表 (row 4 of the body: 合计 comes first) under 本年支出合计
    findings, _ = run(report(tmp_path, {("支出决算表", 4, 2): text}), "nine_tables.hierarchy")
    assert severities(findings) == expected


def test_hierarchy_total_and_economic_classes(tmp_path: Path) -> None:
    findings, _ = run(report(tmp_path, {("一般公共预算财政拨款支出决算表", 7, 2): "101.00"}), "nine_tables.hierarchy")
    assert severities(findings) == [("nine_tables.hierarchy", "nine_tables", "error")]
    findings, _ = run(report(tmp_path, {("一般公共预算财政拨款基本支出决算表", 3, 2): "61.00"}), "nine_tables.hierarchy")
    assert severities(findings) == [("nine_tables.hierarchy", "nine_tables", "error")]  # 人员经费 ≠ 301 + 303


def test_row_columns(tmp_path: Path) -> None:
    findings, _ = run(report(tmp_path, {("支出决算表", 1, 3): "51.00"}), "nine_tables.row_columns")
    assert severities(findings) == [("nine_tables.row_columns", "nine_tables", "error")]
    assert "201" in findings[0].message


def test_balance(tmp_path: Path) -> None:
    findings, _ = run(report(tmp_path, {("收入支出决算总表", 4, 1): "106.00"}), "nine_tables.balance")
    # income 总计 ≠ 本年收入合计 + 年初结转, and ≠ the expenditure 总计
    assert severities(findings) == [("nine_tables.balance", "nine_tables", "error")] * 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3.00", []), ("3.02", []),  # three parts of ±0.005
     ("3.03", [("nine_tables.sangong", "rounding", "info")]),
     ("3.04", [("nine_tables.sangong", "nine_tables", "error")])],
)
def test_sangong(tmp_path: Path, text: str, expected: list) -> None:
    findings, _ = run(report(tmp_path, {("一般公共预算财政拨款“三公”经费支出决算表", 0, 1): text}), "nine_tables.sangong")
    assert severities(findings) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("80.00", []), ("80.01", [("nine_tables.cross_totals", "rounding", "info")]),
     ("80.02", [("nine_tables.cross_totals", "nine_tables", "error")])],
)
def test_same_class_same_amount_in_t1_and_t3(tmp_path: Path, text: str, expected: list) -> None:
    findings, _ = run(report(tmp_path, {("收入支出决算总表", 0, 3): text}), "nine_tables.cross_totals")
    assert severities(findings) == expected


def test_cross_totals_t6_against_t5_and_names(tmp_path: Path) -> None:
    findings, _ = run(report(tmp_path, {("一般公共预算财政拨款基本支出决算表", 3, 2): "61.00"}), "nine_tables.cross_totals")
    assert severities(findings) == [("nine_tables.cross_totals", "nine_tables", "error")]
    findings, _ = run(report(tmp_path, {("一般公共预算财政拨款支出决算表", 2, 1): "行政运行事务"}), "nine_tables.cross_totals")
    assert severities(findings) == [("nine_tables.cross_totals", "nine_tables", "warning")]


@pytest.mark.parametrize(
    ("staff", "expected"),
    [("60.00", []), ("60.01", [("nine_tables.vs_narrative", "rounding", "info")]),
     ("61.00", [("nine_tables.vs_narrative", "nine_tables", "error")])],
)
def test_vs_narrative(tmp_path: Path, staff: str, expected: list) -> None:
    narrative = (
        "六、一般公共预算财政拨款基本支出决算情况说明\n"
        f"2023年度一般公共预算财政拨款基本支出70.00万元，其中：人员经费{staff}万元，公用经费10.00万元。\n"
        "七、财政拨款“三公”经费支出决算情况说明\n2023年度“三公”经费财政拨款支出决算为3.00万元。"
    )
    findings, _ = run(report(tmp_path, narrative=narrative), "nine_tables.vs_narrative")
    assert severities(findings) == expected


def test_txt_seed_has_no_nine_table_finding(seed_path: Path) -> None:
    assert run(parse_file(seed_path), "nine_tables")[0] == []


def test_planning_bureau_pdf(samples_dir: Path) -> None:
    """Checked by hand against the PDF text (pdftotext -layout):
    - 收入支出决算总表 九、卫生健康支出 236.63 / 十一、城乡社区支出 3845.25, 支出决算表 210 236.64 /
      212 3845.24; 财政拨款收入支出决算总表 236.63, 一般公共预算财政拨款支出决算表 210 236.64
      (one cent apart: rounding);
    - narrative 卫生健康支出（类）236.63 vs 一般公共预算支出表 236.64 (rounding);
    - narrative 一般公共预算财政拨款基本支出 5377.64 vs 一般公共预算支出表 合计 基本支出 5364.75, and
      人员经费 4896.98 vs 基本支出决算表 人员经费合计 4884.09 (12.89 apart: errors)."""
    findings, _ = run(parse_file(samples_dir / "2024-普陀区规划和自然资源局-部门决算.pdf"), "nine_tables")
    got = sorted((f.rule, f.severity, f.expected, f.actual) for f in findings)
    assert got == sorted([
        ("nine_tables.cross_totals", "info", "236.63", "236.64"),
        ("nine_tables.cross_totals", "info", "3845.25", "3845.24"),
        ("nine_tables.cross_totals", "info", "236.63", "236.64"),
        ("nine_tables.vs_narrative", "info", "236.64", "236.63"),
        ("nine_tables.vs_narrative", "error", "5364.75", "5377.64"),
        ("nine_tables.vs_narrative", "error", "4884.09", "4896.98"),
    ])
    assert all(f.evidence and f.evidence[-1].page for f in findings)


def test_social_work_pdf_and_template_hold(samples_dir: Path) -> None:
    for name in ("2024-普陀区委社会工作部-部门决算.pdf", "部门决算模板-附件2.pdf"):
        assert run(parse_file(samples_dir / name), "nine_tables")[0] == []
