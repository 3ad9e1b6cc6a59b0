"""Retrieval chunks: whole sentences and whole table rows, never mixing sections.

A chunk is filled with consecutive units of one section — sentences of its narrative, or rows
of one table (each table chunk repeats the table's title and header row so it reads on its
own) — up to a target size. A unit longer than the target is a chunk by itself: a sentence or
a row is never cut in half.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from index.models import Chunk, Report, Section, Table
from index.sections import Line, section_at

_SENTENCE = re.compile(r"[^。！？!?]*(?:[。！？!?]+|$)")


@dataclass
class _Unit:
    start: int
    end: int
    text: str
    section: Section | None
    table: int | None  # table id for table rows


def _sentence_units(line: Line, sections: list[Section]) -> list[_Unit]:
    units = []
    for match in _SENTENCE.finditer(line.text):
        piece = match.group(0)
        if piece.strip():
            start = line.start + match.start()
            units.append(_Unit(start, start + len(piece), piece.strip(), section_at(sections, start), None))
    return units


def _row_units(table: Table, sections: list[Section]) -> list[_Unit]:
    units = []
    section = section_at(sections, table.start)
    for row in table.rows[table.header_rows:]:
        spans = [(c.start, c.end) for c in row if c.start is not None and c.end is not None]
        text = " | ".join(c.text for c in row if c.text)
        if not text:
            continue
        start = min((s for s, _ in spans), default=table.start)
        end = max((e for _, e in spans), default=table.end)
        units.append(_Unit(start, end, text, section, table.id))
    return units


def _table_head(table: Table) -> str:
    title = table.title or table.kind or "表格"
    if table.subject and table.subject not in title:
        title = f"{title}（{table.subject}）"
    header = " | ".join(c.text for row in table.rows[: table.header_rows] for c in row if c.text)
    unit = f"（单位：{table.unit}）" if table.unit else ""
    return f"{title}{unit}\n{header}" if header else f"{title}{unit}"


def page_at(page_starts: list[tuple[int, int]], offset: int) -> int | None:
    """The page a text offset stands on, from (offset, page) pairs; None without pages."""
    if not page_starts:
        return None
    index = bisect_right([start for start, _ in page_starts], offset) - 1
    return page_starts[index][1] if index >= 0 else page_starts[0][1]


def build_chunks(
    report: Report,
    sections: list[Section],
    tables: list[Table],
    lines: list[Line],
    page_starts: list[tuple[int, int]],
    target_chars: int = 500,
) -> list[Chunk]:
    """Chunks of a report in reading order."""
    units: list[_Unit] = []
    for line in lines:
        if line.text.strip():
            units.extend(_sentence_units(line, sections))
    for table in tables:
        units.extend(_row_units(table, sections))
    units.sort(key=lambda u: u.start)
    tables_by_id = {t.id: t for t in tables}

    def page(offset: int) -> int | None:
        return page_at(page_starts, offset)

    chunks: list[Chunk] = []
    group: list[_Unit] = []

    def flush() -> None:
        if not group:
            return
        section = group[0].section
        table_id = group[0].table
        if table_id is not None:
            body = _table_head(tables_by_id[table_id]) + "\n" + "\n".join(u.text for u in group)
        else:
            # Narrative chunks are exact slices of the report: a quote can be found again.
            body = report.text[group[0].start: group[-1].end].strip()
        chunks.append(
            Chunk(
                id=f"{report.id}:{len(chunks)}",
                report_id=report.id,
                index=len(chunks),
                text=body,
                section=section.path if section else "",
                heading=section.title_path if section else (report.title or ""),
                page=page(group[0].start),
                start=group[0].start,
                end=group[-1].end,
                kind="table" if table_id is not None else "text",
            )
        )
        group.clear()

    for unit in units:
        if group and (
            unit.section is not group[0].section
            or unit.table != group[0].table
            or sum(len(u.text) for u in group) + len(unit.text) > target_chars
        ):
            flush()
        group.append(unit)
    flush()
    return chunks
