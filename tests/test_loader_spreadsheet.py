"""Spreadsheet loaders: values as printed, titles/units, stacked tables, .xlsx and .xls alike."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from index.loaders.base import LoadError
from index.loaders.spreadsheet import format_number, load_xls, load_xlsx

# One workbook described once and written both with openpyxl and xlwt.
# A cell is a value or (value, number_format); merges are (row1, col1, row2, col2), 0-based inclusive.
F2 = "0.00"
SHEETS: list[dict] = [
    {
        "name": "收入支出决算总表",
        "rows": [
            ["收入支出决算总表"],
            ["编制单位：某某局", None, None, None, None, "单位：万元"],
            ["收入", None, None, "支出"],
            ["项目", "行次", "金额", "项目", "行次", "金额"],
            ["一、一般公共预算财政拨款收入", 1, (1054.82, F2), "一、一般公共服务支出", 32, (14.71, F2)],
            ["二、政府性基金预算财政拨款收入", 2, (0, F2), "二、外交支出", 33, (10.16, "#,##0.00")],
            [],  # an empty row inside the table is dropped, not a split
            ["本年收入合计", 3, (1054.82, F2), "本年支出合计", 34, (12.5, F2), (None, F2)],
        ],
        "merges": [(0, 0, 0, 5), (2, 0, 2, 2), (2, 3, 2, 5)],
    },
    {
        "name": "三公经费",
        "rows": [
            ["一般公共预算财政拨款“三公”经费支出决算表"],
            [None, None, None, None, None, "单位：万元"],
            ["合计", "因公出国（境）费", "公务用车购置及运行费", None, None, "公务接待费"],
            [None, None, "小计", "公务用车购置费", "公务用车运行费"],
            [(14.71, F2), (0, F2), (10.16, F2), (0, F2), (10.16, F2), (4.55, F2)],
        ],
        "merges": [(0, 0, 0, 5), (2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 4), (2, 5, 3, 5)],
    },
    {
        "name": "支出与基金",
        "rows": [
            ["表三 一般公共预算财政拨款支出决算表"],
            ["金额单位：万元"],
            ["科目编码", "科目名称", "合计", "基本支出", "执行率"],
            ["合计", None, (1054.82, F2), (1000, F2), (0.9696, "0.00%")],
            [201, "一般公共服务支出", 0.1 + 0.2, (-3.5, "#,##0.00;(#,##0.00)"), None],
            ["20103", "政府办公厅（室）及相关机构事务", (12.5, F2), 7.0, None],
            [2010301.0, "行政运行", (12.5, "0.0#"), (12.345, "0.0#"), None],
            [],
            ["公开08表"],
            ["政府性基金预算财政拨款收入支出决算表"],
            ["单位：元"],
            ["项目", "年初结转和结余", "本年收入", "本年支出"],
            ["合计", "—", "—", "—"],
            ["注：本单位2023年度没有政府性基金预算财政拨款收入，也没有使用政府性基金安排的支出。"],
        ],
        "merges": [(0, 0, 0, 4), (8, 0, 8, 3), (9, 0, 9, 3), (13, 0, 13, 3)],
    },
    {"name": "空白", "rows": [], "merges": []},
]


def _split(cell):
    return cell if isinstance(cell, tuple) else (cell, None)


def _write_xlsx(path: Path, sheets: list[dict] = SHEETS) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec["name"])
        for r, row in enumerate(spec["rows"], start=1):
            for c, cell in enumerate(row, start=1):
                value, fmt = _split(cell)
                if value is None and fmt is None:
                    continue
                target = ws.cell(row=r, column=c, value=value)
                if fmt:
                    target.number_format = fmt  # a styled empty cell makes a trailing empty column
        for r1, c1, r2, c2 in spec["merges"]:
            ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    wb.save(str(path))
    return path


def _write_xls(path: Path, sheets: list[dict] = SHEETS) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    styles: dict[str | None, xlwt.XFStyle] = {}

    def style(fmt: str | None) -> xlwt.XFStyle:
        if fmt not in styles:
            styles[fmt] = xlwt.easyxf(num_format_str=fmt) if fmt else xlwt.XFStyle()
        return styles[fmt]

    for spec in sheets:
        ws = wb.add_sheet(spec["name"])
        anchors = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in spec["merges"]}
        covered = {
            (r, c)
            for (r1, c1), (r2, c2) in anchors.items()
            for r in range(r1, r2 + 1)
            for c in range(c1, c2 + 1)
        }
        for r, row in enumerate(spec["rows"]):
            for c, cell in enumerate(row):
                value, fmt = _split(cell)
                if (r, c) in anchors:
                    r2, c2 = anchors[(r, c)]
                    ws.write_merge(r, r2, c, c2, value, style(fmt))
                elif (r, c) not in covered and not (value is None and fmt is None):
                    ws.write(r, c, value, style(fmt))
    wb.save(str(path))
    return path


@pytest.fixture(params=["xlsx", "xls"])
def workbook(request, tmp_path: Path):
    if request.param == "xlsx":
        return load_xlsx(_write_xlsx(tmp_path / "决算.xlsx"))
    return load_xls(_write_xls(tmp_path / "决算.xls"))


def test_document_facts(workbook) -> None:
    assert workbook.format in ("xlsx", "xls")
    assert workbook.source_name.startswith("决算.")
    assert workbook.pages == 4  # sheets, the empty one included
    assert all(b.kind == "table" for b in workbook.blocks)
    # page = 1-based sheet index; sheet 3 holds two stacked tables, sheet 4 is empty.
    assert [b.page for b in workbook.blocks] == [1, 2, 3, 3]


def test_income_expenditure_summary(workbook) -> None:
    t = workbook.blocks[0]
    assert t.title == "收入支出决算总表"
    assert t.unit == "万元"
    assert t.header_rows == 2
    assert t.rows[0] == ["收入", "", "", "支出", "", ""]  # merged: top-left only
    assert t.rows[1] == ["项目", "行次", "金额", "项目", "行次", "金额"]
    assert t.rows[2] == [
        "一、一般公共预算财政拨款收入",
        "1",
        "1054.82",
        "一、一般公共服务支出",
        "32",
        "14.71",
    ]
    # "#,##0.00" keeps two decimals but adds no separator; 0 under "0.00" prints "0.00".
    assert t.rows[3][2] == "0.00" and t.rows[3][5] == "10.16"
    # The empty row is gone; the styled empty 7th column is trimmed; 12.5 prints "12.50".
    assert t.rows[4] == ["本年收入合计", "3", "1054.82", "本年支出合计", "34", "12.50"]
    assert len(t.rows) == 5
    assert not any("单位" in c or "决算总表" in c for r in t.rows for c in r)


def test_three_public_expenses(workbook) -> None:
    t = workbook.blocks[1]
    assert t.title == "一般公共预算财政拨款“三公”经费支出决算表"
    assert t.unit == "万元"
    assert t.header_rows == 2
    assert t.rows[0] == ["合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"]
    assert t.rows[1] == ["", "", "小计", "公务用车购置费", "公务用车运行费", ""]
    assert t.rows[2] == ["14.71", "0.00", "10.16", "0.00", "10.16", "4.55"]


def test_codes_and_number_formats(workbook) -> None:
    t = workbook.blocks[2]
    assert t.title == "表三 一般公共预算财政拨款支出决算表"
    assert t.unit == "万元"
    assert t.header_rows == 1
    assert t.rows[1] == ["合计", "", "1054.82", "1000.00", "96.96%"]
    # Codes come out the same whether stored as number, text or float; 0.1+0.2 prints "0.3".
    assert [r[0] for r in t.rows[2:]] == ["201", "20103", "2010301"]
    assert t.rows[2][2:4] == ["0.3", "(3.50)"]
    assert t.rows[3][2:4] == ["12.50", "7"]
    assert t.rows[4][2:4] == ["12.5", "12.35"]  # "0.0#": one or two decimals, half up
    # The 执行率 column is only filled in the 合计 row, so it stays (not a trailing column).
    assert all(len(r) == 5 for r in t.rows)


def test_stacked_second_table(workbook) -> None:
    t = workbook.blocks[3]
    assert t.page == 3
    assert t.title == "政府性基金预算财政拨款收入支出决算表"  # the name, not the bare "公开08表"
    assert t.unit == "元"
    assert t.header_rows == 1  # "合计 | — | — | —" is a data row
    assert t.rows[0] == ["项目", "年初结转和结余", "本年收入", "本年支出"]
    assert t.rows[-1][0].startswith("注：本单位2023年度没有")
    assert t.rows[-1][1:] == ["", "", ""]


def test_no_float_artifacts_anywhere(workbook) -> None:
    for block in workbook.blocks:
        for row in block.rows:
            for cell in row:
                assert "000000" not in cell and not cell.endswith(".0"), cell


@pytest.mark.parametrize(
    ("value", "fmt", "printed"),
    [
        (14.71, "0.00", "14.71"),
        (0, "0.00", "0.00"),
        (12.5, "#,##0.00_ ", "12.50"),
        (1234567.891, "#,##0.00", "1234567.89"),
        (0.1 + 0.2, "General", "0.3"),
        (2010301.0, "General", "2010301"),
        (1e-05, None, "0.00001"),
        (2.675, "0.00", "2.68"),  # half away from zero on the printed value, not the binary float
        (-0.001, "0.00", "0.00"),  # no "-0.00"
        (0.5, "0%", "50%"),
        (-3.5, '#,##0.00;[Red]"-"#,##0.00', "-3.50"),
        (7, '0.00"万元"', "7.00"),
    ],
)
def test_format_number(value, fmt, printed) -> None:
    assert format_number(value, fmt) == printed


# ---------------------------------------------------------------------------- bad inputs


def _expect(loader, path: Path, *words: str) -> None:
    with pytest.raises(LoadError) as info:
        loader(path)
    assert any(w in str(info.value) for w in words), str(info.value)


@pytest.mark.parametrize("loader", [load_xlsx, load_xls])
def test_empty_file(tmp_path: Path, loader) -> None:
    p = tmp_path / "empty.bin"
    p.write_bytes(b"")
    _expect(loader, p, "为空")


def test_random_bytes(tmp_path: Path) -> None:
    p = tmp_path / "noise.xlsx"
    p.write_bytes(bytes(range(1, 256)) * 8)
    _expect(load_xlsx, p, "不是 zip")
    _expect(load_xls, p, "不是 OLE")


def test_html_saved_as_xls(tmp_path: Path) -> None:
    p = tmp_path / "export.xls"
    p.write_text("<html><body><table><tr><td>收入支出决算总表</td></tr></table></body></html>", "utf-8")
    _expect(load_xls, p, "HTML")


def test_truncated_xlsx(tmp_path: Path) -> None:
    full = _write_xlsx(tmp_path / "full.xlsx").read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(full[: len(full) // 2])
    _expect(load_xlsx, p, "损坏", "截断")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "report.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    _expect(load_xlsx, p, "xl/workbook.xml")


def test_encrypted_workbook(tmp_path: Path) -> None:
    # Password-protected .xlsx files are OLE containers with an EncryptionInfo stream.
    p = tmp_path / "locked.xlsx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    p.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    _expect(load_xlsx, p, "加密")
    _expect(load_xls, p, "加密")


def test_corrupt_ole_xls(tmp_path: Path) -> None:
    p = tmp_path / "broken.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600)
    _expect(load_xls, p, "不是有效的 XLS")


@pytest.mark.parametrize(("writer", "loader"), [(_write_xlsx, load_xlsx), (_write_xls, load_xls)])
def test_workbook_without_cells(tmp_path: Path, writer, loader) -> None:
    p = writer(tmp_path / "blank.bin", [{"name": "Sheet1", "rows": [[None, (None, F2)]], "merges": []}])
    _expect(loader, p, "没有任何非空单元格")


def test_wrong_extension_is_forgiven(tmp_path: Path) -> None:
    # Downloads often carry the wrong extension; the content decides.
    xlsx_as_xls = _write_xlsx(tmp_path / "a.xls")
    xls_as_xlsx = _write_xls(tmp_path / "b.xlsx")
    assert load_xls(xlsx_as_xls).format == "xlsx"
    assert load_xlsx(xls_as_xlsx).format == "xls"
    assert load_xlsx(xls_as_xlsx).blocks[1].rows[2][0] == "14.71"
