"""The real published PDFs in ../shared/samples, parsed end to end."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from index.models import ParsedReport
from index.parse import parse_file
from index.tables import NINE_TABLES

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
REPORTS = {
    "2024-普陀区委社会工作部-部门决算.pdf": "中共上海市普陀区委社会工作部",
    "2024-普陀区规划和自然资源局-部门决算.pdf": "上海市普陀区规划和自然资源局",
}
TEMPLATE = "部门决算模板-附件2.pdf"

pytestmark = [
    pytest.mark.samples,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"real samples not available at {SAMPLES}"),
]


@cache
def _parsed(name: str) -> ParsedReport:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{name} not in {SAMPLES}")
    return parse_file(path)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_identity(name: str) -> None:
    report = _parsed(name).report
    assert report.department == REPORTS[name]
    assert report.year == 2024 and report.format == "pdf" and report.pages


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_sections_from_own_numbering(name: str) -> None:
    sections = _parsed(name).sections
    parts = [s for s in sections if s.level == 1]
    assert [s.marker for s in parts] == ["第一部分", "第二部分", "第三部分", "第四部分"]
    # 第二部分's heading is printed without its marker: restored from the 目录.
    assert parts[1].inferred and "部门决算表" in parts[1].title
    # The 目录 does not open sections: each path once, pages after the 目录.
    paths = [s.path for s in sections]
    assert len(paths) == len(set(paths))
    assert all(s.page and s.page >= 4 for s in sections)
    third = [s for s in sections if s.parent == parts[2].id]
    markers = [s.marker for s in third]
    assert markers[:10] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、", "九、", "十、"]
    assert "收入支出决算总体情况说明" in third[0].title
    pages = [s.page for s in sections]
    assert pages == sorted(pages)


@pytest.mark.parametrize("name", sorted(REPORTS) + [TEMPLATE])
def test_nine_tables_typed_with_unit(name: str) -> None:
    parsed = _parsed(name)
    kinds = [t.kind for t in parsed.tables if t.kind]
    assert sorted(kinds) == sorted(kind for kind, _ in NINE_TABLES)
    for table in parsed.tables:
        if table.kind:
            assert table.unit == "万元" and table.page and table.section == "第二部分", table.title


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_table_figures_carry_code_and_column(name: str) -> None:
    parsed = _parsed(name)
    kinds = {t.id: t.kind for t in parsed.tables}
    coded = [f for f in parsed.figures if kinds.get(f.table_id) == "一般公共预算财政拨款支出决算表"]
    assert coded and all(f.column and f.page for f in coded)
    assert all(f.code and re.fullmatch(r"\d{3}(\d{2}){0,2}", f.code) for f in coded if f.metric != "合计")
    # Every code is the code printed in the figure's own row, next to its name.
    for figure in coded:
        table = parsed.tables[figure.table_id]
        row = [c.text for c in table.rows[figure.row]]
        assert figure.code is None or figure.code in row
    basic = [f for f in parsed.figures if kinds.get(f.table_id) == "一般公共预算财政拨款基本支出决算表"]
    # Two halves side by side: 302… on the right carries its own code, not the left's 301….
    assert any(f.code and f.code.startswith("302") for f in basic)
    assert all(not (f.code or "").startswith("301") or f.col < 3 for f in basic)
    # A code is never a figure itself.
    assert not [f for f in basic if f.column and "编码" in f.column]


@pytest.mark.parametrize(
    ("name", "metric", "text", "role"),
    [
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "本年收入合计", "9746.50", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "收支总计", "9859.38", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "三公经费", "0.39", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "三公经费 年初预算", "2.85", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "三公经费", "0.15", "change_amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "三公经费", "27.78", "change_rate"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "公务接待费", "0.39", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "国内公务接待费", "0.39", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "公务接待费", "26", "count"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "行政单位离退休", "54.53", "amount"),
        ("2024-普陀区规划和自然资源局-部门决算.pdf", "政府采购支出总额", "2319.21", "amount"),
        ("2024-普陀区委社会工作部-部门决算.pdf", "本年收入合计", "307.82", "amount"),
        ("2024-普陀区委社会工作部-部门决算.pdf", "一般公共服务支出", "264.87", "amount"),
        ("2024-普陀区委社会工作部-部门决算.pdf", "行政运行", "98.69", "completion_rate"),
        ("2024-普陀区委社会工作部-部门决算.pdf", "机关运行经费", "10.23", "amount"),
    ],
)
def test_narrative_figures(name: str, metric: str, text: str, role: str) -> None:
    parsed = _parsed(name)
    found = [f for f in parsed.figures if f.source == "text" and (f.metric, f.text, f.role) == (metric, text, role)]
    assert found, f"{metric} {text} {role}"
    figure = found[0]
    assert figure.page and figure.year == 2024 and figure.section.startswith("第三部分 > ")
    assert parsed.report.text[figure.start: figure.end] == text


def test_no_page_numbers_or_minutes_as_figures() -> None:
    parsed = _parsed("2024-普陀区规划和自然资源局-部门决算.pdf")
    # "15分钟社区生活圈" is not a score; "序号 1…5" of the unit list is not an amount.
    assert not [f for f in parsed.figures if f.unit == "分" and f.text == "15"]
    assert not [f for f in parsed.figures if f.column == "序号"]
    # The 三公 table's columns are named by their own group, never the neighbour's.
    three = [f for f in parsed.figures if f.column and "公务接待费" in f.column]
    assert three and all(f.metric.startswith("公务接待费") for f in three)


def test_template_parses() -> None:
    parsed = _parsed(TEMPLATE)
    assert parsed.report.year == 2024
    assert [s.marker for s in parsed.sections if s.level == 1] == ["第一部分", "第二部分", "第三部分", "第四部分"]
    for figure in parsed.figures:
        assert parsed.report.text[figure.start: figure.end] == figure.text
