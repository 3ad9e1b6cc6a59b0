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


@dataclass
class LoadedDocument:
    """A file read into blocks, plus the facts about the file itself."""

    source_name: str
    format: str
    blocks: list[Block]
    pages: int | None = None
