"""File → ParsedReport: canonical text, sections, tables, figures and chunks.

The loaders give ordered blocks (lines of text, tables). This module lays them out as one
canonical text — text lines as they are, table rows as tab-separated cells — so that every
span (a figure, a chunk, a cell) points into one string, then builds everything else on it.
It is format-blind: a report gives the same figures from TXT, DOCX, PDF or XLSX.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from index.chunking import build_chunks, page_at
from index.figures import FigureContext, extract_sentence_figures, project_from_line
from index.lexicon import to_simplified
from index.loaders import LoadedDocument, load_document
from index.loaders.base import Block
from index.models import Figure, ParsedReport, Report, Section, Table
from index.sections import Line, build_sections, section_at
from index.table_figures import table_figures
from index.tables import RawCell, RawTable, build_tables


@dataclass
class _Layout:
    """The canonical text and what stands where in it."""

    text: str
    lines: list[Line]  # narrative lines (not table rows)
    raw_tables: list[RawTable]
    page_starts: list[tuple[int, int]]


def report_id_for(data: bytes) -> str:
    """A report's id: the first 16 hex digits of the sha256 of its file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _is_tab_line(block: Block) -> bool:
    return block.kind == "text" and block.text.startswith("\t")


def _is_blank(block: Block) -> bool:
    """A row separator of a flattened table: an empty line (a lone tab is an empty cell)."""
    return block.kind == "text" and not block.text.strip(" ")


def _flattened_runs(blocks: list[Block]) -> dict[int, int]:
    """Start index -> end index (exclusive) of runs of tab-indented lines (flattened tables)."""
    runs: dict[int, int] = {}
    i = 0
    while i < len(blocks):
        if not _is_tab_line(blocks[i]):
            i += 1
            continue
        j, last_tab, tab_lines = i, i, 0
        while j < len(blocks) and (_is_tab_line(blocks[j]) or _is_blank(blocks[j])):
            if _is_tab_line(blocks[j]):
                last_tab, tab_lines = j, tab_lines + 1
            j += 1
        if tab_lines >= 4:
            runs[i] = last_tab + 1
        i = last_tab + 1
    return runs


def _layout(doc: LoadedDocument) -> _Layout:
    parts: list[str] = []
    pos = 0
    lines: list[Line] = []
    raw_tables: list[RawTable] = []
    page_starts: list[tuple[int, int]] = []
    runs = _flattened_runs(doc.blocks)

    def emit(text: str) -> int:
        nonlocal pos
        start = pos
        parts.append(text + "\n")
        pos += len(text) + 1
        return start

    def note_page(page: int | None) -> None:
        if page is not None and (not page_starts or page_starts[-1][1] != page):
            page_starts.append((pos, page))

    i = 0
    while i < len(doc.blocks):
        block = doc.blocks[i]
        note_page(block.page)
        if i in runs:
            # A table flattened to one cell per line: rows are separated by blank lines.
            rows: list[list[RawCell]] = [[]]
            table_start = pos
            for inner in doc.blocks[i: runs[i]]:
                start = emit(inner.text)
                if _is_blank(inner):
                    if rows[-1]:
                        rows.append([])
                    continue
                content = inner.text.strip()
                lead = inner.text.index(content) if content else len(inner.text)
                rows[-1].append(RawCell(content, start + lead, start + lead + len(content)))
            raw_tables.append(
                RawTable(rows=[r for r in rows if r], start=table_start, end=pos, page=block.page, flattened=True)
            )
            i = runs[i]
            continue
        if block.kind == "table":
            table_start = pos
            raw_rows = []
            for row in block.rows:
                cells, line_start, cursor = [], pos, 0
                line = "\t".join(cell.replace("\n", " ").replace("\t", " ") for cell in row)
                for cell in row:
                    clean = cell.replace("\n", " ").replace("\t", " ")
                    cells.append(RawCell(clean, line_start + cursor, line_start + cursor + len(clean)))
                    cursor += len(clean) + 1
                emit(line)
                raw_rows.append(cells)
            raw_tables.append(
                RawTable(
                    rows=raw_rows, start=table_start, end=pos, page=block.page, title=block.title,
                    unit=block.unit, header_rows=block.header_rows,
                )
            )
        else:
            start = emit(block.text)
            lines.append(Line(start=start, text=block.text, page=block.page))
        i += 1
    return _Layout(text="".join(parts), lines=lines, raw_tables=raw_tables, page_starts=page_starts)


_TITLE_RE = re.compile(r"(?P<pre>[^。；]*?)(?P<year>(?:19|20)\d{2})\s*年度?(?P<post>[^。；]*?)部门决算")


def detect_identity(lines: list[Line]) -> tuple[str | None, str | None, int | None]:
    """(title, department, fiscal year) from the report's opening lines.

    Titles wrap over several lines in PDFs ("中共上海市普陀区委 / 社会工作部 2024 年度 / 部门决算"),
    so the first lines are joined before matching "<单位>YYYY年度<单位>部门决算".
    """
    head = ""
    for line in lines[:12]:
        text = re.sub(r"\s+", "", line.text)
        if not text:
            continue
        if text in ("目录",) or text.startswith("第一部分"):
            break
        head += text
        if match := _TITLE_RE.search(head):
            department = (match.group("pre") or match.group("post")).strip("“”\" ") or None
            if department:
                department = re.sub(r"^[^\u4e00-\u9fff]+", "", department)
            return match.group(0), department, int(match.group("year"))
    # No title line: the most frequent "YYYY年度" and the scope sentence's department.
    body = "".join(line.text for line in lines[:400])
    years = re.findall(r"((?:19|20)\d{2})\s*年度", body)
    year = max(set(years), key=years.count) if years else None
    dept = re.search(r"纳入(?P<d>[\u4e00-\u9fff（）()]+?)(?:部门)?\s*\d{4}\s*年度部门决算编制范围", body)
    return None, dept.group("d") if dept else None, int(year) if year else None


