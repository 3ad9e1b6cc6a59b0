"""Read a 部门决算 PDF into text blocks and tables, in reading order.

How it works, in plain words:

1. Each page is opened with pdfplumber. Ruled tables are found from the page's drawn lines
   (every table in these reports is fully ruled); their cells are cleaned in
   `pdf_tables.py`.
2. The characters outside those tables are grouped into lines by *vertical overlap* of their
   boxes rather than by equal baselines: Word and WPS often set digits in another font on a
   baseline shifted by a point or two, and a naive extractor then moves "2995.39" onto a line
   of its own. Within a line characters are sorted by x and joined: never a space next to a
   CJK character, one space for a real gap between two Latin/digit tokens. Lines that are
   only a page number in the top or bottom margin are dropped, and so are margin lines
   repeated on many pages (running headers/footers).
3. The line(s) just above a table that read like a caption ("收入决算表") or a unit
   ("单位：万元") become the table's title and unit instead of text.
4. Consecutive lines are joined into one paragraph: a line that reaches the right margin
   runs on into the next line unless that one is indented (a new paragraph) or starts a
   numbered heading (一、 （一） 1. 第一部分 注：). A line ending in 。；：！？ well before the
   margin ends its paragraph. This also runs across a page break, so a sentence is never
   cut. A wrapped centred title is joined too.
5. A table that is the first thing on a page, has no title of its own and has the column
   count of the table that ended the previous page is the same table continued: its rows
   are appended (a repeated header is dropped).
6. A text-only PDF of a report written one paragraph per line (a TXT or such a Word document
   printed) gives the parse the lines the TXT would: a line that starts at the document's tab
   stop begins its own paragraph and gets a leading tab (a lone blank glyph there is a tab
   alone: an empty cell), and a vertical gap of k extra line pitches becomes k empty lines
   (`pdf_layout.py` measures pitch, edges and tab stop). Flattened tables are then rebuilt
   from these lines as from the TXT's. A document without a tab stop (every real report we
   know) keeps its paragraphs as before; only empty lines are added between them.

Every failure to read the file (encrypted, damaged, no text layer) is a `LoadError` with a
message for the user; no pdfminer exception escapes.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

from index.loaders.base import Block, Box, GlyphLine, LoadedDocument, LoadError
from index.loaders.ocr import PdfOcr
from index.loaders.pdf_layout import Line, PageGrid, measure
from index.loaders.pdf_tables import (
    PageTable,
    extract_page_tables,
    is_cjk,
    is_continuation_mark,
    looks_like_title,
    merge_continuation,
    split_title_unit,
)
from index.settings import LimitSettings, default_limits

FINAL_PUNCT = "。；：！？;:!?"
# The start of a numbered heading or of a table note: always begins a new block.
HEADING_RE = re.compile(
    r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d+[、．]|\d+\.(?!\d)|注[:：]|说明[:：])"
)
# A header/footer that is only a page number: "3", "- 3 -", "第3页", "3/24", "第 3 页 共 24 页".
PAGE_NO_RE = re.compile(
    r"^[-—–－~\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?(\s*共\s*\d{1,4}\s*页)?[-—–－~\s]*$"
)
MARGIN_FRACTION = 0.12  # top/bottom share of the page where headers and footers live


def load_pdf(path: Path, limits: LimitSettings | None = None) -> LoadedDocument:
    """Load a PDF report as text blocks and tables in reading order (pages are 1-based).

    Raises LoadError for an empty, non-PDF, damaged/truncated or encrypted file, and for a
    PDF without a usable text layer (a scan, or fonts without a Unicode mapping: OCR needed).
    """
    path = Path(path)
    _check_header(path)
    try:
        import pdfplumber

        with pdfplumber.open(path) as pdf, PdfOcr(path) as ocr:
            n_pages = len(pdf.pages)
            if n_pages == 0:
                raise LoadError("PDF 文件中没有页面（文件可能已损坏）")
            max_pages = (limits or default_limits()).max_pages
            if n_pages > max_pages:
                raise LoadError(f"PDF 页数过多（{n_pages} 页，上限 {max_pages} 页，JUESUAN_LIMITS__MAX_PAGES）")
            pages: list[tuple[list[Line], list[PageTable]]] = []
            blanks: list[list[Line]] = []
            n_chars = n_cid = 0
            for no, page in enumerate(pdf.pages, start=1):
                n_chars += sum(1 for c in page.chars if c["text"].strip())
                n_cid += sum(1 for c in page.chars if c["text"].startswith("(cid:"))
                lines, tables = _read_page(page, no, ocr)
                pages.append(([ln for ln in lines if not ln.blank], tables))
                blanks.append([ln for ln in lines if ln.blank and not ln.in_margin])
                page.close()  # drop pdfplumber's per-page caches: long reports stay small
            n_chars += ocr.chars_read
            _drop_running_headers(pages)
            for lines, tables in pages:
                _mark_layout(lines)
                _attach_titles(tables, lines)
    except LoadError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types; none may escape
        raise _explain(path, exc) from exc
    if n_chars == 0:
        raise LoadError(ocr.no_text_message())
    ocr.warn_skipped()
    if n_cid > n_chars / 2:
        # pdfminer prints "(cid:1234)" for glyphs whose font has no Unicode mapping.
        raise LoadError(
            "PDF 的文字层无法解码（字体缺少 Unicode 映射），提取出的是乱码，需要 OCR 文字识别 "
            "(the text layer cannot be decoded; it needs OCR)"
        )
    pages = [([ln for ln in lines if not ln.consumed], tables) for lines, tables in pages]
    grid = measure([lines for lines, _ in pages], blanks)
    if grid.tab_stop is not None:
        _recover_tabs(pages, blanks, grid)
    return LoadedDocument(source_name=path.name, format="pdf", blocks=_assemble(pages, grid), pages=n_pages,
                          ocr_pages=ocr.pages, ocr_turns=ocr.turns)


def _check_header(path: Path) -> None:
    """Reject files that cannot be PDFs before pdfminer gives an obscure error."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise LoadError(f"无法打开文件：{exc.strerror or exc}") from exc
    if not head:
        raise LoadError("文件为空（0 字节），不是有效的 PDF")
    if b"%PDF-" not in head:
        raise LoadError("文件不是 PDF（缺少 %PDF- 文件头）")


