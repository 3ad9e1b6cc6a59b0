"""The output formats of `juesuan check` (in process) and the helpers of evals/audit/check.py."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import check_fake_rules as fake
import pytest
from openpyxl import load_workbook

from evals.audit import report_formats as rf
from evals.audit.check import CheckResult, Summary, exit_code, run_rules, select_rules
from evals.audit.findings import Evidence, Finding
from evals.audit.pairing import pick_previous
from evals.audit.registry import RULES
from index import SAMPLE_REPORT
from index.parse import parse_file

ROOT = Path(__file__).resolve().parents[2]
SEED = SAMPLE_REPORT


@pytest.fixture
def fake_rules():
    fake.register()
    yield fake.IDS
    fake.unregister()


@pytest.fixture(scope="module")
def seed_parsed():
    return parse_file(SEED)


@pytest.fixture
def seed_result(seed_parsed, fake_rules) -> CheckResult:
    return run_rules(seed_parsed, rule_ids=list(fake_rules), path=str(SEED))


def hostile_result() -> CheckResult:
    """A result whose every report-derived string tries to be markup."""
    evidence = [
        Evidence(quote="=SUM(A1:A9)\t<script>alert(1)</script>\x07", section="第二部分 > 七、<b>", page=3, start=5, end=9),
        Evidence(quote="合计\t100\t**粗**", section="", page=None),
    ]
    findings = [
        Finding(rule="x.err", family="fam", severity="error", message="<img src=x onerror=alert(1)>不一致。",
                expected="=1+1", actual="<i>2</i>", difference="&amp;", evidence=evidence),
        Finding(rule="x.info", family="fam", severity="info", message="仅差舍入。"),
        Finding(rule="x.warn", family="fam", severity="warning", message="可能有误。", evidence=evidence[1:]),
    ]
    return CheckResult(
        path="dir/<script>.txt", report_id="0123456789abcdef", title="<script>alert('t')</script>",
        department="某局&<u>", year=2023,
        summary=Summary(rules_run=3, findings=3, errors=1, warnings=1, infos=1, insufficient_data=0),
        findings=findings,
    )


def test_json_has_exactly_the_contract_keys(seed_result: CheckResult) -> None:
    data = json.loads(json.dumps(rf.to_json([seed_result]), ensure_ascii=False))
    (report,) = data["reports"]
    assert list(data) == ["reports"]
    assert list(report) == ["path", "report_id", "title", "department", "year", "summary", "findings"]
    assert list(report["summary"]) == ["rules_run", "findings", "errors", "warnings", "infos", "insufficient_data"]
    assert report["summary"] == {"rules_run": 3, "findings": 3, "errors": 1, "warnings": 1, "infos": 1,
                                 "insufficient_data": 2}
    assert [f["severity"] for f in report["findings"]] == ["error", "warning", "info"]
    for finding in report["findings"]:
        assert list(finding) == ["rule", "family", "severity", "message", "expected", "actual", "difference", "evidence"]
        for evidence in finding["evidence"]:
            assert list(evidence) == ["quote", "section", "page", "start", "end", "ocr"]
    warning = report["findings"][1]
    assert warning["evidence"][0]["quote"] in seed_result.findings[1].evidence[0].quote
    assert report["department"] == "米易县人民政府办公室" and report["year"] == 2023


def test_markdown_groups_by_severity_and_quotes(seed_result: CheckResult) -> None:
    md = rf.to_markdown([seed_result])
    assert md.index("### 错误") < md.index("### 警告") < md.index("### 提示")
    for message in (fake.ERROR_MESSAGE, fake.WARNING_MESSAGE, fake.INFO_MESSAGE):
        assert message in md
    assert "应为：1；实为：2；差额：1" in md
    assert "> 2023年度米易县人民政府办公室部门决算" in md
    warning_evidence = seed_result.findings[1].evidence[0]
    assert rf.md_escape(warning_evidence.section) in md
    assert "米易县人民政府办公室" in md and "2023" in md and str(SEED) in md
    assert "运行规则 3 条；问题 3 个（错误 1，警告 1，提示 1）；数据不足 2 处" in md


def test_markdown_without_findings_says_so(seed_parsed) -> None:
    result = run_rules(seed_parsed, rule_ids=[], path="a.txt")
    result.summary = Summary()
    result.findings = []
    assert "未发现问题。" in rf.to_markdown([result])


def test_markdown_makes_report_text_inert() -> None:
    md = rf.to_markdown([hostile_result()], failures=["bad.pdf: 文件为空"])
    assert not re.search(r"(?<!\\)<", md), "an unescaped '<' could open raw HTML"
    assert "\\<script>" in md
    assert "合计 ｜ 100 ｜ \\*\\*粗\\*\\*" in md
    assert "## 未能读取" in md and "bad.pdf: 文件为空" in md


def test_html_escapes_everything_and_is_self_contained() -> None:
    page = rf.to_html([hostile_result(), hostile_result()], failures=["<b>bad</b>.pdf: 文件为空"])
    assert "<script" not in page and "<img" not in page and "<i>" not in page and "<u>" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;不一致。" in page
    assert "某局&amp;&lt;u&gt;" in page
    assert "&amp;amp;" in page  # the difference "&amp;" is shown as typed
    tags = set(re.findall(r"<([a-zA-Z!][a-zA-Z0-9]*)", page))
    assert tags <= {"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p", "table",
                    "thead", "tbody", "tr", "th", "td", "a", "ul", "li", "section", "dl", "dt", "dd", "span",
                    "article", "blockquote", "cite"}, tags
    assert not re.search(r"(src|href)=\"(?!#)", page), "no external resources"
    assert page.index("错误（1）") < page.index("警告（1）") < page.index("提示（1）")
    assert "第二部分 &gt; 七、&lt;b&gt;，第 3 页" in page


def test_html_of_the_seed_has_every_message(seed_result: CheckResult) -> None:
    page = rf.to_html([seed_result])
    for f in seed_result.findings:
        assert rf._e(f.message) in page
    assert "米易县人民政府办公室" in page


def test_xlsx_one_row_per_finding_text_never_a_formula() -> None:
    results = [hostile_result(), hostile_result()]
    book = load_workbook(io.BytesIO(rf.to_xlsx(results, failures=["x.pdf: 文件为空"])))
    assert book.sheetnames == ["问题", "汇总"]
    rows = list(book["问题"].values)
    assert rows[0] == rf.XLSX_COLUMNS
    assert len(rows) == 1 + 6
    first = dict(zip(rows[0], rows[1]))
    assert first["严重程度"] == "错误" and first["规则"] == "x.err" and first["年度"] == 2023
    assert first["应为"] == "=1+1"  # stored as text, not a formula
    assert first["原文"].startswith("=SUM(A1:A9) ｜ <script>") and "\x07" not in first["原文"]
    assert first["页码"] == "3\n"
    assert book["问题"]["H2"].data_type == "s"
    summary = list(book["汇总"].values)
    assert summary[0] == rf.XLSX_SUMMARY_COLUMNS
    assert summary[1][:3] == ("dir/<script>.txt", "某局&<u>", 2023)
    assert ("x.pdf: 文件为空",) == tuple(v for v in summary[-1] if v is not None)


def test_select_rules(fake_rules) -> None:
    assert select_rules(None) is None and select_rules([]) is None
    assert select_rules(["test.fake_error"]) == ["test.fake_error"]
    assert select_rules(["test.fake_error,test.fake_info"]) == ["test.fake_error", "test.fake_info"]
    assert select_rules([fake.FAMILY]) == list(fake.IDS)
    with pytest.raises(ValueError, match="no.such.rule"):
        select_rules(["no.such.rule"])


def test_pick_previous_pairs_by_department_and_year(seed_parsed) -> None:
    def variant(rid: str, department: str | None, year: int | None):
        report = seed_parsed.report.model_copy(update={"id": rid, "department": department, "year": year})
        return seed_parsed.model_copy(update={"report": report})

    current = variant("cur", "米易县人民政府办公室", 2023)
    other = variant("oth", "米易县教育局", 2022)
    same_2022 = variant("s22", "米 易县人民政府办公室", 2022)
    same_2021 = variant("s21", "米易县人民政府办公室", 2021)
    same_2023 = variant("s23", "米易县人民政府办公室", 2023)
    prev = [("o", other), ("a", same_2021), ("b", same_2022), ("c", same_2023)]
    assert pick_previous(current, prev, single_input=False)[0] == "b"
    assert pick_previous(current, [("a", same_2021)], single_input=False)[0] == "a"
    assert pick_previous(current, [("o", other), ("c", same_2023)], single_input=False) is None
    # one input and one previous: used as given, whatever its department
    assert pick_previous(current, [("o", other)], single_input=True)[0] == "o"
    # never the report itself
    assert pick_previous(current, [("self", current)], single_input=True) is None


def test_exit_code(seed_result: CheckResult) -> None:
    clean = seed_result.model_copy(update={"summary": Summary()})
    assert exit_code([clean], []) == 0
    assert exit_code([seed_result], []) == 1
    assert exit_code([clean], ["x: 文件为空"]) == 2


def test_real_registry_runs_on_the_seed(seed_parsed) -> None:
    """Whatever rules exist, the seed's result has the contract's shape."""
    result = run_rules(seed_parsed, path=str(SEED))
    assert result.summary.rules_run == len(RULES)
    assert result.summary.findings == len(result.findings)
    report = rf.to_json([result])["reports"][0]
    assert report["summary"]["errors"] == sum(f["severity"] == "error" for f in report["findings"])
