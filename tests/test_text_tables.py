"""Tables that published reports print as flattened text, rebuilt from the real corpus.

One document per layout (evals/data/corpus/reports): 001 one cell per line, 002 piped rows with
a two-level header, 003 cells between "|" lines with rows that are years, 024 cells ending in
" |" and a table of counts, 029 piped rows with empty cells, 016 an empty line between cells and
two halves (收入 | 支出), 031 four value columns cut off mid-number, 008 a form of label/value
pairs, 055 a piped page header that is no table.
"""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import pytest
from opencc import OpenCC

import index.parse as parse_module
from index.models import Figure, ParsedReport, Table
from index.parse import parse_file
from index.text_tables import COUNTS, FORM, find_flat_tables
from tests.conftest import SEED

REPORTS = Path(__file__).resolve().parents[1] / "evals" / "data" / "corpus" / "reports"
T7 = "一般公共预算财政拨款“三公”经费支出决算表"
to_traditional = OpenCC("s2t").convert


@cache
def _parsed(doc: str) -> ParsedReport:
    return parse_file(REPORTS / f"{doc}.txt")


def _grid(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def _cells(doc: str, table_id: int = 0) -> list[Figure]:
    return [f for f in _parsed(doc).figures if f.source == "table" and f.table_id == table_id]


def _facts(doc: str, table_id: int = 0) -> set[tuple]:
    """(metric, year, role, basis, value as printed, unit) of a table's figures."""
    return {(f.metric, f.year, f.role, f.basis, f.text, f.unit) for f in _cells(doc, table_id)}


def test_001_one_cell_per_line() -> None:
    [table] = _parsed("001").tables
    assert (table.kind, table.unit, table.header_rows) == (T7, "万元", 1)
    assert _grid(table) == [
        ["项 目", "预算数", "决算数", ""],
        ["合 计", "77.00", "68.30", ""],
        ["因公出国(境)费", "", "", "0.00"],  # one number under two columns: bound to none
        ["公务接待费", "35.00", "26.4", ""],
        ["公务用车购置及运行费", "42.00", "41.90", ""],
        ["其中:公务用车运行维护费", "", "", ""],
        ["公务用车购置费", "", "", ""],
    ]
    assert _facts("001") == {
        ("三公经费 预算数", 2016, "amount", "budget", "77.00", "万元"),
        ("三公经费", 2016, "amount", "actual", "68.30", "万元"),
        ("公务接待费 预算数", 2016, "amount", "budget", "35.00", "万元"),
        ("公务接待费", 2016, "amount", "actual", "26.4", "万元"),
        ("公务用车购置及运行维护费 预算数", 2016, "amount", "budget", "42.00", "万元"),
        ("公务用车购置及运行维护费", 2016, "amount", "actual", "41.90", "万元"),
    }
    # The title and 单位 lines above the table stay narrative: the section "一、" still opens there.
    assert [s.marker for s in _parsed("001").sections][:2] == ["一、", "二、"]


def test_002_piped_rows_with_a_group_header() -> None:
    [table] = _parsed("002").tables
    assert table.title == "施甸县2016年“三公”经费决算情况统计表" and table.header_rows == 2
    assert _grid(table)[:3] == [
        ["项目", "上年决算数", "本年决算数", "比上年增、减情况", ""],
        ["", "", "", "增、减金额", "增、减幅度"],
        ["合计", "2911.47", "2706.86", "-204.61", "-7.03%"],
    ]
    facts = _facts("002")
    assert {
        ("三公经费", 2015, "amount", "actual", "2911.47", "万元"),
        ("三公经费", 2016, "amount", "actual", "2706.86", "万元"),
        ("三公经费", 2016, "change_amount", None, "-204.61", "万元"),
        ("三公经费", 2016, "change_rate", None, "-7.03", "%"),
        ("公务用车购置费", 2016, "change_rate", None, "-100", "%"),  # 其中:(1)公务用车购置费
        ("公务用车运行维护费", 2015, "amount", "actual", "1203.92", "万元"),  # (2)公务用车运行费
    } <= facts
    change = next(f for f in _cells("002") if f.text == "-204.61")
    assert (change.compared_to, change.against, change.direction) == (2015, "prior_year", "decrease")
    assert len(_cells("002")) == 24


def test_003_rows_are_years_and_columns_metrics() -> None:
    [table] = _parsed("003").tables
    assert table.header_rows == 2
    assert _grid(table)[:3] == [
        ["年度", "合计", "因公出国(境)经费", "公务接待费", "公车购置及运行维护费", "", ""],
        ["", "", "", "", "合计", "车辆购置", "车辆运行"],  # 8 header cells over 7 columns
        ["2015年", "2840", "90", "1400", "1350", "73", "1277"],
    ]
    facts = _facts("003")
    assert {
        ("三公经费", 2015, "amount", None, "2840", "万元"),
        ("公务用车购置及运行维护费", 2016, "amount", None, "996", "万元"),
        ("公务用车购置费", 2016, "amount", None, "37", "万元"),
        ("公务用车运行维护费", 2015, "amount", None, "1277", "万元"),
        ("公务用车购置费", 2016, "change_rate", None, "-47.95", "%"),  # no % sign printed
    } <= facts
    rate = next(f for f in _cells("003") if f.text == "-16.77")
    assert (rate.metric, rate.compared_to, rate.direction) == ("三公经费", 2015, "decrease")


def test_024_cells_ending_in_a_pipe_and_a_table_of_counts() -> None:
    money, counts = _parsed("024").tables
    assert _grid(money)[0] == ["经费项目", "2020年度支出 (万元)", "支出减少情况(万元)", "支出减少率"]
    assert _grid(money)[2] == ["公务接待费", "71.53", "-", "-"]
    assert {
        ("三公经费", 2020, "amount", "actual", "1928.76", "万元"),  # 总“三公”经费支出
        ("公务用车购置费", 2020, "amount", "actual", "423.81", "万元"),
        ("因公出国（境）费", 2020, "change_amount", None, "0", "万元"),
        ("因公出国（境）费", 2020, "change_rate", None, "0", "%"),
    } <= _facts("024", 0)
    assert len(_cells("024", 0)) == 8  # "-" is not given: no figure
    assert counts.kind == COUNTS and _grid(counts)[-1] == ["国(境)外公务接待情况", "无"]
    assert _facts("024", 1) >= {
        ("公务用车", 2020, "count", None, "660", "辆"),
        ("国内公务接待人次", 2020, "count", None, "7371", "人次"),
        ("国内公务接待批次", 2020, "count", None, "486", "批次"),
    }
    assert len(_cells("024", 1)) == 6


def test_029_piped_rows_with_empty_cells() -> None:
    [table] = _parsed("029").tables
    assert _grid(table) == [
        ["项 目", "预 算 数", "决 算 数"],
        ["合 计", "1.8", "1.52"],
        ["因公出国(境)费", "", ""],
        ["公务接待费", "1.8", "1.52"],
        ["公务用车购置及运行维护费", "", ""],
        ["其中:公务用车运行维护费", "", ""],
        ["公务用车购置费", "", ""],
    ]
    assert _facts("029") == {
        ("三公经费 预算数", 2021, "amount", "budget", "1.8", "万元"),
        ("三公经费", 2021, "amount", "actual", "1.52", "万元"),
        ("公务接待费 预算数", 2021, "amount", "budget", "1.8", "万元"),
        ("公务接待费", 2021, "amount", "actual", "1.52", "万元"),
    }


def test_016_two_halves_and_row_numbers() -> None:
    [table] = _parsed("016").tables
    assert (table.kind, table.header_rows) == ("收入支出决算总表", 3)
    assert _grid(table)[:4] == [
        ["收入", "", "", "支出", "", ""],
        ["项目", "行次", "金额", "项目", "行次", "金额"],
        ["栏次", "", "1", "栏次", "", "2"],  # two empty lines: an empty cell
        ["一、一般公共预算财政拨款收入", "1", "440.55", "一、一般公共服务支出", "29", "423.20"],
    ]
    assert len(table.rows) == 7  # "五、经" (cut off) stays a narrative line
    assert {
        ("一般公共预算财政拨款收入", 2019, "amount", None, "440.55", "万元"),
        ("一般公共服务支出", 2019, "amount", None, "423.20", "万元"),
        ("上级补助收入", 2019, "amount", None, "10.00", "万元"),
    } <= _facts("016")
    # 行次 and 栏次 number rows and columns: identifiers, never amounts.
    assert {f.col for f in _cells("016")} == {2, 5} and len(_cells("016")) == 8
    assert next(f for f in _cells("016") if f.text == "423.20").code == "201"


def test_031_four_value_columns_cut_off_mid_number() -> None:
    [table] = _parsed("031").tables
    assert _grid(table)[0][:10] == ["收入", "预算数", "调整预算数", "执行数", "决算数", "支出", "预算", "调整预算数",
                                    "执行数", "决算数"]
    assert _grid(table)[2] == ["一、本级收入", *[""] * 9, "230000", "238600", "23"]  # 3 numbers, 4 columns
    assert _facts("031") == {
        ("收入总计", 2021, "amount", "budget", "610709", "万元"),
        ("收入总计", 2021, "amount", "adjusted_budget", "925766", "万元"),
        # beside the 决算数, a government table's 执行数 is the execution reported earlier
        ("收入总计", 2021, "amount", "executed", "925766", "万元"),
        ("收入总计", 2021, "amount", "actual", "929393", "万元"),
        ("支出总计", 2021, "amount", "budget", "610709", "万元"),
        ("支出总计", 2021, "amount", "adjusted_budget", "925766", "万元"),
        ("支出总计", 2021, "amount", "executed", "925766", "万元"),
        ("支出总计", 2021, "amount", "actual", "929393", "万元"),
    }


def test_008_a_form_of_label_value_pairs() -> None:
    [form] = _parsed("008").tables
    assert (form.kind, form.header_rows) == (FORM, 0)
    assert _grid(form) == [["联系人", "吴俊"], ["联络电话", "8690022"], ["人员编制", "21"], ["实有人数", "21"]]
    assert _facts("008") == {("人员编制", 2018, "count", None, "21", "人"), ("实有人数", 2018, "count", None, "21", "人")}
    # A phone number and a 预算编码 are identifiers.
    assert not [f for f in _parsed("008").figures if f.text in ("8690022", "906017")]


def test_055_a_piped_page_header_is_no_table() -> None:
    parsed = _parsed("055")
    assert parsed.tables == []
    assert parsed.report.text.startswith("索引号: | 330803-026/2024-70342")


@pytest.mark.parametrize("path", sorted(REPORTS.glob("*.txt")) + [SEED], ids=lambda p: p.stem[:8])
def test_no_narrative_lost(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every narrative figure and section stays, except a table row misread as a sentence: a
    table figure now stands on its number. The sample's tab-led tables are read as before."""
    after = parse_file(path)
    real = find_flat_tables  # before cell streams were read: tab-led tables only
    monkeypatch.setattr(parse_module, "find_flat_tables", lambda lines: {
        k: t for k, t in real(lines).items() if t.flattened
    })
    before = parse_file(path)
    now = {(f.start, f.end, f.metric, f.role, f.text) for f in after.figures if f.source == "text"}
    cells = [(f.start, f.end) for f in after.figures if f.source == "table"]
    for figure in before.figures:
        key = (figure.start, figure.end, figure.metric, figure.role, figure.text)
        if figure.source == "text" and key not in now:
            assert any(s <= figure.start < e or figure.start <= s < figure.end for s, e in cells), key
    spans = [(t.start, t.end) for t in after.tables]
    for section in before.sections:
        if not any(s <= section.start < e for s, e in spans):
            assert any(s.start == section.start for s in after.sections), section.title
    for figure in after.figures:
        assert after.report.text[figure.start: figure.end] == figure.text
    if path == SEED:
        assert [_grid(t) for t in after.tables] == [_grid(t) for t in before.tables]
        assert after.figures == before.figures


def test_a_long_line_reads_fast() -> None:
    lines = ["|".join(["12.5"] * 2500), "合计" + " " * 10000 + "1", *(["一、项", "1.0"] * 3000)]
    start = time.perf_counter()
    find_flat_tables(lines)
    assert time.perf_counter() - start < 2


def test_a_traditional_repost_reads_the_same(tmp_path: Path) -> None:
    """繁體 with inline readings (經(jīng)費): the headers are read through the simplified copy."""
    text = to_traditional((REPORTS / "001.txt").read_text(encoding="utf-8")).replace("經費", "經(jīng)費")
    (tmp_path / "001t.txt").write_text(text, encoding="utf-8")
    parsed = parse_file(tmp_path / "001t.txt")
    [table] = parsed.tables
    assert _grid(table)[:2] == [["項 目", "預算數", "決算數", ""], ["合 計", "77.00", "68.30", ""]]
    figures = {(f.metric, f.basis, f.text) for f in parsed.figures if f.source == "table"}
    assert figures == {(m, b, t) for m, _, _, b, t, _ in _facts("001")}
