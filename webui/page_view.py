"""The printed page behind a citation or a finding: 原文页面 (docs/ui.md).

A click on a citation or a finding's quote sends `<report id>:<start>:<end>` (a span of the
report's canonical text) to the server. For a PDF whose original is kept
(`index.originals.original_path`), the print positions kept beside it at ingest
(`index.originals.kept_positions`) say where the span was printed; a PDF stored before they were
kept is parsed again for them (cached for the last few reports); the page is rendered with pypdfium2 (at most `MAX_WIDTH` pixels wide), the span's printed lines
are highlighted with PIL, and the page goes back as a PNG inside an <img> (a data: URI: the
original is never given a URL, so nothing but this handler ever serves it). The quoted text is
shown under it. Any other report (TXT, DOCX, XLSX…), or a PDF stored before originals were
kept, shows the passage as text with the span marked. Report text is escaped everywhere.

Who may see what is decided by the caller (`JuesuanApp.page_view`: the session's readable
reports); this module only renders.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from index.ingest import Library
from index.models import ParsedReport, Report
from index.originals import kept_positions, original_path
from webui.render import _lines, pick_value

log = logging.getLogger("app")

__all__ = ["HIGHLIGHT_EDGE", "HIGHLIGHT_FILL", "MAX_WIDTH", "PageViews", "Pick", "parse_pick", "pick_value"]

MAX_WIDTH = 1200  # pixels: a page image is never wider (nor taller than MAX_HEIGHT)
MAX_HEIGHT = 2400
MAX_SCALE = 2.0  # pixels per PDF point: an A4 page (595 pt) is 1190 px wide
MAX_PAGES = 2  # a passage running over a page break shows both pages, never more
CACHE_SIZE = 4  # parsed originals kept (their character positions are a few MB per 100 pages)
HIGHLIGHT_FILL = (250, 204, 21, 110)  # translucent yellow over the quoted lines
HIGHLIGHT_EDGE = (220, 38, 38, 255)  # and a red frame, so it shows on a yellow page too
PAD = 1.5  # points around the printed characters
ZOOM_MARGIN = 36  # points of page around the quote in the enlarged band
ZOOM_HEIGHT = 700  # pixels: the enlarged band is never higher
CONTEXT = 300  # characters of text shown around a passage without a page image
MAX_QUOTE = 1200  # characters of the quote shown as text

_PICK = re.compile(r"([0-9a-f]{16}):(\d{1,9}):(\d{1,9})")
# pdfium is not thread-safe: one render (or re-parse, which may OCR with it) at a time.
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class Pick:
    """What the page asks to see: a span of one report's canonical text."""

    report_id: str
    start: int
    end: int


def parse_pick(value: str | None) -> Pick | None:
    """`pick_value`'s text back as a Pick; None for anything else (it comes from the browser)."""
    match = _PICK.fullmatch((value or "").strip())
    if not match:
        return None
    start, end = int(match[2]), int(match[3])
    return Pick(match[1], start, end) if start < end else None