def _explain(path: Path, exc: Exception) -> LoadError:
    """Turn a pdfminer/pdfplumber exception into a LoadError the user can act on."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    name = type(inner).__name__
    if "Password" in name or "Encrypt" in name or "encrypt" in str(inner).lower():
        return LoadError("PDF 已加密（需要密码才能打开），请提供未加密的文件 (the PDF is encrypted)")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            fh.seek(max(0, size - 2048))
            truncated = b"%%EOF" not in fh.read()
    except OSError:
        truncated = False
    if truncated:
        return LoadError(f"PDF 文件不完整（缺少结尾标记，可能下载中断或被截断），无法读取：{name}")
    return LoadError(f"PDF 文件已损坏，无法读取：{name}: {str(inner)[:120]}")


def _read_page(page, no: int, ocr: PdfOcr) -> tuple[list[Line], list[PageTable]]:
    """Tables of one page and the text lines outside them (page numbers dropped). A page
    without text (a scan) is read by OCR into the same characters and tables (`ocr.py`)."""
    scan = ocr.read(page, no)  # None unless the page is a scan without text and OCR read it
    if scan is not None:
        tables, chars = scan.tables, scan.chars
    else:
        tables = extract_page_tables(page, no)
        boxes = [t.bbox for t in tables]
        chars = [
            c for c in page.chars
            # Rotated characters are watermarks/stamps, not part of the reading text.
            if c.get("upright", True) and not _inside(c, boxes)
        ]
    lines = []
    for ln in _group_lines(chars, no):
        band = page.height * MARGIN_FRACTION
        ln.in_margin = ln.bottom < band or ln.top > page.height - band
        if not (ln.in_margin and PAGE_NO_RE.match(ln.text)):
            lines.append(ln)
    return lines, tables


def _drop_running_headers(pages: list[tuple[list[Line], list[PageTable]]]) -> None:
    """Remove header/footer lines repeated in the margins of many pages ("XX局2024年度部门决算").

    Such a line would otherwise sit between a table and its continuation and split them.
    Digits are masked so "第 3 页 XX局" and "第 4 页 XX局" count as the same line.
    """
    def key(ln: Line) -> str:
        return re.sub(r"\d+", "#", ln.text)

    counts = Counter(k for lines, _ in pages for k in {key(ln) for ln in lines if ln.in_margin})
    limit = max(3, len(pages) // 3)
    for i, (lines, tables) in enumerate(pages):
        pages[i] = ([ln for ln in lines if not (ln.in_margin and counts[key(ln)] >= limit)], tables)


def _inside(c: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
    return any(x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1 for x0, top, x1, bottom in boxes)


def _group_lines(chars: list[dict], page_no: int) -> list[Line]:
    """Group characters into lines by vertical overlap, then join each line left to right.

    Two boxes belong to one line when they overlap by at least half the smaller height, so
    digits set on a baseline shifted by a point or two stay with their sentence, while the
    next printed line (a full line-height lower) never overlaps.
    """
    groups: list[list[dict]] = []
    bands: list[tuple[float, float]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        h = max(c["bottom"] - c["top"], 0.1)
        # Sorted by top, so only the last few lines can still overlap this char.
        for i in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            top, bottom = bands[i]
            if min(bottom, c["bottom"]) - max(top, c["top"]) >= 0.5 * min(h, bottom - top):
                groups[i].append(c)
                break
        else:
            groups.append([c])
            bands.append((c["top"], c["bottom"]))
    lines = []
    for g in groups:
        ink = [c for c in g if c["text"].strip()]
        if not ink:
            # Only blank glyphs: at the tab stop, the tab of an empty cell (see _recover_tabs).
            lines.append(Line(
                text="", x0=min(c["x0"] for c in g), x1=max(c["x1"] for c in g), top=min(c["top"] for c in g),
                bottom=max(c["bottom"] for c in g), size=statistics.median(c["size"] for c in g),
                page=page_no, blank=True,
            ))
            continue
        text, xs = _join_chars_placed(g)
        x0 = min(c["x0"] for c in ink)
        lines.append(Line(
            text=text, xs=xs, x0=x0, x1=max(c["x1"] for c in ink),
            top=min(c["top"] for c in ink), bottom=max(c["bottom"] for c in ink),
            size=statistics.median(c["size"] for c in ink), page=page_no,
            spaced=any(c["x0"] < x0 for c in g if not c["text"].strip()),
        ))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _join_chars(chars: list[dict]) -> str:
    """Join one line's characters in x order with the spacing rules of the module doc."""
    return _join_chars_placed(chars)[0]


