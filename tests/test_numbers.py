"""The one grammar of a table cell (`index.numbers.read_cell`) and the one header detector
(`index.tables.header_row_count`) that every loader, the table reader and the rules share."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.audit.rules._audit import cell_value
from index.numbers import read_cell
from index.tables import header_row_count, is_code, is_numeric

# (cell as printed, kind, value, decimals, percent, code_like)
CELLS = [
    ("1,054.82", "number", "1054.82", 2, False, False),
    ("1054.82", "number", "1054.82", 2, False, False),
    ("-204.61", "number", "-204.61", 2, False, False),
    ("−204.61", "number", "-204.61", 2, False, False),
    ("+3.5", "number", "3.5", 1, False, False),
    ("-7.03%", "number", "-7.03", 2, True, False),
    ("96.96%", "number", "96.96", 2, True, False),
    ("96.96％", "number", "96.96", 2, True, False),
    ("96.96 %", "number", "96.96", 2, True, False),
    ("９６．９６％", "number", "96.96", 2, True, False),
    ("１，０５４．８２", "number", "1054.82", 2, False, False),
    ("0", "number", "0", 0, False, False),
    ("0.00", "number", "0.00", 2, False, False),
    ("(12.00)", "number", "-12.00", 2, False, False),
    ("(1,054.82)", "number", "-1054.82", 2, False, False),
    ("（1,054.82）", "number", "-1054.82", 2, False, False),
    ("(7.03%)", "number", "-7.03", 2, True, False),
    ("100", "number", "100", 0, False, True),
    ("201", "number", "201", 0, False, True),
    ("20106", "number", "20106", 0, False, True),
    ("2010301", "number", "2010301", 0, False, True),
    ("1234", "number", "1234", 0, False, False),
    ("201 06 01", "code", None, 0, False, True),
    ("201 06", "code", None, 0, False, True),
    ("", "blank", None, 0, False, False),
    ("-", "blank", None, 0, False, False),
    ("—", "blank", None, 0, False, False),
    ("——", "blank", None, 0, False, False),
    ("－", "blank", None, 0, False, False),
    ("/", "blank", None, 0, False, False),
    ("／", "blank", None, 0, False, False),
    ("无", "blank", None, 0, False, False),
    ("12.5.3", "text", None, 0, False, False),
    ("2024年", "text", None, 0, False, False),
    ("1,05", "text", None, 0, False, False),
    ("10万元", "text", None, 0, False, False),
    ("总额", "text", None, 0, False, False),
    ("%", "text", None, 0, False, False),
    ("12 34", "text", None, 0, False, False),
]


@pytest.mark.parametrize(("cell", "kind", "value", "decimals", "percent", "code_like"), CELLS)
def test_read_cell(cell: str, kind: str, value: str | None, decimals: int, percent: bool, code_like: bool) -> None:
    reading = read_cell(cell)
    assert reading.kind == kind
    assert reading.value == (Decimal(value) if value is not None else None)
    if value is not None:
        assert str(reading.value) == value  # as printed: 0.00 keeps its decimals
    assert (reading.decimals, reading.percent, reading.code_like) == (decimals, percent, code_like)


@pytest.mark.parametrize(
    ("cell", "printed"),
    [("96.96%", "96.96"), (" 96.96 %", "96.96"), ("(12.00)", "(12.00)"), ("-7.03%", "-7.03"), ("１２．５", "１２．５")],
)
def test_span_is_the_number_as_printed(cell: str, printed: str) -> None:
    reading = read_cell(cell)
    assert cell[reading.start: reading.end] == printed


@pytest.mark.parametrize(("cell", "kind", "value", "decimals", "percent", "code_like"), CELLS)
def test_every_caller_agrees(cell: str, kind: str, value: str | None, decimals: int, percent: bool,
                             code_like: bool) -> None:
    assert is_numeric(cell) == (kind == "number")
    assert is_code(cell) == code_like
    assert cell_value(cell) == ((Decimal(value), decimals) if kind == "number" and value is not None else None)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["科目编码", "科目名称"], ["类", "款"], ["2010301", "行政运行"]], 2),
        ([["项目", "金额"], ["栏次", "1"], ["合计", "—"]], 2),
        ([["项目", "金额"]], 1),  # no data row: all header
        ([], 0),
        ([["项目", "", "本年收入合计"], ["功能分类科目编码", "科目名称", ""], ["合计", "", "307.82"]], 2),
        ([["合计", "", "因公出国（境）费"], ["预算数", "决算数", ""]], 2),  # a 合计 column heading
        ([["项目", "金额"], ["合 计", "/"]], 1),
        ([["科目编码", "科目名称", "金额"], ["201 06 01", "财政业务", ""]], 1),
        ([["项目", "金额"], ["一、一般公共预算财政拨款收入", ""]], 1),
        ([["项目", "执行率"], ["总额", "96.96％"]], 1),
        ([["项目", "金额"], ["总额", "(1,054.82)"]], 1),
        ([["2024年", "说明"], ["12.5.3", "text"]], 2),
    ],
)
def test_header_row_count(rows: list[list[str]], expected: int) -> None:
    assert header_row_count(rows) == expected
