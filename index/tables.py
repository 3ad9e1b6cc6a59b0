"""Tables: rebuilt from flattened text, split into logical parts, typed and given a unit.

Two kinds of input reach this module:
- real tables from a DOCX, PDF or spreadsheet (rows of cells as printed);
- tables that Word-to-text conversion flattened into one cell per line, tab-indented, rows
  separated by blank lines (the seed's 项目支出绩效自评表 and 资金计划 tables).
Both become `RawTable`s and then the same code turns them into `Table`s: a 绩效自评表 is split
into its 基本情况, 预算执行 and 绩效指标 parts (each with its own header row), columns that
are empty throughout are dropped (merged cells in a DOCX grid), and short rows of flattened
text are aligned to their header (a 合计 row's numbers belong under 权重 and 得分).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.models import Cell, Table
from index.numbers import read_cell

NINE_TABLES: tuple[tuple[str, str], ...] = (
    # (kind, distinctive title words) — the most specific first.
    ("财政拨款收入支出决算总表", "财政拨款收入支出决算总表"),
    ("收入支出决算总表", "收入支出决算总表"),
    ("一般公共预算财政拨款基本支出决算表", "基本支出决算表"),
    ("一般公共预算财政拨款“三公”经费支出决算表", "三公"),
    ("一般公共预算财政拨款支出决算表", "一般公共预算财政拨款支出决算表"),
    ("政府性基金预算财政拨款收入支出决算表", "政府性基金"),
    ("国有资本经营预算财政拨款支出决算表", "国有资本经营"),
    ("收入决算表", "收入决算表"),
    ("支出决算表", "支出决算表"),
)

# Row labels that make a row data even when it holds no figure (an empty template's 合计 or
# "一、…" rows); a 合计 label only when the rest of the row is not more labels.
_TOTAL_LABEL = re.compile(r"合\s*计|总\s*计|总\s*额")
_ITEM_LABEL = re.compile(r"^(?:[一二三四五六七八九十]+、|…)")
_COLUMN_NUMBERING = ("栏次", "行次")
_PROJECT_CODE = re.compile(r"^[0-9A-Za-z]{10,}[-－—]\s*")
_UNIT_IN_TEXT = re.compile(r"(?:单位|金额单位)\s*[:：]\s*(万元|元|亿元)|[（(](万元|元|亿元)[）)]")


@dataclass
class RawCell:
    """A cell as printed, with its span in the canonical text (None when not in the text)."""

    text: str
    start: int | None = None
    end: int | None = None


@dataclass
class RawTable:
    """A table as a loader or the flattened-text reader saw it, before typing and splitting."""

    rows: list[list[RawCell]]
    start: int
    end: int
    page: int | None = None
    title: str | None = None
    unit: str | None = None
    header_rows: int = 0
    flattened: bool = False
    kind: str | None = None  # set by a reader that knows it (a form of label/value pairs): kept as is
    context: str = ""  # text just before the table, for the project a 资金计划 belongs to
    section: str | None = None
    pages: list[int | None] = field(default_factory=list)


def is_numeric(text: str) -> bool:
    """True for a cell that holds a number as printed (1,054.82 / 96.96% / (12.00) / 0).

    See `index.numbers.read_cell` for the grammar; an unspaced code (201) is numeric too.
    """
    return read_cell(text).kind == "number"


def is_code(text: str) -> bool:
    """True for a cell that may be a 功能分类/经济分类 code: 201, 20103, 2010301, '201 03 01'."""
    return read_cell(text).code_like


def is_data_row(cells: list[str]) -> bool:
    """True when a table row holds data rather than column headings.

    A data row holds a number or a subject code in any cell, or starts with an item label
    ("一、…") or a total label (合计/总计/总额) whose other cells are blank or totals too: a
    header that merely has a 合计 column ("合计 | 因公出国（境）费 | …") is not data. A
    "栏次 | 1 | 2 | 3" row numbers the columns and belongs to the header.
    """
    texts = [c.strip() for c in cells if c.strip()]
    if not texts or texts[0].replace(" ", "") in _COLUMN_NUMBERING:
        return False
    readings = [read_cell(t) for t in texts]
    if any(r.kind in ("number", "code") for r in readings):
        return True
    if _ITEM_LABEL.match(texts[0]):
        return True
    if _TOTAL_LABEL.search(texts[0]):
        return all(r.kind == "blank" or _TOTAL_LABEL.search(t) for t, r in zip(texts[1:], readings[1:]))
    return False


def header_row_count(rows: list[list[str]]) -> int:
    """How many leading rows of a table are headers: those before its first data row.

    The one header detector of every loader and of the flattened-table reader. A table with
    no data row (an empty template) is all header.
    """
    return next((i for i, row in enumerate(rows) if is_data_row(row)), len(rows))


def unit_from_text(text: str) -> str | None:
    """万元/元/亿元 from '单位：万元' or '（万元）' in a title, note or header cell."""
    match = _UNIT_IN_TEXT.search(text)
    return (match.group(1) or match.group(2)) if match else None


def table_kind(title: str | None) -> str | None:
    """Which of the nine standard tables a title names, if any."""
    if not title:
        return None
    key = re.sub(r"[\s“”\"]", "", title)
    for kind, words in NINE_TABLES:
        if words.replace("“", "").replace("”", "") in key:
            return kind
    return None


def _first_data_row(rows: list[list[RawCell]]) -> int:
    """Index of the first data row of raw cells (rows above it are headers)."""
    return header_row_count([[c.text for c in row] for row in rows])


def _align(row: list[RawCell], width: int) -> list[RawCell]:
    """Fit a short flattened row under a header of `width` columns."""
    if len(row) >= width:
        return row
    pad = [RawCell("") for _ in range(width - len(row))]
    if row and row[0].text.strip() in ("合计", "总计") and len(row) > 1:
        return [row[0], *pad, *row[1:]]
    return row + pad


def _drop_empty_columns(rows: list[list[RawCell]]) -> list[list[RawCell]]:
    width = max((len(r) for r in rows), default=0)
    rows = [r + [RawCell("") for _ in range(width - len(r))] for r in rows]
    keep = [c for c in range(width) if any(r[c].text.strip() for r in rows)]
    return [[r[c] for c in keep] for r in rows]


def _project_name(rows: list[list[RawCell]]) -> str | None:
    for row in rows:
        texts = [c.text.strip() for c in row if c.text.strip()]
        if len(texts) >= 2 and texts[0] == "项目名称":
            return _PROJECT_CODE.sub("", texts[1]).strip().removesuffix("项目") or None
    return None


def _project_from_context(context: str) -> str | None:
    matches = re.findall(r"[（(]([^（）()]{2,40}?)项目[）)]", context)
    return matches[-1] if matches else None


def _segments(rows: list[list[RawCell]]) -> list[tuple[str | None, list[list[RawCell]]]]:
    """Split a performance table at its header rows: [(kind, rows)], kind None for 基本情况."""
    starts: list[tuple[int, str]] = []
    for i, row in enumerate(rows):
        texts = {c.text.strip() for c in row}
        if "年初预算" in texts:
            kind = "绩效自评表-预算执行" if "权重" in texts or "得分" in texts else "资金计划"
            starts.append((i, kind))
        elif "一级指标" in texts:
            starts.append((i, "绩效自评表-绩效指标"))
    if not starts:
        return [(None, rows)]
    parts: list[tuple[str | None, list[list[RawCell]]]] = []
    if starts[0][0] > 0:
        parts.append(("绩效自评表-基本情况", rows[: starts[0][0]]))
    for n, (begin, kind) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(rows)
        parts.append((kind, rows[begin:end]))
    return parts


def build_tables(raw: RawTable, first_id: int) -> list[Table]:
    """Turn one raw table into one or more typed `Table`s (ids from `first_id`)."""
    rows = [r for r in raw.rows if any(c.text.strip() for c in r)]
    title = raw.title
    # Leading one-cell rows of a flattened table are its title ("部门预算项目支出绩效自评表（2023年度）").
    while rows and len([c for c in rows[0] if c.text.strip()]) == 1 and not any(
        is_numeric(c.text) for c in rows[0]
    ) and "表" in "".join(c.text for c in rows[0]):
        title = title or next(c.text.strip() for c in rows[0] if c.text.strip())
        rows = rows[1:]
    if not rows:
        return []
    # The project: a 项目名称 row, else a title or the text just before naming "（X项目）".
    subject = _project_name(rows) or _project_from_context(title or "") or _project_from_context(raw.context)
    tables: list[Table] = []
    for kind, part in _segments(rows):
        if kind is None:
            kind = raw.kind or table_kind(title)
            # A reader that typed the table has counted its header rows too (a form has none).
            header_rows = raw.header_rows if raw.kind else raw.header_rows or _first_data_row(part)
        else:
            header_rows = 0 if kind == "绩效自评表-基本情况" else 1
            if raw.flattened and header_rows:
                width = len(part[0])
                part = [part[0], *(_align(r, width) for r in part[1:])]
        part = _drop_empty_columns(part)
        if not part:
            continue
        header_text = " ".join(c.text for r in part[:header_rows] for c in r)
        unit = raw.unit or unit_from_text(title or "") or unit_from_text(header_text)
        spans = [c for r in part for c in r if c.start is not None]
        tables.append(
            Table(
                id=first_id + len(tables),
                title=title,
                kind=kind,
                subject=subject if kind and ("绩效" in kind or kind == "资金计划") else None,
                unit=unit,
                page=raw.page,
                section=raw.section,
                header_rows=min(header_rows, len(part)),
                rows=[
                    [Cell(text=c.text.strip(), row=i, col=j, start=c.start, end=c.end) for j, c in enumerate(r)]
                    for i, r in enumerate(part)
                ],
                start=min((c.start for c in spans if c.start is not None), default=raw.start),
                end=max((c.end for c in spans if c.end is not None), default=raw.end),
            )
        )
    return tables
