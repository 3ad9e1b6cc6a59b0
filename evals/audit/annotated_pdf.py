"""`juesuan check REPORT.pdf --format pdf`: the original PDF, page for page, with every finding
boxed where it was printed, and a first page listing the findings.

How it is made, in plain words:

1. The findings' evidence spans (offsets into the report's canonical text) are turned into
   boxes on the pages with `ParsedReport.boxes`: the characters' positions kept by the same
   PDF parse the rules ran on (`index.loaders.pdf`), one box per printed line or table cell.
2. reportlab writes the summary page(s): the report, the counts, and each finding numbered,
   with its message, 应为 / 实为 / 差额, its rule and, for each quote, a line "原报告第 N 页".
   Where each entry lands on the page is recorded while it is drawn.
3. pypdf copies the original (its page content is not touched), puts the summary in front and
   adds annotations: a Square around each evidence box and a numbered note (a Stamp annotation)
   in the right margin carrying the finding's message, 应为 / 实为 and rule, both in the colour
   of the severity; on the summary, a Link from each entry to the page of its quote.

Annotations carry their own appearance streams (drawn with the standard Helvetica, digits
only), so every viewer shows the boxes and the numbers the same way. Report text goes into the
PDF only as annotation text strings and as escaped reportlab paragraphs: it is data, never markup.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    Fit,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from evals.audit.check import CheckResult
from evals.audit.findings import SEVERITY_ZH, Evidence, Finding
from index.models import ParsedReport

__all__ = ["annotate_pdf", "evidence_page", "note_text"]

CJK_FONT = "STSong-Light"  # one of reportlab's CID fonts: viewers supply the glyphs, nothing embedded
COLOURS = {"error": (0.81, 0.13, 0.18), "warning": (0.85, 0.55, 0.0), "info": (0.04, 0.41, 0.85)}
PAD = 1.5  # points around the printed characters
NOTE = 16  # height of the numbered note in the margin


@dataclass
class _Entry:
    """One numbered finding of the summary, with where its lines were drawn."""

    number: int
    finding: Finding
    pages: list[int | None]  # the page of each distinct quote, in order
    links: list[tuple[int, tuple[float, float, float, float], int]] = field(default_factory=list)
    # (summary page index, rect in PDF user space, original page) for each line drawn


def note_text(number: int, finding: Finding) -> str:
    """The text of a finding's note: its number, severity and message, 应为 / 实为 / 差额, rule."""
    lines = [f"[{number}] {SEVERITY_ZH[finding.severity]}：{finding.message}"]
    values = "；".join(f"{k}：{v}" for k, v in (("应为", finding.expected), ("实为", finding.actual),
                                              ("差额", finding.difference)) if v)
    if values:
        lines.append(values)
    lines.append(f"规则：{finding.rule}（{finding.family}）")
    return "\n".join(lines)


