"""Builders of the hostile files of issue 13: small on disk, huge or slow once read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

TITLE = "某局2023年度部门决算"


def _docx_bytes(paragraph: str = TITLE) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_with(path: Path, body: Callable[[], Iterable[bytes]] | None = None,
              rels: Callable[[bytes], bytes] | None = None) -> Path:
    """A DOCX whose body gets the XML `body` yields (streamed: it may unpack to hundreds of MB)
    after the title paragraph, and whose document relationships are passed through `rels`."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml" and body is not None:
                head, tail = data.split(b"<w:body>", 1)
                with target.open("word/document.xml", "w", force_zip64=True) as handle:
                    handle.write(head + b"<w:body>")
                    for piece in body():
                        handle.write(piece)
                    handle.write(tail)
                continue
            if info.filename == "word/_rels/document.xml.rels" and rels is not None:
                data = rels(data)
            target.writestr(info, data)
    return path


def empty_paragraphs(count: int) -> Callable[[], Iterable[bytes]]:
    """`count` empty paragraphs: 18 KB packed for two million."""
    def body() -> Iterable[bytes]:
        for _ in range(count // 10_000):
            yield b"<w:p/>" * 10_000
    return body


def long_paragraphs(megabytes: int) -> Callable[[], Iterable[bytes]]:
    """Paragraphs of one repeated word, `megabytes` MB unpacked (about 1/1000 of that packed)."""
    run = b"<w:p><w:r><w:t>" + "经费".encode() * 5000 + b"</w:t></w:r></w:p>"
    def body() -> Iterable[bytes]:
        for _ in range(megabytes * 1024 * 1024 // len(run) + 1):
            yield run
    return body


def missing_part_named(name: str) -> Callable[[bytes], bytes]:
    """Relationships that point at a part the package lacks (python-docx names it in its error)."""
    rel = (f'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           f'relationships/header" Target="{name}"/></Relationships>').encode()
    return lambda data: data.replace(b"</Relationships>", rel)


def xlsx_with_cells(path: Path, cells: dict[str, object]) -> Path:
    """A workbook with just these cells ("A1": "收入决算表", "XFD1000000": 1)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    for ref, value in cells.items():
        workbook.active[ref] = value
    workbook.save(path)
    return path


def pdf_pages(path: Path, pages: int) -> Path:
    """A PDF of `pages` pages, each with one line of text (reportlab, a CJK font it ships)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for page in range(1, pages + 1):
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72, 760, TITLE if page == 1 else f"第{page}页 收入合计100.00万元。")
        pdf.showPage()
    pdf.save()
    return path
