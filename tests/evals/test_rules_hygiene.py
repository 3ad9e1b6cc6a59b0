"""The hygiene family: one fiscal year, no template left, the nine tables there, no missing total.
Also the seed test for the families written with it (hygiene, repeated, counts, performance,
nine_tables, across): exactly the seed-audit items that belong to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.audit.rules.hygiene import NINE_ORDER
from index.parse import parse_file
from tests.evals.rule_helpers import parse_text, run, severities, table_report

YEARS = (
    "一、收入支出决算总体情况说明\n2023年度收、支总计均为10.00万元。与{compared}年度相比，收、支总计各增加1.00万元。\n"
    "（三）国有资产占有使用情况\n截至{dated}年12月31日，测试局共有车辆1辆。\n"
    "（四）预算绩效管理情况\n1.2022年度政府工作经费项目绩效自评得分为100分。\n"
)


@pytest.mark.parametrize(
    ("compared", "dated", "expected"),
    [
        ("2022", "2023", []),  # the project named 2022年度… is not a statement of the fiscal year
        ("2021", "2023", [("hygiene.fiscal_year", "hygiene", "error")]),
        ("2022", "2022", [("hygiene.fiscal_year", "hygiene", "error")]),
    ],
)
def test_fiscal_year(tmp_path: Path, compared: str, dated: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, YEARS.format(compared=compared, dated=dated)), "hygiene.fiscal_year")
    assert severities(findings) == expected
    if findings:
        assert findings[0].evidence[0].quote and findings[0].expected in ("2022", "2023")


def test_placeholders(tmp_path: Path) -> None:
    bad = "二、收入决算情况说明\n本年收入合计XXX万元，其中：财政拨款收入XX万元，占XX%。截至XXXX年X月，某某单位。"
    findings, _ = run(parse_text(tmp_path, bad), "hygiene.placeholders")
    assert severities(findings) == [("hygiene.placeholders", "hygiene", "warning")]
    good = (
        "二、收入决算情况说明\n项目编码51042123T000008813910，资金投入200000元，购置X光机1台，"
        "采购XBRL软件。本年收入合计10.00万元。"
    )
    assert run(parse_text(tmp_path, good), "hygiene.placeholders")[0] == []


def test_template_instructions(tmp_path: Path) -> None:
    body = "一、收入支出决算总体情况说明\n收支总计增加1.00万元。主要原因：人员增加。（如持平作持平表述）"
    findings, _ = run(parse_text(tmp_path, body), "hygiene.template_instructions")
    assert severities(findings) == [("hygiene.template_instructions", "hygiene", "info")]
    assert run(parse_text(tmp_path, "一、收入支出决算总体情况说明\n收支总计增加1.00万元。"), "hygiene.template_instructions")[0] == []


def test_nine_tables_absent_from_a_text_report_is_said_once(tmp_path: Path) -> None:
    findings, _ = run(parse_text(tmp_path, "一、收入支出决算总体情况说明\n收支总计10.00万元。"), "hygiene.nine_tables_present")
    assert severities(findings) == [("hygiene.nine_tables_present", "hygiene", "info")]


def test_nine_tables_partly_missing_from_a_pdf() -> None:
    parsed = table_report("收入决算表", None, ["项目", "本年收入合计"], [["合计", "10.00"]])
    parsed = parsed.model_copy(update={"report": parsed.report.model_copy(update={"format": "pdf"})})
    # One table alone (a 三公 statement, or a text cut off before its tables) says nothing about the
    # others: one note, no warning.
    findings, _ = run(parsed, "hygiene.nine_tables_present")
    assert severities(findings) == [("hygiene.nine_tables_present", "hygiene", "info")]
    # Six of the nine published: the three others are missing.
    tables = [parsed.tables[0].model_copy(update={"kind": kind, "id": i}) for i, kind in enumerate(NINE_ORDER[:6])]
    six = parsed.model_copy(update={"tables": tables})
    findings, _ = run(six, "hygiene.nine_tables_present")
    assert severities(findings) == [("hygiene.nine_tables_present", "hygiene", "warning")] * 3
    assert {f.actual for f in findings} == {"缺失"} and NINE_ORDER[6] in findings[0].message
    untitled = six.model_copy(update={"tables": [t.model_copy(update={"unit": None}) for t in tables]})
    assert len(run(untitled, "hygiene.nine_tables_present")[0]) == 9  # 3 missing + 6 without unit


@pytest.mark.parametrize(("total", "expected"), [("10.00", []), ("", [("hygiene.total_missing", "hygiene", "error")]),
                                                 ("0.00", [("hygiene.total_missing", "hygiene", "error")])])
def test_total_missing(total: str, expected: list) -> None:
    parsed = table_report("支出决算表", None, ["项目", "本年支出合计", "基本支出"],
                          [["合计", total, "10.00"], ["201", "10.00", "10.00"]])
    findings, _ = run(parsed, "hygiene.total_missing")
    assert severities(findings) == expected


def test_template_pdf_is_flagged(samples_dir: Path) -> None:
    findings, _ = run(parse_file(samples_dir / "部门决算模板-附件2.pdf"), "hygiene")
    rules = {f.rule for f in findings}
    assert {"hygiene.placeholders", "hygiene.template_instructions"} <= rules
    assert "hygiene.fiscal_year" not in rules and "hygiene.nine_tables_present" not in rules
    placeholder_lines = sum(len(f.evidence) for f in findings if f.rule == "hygiene.placeholders")
    assert placeholder_lines >= 30
    assert any("上海市XX局2024年度收入支出总计XXX万元" in e.quote for f in findings for e in f.evidence)


def test_real_pdfs(samples_dir: Path) -> None:
    findings, _ = run(parse_file(samples_dir / "2024-普陀区规划和自然资源局-部门决算.pdf"), "hygiene")
    assert findings == []
    # 社会工作部 left the template's instruction "无政府性基金…的，仍保留该表格式，并在本表下方作下述说明："
    # above its 政府性基金 and 国有资本经营 tables (pages 15 and 16 of the PDF).
    findings, _ = run(parse_file(samples_dir / "2024-普陀区委社会工作部-部门决算.pdf"), "hygiene")
    assert severities(findings) == [("hygiene.template_instructions", "hygiene", "info")]
    assert [e.page for e in findings[0].evidence] == [15, 16]


MY_FAMILIES = ("hygiene", "repeated", "counts", "performance", "nine_tables", "across")


def test_seed_yields_exactly_the_audit_items_of_these_families(seed_path: Path) -> None:
    """seed-audit.md items 2 (绩效监控 7 vs 4), 7 (预算执行率 96.96% vs 100% stated twice) and 8
    (2022 成本指标 200000元 over the 2.04万元 budget), plus the note that the nine tables are not in
    the text; nothing else at error or warning level."""
    findings, _ = run(parse_file(seed_path), *MY_FAMILIES)
    assert sorted(severities(findings)) == sorted([
        ("counts.stated_vs_listed", "counts", "error"),
        ("repeated.same_figure", "repeated", "error"),
        ("performance.cost_target_within_budget", "performance", "warning"),
        ("hygiene.nine_tables_present", "hygiene", "info"),
    ])
