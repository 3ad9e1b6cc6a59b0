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

_NUMERIC = re.compile(r"^[-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*[%％]?$")
_CODE = re.compile(r"^\d{3}(\s?\d{2}){0,2}$")
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
    context: str = ""  # text just before the table, for the project a 资金计划 belongs to
    section: str | None = None
    pages: list[int | None] = field(default_factory=list)


def is_numeric(text: str) -> bool:
    """True for a cell that holds a number as printed (1,054.82 / 96.96% / 0)."""
    return bool(_NUMERIC.match(text.strip()))


def is_code(text: str) -> bool:
    """True for a 功能分类/经济分类 code cell: 201, 20103, 2010301, '201 03 01'."""
    return bool(_CODE.match(text.strip()))


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
    """Index of the first row that holds a number or a code (rows above it are headers)."""
    for i, row in enumerate(rows):
        texts = [c.text.strip() for c in row]
        if any(is_numeric(t) or is_code(t) for t in texts) or any(t in ("合计", "总计") for t in texts):
            return i
    return len(rows)


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
            kind = table_kind(title)
            header_rows = raw.header_rows or _first_data_row(part)
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
