"""Read .xlsx (openpyxl) and .xls (xlrd) workbooks into table blocks.

Approach, in plain words:

* The nine standard 决算 tables are often published as one workbook, one sheet per table, or
  with several tables stacked in one sheet. Each sheet is read into a grid of strings, then
  cut into tables wherever an empty row is followed by a new title (or unit) row.
* For spreadsheets ``Block.page`` is the sheet's 1-based position in the workbook (hidden
  sheets count), and ``LoadedDocument.pages`` is the number of sheets.
* Title, unit and 编制单位 rows above a table are taken off ``rows`` and stored in ``title`` and
  ``unit``; the rest of the grid is kept as printed. Fully empty rows and trailing empty
  columns are dropped. A merged range keeps its value in the top-left cell, "" elsewhere.
* Numbers are printed the way the cell's number format shows them, never from the raw float:
  the value is read back through ``format(v, ".15g")`` (Excel's own 15 significant digits, so
  0.1+0.2 prints "0.3") into a Decimal, then rounded half away from zero to the format's
  decimals ("0.00" → 12.5 prints "12.50", General → 2010301.0 prints "2010301"). Thousands
  separators are not added. Formula cells give their cached value (None → "" when the file
  was never recalculated by Excel).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
import zipfile
import zlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from index.settings import LimitSettings, default_limits

from .base import Block, LoadedDocument, LoadError
from .docx import (
    OLE_MAGIC,
    check_ole,
    check_package,
    count_elements,
    header_row_count,
    is_preamble_row,
    is_title,
    read_bytes,
    split_preamble,
    unit_of,
)

# Bits of a number format that print literally or only pad: "text", \x, [Red], _x, *x.
_FMT_LITERAL_RE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_FMT_DECIMALS_RE = re.compile(r"\.([0#?]+)")
# The start tag of a stored cell in a worksheet part, with any namespace prefix.
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")


def _sections(number_format: str) -> list[str]:
    """Split a number format on ';' (positive;negative;zero;text), ignoring quoted ';'."""
    cleaned = _FMT_LITERAL_RE.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", number_format)
    parts, buf, quoted = [], "", False
    for ch in cleaned:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append(buf)
            buf = ""
        else:
            buf += ch
    parts.append(buf)
    return [re.sub(r'"[^"]*"', "", p) for p in parts]


def _plain(d: Decimal) -> str:
    """A Decimal in fixed notation, with no "-0"."""
    if d == 0:
        d = abs(d)
    return format(d, "f")


def format_number(value: float, number_format: str | None) -> str:
    """Print a numeric cell value the way its number format shows it (no thousands separators).

    General (or an unknown format) prints the shortest form: integers without ".0".
    A format with decimals ("0.00", "#,##0.00_ ", "0.0#") rounds half away from zero to
    them; '%' formats multiply by 100 and keep the sign. A negative value whose format
    prints it in parentheses comes out as "(12.00)".
    """
    # ".15g" is what Excel itself keeps; it turns 0.30000000000000004 back into 0.3.
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    d = Decimal(format(value, ".15g")) if isinstance(value, float) else Decimal(value)
    sections = _sections(number_format or "General")
    section = sections[0]
    negative_in_parens = False
    if d < 0 and len(sections) > 1 and re.search(r"[0#?]", sections[1]):
        section = sections[1]
        negative_in_parens = "(" in section
    low = section.strip().lower()
    if not low or "general" in low or "e+" in low or "e-" in low or not re.search(r"[0#?]", low):
        if d == d.to_integral_value():
            return _plain(d.to_integral_value())
        return _plain(d.normalize())
    percent = "%" in section
    if percent:
        d *= 100
    m = _FMT_DECIMALS_RE.search(section)
    most = len(m.group(1)) if m else 0
    least = m.group(1).count("0") if m else 0
    try:
        d = d.quantize(Decimal(1).scaleb(-most), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than Decimal's context holds: print as it is
        return _plain(d)
    text = _plain(abs(d) if negative_in_parens else d)
    # "0.0#" shows one to two decimals: drop optional trailing zeros down to the minimum.
    if most > least:
        head, _, tail = text.partition(".")
        tail = tail.rstrip("0")
        tail += "0" * max(0, least - len(tail))
        text = f"{head}.{tail}" if tail else head
    if percent:
        text += "%"
    return f"({text})" if negative_in_parens else text


def _cell_text(value: object, number_format: str | None) -> str:
    """Turn one cell value into the string a reader sees."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return format_number(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def _sheet_blocks(grid: list[list[str]], page: int) -> list[Block]:
    """Cut one sheet's grid into table blocks: a new table starts after an empty row
    followed by a title/unit row."""
    segments: list[list[list[str]]] = [[]]
    gap = False
    for row in grid:
        cells = [c for c in row if c]
        if not cells:
            gap = True
            continue
        starts_table = is_preamble_row(cells) and any(is_title(c) or unit_of(c) for c in cells)
        if gap and starts_table and split_preamble(segments[-1])[2]:
            segments.append([])
        segments[-1].append(row)
        gap = False

    blocks: list[Block] = []
    for seg in segments:
        if not seg:
            continue
        title, unit, body = split_preamble(seg)
        if unit is None:
            # The unit is sometimes printed in a header corner or a footer line.
            unit = next((unit_of(c) for r in body for c in r if unit_of(c) and len(c) <= 20), None)
        width = max((max(i for i, c in enumerate(r) if c) + 1 for r in body), default=0)
        rows = [r[:width] + [""] * (width - len(r)) for r in body]
        blocks.append(
            Block(
                kind="table", rows=rows, page=page, title=title, unit=unit, header_rows=header_row_count(rows)
            )
        )
    return blocks