def _narrative_figures(
    layout: _Layout, sections: list[Section], report: Report
) -> list[Figure]:
    figures: list[Figure] = []
    subject: str | None = None
    for line in layout.lines:
        if not line.text.strip():
            continue
        if project := project_from_line(line.text.strip()):
            subject = project
            continue
        section = section_at(sections, line.start)
        if section and section.start == line.start and (section.marker.startswith(("第", "附件"))):
            subject = None
        ctx = FigureContext(
            report_id=report.id,
            report_year=report.year,
            department=report.department,
            section=section.path if section else "",
            page=line.page,
            subject=subject,
        )
        figures.extend(extract_sentence_figures(line.text, line.start, ctx))
    return figures


def _simplified(layout: _Layout) -> _Layout:
    """The layout in simplified characters, when the text is traditional (繁體).

    Every pattern of this package (units 万元/个, 占, 年初预算, headings, table headers) is
    written in simplified characters, so a traditional report is read through a simplified
    copy. The copy must have the same length, so that every offset found in it points at the
    same place in the original text; when the conversion changes lengths the original is
    used as it is.
    """
    simple = to_simplified(layout.text)
    if simple == layout.text or len(simple) != len(layout.text):
        return layout
    tables = [
        replace(
            raw,
            title=to_simplified(raw.title) if raw.title else raw.title,
            rows=[[RawCell(to_simplified(c.text), c.start, c.end) for c in row] for row in raw.rows],
        )
        for raw in layout.raw_tables
    ]
    lines = [Line(start=line.start, text=simple[line.start: line.start + len(line.text)], page=line.page)
             for line in layout.lines]
    return _Layout(text=simple, lines=lines, raw_tables=tables, page_starts=layout.page_starts)


def _restore(original: _Layout, work: _Layout, sections: list[Section], tables: list[Table],
             figures: list[Figure]) -> None:
    """Put the original (traditional) text back into what was read from the simplified copy.

    Titles, cells and quotes are shown as printed; metrics, labels and column headers stay
    simplified, as the canonical names they are compared by.
    """
    def back(text: str, near: int) -> str:
        at = work.text.find(text, max(0, near - len(text)))
        return original.text[at: at + len(text)] if text and at >= 0 else text

    for section in sections:
        section.title = back(section.title, section.start)
        parent = sections[section.parent] if section.parent is not None else None
        section.title_path = f"{parent.title_path} > {section.title}" if parent else section.title
    titles = {to_simplified(raw.title): raw.title for raw in original.raw_tables if raw.title}
    for table in tables:
        table.title = titles.get(table.title or "", table.title)
        for row in table.rows:
            for cell in row:
                if cell.start is not None and cell.end is not None:
                    cell.text = original.text[cell.start: cell.end]
    for figure in figures:
        if figure.source == "text":
            figure.quote = back(figure.quote, figure.end)
        elif figure.table_id is not None and figure.row is not None:
            figure.quote = " | ".join(c.text for c in tables[figure.table_id].rows[figure.row] if c.text)


def parse_document(doc: LoadedDocument, data: bytes, chunk_chars: int = 500) -> ParsedReport:
    """Build the full document model from a loaded file and its bytes."""
    original = _layout(doc)
    layout = _simplified(original)
    title, department, year = detect_identity(layout.lines)
    if year is None:
        # A workbook of tables has no narrative: its tables' titles name the year
        # ("部门预算项目支出绩效自评表（2023年度）", "2024年度收入支出决算总表").
        years = [int(y) for raw in layout.raw_tables for y in re.findall(r"((?:19|20)\d{2})\s*年度", raw.title or "")]
        year = max(set(years), key=years.count) if years else None
    report = Report(
        id=report_id_for(data),
        source_name=doc.source_name,
        format=doc.format,
        title=title,
        department=department,
        year=year,
        pages=doc.pages,
        text=layout.text,
    )
    sections = build_sections(layout.lines, len(layout.text))
    tables: list[Table] = []
    for raw in layout.raw_tables:
        section = section_at(sections, raw.start)
        raw.section = section.path if section else None
        raw.context = layout.text[max(0, raw.start - 1500): raw.start]
        tables.extend(build_tables(raw, len(tables)))
    figures = _narrative_figures(layout, sections, report)
    for table in tables:
        quotes = {r: " | ".join(c.text for c in row if c.text) for r, row in enumerate(table.rows)}
        figures.extend(table_figures(table, report.id, report.year, quotes))
    figures.sort(key=lambda f: (f.start, f.end))
    if layout is not original:
        _restore(original, layout, sections, tables, figures)
        report.text = original.text
    chunks = build_chunks(report, sections, tables, original.lines, layout.page_starts, chunk_chars)
    return ParsedReport(
        report=report, sections=sections, tables=tables, figures=figures, chunks=chunks,
        page_starts=layout.page_starts,
    )


def parse_file(path: Path, max_bytes: int = 50 * 1024 * 1024, chunk_chars: int = 500) -> ParsedReport:
    """Read and parse one report file (raises `LoadError` naming the file when it can't)."""
    doc = load_document(path, max_bytes)
    return parse_document(doc, path.read_bytes(), chunk_chars)


def page_of(parsed: ParsedReport, offset: int) -> int | None:
    """The page a text offset of a parsed report stands on (None for formats without pages)."""
    return page_at(parsed.page_starts, offset)