def _join_chars_placed(chars: list[dict]) -> tuple[str, list[float]]:
    """`_join_chars`, and where each character of the text stands: x0, x1 per character (a
    space put between two glyphs spans the gap between them)."""
    out: list[str] = []
    xs: list[float] = []
    prev: dict | None = None
    saw_space = False
    for c in sorted(chars, key=lambda c: c["x0"]):
        t = c["text"]
        if not t.strip():
            saw_space = True
            continue
        if prev is not None:
            if t == prev["text"] and abs(c["x0"] - prev["x0"]) < 0.3 * max(c["x1"] - c["x0"], 0.1):
                continue  # the same glyph drawn twice (fake bold)
            gap = c["x0"] - prev["x1"]
            size = max(prev["size"], c["size"], 1.0)
            latin_pair = not is_cjk(prev["text"][-1]) and not is_cjk(t[0])
            # A gap of several ems separates two pieces of layout (e.g. title and unit on
            # one line); a Latin word gap is a space char or a fifth of an em.
            if gap > 3 * size or (latin_pair and (saw_space or gap > 0.2 * size)):
                out.append(" ")
                xs += [prev["x1"], c["x0"]]
        out.append(t)
        own = c.get("xs")  # an OCR box: where the recogniser placed each of its characters
        xs += own if own and len(own) == 2 * len(t) else _spread(t, c["x0"], c["x1"])
        prev = c
        saw_space = False
    text = "".join(out)
    lead = len(text) - len(text.lstrip())
    kept = text.strip()
    return kept, [round(x, 1) for x in xs[2 * lead: 2 * (lead + len(kept))]]