def annotate_pdf(pdf: Path | bytes, parsed: ParsedReport, result: CheckResult) -> bytes:
    """The original PDF with the findings of `result` boxed and noted on their pages, after a
    summary of the findings (its entries linked to their pages). `parsed` is the parse of this
    very file (the character positions come from it)."""
    source = io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf
    original = PdfReader(source)
    n_original = len(original.pages)
    entries = [_Entry(i, f, _distinct_pages(parsed, f)) for i, f in enumerate(result.findings, 1)]
    summary = _summary_pdf(result, parsed, entries, n_original)
    writer = PdfWriter(clone_from=original)
    summary_pages = PdfReader(io.BytesIO(summary)).pages
    for i, page in enumerate(summary_pages):
        writer.insert_page(page, i)
    shift = len(summary_pages)
    for entry in entries:
        for summary_index, rect, page in entry.links:
            if 1 <= page <= n_original:
                writer.add_annotation(summary_index, _link(rect, page - 1 + shift))
    margin_used: dict[int, list[float]] = {}
    for entry in entries:
        _annotate_finding(writer, parsed, entry, shift, n_original, margin_used)
    writer.add_metadata({"/Title": f"决算一致性检查：{result.title or parsed.report.source_name}",
                         "/Producer": "juesuan check --format pdf (pypdf, reportlab)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def evidence_page(parsed: ParsedReport, evidence: Evidence) -> int | None:
    """The page a quote was printed on: where its characters are (a row of a table continued
    onto the next page is there, while the figure names the table's first page), else its page."""
    if evidence.start is not None and evidence.end is not None:
        boxes = parsed.boxes(evidence.start, evidence.end)
        if boxes:
            return boxes[0][0]
    return evidence.page


def _distinct_pages(parsed: ParsedReport, finding: Finding) -> list[int | None]:
    seen: list[int | None] = []
    for e in finding.evidence:
        if (page := evidence_page(parsed, e)) not in seen:
            seen.append(page)
    return seen


# --- the annotations on the original pages -------------------------------------------------------


def _annotate_finding(writer, parsed: ParsedReport, entry: _Entry, shift: int, n_original: int,
                      margin_used: dict[int, list[float]]) -> None:
    """A Square around each of the finding's evidence boxes, and one numbered note per page."""
    colour = COLOURS[entry.finding.severity]
    text = note_text(entry.number, entry.finding)
    noted: set[int] = set()
    spans = {(e.start, e.end, e.page) for e in entry.finding.evidence}
    for start, end, page_no in sorted(spans, key=lambda s: (s[0] or 0, s[1] or 0)):
        boxes = parsed.boxes(start, end) if start is not None and end is not None else []
        for page, x0, top, x1, bottom in boxes:
            if not 1 <= page <= n_original:
                continue
            target = writer.pages[page - 1 + shift]
            rect = _to_user_space(target, x0 - PAD, top - PAD, x1 + PAD, bottom + PAD)
            writer.add_annotation(target, _square(writer, rect, colour, text, entry.number))
            if page not in noted:
                noted.add(page)
                writer.add_annotation(target, _note(writer, target, rect[3], colour, text, entry.number,
                                                    margin_used.setdefault(page, [])))
        if not boxes and page_no is not None and 1 <= page_no <= n_original and page_no not in noted:
            # Where the characters are not known (a page read by OCR), the note alone, at the top.
            noted.add(page_no)
            target = writer.pages[page_no - 1 + shift]
            top = float(target.mediabox.top) - 36
            writer.add_annotation(target, _note(writer, target, top, colour, text, entry.number,
                                                margin_used.setdefault(page_no, [])))


def _to_user_space(page, x0: float, top: float, x1: float, bottom: float) -> tuple[float, float, float, float]:
    """pdfplumber's (x from the left, y from the top of the media box) to PDF user space."""
    box = page.mediabox
    left, high = float(box.left), float(box.top)
    return (left + x0, high - bottom, left + x1, high - top)


def _colour(rgb: tuple[float, float, float]):
    return ArrayObject([FloatObject(round(c, 3)) for c in rgb])


def _appearance(width: float, height: float, content: str, font: bool = False):
    """A form XObject drawing `content` in a box of width × height (the annotation's appearance)."""
    stream = StreamObject()
    stream[NameObject("/Type")] = NameObject("/XObject")
    stream[NameObject("/Subtype")] = NameObject("/Form")
    stream[NameObject("/BBox")] = ArrayObject([FloatObject(0), FloatObject(0), FloatObject(round(width, 2)),
                                               FloatObject(round(height, 2))])
    if font:
        helvetica = DictionaryObject({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica-Bold"),
        })
        stream[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/Hv"): helvetica})}
        )
    stream.set_data(content.encode("ascii"))
    return stream


def _annotation(writer, subtype: str, rect, colour, text: str, number: int, appearance):
    return DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject(subtype),
        NameObject("/Rect"): ArrayObject([FloatObject(round(v, 2)) for v in rect]),
        NameObject("/C"): _colour(colour),
        NameObject("/Contents"): TextStringObject(text),
        NameObject("/T"): TextStringObject(f"juesuan [{number}]"),
        NameObject("/NM"): TextStringObject(f"juesuan-{number}-{subtype[1:].lower()}-{id(rect)}"),
        NameObject("/F"): NumberObject(4),  # print
        # A stream is always an indirect object (a direct one is not read by viewers).
        NameObject("/AP"): DictionaryObject({NameObject("/N"): writer._add_object(appearance)}),
    })


def _square(writer, rect, colour, text: str, number: int):
    """A box around the printed characters of a quote."""
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    r, g, b = colour
    draw = f"{r:.3f} {g:.3f} {b:.3f} RG 1.2 w 0.6 0.6 {width - 1.2:.2f} {height - 1.2:.2f} re S"
    square = _annotation(writer, "/Square", rect, colour, text, number, _appearance(width, height, draw))
    square[NameObject("/BS")] = DictionaryObject({NameObject("/W"): FloatObject(1.2)})
    return square


