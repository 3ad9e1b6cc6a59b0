"""Table helpers for the PDF loader: cleaning cells, finding the title and unit printed
above a table, and gluing a table that runs onto the next page. Header rows are counted by
`index.tables.header_row_count`, the detector every loader shares.

Kept apart from `pdf.py` so the text-line logic and the table logic can each be read on
their own. Nothing here touches pdfplumber objects except `extract_page_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.tables import header_row_count

# Lines that are the unit of a table ("单位：万元", "金额单位：元").
UNIT_RE = re.compile(r"(?:金额)?单位\s*[:：]\s*(万元|千元|亿元|元)")
# A table title as these reports print it: "收入决算表", "…决算表（续）", "续表".
TITLE_RE = re.compile(r"(表|表\s*[（(]续[)）]|续表)$")
CONTINUED_RE = re.compile(r"^(续表|[（(]续[)）]|续)$|[（(]续[)）]$")
_CJK_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs and full-width punctuation (no word spaces around them)."""
    return bool(_CJK_RE.match(ch))


def clean_cell(value: str | None) -> str:
    """Cell text on one line: wrapped lines joined, spaces only where a Latin word gap was.

    A name wrapped inside a cell ("机关事业单位基本养老保险缴费\\n支出") must come back as one
    string, so a line break between CJK text disappears; between two Latin/digit tokens
    ("201\\n06") it becomes one space, as printed.
    """
    if not value:
        return ""
    parts = [p.strip() for p in re.split(r"\s*\n\s*", value.strip()) if p.strip()]
    out = ""
    for part in parts:
        part = re.sub(r"\s+", " ", part)
        if out and not is_cjk(out[-1]) and not is_cjk(part[0]):
            out += " "
        out += part
    # A space next to a CJK character is layout, not a word gap ("信息 网络" → "信息网络").
    out = re.sub(r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]) (?=\S)", "", out)
    out = re.sub(r"(?<=\S) (?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])", "", out)
    return out


@dataclass
class PageTable:
    """One ruled table found on a page, cells already cleaned."""

    rows: list[list[str]]
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    page: int
    title: str | None = None
    unit: str | None = None
    continued: bool = False  # printed "续表": belongs to the table before it
    header_rows: int = 0
    pages: list[int] = field(default_factory=list)
    # The box of each cell, row by row, parallel to `rows`: (page, x0, top, x1, bottom), None
    # for a cell without one (a table read by OCR has its cells' boxes in the page image, in points).
    boxes: list[list[tuple[int, float, float, float, float] | None]] = field(default_factory=list)

    @property
    def ncols(self) -> int:
        """Column count (the widest row; pdfplumber gives every row the same width)."""
        return max((len(r) for r in self.rows), default=0)


# Ruled lines only: every table in these reports is fully ruled, and the text strategy
# turns justified paragraphs into phantom tables.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def extract_page_tables(page, page_no: int) -> list[PageTable]:
    """Find the ruled tables on a pdfplumber page and return them with cleaned cells.

    Rows that are empty in every cell are dropped (blank ruled lines under an empty
    table carry nothing). Tables with fewer than two columns or no text are ignored:
    they are boxes drawn around a paragraph, not tables.
    """
    found = []
    for table in page.find_tables(TABLE_SETTINGS):
        cells = [[clean_cell(c) for c in row] for row in table.extract()]
        kept = [(r, list(getattr(row, "cells", []))) for r, row in zip(cells, table.rows, strict=False) if any(r)]
        rows = [r for r, _ in kept]
        if not rows or max(len(r) for r in rows) < 2:
            continue
        pt = PageTable(rows=rows, bbox=tuple(table.bbox), page=page_no, pages=[page_no],
                       boxes=[[(page_no, *c) if c else None for c in b] for _, b in kept])
        pt.header_rows = header_row_count(rows)
        unit = next((m.group(1) for r in rows[: pt.header_rows or 1] for c in r
                     if (m := UNIT_RE.search(c))), None)
        pt.unit = unit
        found.append(pt)
    found.sort(key=lambda t: (t.bbox[1], t.bbox[0]))
    return found


def split_title_unit(text: str) -> tuple[str, str | None]:
    """Split a line such as "收入决算表 单位：万元" into ("收入决算表", "万元")."""
    m = UNIT_RE.search(text)
    if not m:
        return text, None
    rest = (text[: m.start()] + text[m.end():]).strip(" ：:")
    return rest, m.group(1)


def looks_like_title(text: str) -> bool:
    """A short line ending in 表 (or a 续表 mark): how every table here is captioned."""
    return 0 < len(text) <= 40 and bool(TITLE_RE.search(text)) and "。" not in text


def is_continuation_mark(text: str) -> bool:
    """True for "续表", "（续）" or a title ending in "（续）"."""
    return bool(CONTINUED_RE.search(text.strip()))


def merge_continuation(first: PageTable, cont: PageTable) -> None:
    """Append the rows of `cont` (the same table carried onto the next page) to `first`.

    A header repeated at the top of the new page is dropped: compared row by row against
    the first table's header rows.
    """
    rows = cont.rows
    k = first.header_rows
    if k and rows[:k] == first.rows[:k]:
        rows = rows[k:]
    elif cont.header_rows and cont.header_rows < len(rows):
        # A shortened header (e.g. only the column-name row repeated): drop rows that
        # occur in the first table's header.
        head = first.rows[:k]
        while rows and rows[0] in head:
            rows = rows[1:]
    if first.boxes or cont.boxes:
        dropped = len(cont.rows) - len(rows)  # what is kept is always the end of cont's rows
        first.boxes = [*(first.boxes or [[] for _ in first.rows]), *(cont.boxes or [[] for _ in cont.rows])[dropped:]]
    first.rows.extend(rows)
    first.pages.append(cont.page)
    if first.unit is None:
        first.unit = cont.unit
