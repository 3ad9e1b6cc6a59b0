"""Figures as data: every stated figure of one or many reports as one tidy table, one row per
figure, written as JSON, CSV, XLSX or Parquet (`juesuan figures`, the app's 报告 tab).

Numbers stay as printed. `value` is the number exactly as the report prints it ("1,054.82"),
`decimal_value` the same number as a decimal string ("1054.82"); neither is ever a float, in
any format: CSV is all text, XLSX cells holding them are text cells, Parquet columns holding
them are strings. Reading the CSV back as text (`csv`, or pandas with `dtype=str`) gives the
printed values again. The columns are documented in docs/document-model.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Literal

from index.models import Figure, ParsedReport, Report

ExportFormat = Literal["json", "csv", "xlsx", "parquet"]
EXPORT_FORMATS: tuple[str, ...] = ("json", "csv", "xlsx", "parquet")
SUFFIX: dict[str, str] = {"json": ".json", "csv": ".csv", "xlsx": ".xlsx", "parquet": ".parquet"}

#: The columns, in order: the report first, then what the figure measures, its value, where it stands.
FIGURE_COLUMNS: tuple[str, ...] = (
    "report", "report_id", "department", "year", "metric", "label", "subject", "role", "value",
    "decimal_value", "unit", "base", "compared_to", "section", "page", "box", "quote",
    "code", "column", "decimals", "direction", "basis", "against", "scope", "approximate", "source",
    "table_id", "row", "col", "start", "end",
)
#: Columns holding whole numbers (empty when unknown); every other column is text (approximate: true/false).
INT_COLUMNS = frozenset({"year", "compared_to", "page", "decimals", "table_id", "row", "col", "start", "end"})
BOOL_COLUMNS = frozenset({"approximate"})


def figure_row(figure: Figure, name: str, report: Report) -> dict:
    """One figure as a row of FIGURE_COLUMNS: `value` as printed, `decimal_value` its decimal
    as a string; `report` is `name`, the file (or stored file name) it came from."""
    data = figure.model_dump(mode="json")
    data.update(
        report=name, report_id=report.id, department=report.department,
        value=figure.text, decimal_value=str(figure.value),
        box=",".join(f"{v:g}" for v in figure.box) if figure.box else None,
    )
    return {column: data[column] for column in FIGURE_COLUMNS}


def figure_rows(parsed: ParsedReport, name: str | None = None) -> list[dict]:
    """Every stated figure of one report, in text order."""
    return [figure_row(f, name or parsed.report.source_name, parsed.report) for f in parsed.figures]


def render_figures(rows: list[dict], fmt: str) -> bytes:
    """The rows in one of EXPORT_FORMATS, as the bytes of a file."""
    if fmt == "json":
        return (json.dumps(rows, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "xlsx":
        return to_xlsx(rows)
    if fmt == "parquet":
        return to_parquet(rows)
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")


def _text(value: object) -> str:
    """A cell as text: empty for None, true/false for booleans, else str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads the Chinese), a header row, every value as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIGURE_COLUMNS)
    for row in rows:
        writer.writerow([_text(row[c]) for c in FIGURE_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def to_xlsx(rows: list[dict]) -> bytes:
    """One sheet 数字: whole-number columns as numbers, everything else (value and decimal_value
    included) as text cells, never a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "数字"
    sheet.append(list(FIGURE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [row[c] if c in INT_COLUMNS else _ILLEGAL_XML.sub("", _text(row[c])) for c in FIGURE_COLUMNS]
        sheet.append(values)
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            if isinstance(value, str):
                cell.data_type = "s"  # text as text: "=1+1" in a quote is no formula
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_parquet(rows: list[dict]) -> bytes:
    """Parquet (needs pyarrow: `pip install -e '.[parquet]'`): whole-number columns as int64
    (null when unknown), approximate as bool, everything else as strings."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError("parquet 需要 pyarrow：pip install -e '.[parquet]'（或选 csv / xlsx / json）") from None
    types = {c: pa.int64() if c in INT_COLUMNS else pa.bool_() if c in BOOL_COLUMNS else pa.string()
             for c in FIGURE_COLUMNS}
    columns = {
        c: pa.array([row[c] if c in INT_COLUMNS | BOOL_COLUMNS or row[c] is None else str(row[c]) for row in rows],
                    type=types[c])
        for c in FIGURE_COLUMNS
    }
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()
