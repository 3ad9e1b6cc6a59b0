"""The repeated family: one figure stated in several places has one value."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.rule_helpers import parse_text, run, severities, table_report

TWICE = (
    "三、支出决算情况说明\n2023年度本年支出合计100.00万元，其中：基本支出60.00万元，占60.00%；项目支出40.00万元，占40.00%。\n"
    "附件1\n二、部门财政资金收支情况\n2023年测试局支出决算总额为100.00万元，其中基本支出{again}万元，项目支出40.00万元。"
)


@pytest.mark.parametrize(
    ("again", "expected"),
    [
        ("60.00", []),
        ("60.0", []),  # coarser: 60.0 stands for [59.95, 60.05], which holds 60.00
        # same decimals, one unit apart: one printing rounded, the other cut off — a note
        ("60.01", [("repeated.same_figure", "rounding", "info")]),
        # further apart: no rounding gives both

        ("60.02", [("repeated.same_figure", "repeated", "error")]),
        ("61.00", [("repeated.same_figure", "repeated", "error")]),
        ("60.1", [("repeated.same_figure", "rounding", "info")]),  # [60.05, 60.15]: within one unit of 60.00
        ("60.2", [("repeated.same_figure", "repeated", "error")]),
    ],
)
def test_same_narrative_figure(tmp_path: Path, again: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, TWICE.format(again=again)), "repeated.same_figure")
    assert severities(findings) == expected
    if findings:
        assert again in findings[0].actual and len(findings[0].evidence) == 2


def test_one_sentence_is_an_enumeration_not_a_repeat(tmp_path: Path) -> None:
    body = "七、三公经费\n国内公务接待费用4.24万元；外事接待费用0.31万元。\n其他：接待费用4.24万元、接待费用0.31万元。"
    findings, _ = run(parse_text(tmp_path, body), "repeated.same_figure")
    assert findings == []


def test_counts_are_left_to_the_counts_family(tmp_path: Path) -> None:
    body = "十、其他\n选取4个项目开展绩效监控。\n附件1\n开展绩效监控的项目7个。"
    findings, _ = run(parse_text(tmp_path, body), "repeated.same_figure")
    assert findings == []


def _two_tables(rate_a: str, rate_b: str, subject_b: str = "党政网络、网站运行维护经费"):
    header = ["年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率"]
    a = table_report("资金计划", "党政网站、网络运行维护经费", header, [["总额", "36.12", "25.91", "25.91", rate_a]])
    b = table_report("绩效自评表-预算执行", subject_b, header, [["总额", "36.12", "25.91", "25.91", rate_b]])
    table_b = b.tables[0].model_copy(update={"id": 1})
    figures_b = [f.model_copy(update={"table_id": 1, "section": "第四部分"}) for f in b.figures]
    return a.model_copy(update={"tables": [*a.tables, table_b], "figures": [*a.figures, *figures_b]})


def test_one_project_in_two_tables_names_written_differently() -> None:
    assert run(_two_tables("100.00%", "100.00%"), "repeated.same_figure")[0] == []
    findings, _ = run(_two_tables("100.00%", "96.96%"), "repeated.same_figure")
    assert severities(findings) == [("repeated.same_figure", "repeated", "error")]
    assert "96.96" in findings[0].actual
    # rounding edge: 100% (no decimals) holds 99.50–100.50
    assert run(_two_tables("100%", "99.60%"), "repeated.same_figure")[0] == []


def test_two_different_projects_are_not_grouped() -> None:
    findings, _ = run(_two_tables("100.00%", "96.96%", subject_b="援藏援彝等其他项目"), "repeated.same_figure")
    assert findings == []


def test_seed_repeated_disclosure(seed_path: Path) -> None:
    from index.parse import parse_file

    findings, _ = run(parse_file(seed_path), "repeated")
    assert severities(findings) == [("repeated.same_figure", "repeated", "error")]
    f = findings[0]
    assert "政府工作专项经费" in f.message and "96.96" in f.message and "100" in f.message


def test_real_pdfs_have_no_repeated_disclosure(samples_dir: Path) -> None:
    from index.parse import parse_file

    for name in ("2024-普陀区规划和自然资源局-部门决算.pdf", "2024-普陀区委社会工作部-部门决算.pdf"):
        assert run(parse_file(samples_dir / name), "repeated")[0] == []