class PageViews:
    """Page images and marked passages of stored reports, with the last few parses cached."""

    def __init__(self, library: Library, cache_size: int = CACHE_SIZE) -> None:
        self.library = library
        self.cache_size = cache_size
        self._parsed: OrderedDict[str, ParsedReport | None] = OrderedDict()
        self._lock = threading.Lock()

    def original(self, report_id: str) -> Path | None:
        """The kept original PDF of a report, if there is one."""
        path = original_path(self.library.data_dir, report_id)
        return path if path.is_file() else None

    def parsed(self, report: Report) -> ParsedReport | None:
        """Where a stored PDF report's text was printed: the positions kept beside its original,
        or the original parsed again; least recently used out first; None when there is no
        original or it cannot be parsed any more."""
        report_id = report.id
        with self._lock:
            if report_id in self._parsed:
                self._parsed.move_to_end(report_id)
                return self._parsed[report_id]
            parsed = self._parse(report)
            self._parsed[report_id] = parsed
            while len(self._parsed) > self.cache_size:
                self._parsed.popitem(last=False)
            return parsed

    def forget(self, report_id: str) -> None:
        """Drop a report's cached parse (it was removed)."""
        with self._lock:
            self._parsed.pop(report_id, None)

    def _parse(self, report: Report) -> ParsedReport | None:
        from index.loaders import LoadError, load_document
        from index.parse import parse_document, report_id_for

        report_id = report.id
        path = self.original(report_id)
        if path is None:
            return None
        if (kept := kept_positions(self.library.data_dir, report)) is not None:
            return kept
        settings = self.library.settings
        try:
            data = path.read_bytes()
            if report_id_for(data) != report_id:  # changed on disk: its positions would be wrong
                log.warning("the kept original of report %s does not match its id; not shown", report_id)
                return None
            with _PDFIUM:
                doc = load_document(path, settings.max_upload_bytes, limits=settings.limits)
                return parse_document(doc, data, settings.chunk_chars, settings.limits, chunks=False)
        except (OSError, LoadError) as exc:
            log.warning("could not parse the kept original of report %s: %s", report_id, exc)
            return None

    # --- what the page shows --------------------------------------------------------------------

    def view(self, report_id: str, start: int, end: int) -> str:
        """HTML for one span: the page image(s) with the span highlighted and the quote as text,
        or, without a kept original PDF, the passage as text with the span marked."""
        report = self.library.store.get_report(report_id)
        if report is None:
            return '<div class="js-page-view js-error">这份报告已不在库中。</div>'
        start, end = max(0, min(start, len(report.text))), max(0, min(end, len(report.text)))
        if start >= end:
            return '<div class="js-page-view js-error">引用的位置不在这份报告中。</div>'
        quote = report.text[start:end]
        shown = quote if len(quote) <= MAX_QUOTE else quote[:MAX_QUOTE] + "……"
        quote_html = f'<div class="js-page-quote">{_lines(shown)}</div>'
        if report.format == "pdf":
            pages, note = self._page_images(report, start, end)
            if pages:
                return (f'<div class="js-page-view" data-report="{report_id}">{"".join(pages)}'
                        f'{_note(note)}{quote_html}</div>')
        else:
            note = ""
        return (f'<div class="js-page-view" data-report="{report_id}">{_note(note)}'
                f'{_passage(report, start, end)}</div>')

    def _page_images(self, report: Report, start: int, end: int) -> tuple[list[str], str]:
        """<figure>s of the pages the span was printed on, highlighted, and a note for the user."""
        path = self.original(report.id)
        if path is None:
            return [], "这份 PDF 入库时未保存原文件（较早的版本入库），下面显示文本；重新上传同一文件即可查看原页。"
        parsed = self.parsed(report)
        if parsed is None:
            return [], "原 PDF 无法再次读取，下面显示文本。"
        span = _same_span(report.text, parsed.report.text, start, end)
        if span is None:
            return [], "原 PDF 的解析结果与入库时不同，找不到这段文字的位置，下面显示文本。"
        boxes = parsed.boxes(*span)
        by_page: dict[int, list[tuple[float, float, float, float]]] = {}
        for page, x0, top, x1, bottom in boxes:
            by_page.setdefault(page, []).append((x0, top, x1, bottom))
        note = ""
        if not by_page:  # no character positions for this span
            from index.chunking import page_at

            page = page_at(parsed.page_starts, span[0])
            if page is None:
                return [], "找不到这段文字所在的页，下面显示文本。"
            by_page = {page: []}
            note = "无法标出这段文字在页面上的位置。"
        scanned = sorted(set(by_page) & set(report.ocr_pages))
        if scanned:
            note = (f"第 {'、'.join(map(str, scanned))} 页是扫描件，文字由 OCR 识别，可能有误：请以页面图像为准。"
                    + (f"（{note}）" if note else ""))
        figures = []
        for page in sorted(by_page)[:MAX_PAGES]:
            try:
                png, zoom = render_page(path, page, by_page[page])
            except Exception as exc:  # noqa: BLE001 - a page that cannot be drawn falls back to text
                log.warning("could not render page %d of report %s: %s", page, report.id, exc)
                return [], "这一页无法显示，下面显示文本。"
            figures.append(
                '<figure class="js-page">'
                + (f'<img class="js-page-zoom" alt="第 {page} 页引用处（放大）" src="{_data_uri(zoom)}">' if zoom else "")
                + f'<img class="js-page-image" data-page="{page}" alt="第 {page} 页" src="{_data_uri(png)}">'
                f"<figcaption>第 {page} 页{'（黄色框为引用位置；上图为其放大）' if zoom else ''}</figcaption></figure>"
            )
        if len(by_page) > MAX_PAGES:
            note = f"引文跨 {len(by_page)} 页，只显示前 {MAX_PAGES} 页。" + note
        return figures, note


