"""Build DOCX, PDF and XLSX versions of a parsed report, for cross-format tests.

The seed is a Word report converted to text; these builders turn it back into the formats
reports are published in, from what the TXT parse saw:
- narrative: every text line that is not part of a flattened table, in reading order;
- tables: the parsed tables, the parts of one 绩效自评表 (基本情况 / 预算执行 / 绩效指标) put
  back together into one grid as the Word original had them (a merged cell is an empty
  cell; short parts are padded on the right), each preceded by its title line.
So a format that reads its file correctly must give the same figures as the TXT.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from index.models import ParsedReport, Table
from index.parse import parse_file
from tests.conftest import SEED

CJK_FONT = "STSong-Light"


@dataclass
class TableGroup:
    """One table as the original document printed it: title, unit and rows of cell texts."""

    start: int  # offset of its first part in the TXT's Report.text (for reading order)
    title: str | None
    subject: str | None
    kind: str | None
    rows: list[list[str]]


@lru_cache(maxsize=1)
def parse_seed() -> ParsedReport:
    """The seed parsed from its TXT (cached: several tests compare against it)."""
    return parse_file(SEED)


def _groups(tables: list[Table]) -> list[TableGroup]:
    """Parsed tables regrouped into the tables the document printed.

    Consecutive 绩效自评表 parts with the same title and subject come from one table; every
    other table stands alone.
    """
    groups: list[TableGroup] = []
    for table in tables:
        rows = [[cell.text for cell in row] for row in table.rows]
        last = groups[-1] if groups else None
        if (
            last is not None
            and (table.kind or "").startswith("绩效自评表")
            and (last.kind or "").startswith("绩效自评表")
            and (last.title, last.subject) == (table.title, table.subject)
        ):
            last.rows.extend(rows)
        else:
            groups.append(TableGroup(table.start, table.title, table.subject, table.kind, rows))
    for group in groups:
        width = max(len(r) for r in group.rows)
        group.rows = [r + [""] * (width - len(r)) for r in group.rows]
    return groups


def document_items(parsed: ParsedReport) -> list[str | TableGroup]:
    """The report in reading order: narrative lines (str) and tables (TableGroup)."""
    text = parsed.report.text
    spans = [(t.start, t.end) for t in parsed.tables]
    items: list[tuple[int, str | TableGroup]] = [(g.start, g) for g in _groups(parsed.tables)]
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        # Tab-indented lines are the flattened table's own cells and title; they are
        # rebuilt as real tables above.
        if not line.strip() or line.startswith("\t") or any(s <= start < e for s, e in spans):
            continue
        items.append((start, line))
    items.sort(key=lambda item: item[0])
    return [item for _, item in items]


def _funding_plan_title(group: TableGroup) -> str | None:
    """A 资金计划 table has no title line in the report; a stand-alone file needs one that
    names the project, as published attachments do."""
    if group.title is None and group.kind == "资金计划" and group.subject:
        return f"项目资金计划表（{group.subject}项目）"
    return group.title


# ---------------------------------------------------------------------------------- DOCX


def build_docx(parsed: ParsedReport, path: Path) -> Path:
    """Narrative lines as paragraphs, each table as a real Word table."""
    import docx

    document = docx.Document()
    for item in document_items(parsed):
        if isinstance(item, str):
            document.add_paragraph(item)
            continue
        if item.title:
            document.add_paragraph(item.title)
        table = document.add_table(rows=len(item.rows), cols=len(item.rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(item.rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    document.save(str(path))
    return path


# ----------------------------------------------------------------------------------- PDF


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def build_pdf(parsed: ParsedReport, path: Path) -> Path:
    """Narrative as wrapped, first-line-indented paragraphs over several A4 pages; tables as
    fully ruled tables (a cell followed only by empty cells spans them, as merged cells do)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as PdfTable

    _register_font()
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10.5, leading=16, firstLineIndent=21,
                          wordWrap="CJK", spaceAfter=2)
    title = ParagraphStyle("title", parent=body, firstLineIndent=0, alignment=1, fontSize=12, leading=18)
    cell = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=7, leading=9, wordWrap="CJK")
    margin = 30
    usable = A4[0] - 2 * margin

    def footer(canvas, doc) -> None:  # a page number in the bottom margin, as printed reports have
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(A4[0] / 2, 15, f"- {doc.page} -")

    story = []
    for item in document_items(parsed):
        if isinstance(item, str):
            story.append(Paragraph(escape(item.strip()), body))
            continue
        if item.title:
            story.append(Paragraph(escape(item.title), title))
        n = len(item.rows[0])
        first, second = (40, 150) if n > 6 else (usable / n, usable / n)
        widths = [first, second] + [(usable - first - second) / (n - 2)] * (n - 2) if n > 2 else [usable / n] * n
        data = [[Paragraph(escape(v), cell) for v in row] for row in item.rows]
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        for r, row in enumerate(item.rows):
            filled = [c for c, v in enumerate(row) if v]
            if filled and filled[-1] < n - 1 and len(filled) <= 3:
                style.append(("SPAN", (filled[-1], r), (n - 1, r)))
        story.append(PdfTable(data, colWidths=widths, style=TableStyle(style)))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=40,
                      bottomMargin=40).build(story, onFirstPage=footer, onLaterPages=footer)
    return path


# ---------------------------------------------------------------------------------- XLSX


def build_xlsx(parsed: ParsedReport, path: Path) -> Path:
    """The tables only, one per sheet, each under a title row (XLSX attachments carry no
    narrative). Amounts are real numbers with a number format of the printed decimals, so
    the loader must print them back exactly; other cells are text."""
    import openpyxl

    from index.numbers import parse_decimal
    from index.tables import is_numeric

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for n, group in enumerate(g for g in document_items(parsed) if isinstance(g, TableGroup)):
        sheet = workbook.create_sheet(f"表{n + 1}")
        sheet.append([_funding_plan_title(group) or f"表{n + 1}"])
        for row in group.rows:
            sheet.append(["" for _ in row])
            r = sheet.max_row
            for c, value in enumerate(row, start=1):
                target = sheet.cell(row=r, column=c)
                if is_numeric(value) and not value.endswith(("%", "％")):
                    number, decimals = parse_decimal(value)
                    target.value = float(number) if decimals else int(number)
                    target.number_format = "0." + "0" * decimals if decimals else "0"
                else:
                    target.value = value or None
    workbook.save(str(path))
    return path