def _spread(text: str, x0: float, x1: float) -> list[float]:
    """x0, x1 of each character of `text` printed between x0 and x1: a text layer's glyph is one
    character; an OCR box holds a run of them, shared out by width (a Chinese character, and
    the “”、 a Chinese font prints as wide, is about twice as wide as a digit or a Latin letter)."""
    if len(text) == 1:
        return [x0, x1]
    widths = [1.0 if unicodedata.east_asian_width(ch) in ("Na", "H", "N") else 2.0 for ch in text]
    step, at, xs = (x1 - x0) / sum(widths), x0, []
    for w in widths:
        xs += [at, at + w * step]
        at += w * step
    return xs


def _mark_layout(lines: list[Line], left: float | None = None, right: float | None = None) -> None:
    """Set indented/short/centered from the page's own text edges (or the body's, when given)."""
    if not lines:
        return
    left = min(ln.x0 for ln in lines) if left is None else left
    right = max(ln.x1 for ln in lines) if right is None else right
    middle = (left + right) / 2
    for ln in lines:
        ln.indented = ln.x0 > left + 0.9 * ln.size
        ln.short = ln.x1 < right - 4 * ln.size
        # Centred: its two margins differ by under 1.5 em (a centred title's by a trailing
        # bracket or stop at most). A paragraph's indented first line has a two-em left margin
        # and none on the right, which a looser test, on a line read by OCR a point or two
        # off, took for a centred one.
        ln.centered = ln.x0 > left + 2 * ln.size and abs((ln.x0 + ln.x1) / 2 - middle) < 0.75 * ln.size


def _attach_titles(tables: list[PageTable], lines: list[Line]) -> None:
    """Take the caption and unit lines just above each table as its title and unit."""
    floor = 0.0
    for table in tables:
        top = table.bbox[1]
        # Only lines between the previous table and this one, and close above it.
        above = [ln for ln in lines if not ln.consumed and floor - 2 <= ln.top
                 and ln.bottom <= top + 2 and top - ln.bottom < 120]
        for ln in sorted(above, key=lambda ln: ln.top, reverse=True)[:4]:
            text, unit = split_title_unit(ln.text)
            if unit:
                table.unit = table.unit or unit
                ln.consumed = True
            if text and table.title is None and looks_like_title(text):
                ln.consumed = True
                if is_continuation_mark(text):
                    table.continued = True
                    text = re.sub(r"\s*[（(]续[)）]$", "", text)
                    table.title = None if text in ("续表", "续", "") else text
                else:
                    table.title = text
                if table.unit:
                    break
            elif text and not unit:
                break  # a sentence: the caption area ends here
        if table.title is None and table.rows and sum(1 for c in table.rows[0] if c) == 1:
            # Some reports print the caption as the first (merged) row of the table.
            first = next(c for c in table.rows[0] if c)
            if looks_like_title(first) and len(table.rows[0]) > 1:
                table.title = first
        floor = table.bbox[3]


def _recover_tabs(pages: list[tuple[list[Line], list[PageTable]]], blanks: list[list[Line]],
                  grid: PageGrid) -> None:
    """Mark the lines that start at the tab stop, and add the blank glyphs printed there.

    Indent, width and centring are measured again from the body's edges: a page of table
    cells has no line at the margin, and its own left edge would be the tab stop.
    """
    for (lines, _), extra in zip(pages, blanks, strict=True):
        if lines:
            _mark_layout(lines, grid.left(lines[0].page), grid.right(lines[0].page))
        for ln in lines:
            ln.tab = grid.at_tab_stop(ln)
        tabs = [ln for ln in extra if grid.at_tab_stop(ln)]
        for ln in tabs:
            ln.tab = True
        lines.extend(tabs)
        lines.sort(key=lambda ln: (ln.top, ln.x0))


