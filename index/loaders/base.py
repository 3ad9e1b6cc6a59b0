"""What every loader returns: the report as an ordered list of blocks.

A loader's only job is to turn a file into text lines and tables, in reading order, each with
the page it stands on. Everything after that (sections, figures, chunks) is format-blind and
lives in `index.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


class LoadError(Exception):
    """A file could not be read as a report. The message names the problem for the user."""


@dataclass
class Block:
    """One paragraph/line of text, or one table, as the file presents it.

    `rows` holds a table's cells row by row, header rows included, exactly as printed
    (merged cells repeated or left empty, as the source gives them). `title` and `unit` are
    set when the loader can see them next to the table (e.g. "收入决算表", "单位：万元").
    """

    kind: Literal["text", "table"]
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    page: int | None = None
    title: str | None = None
    unit: str | None = None
    # Number of leading rows that are column headers (0 when unknown).
    header_rows: int = 0
    # Where the characters were printed (PDF only; empty otherwise): for a text block, one
    # GlyphLine per printed line; for a table, one box per cell, row by row (None: not known).
    glyphs: list[GlyphLine] = field(default_factory=list)
    cell_boxes: list[list[Box | None] | None] = field(default_factory=list)


# (page, x0, top, x1, bottom) in PDF points from the page's top-left corner, as pdfplumber gives them.
Box = tuple[int, float, float, float, float]


@dataclass
class GlyphLine:
    """One printed line of a text block: where its characters stand on the page.

    `offset` is where the line starts in the block's text; `xs` holds x0 and x1 of each of its
    characters in turn (2 values per character of the line's text)."""

    offset: int
    page: int
    top: float
    bottom: float
    xs: list[float]


@dataclass
class LoadedDocument:
    """A file read into blocks, plus the facts about the file itself."""

    source_name: str
    format: str
    blocks: list[Block]
    pages: int | None = None
    # Pages (1-based) without a text layer whose text OCR read: their figures say source "ocr".
    ocr_pages: list[int] = field(default_factory=list)
    # OCR'd pages turned straight first: page -> (degrees, centre x, centre y); see ParsedReport.turns.
    ocr_turns: dict[int, tuple[float, float, float]] = field(default_factory=dict)