def _finish(path: Path, fmt: str, grids: list[list[list[str]]]) -> LoadedDocument:
    """Build the document from per-sheet grids; an all-empty workbook is an error."""
    blocks: list[Block] = []
    for page, grid in enumerate(grids, start=1):
        blocks.extend(_sheet_blocks(grid, page))
    if not blocks:
        raise LoadError("工作簿中没有任何非空单元格（空工作簿）")
    return LoadedDocument(source_name=path.name, format=fmt, blocks=blocks, pages=len(grids))


def _not_a_workbook(path: Path, data: bytes, expected: str) -> LoadError:
    """The error for a file that is neither zip nor OLE, with a hint for web exports."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<"):
        return LoadError(
            f"不是有效的 {expected}：它其实是网页（HTML）或 XML 表格，"
            "请用 Excel/WPS 打开后另存为 .xlsx 再导入"
        )
    kind = "不是 zip 文件" if expected == "XLSX" else "不是 OLE 复合文档"
    return LoadError(f"不是有效的 {expected}（{kind}，可能已损坏或并非 Excel 文件）")


def load_xlsx(path: Path, limits: LimitSettings | None = None) -> LoadedDocument:
    """Load an .xlsx workbook: one or more table blocks per sheet, page = sheet number.

    An old binary .xls saved under an .xlsx name is read with `load_xls`. Raises LoadError
    for an empty, truncated, encrypted or non-Excel file, and for a workbook without any
    non-empty cell, and for a workbook over `limits` (unpacked size, rows, columns, cells).
    """
    path = Path(path)
    limits = limits or default_limits()
    data = read_bytes(path)
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            check_ole(data, "XLSX", ".xlsx")  # raises: password-protected .xlsx
        return load_xls(path, limits)  # an old .xls under an .xlsx name
    if not data.startswith(b"PK"):
        raise _not_a_workbook(path, data, "XLSX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise LoadError("不是有效的 XLSX（zip 中没有 xl/workbook.xml）")
            check_package(zf, limits)
            stored = sum(count_elements(zf, name, _CELL_TAG) for name in zf.namelist()
                         if name.startswith("xl/worksheets/") and name.endswith(".xml"))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise LoadError(f"不是有效的 XLSX（zip 文件已损坏或被截断：{exc}）") from exc

    if stored > limits.max_cells:
        # Counted on the XML: openpyxl would build an object for every stored cell first.
        raise LoadError(f"单元格过多（{stored} 个，上限 {limits.max_cells} 个，JUESUAN_LIMITS__MAX_CELLS）")

    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation, unknown extensions etc.: not our business.
            warnings.simplefilter("ignore")
            # A file object, not the path: openpyxl refuses paths not ending in .xlsx.
            wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken parts
        raise LoadError(f"不是有效的 XLSX（无法解析：{exc}）") from exc

    grids: list[list[list[str]]] = []
    for name in wb.sheetnames:
        ws = wb[name]
        if not hasattr(ws, "iter_rows"):
            grids.append([])  # a chart sheet still takes a page number
            continue
        grids.append(_xlsx_grid(ws, name, limits))
    return _finish(path, "xlsx", grids)


def _xlsx_grid(ws, name: str, limits: LimitSettings) -> list[list[str]]:
    """One openpyxl sheet as strings, cut to the last non-empty row and column.

    openpyxl already keeps a merged range's value in its top-left cell only. We read the
    sheet's stored cells rather than iter_rows(): a style applied to whole columns makes
    max_row 1048576, and iter_rows would build a million empty rows.
    """
    stored = getattr(ws, "_cells", None)
    if stored is None:  # not a regular worksheet object: fall back to the public API
        stored = {(c.row, c.column): c for row in ws.iter_rows() for c in row}
    if len(stored) > limits.max_cells:
        raise _too_big(name, "单元格", len(stored), limits.max_cells, "MAX_CELLS")
    texts = {
        key: text
        for key, cell in stored.items()
        if cell.value is not None and (text := _cell_text(cell.value, cell.number_format))
    }
    return _grid(texts, name, limits)


def _too_big(sheet: str, what: str, count: int, limit: int, setting: str) -> LoadError:
    return LoadError(f"工作表“{sheet}”{what}过多（{count} 个，上限 {limit} 个，JUESUAN_LIMITS__{setting}）")


def _grid(texts: dict[tuple[int, int], str], sheet: str, limits: LimitSettings, first: int = 1) -> list[list[str]]:
    """The rows of a sheet's non-empty cells (keyed (row, column), numbered from `first`) as a grid.

    Only rows that hold a cell are built, with one empty row where the sheet has any run of
    empty rows (all that cutting tables needs): one cell at XFD1000000 must not make a grid of
    sixteen billion. Columns run to the last non-empty one; over `limits` is a LoadError.
    """
    if not texts:
        return []
    rows = sorted({r for r, _ in texts})
    n_cols = max(c for _, c in texts) + 1 - first
    if n_cols > limits.max_cols:
        raise _too_big(sheet, "列", n_cols, limits.max_cols, "MAX_COLS")
    if len(rows) > limits.max_rows:
        raise _too_big(sheet, "行", len(rows), limits.max_rows, "MAX_ROWS")
    if len(rows) * n_cols > limits.max_cells:
        raise _too_big(sheet, "单元格", len(rows) * n_cols, limits.max_cells, "MAX_CELLS")
    grid: list[list[str]] = []
    previous = first - 1  # the row before the sheet's first
    for r in rows:
        if r - previous > 1:
            grid.append([""] * n_cols)
        grid.append([texts.get((r, c), "") for c in range(first, n_cols + first)])
        previous = r
    return grid


def load_xls(path: Path, limits: LimitSettings | None = None) -> LoadedDocument:
    """Load an old binary .xls workbook (xlrd): one or more table blocks per sheet.

    An .xlsx saved under an .xls name is read with `load_xlsx`. Raises LoadError for an
    empty, encrypted or non-Excel file (web pages saved as .xls included), and for a
    workbook without any non-empty cell, and for a sheet over `limits` (rows, columns, cells).
    """
    path = Path(path)
    limits = limits or default_limits()
    data = read_bytes(path)
    if data.startswith(b"PK"):
        return load_xlsx(path, limits)
    if not data.startswith(OLE_MAGIC):
        raise _not_a_workbook(path, data, "XLS")
    if "EncryptionInfo".encode("utf-16-le") in data:
        check_ole(data, "XLSX", ".xlsx")  # an encrypted .xlsx, always an error

    import xlrd

    try:
        try:
            # Ragged rows: a row holds the cells it has, not the sheet's widest row.
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, ragged_rows=True)
        except NotImplementedError:
            # Very old BIFF versions: no format info, so numbers print in General.
            book = xlrd.open_workbook(file_contents=data, ragged_rows=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise LoadError("工作簿已加密（有打开密码）：请去除密码后另存为 .xlsx 再导入") from exc
        raise LoadError(f"不是有效的 XLS（{exc}）") from exc
    except Exception as exc:  # truncated OLE streams surface as assorted errors
        raise LoadError(f"不是有效的 XLS（文件已损坏或被截断：{exc}）") from exc

    grids = [_xls_grid(book, sheet, limits) for sheet in book.sheets()]
    return _finish(path, "xls", grids)


def _xls_grid(book, sheet, limits: LimitSettings) -> list[list[str]]:
    """One xlrd sheet as strings, merged ranges blanked except their top-left cell."""
    import xlrd

    stored = sum(sheet.row_len(r) for r in range(sheet.nrows))
    if stored > limits.max_cells:
        raise _too_big(sheet.name, "单元格", stored, limits.max_cells, "MAX_CELLS")
    # Merged ranges clipped to the cells the sheet has: a range may span the whole sheet.
    merged = [(rlo, min(rhi, sheet.nrows), clo, min(chi, sheet.ncols)) for rlo, rhi, clo, chi in sheet.merged_cells]
    area = sum(max(0, rhi - rlo) * max(0, chi - clo) for rlo, rhi, clo, chi in merged)
    if area > limits.max_cells:
        raise _too_big(sheet.name, "合并单元格", area, limits.max_cells, "MAX_CELLS")
    covered = {
        (r, c) for rlo, rhi, clo, chi in merged for r in range(rlo, rhi) for c in range(clo, chi) if (r, c) != (rlo, clo)
    }
    texts: dict[tuple[int, int], str] = {}
    for r in range(sheet.nrows):
        for c in range(sheet.row_len(r)):
            if (r, c) in covered:
                continue
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_NUMBER:
                text = format_number(cell.value, _xls_format(book, sheet, r, c))
            elif cell.ctype == xlrd.XL_CELL_DATE:
                try:
                    text = _cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode), None)
                except (ValueError, OverflowError):  # out-of-range serials: show the number rather than fail
                    text = format_number(cell.value, None)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                text = "TRUE" if cell.value else "FALSE"
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                text = xlrd.error_text_from_code.get(cell.value, "#ERR")
            else:
                text = _cell_text(cell.value, None)
            if text:
                texts[(r, c)] = text
    return _grid(texts, sheet.name, limits, first=0)


def _xls_format(book, sheet, r: int, c: int) -> str | None:
    """The number format string of an xlrd cell, or None when the file carries none."""
    try:
        xf = book.xf_list[sheet.cell_xf_index(r, c)]
        return book.format_map[xf.format_key].format_str
    except (IndexError, KeyError, AttributeError):
        return None