def render_page(
    pdf: Path, page: int, boxes: list[tuple[float, float, float, float]]
) -> tuple[bytes, bytes | None]:
    """Page `page` (1-based) of a PDF as PNG bytes, at most MAX_WIDTH × MAX_HEIGHT pixels, with
    each (x0, top, x1, bottom) box (PDF points from the top-left of the media box, as the parse
    gives them) filled translucent yellow and framed in red; and the band of the page around
    the boxes (at most ZOOM_HEIGHT pixels high), readable where the whole page is shown small
    (None without boxes)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]
    from PIL import Image, ImageDraw

    with _PDFIUM:
        document = pdfium.PdfDocument(str(pdf))
        try:
            if not 1 <= page <= len(document):
                raise ValueError(f"no page {page}")
            sheet = document[page - 1]
            width, height = sheet.get_size()
            scale = min(MAX_SCALE, MAX_WIDTH / width, MAX_HEIGHT / height)
            # pdfium draws the crop box; the parse measures from the media box's top-left corner.
            media, crop = sheet.get_mediabox(), sheet.get_cropbox()
            dx, dy = crop[0] - media[0], media[3] - crop[3]
            rotated = sheet.get_rotation() != 0
            image = sheet.render(scale=scale).to_pil().convert("RGBA")
        finally:
            document.close()
    zoom = None
    if boxes and not rotated:  # on a rotated page the parse's coordinates are not the picture's
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        for x0, top, x1, bottom in boxes:
            rect = ((x0 - PAD - dx) * scale, (top - PAD - dy) * scale, (x1 + PAD - dx) * scale,
                    (bottom + PAD - dy) * scale)
            draw.rectangle(rect, fill=HIGHLIGHT_FILL, outline=HIGHLIGHT_EDGE, width=2)
        image = Image.alpha_composite(image, overlay)
        upper = max(0, round((min(b[1] for b in boxes) - ZOOM_MARGIN - dy) * scale))
        lower = min(image.height, round((max(b[3] for b in boxes) + ZOOM_MARGIN - dy) * scale), upper + ZOOM_HEIGHT)
        left = max(0, round((min(b[0] for b in boxes) - ZOOM_MARGIN - dx) * scale))
        right = min(image.width, round((max(b[2] for b in boxes) + ZOOM_MARGIN - dx) * scale))
        if lower > upper and right > left:
            zoom = _png(image.crop((left, upper, right, lower)))
    return _png(image), zoom


def _png(image) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    # 64 colours: a text page with its highlight reads the same at a quarter of the bytes (~170 KB).
    image.convert("RGB").quantize(colors=64, method=Image.Quantize.FASTOCTREE).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _data_uri(png: bytes) -> str:
    return f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"


def _same_span(stored: str, parsed: str, start: int, end: int) -> tuple[int, int] | None:
    """The span in the new parse's text holding what [start, end) held in the stored text: the
    same offsets when the texts agree (the usual case), else the occurrence nearest to them."""
    if stored == parsed:
        return start, end
    piece = stored[start:end]
    found = [m.start() for m in re.finditer(re.escape(piece), parsed)] if piece.strip() else []
    if not found:
        return None
    at = min(found, key=lambda i: abs(i - start))
    return at, at + len(piece)


def _passage(report: Report, start: int, end: int) -> str:
    """The span with some text around it (cut at line breaks), the span in <mark>, escaped."""
    text = report.text
    low, high = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    line = text.find("\n", low, start)  # begin at a line's start, end at a line's end, within reach
    before = line + 1 if low and line >= 0 else low
    line = text.rfind("\n", end, high)
    after = line if high < len(text) and line >= 0 else high
    marked = text[start:end]
    if len(marked) > MAX_QUOTE:
        marked = marked[:MAX_QUOTE] + "……"
    return (
        f'<div class="js-page-passage">{"……" if before else ""}{_lines(text[before:start])}'
        f'<mark class="js-page-mark">{_lines(marked)}</mark>{_lines(text[end:after])}'
        f'{"……" if after < len(text) else ""}</div>'
    )


def _note(note: str) -> str:
    return f'<div class="js-page-note">{html.escape(note)}</div>' if note else ""