def _assemble(pages: list[tuple[list[Line], list[PageTable]]], grid: PageGrid) -> list[Block]:
    """Walk all pages in order, building paragraphs and merging continued tables."""
    blocks: list[Block] = []
    para: list[Line] = []
    last: Line | PageTable | None = None  # the last item placed, across pages
    prev_line: Line | None = None  # the last line placed, unless a table came after it
    open_table: tuple[PageTable, Block] | None = None

    def flush() -> None:
        if para:
            text = ("\t" if para[0].tab else "") + _join_lines(para)
            blocks.append(Block(kind="text", text=text, page=para[0].page, glyphs=_placed_lines(para, text)))
            para.clear()

    for lines, tables in pages:
        items: list[Line | PageTable] = sorted(
            [*lines, *tables], key=lambda it: it.top if isinstance(it, Line) else it.bbox[1]
        )
        for idx, item in enumerate(items):
            if isinstance(item, PageTable):
                flush()
                if (idx == 0 and open_table is not None and last is open_table[0]
                        and open_table[0].pages[-1] == item.page - 1
                        and (item.title is None or item.continued)
                        and item.ncols == open_table[0].ncols):
                    merge_continuation(open_table[0], item)
                    open_table[1].rows = open_table[0].rows
                    open_table[1].cell_boxes = _cell_boxes(open_table[0])
                else:
                    block = Block(kind="table", rows=item.rows, page=item.page, title=item.title,
                                  unit=item.unit, header_rows=item.header_rows)
                    block.cell_boxes = _cell_boxes(item)
                    blocks.append(block)
                    open_table = (item, block)
                    last = item
                prev_line = None
                continue
            empties = grid.empty_lines(prev_line, item) if prev_line is not None else 0
            if para and _joins(para[-1], item, empties):
                para.append(item)
            else:
                flush()
                blocks.extend(Block(kind="text", text="", page=item.page) for _ in range(empties))
                para.append(item)
            last = prev_line = item
    flush()
    return blocks


def _joins(prev: Line, nxt: Line, empties: int) -> bool:
    """Whether `nxt` runs on the paragraph of `prev`: never a tab-led line, never after a
    blank glyph or across empty lines on a page; otherwise as `_continues` decides."""
    same_page = prev.page == nxt.page
    if nxt.tab or prev.blank or (same_page and empties):
        return False
    return _continues(prev, nxt, same_page)


def _continues(prev: Line, nxt: Line, same_page: bool) -> bool:
    """Whether `nxt` carries on the paragraph that `prev` (its previous line) belongs to.

    Beyond the unfinished-sentence rule, a full-width line ending in 。 followed by a
    flush-left line is the same paragraph too (the paragraph's first line is indented):
    that keeps "1、……行政运行（项）。" together with the "主要用于：……" figures after it.
    """
    if HEADING_RE.match(nxt.text) or abs(prev.size - nxt.size) > 1.5:
        return False
    if same_page and nxt.top - prev.bottom > 2.5 * max(prev.size, nxt.size):
        return False
    finished = prev.text[-1] in FINAL_PUNCT
    if prev.centered and nxt.centered:
        return not finished  # a centred title wrapped over two lines
    if nxt.indented:
        # The last line of a wrapped centred heading ("……部门决算情况" / "说明").
        return nxt.centered and not prev.short and not finished
    return not prev.short


def _join_lines(lines: list[Line]) -> str:
    """Join wrapped lines; a space only where a Latin word was wrapped."""
    text = lines[0].text
    for ln in lines[1:]:
        if text and ln.text and text[-1].isascii() and text[-1].isalpha() and ln.text[0].isascii() \
                and ln.text[0].isalnum():
            text += " "
        text += ln.text
    return text


# --- where each character was printed (the evidence boxes of `juesuan check --format pdf`) --------


def _placed_lines(para: list[Line], text: str) -> list[GlyphLine]:
    """The printed lines of a paragraph block, each with the offset its text starts at in the
    block's `text` (as `_join_lines` joined them, after the leading tab if any)."""
    placed: list[GlyphLine] = []
    offset = 1 if text.startswith("\t") and not para[0].text.startswith("\t") else 0
    for ln in para:
        at = text.find(ln.text, offset) if ln.text else -1
        if at < 0:
            continue
        if len(ln.xs) == 2 * len(ln.text):
            placed.append(GlyphLine(offset=at, page=ln.page, top=round(ln.top, 1), bottom=round(ln.bottom, 1),
                                    xs=ln.xs))
        offset = at + len(ln.text)
    return placed


def _cell_boxes(table: PageTable) -> list[list[Box | None] | None]:
    """The box of each cell of a (possibly continued) table, row by row, with its page."""
    if len(table.boxes) != len(table.rows):
        return []
    return [[(b[0], *(round(v, 1) for v in b[1:])) if b else None for b in row] or None  # type: ignore[misc]
            for row in table.boxes]