def _note(writer, page, y_top: float, colour, text: str, number: int, used: list[float]):
    """A numbered note in the right margin at the height of the box (moved down past notes
    already there); its text pops up in a viewer."""
    box = page.mediabox
    label = str(number)
    width = max(NOTE, 6.5 * len(label) + 7)
    x0 = float(box.right) - width - 6
    y1 = min(y_top + 2, float(box.top) - 4)
    while any(abs(y1 - other) < NOTE + 2 for other in used):
        y1 -= NOTE + 2
    used.append(y1)
    rect = (x0, y1 - NOTE, x0 + width, y1)
    r, g, b = colour
    draw = (f"{r:.3f} {g:.3f} {b:.3f} rg 0 0 {width:.2f} {NOTE} re f "
            f"BT 1 g /Hv 10 Tf {(width - 5.6 * len(label)) / 2:.2f} 4.4 Td ({label}) Tj ET")
    # A Stamp: viewers draw it with its own appearance (a Text note would get the viewer's icon,
    # without the number); its text shows when it is pointed at or opened.
    note = _annotation(writer, "/Stamp", rect, colour, text, number, _appearance(width, NOTE, draw, font=True))
    note[NameObject("/Name")] = NameObject("/juesuan")
    return note


def _link(rect, page_index: int):
    """A link from a summary entry to a page of the output."""
    return Link(rect=rect, target_page_index=page_index, fit=Fit.fit())


# --- the summary page(s) -------------------------------------------------------------------------


def _summary_pdf(result: CheckResult, parsed: ParsedReport, entries: list[_Entry], n_original: int) -> bytes:
    """The summary as a PDF of its own; fills in each entry's link rectangles."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    base = ParagraphStyle("base", fontName=CJK_FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=15, leading=21, spaceAfter=6)
    meta = ParagraphStyle("meta", parent=base, textColor="#57606a")
    head = ParagraphStyle("head", parent=base, fontSize=10.5, leading=15, spaceBefore=7)
    quote = ParagraphStyle("quote", parent=base, leftIndent=14, textColor="#0550ae", fontSize=9, leading=13)

    s = result.summary
    story: list = [
        Paragraph(escape(f"决算一致性检查：{result.title or parsed.report.source_name}"), title),
        Paragraph(escape(f"文件：{result.path or parsed.report.source_name}　单位：{result.department or '（未识别）'}"
                         f"　年度：{result.year or '（未识别）'}"), meta),
        Paragraph(escape(f"运行规则 {s.rules_run} 条；问题 {s.findings} 个（错误 {s.errors}，警告 {s.warnings}，"
                         f"提示 {s.infos}）；数据不足 {s.insufficient_data} 处"), meta),
        Paragraph(escape(f"本页之后是原报告（共 {n_original} 页），逐页原样保留；每个问题的原文在其页上用彩色方框"
                         "标出，页边的编号注释写明说明、应为 / 实为和规则。点击下列条目跳到原文所在页。"), meta),
        Spacer(1, 6),
    ]
    if not entries:
        story.append(Paragraph("未发现问题。", head))
    for entry in entries:
        f = entry.finding
        r, g, b = COLOURS[f.severity]
        hex_colour = f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"
        first_page = next((p for p in entry.pages if p is not None), None)
        text = (f'<font color="{hex_colour}">[{entry.number}] {SEVERITY_ZH[f.severity]}</font>　'
                f"{escape(f.message)}")
        story.append(_Recorded(Paragraph(text, head), entry, first_page))
        values = "；".join(f"{k}：{v}" for k, v in (("应为", f.expected), ("实为", f.actual), ("差额", f.difference))
                          if v)
        story.append(Paragraph(escape(f"{values}　规则 {f.rule}（{f.family}）" if values
                                      else f"规则 {f.rule}（{f.family}）"), meta))
        for page in entry.pages:
            quotes = [e for e in f.evidence if evidence_page(parsed, e) == page]
            shown = " ｜ ".join(dict.fromkeys(" ".join(e.quote.split())[:80] for e in quotes))
            where = f"→ 原报告第 {page} 页" if page is not None else "→ （无页码）"
            story.append(_Recorded(Paragraph(escape(f"{where}：{shown}"), quote), entry, page))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=42, rightMargin=42, topMargin=42, bottomMargin=42,
                      title="决算一致性检查").build(story)
    return buffer.getvalue()


class _Recorded(Flowable):
    """A paragraph that records where it was drawn (page and rectangle) for its link."""

    def __init__(self, inner: Paragraph, entry: _Entry, page: int | None) -> None:
        super().__init__()
        self.inner, self.entry, self.page = inner, entry, page

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self.inner.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        return []  # an entry line is short: moved whole to the next page

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)
        if self.page is not None:
            x, y = self.canv.absolutePosition(0, 0)
            self.entry.links.append((self.canv.getPageNumber() - 1, (x, y, x + self.width, y + self.height), self.page))
