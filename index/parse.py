"""File → ParsedReport: canonical text, sections, tables, figures and chunks.

The loaders give ordered blocks (lines of text, tables). This module lays them out as one
canonical text — text lines as they are, table rows as tab-separated cells — so that every
span (a figure, a chunk, a cell) points into one string, then builds everything else on it.
It is format-blind: a report gives the same figures from TXT, DOCX, PDF or XLSX.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.chunking import build_chunks, page_at
from index.figures import FigureContext, extract_sentence_figures, find_gaps, project_from_line
from index.figures.words import scope_of
from index.loaders import Block, LoadedDocument, LoadError, load_document
from index.models import Figure, Gap, Glyphs, ParsedReport, Report, Section, Table
from index.reading import ReadingCopy, clean, reading_copy
from index.sections import Line, build_sections, section_at
from index.settings import LimitSettings, default_limits
from index.table_figures import table_figures
from index.tables import RawCell, RawTable, build_tables
from index.text_tables import find_flat_tables


@dataclass
class _Layout:
    """The canonical text and what stands where in it."""

    text: str
    lines: list[Line]  # narrative lines (not table rows)
    raw_tables: list[RawTable]
    page_starts: list[tuple[int, int]]
    glyphs: list[Glyphs] = field(default_factory=list)  # where the text was printed (PDF)


def report_id_for(data: bytes) -> str:
    """A report's id: the first 16 hex digits of the sha256 of its file's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _layout(doc: LoadedDocument) -> _Layout:
    parts: list[str] = []
    pos = 0
    lines: list[Line] = []
    raw_tables: list[RawTable] = []
    page_starts: list[tuple[int, int]] = []
    glyphs: list[Glyphs] = []
    # Tables that text conversion flattened into lines: rebuilt, their lines kept as printed.
    flat = find_flat_tables([b.text if b.kind == "text" else None for b in doc.blocks])

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
        if i in flat:
            table_start, line_starts = pos, {}
            for k in range(i, flat[i].end):
                line_starts[k] = emit(doc.blocks[k].text)
                glyphs.extend(_placed(doc.blocks[k], line_starts[k]))
            raw_tables.append(flat[i].to_raw(line_starts, table_start, pos, block.page))
            i = flat[i].end
            continue
        if block.kind == "table":
            table_start = pos
            raw_rows = []
            for r, row in enumerate(block.rows):
                cells, line_start, cursor = [], pos, 0
                line = "\t".join(cell.replace("\n", " ").replace("\t", " ") for cell in row)
                boxes = (block.cell_boxes[r] if r < len(block.cell_boxes) else None) or []
                for c, cell in enumerate(row):
                    clean = cell.replace("\n", " ").replace("\t", " ")
                    cells.append(RawCell(clean, line_start + cursor, line_start + cursor + len(clean)))
                    if clean and c < len(boxes) and (box := boxes[c]) is not None:
                        glyphs.append(Glyphs.model_construct(
                            start=line_start + cursor, end=line_start + cursor + len(clean), page=box[0],
                            top=box[2], bottom=box[4], xs=[box[1], box[3]],
                        ))
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
            glyphs.extend(_placed(block, start))
            lines.append(Line(start=start, text=block.text, page=block.page))
        i += 1
    return _Layout(text="".join(parts), lines=lines, raw_tables=raw_tables, page_starts=page_starts, glyphs=glyphs)


def _placed(block: Block, start: int) -> list[Glyphs]:
    """The printed lines of a text block that starts at `start` in the canonical text."""
    return [
        Glyphs.model_construct(start=start + g.offset, end=start + g.offset + len(g.xs) // 2, page=g.page,
                               top=g.top, bottom=g.bottom, xs=g.xs)
        for g in block.glyphs
    ]


# "<单位>YYYY年度<单位>部门决算" within one clause (no 。 or ；). Found by `_title_search`, not by
# one regex: r"(?P<pre>[^。；]*?)YYYY年度?(?P<post>[^。；]*?)部门决算" backtracks cubically on a
# long line of years (a 10 KB first line took a minute).
_CLAUSE = re.compile(r"[^。；]+")
_TITLE_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?")
_TITLE_END = "部门决算"
# A title without 部门决算: "2017年湛江市委宣传部“三公”经费增减情况说明", "…2018年度整体支出绩效评价报告".
_LOOSE_TITLE_RE = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年度?(?!\d{1,2}月)[^。；，,]{0,40}?(?:决算|三公|经费|绩效)")
_HEADING_START = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(]|\d|表)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_YEAR_WORD = re.compile(r"((?:19|20)\d{2})\s*年度")
_YEAR_BARE = re.compile(r"((?:19|20)\d{2})\s*年(?!\d{1,2}\s*月|度)")


def detect_identity(lines: list[Line]) -> tuple[str | None, str | None, int | None]:
    """(title, department, fiscal year) from the report's opening lines.

    Titles wrap over several lines in PDFs ("中共上海市普陀区委 / 社会工作部 2024 年度 / 部门决算"),
    so the first lines are joined before matching "<单位>YYYY年度<单位>部门决算". A report whose
    title comes after its table of contents, or names no 部门决算, is matched further down; a
    report without a title line takes the year its text names most often.
    """
    head = ""
    for line in lines[:12]:
        text = re.sub(r"\s+", "", line.text)
        if not text:
            continue
        if text in ("目录",) or text.startswith("第一部分"):
            break
        head += text
        if match := _title_search(head):
            return _titled(match)
    for line in lines[:200]:
        text = re.sub(r"\s+", "", line.text)
        if len(text) <= 60 and not _HEADING_START.match(text) and (match := _title_search(text)):
            return _titled(match)
    body = "".join(line.text for line in lines[:400])
    # Bounded: an unbounded lazy name rescans the line from every 纳入 (quadratic).
    dept = re.search(r"纳入(?P<d>[\u4e00-\u9fff（）()]{1,60}?)(?:部门)?\s*\d{4}\s*年度部门决算编制范围", body)
    department = dept.group("d") if dept else None
    for line in lines[:5]:
        text = re.sub(r"\s+", "", line.text)
        if len(text) <= 60 and (loose := _LOOSE_TITLE_RE.search(text)):
            return text, department, int(loose.group("year"))
    years = _YEAR_WORD.findall(body) or _YEAR_BARE.findall(body)
    year = max(set(years), key=lambda y: (years.count(y), -years.index(y))) if years else None
    return None, department, int(year) if year else None


@dataclass(frozen=True)
class _TitleMatch:
    """A title found in a line: the whole title, the words before and after its year, the year."""

    title: str
    pre: str
    year: str
    post: str


def _title_search(text: str) -> _TitleMatch | None:
    """The first "<单位>YYYY年度<单位>部门决算" in `text`, in linear time.

    The same match as the regex in the comment on `_CLAUSE` would find: the first clause holding
    a year followed by 部门决算; the title runs from the clause's start to the first 部门决算 after
    the clause's first year, and the year is that first one.
    """
    for clause in _CLAUSE.finditer(text):
        words = clause.group()
        last = words.rfind(_TITLE_END)
        if last < 0:
            continue
        year = _TITLE_YEAR.search(words, 0, last)
        if year is None:
            continue
        end = words.find(_TITLE_END, year.end())
        return _TitleMatch(
            title=words[: end + len(_TITLE_END)], pre=words[: year.start()], year=year.group("year"),
            post=words[year.end(): end],
        )
    return None


def _titled(match: _TitleMatch) -> tuple[str, str | None, int]:
    department = (match.pre or match.post).strip("“”\" ") or None
    if department:
        department = re.sub(r"^[^\u4e00-\u9fff]+", "", department)
    return match.title, department, int(match.year)


def _narrative_figures(
    layout: _Layout, sections: list[Section], report: Report, max_numbers: int
) -> tuple[list[Figure], list[Gap]]:
    """The figures stated in the narrative lines, and the numbers they leave blank or damaged.

    Text holding more than `max_numbers` numbers is a LoadError, told before any is read: no
    report states so many, and a hostile file of numbers alone ("1人1人1人…", a few hundred KB)
    would otherwise hold the parse for minutes.
    """
    numbers = sum(len(_NUMBER.findall(line.text)) for line in layout.lines)
    if numbers > max_numbers:
        raise LoadError(
            f"{report.source_name}: 正文中的数字过多（{numbers} 个，上限 {max_numbers} 个，"
            "JUESUAN_LIMITS__MAX_NUMBERS），不像一份部门决算"
        )
    figures: list[Figure] = []
    gaps: list[Gap] = []
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
            headings=section.title_path if section else "",
        )
        figures.extend(extract_sentence_figures(line.text, line.start, ctx))
        gaps.extend(find_gaps(line.text, line.start, report.id, ctx.section, line.page))
    return figures, gaps


@dataclass
class _Reading:
    """The layout read through the reading copy of its text (`index.reading`), and the map back."""

    layout: _Layout
    copy: ReadingCopy

    def start(self, offset: int) -> int:
        return self.copy.start(offset)

    def end(self, offset: int) -> int:
        return self.copy.end(offset)


def _reading_copy(layout: _Layout) -> _Reading | None:
    """The layout in simplified characters without inline readings; None when it needs neither."""
    copy = reading_copy(layout.text)
    if copy is None:
        return None
    to_copy, text = copy.to_copy, copy.text

    def cut(start: int, end: int) -> str:
        return text[to_copy[start]: to_copy[end]]

    tables = [
        replace(
            raw,
            title=clean(raw.title) if raw.title else raw.title,
            rows=[[RawCell(cut(c.start, c.end), to_copy[c.start], to_copy[c.end])
                   if c.start is not None and c.end is not None else RawCell(clean(c.text))
                   for c in row] for row in raw.rows],
            start=to_copy[raw.start], end=to_copy[raw.end],
        )
        for raw in layout.raw_tables
    ]
    lines = [Line(start=to_copy[line.start], text=cut(line.start, line.start + len(line.text)), page=line.page)
             for line in layout.lines]
    pages = [(to_copy[offset], page) for offset, page in layout.page_starts]
    return _Reading(_Layout(text=text, lines=lines, raw_tables=tables, page_starts=pages), copy)


def _restore(original: _Layout, reading: _Reading, sections: list[Section], tables: list[Table],
             figures: list[Figure], gaps: list[Gap]) -> None:
    """Put the original text back into what was read from the reading copy: every span points
    into the original text again; titles, cells and quotes are shown as printed; metrics, labels
    and column headers stay simplified, as the canonical names they are compared by."""
    work = reading.layout

    def back(text: str, near: int) -> str:
        at = work.text.find(text, max(0, near - len(text)))
        if not text or at < 0:
            return text
        return original.text[reading.start(at): reading.end(at + len(text))]

    for section in sections:
        section.title = back(section.title, section.start)
        section.start, section.end = reading.start(section.start), reading.end(section.end)
        parent = sections[section.parent] if section.parent is not None else None
        section.title_path = f"{parent.title_path} > {section.title}" if parent else section.title
    titles = {clean(raw.title): raw.title for raw in original.raw_tables if raw.title}
    for table in tables:
        table.title = titles.get(table.title or "", table.title)
        table.start, table.end = reading.start(table.start), reading.end(table.end)
        for row in table.rows:
            for cell in row:
                if cell.start is not None and cell.end is not None:
                    cell.start, cell.end = reading.start(cell.start), reading.end(cell.end)
                    cell.text = original.text[cell.start: cell.end]
    for figure in figures:
        if figure.source == "text":
            figure.quote = back(figure.quote, figure.end)
        figure.start, figure.end = reading.start(figure.start), reading.end(figure.end)
        if figure.source == "table" and figure.table_id is not None and figure.row is not None:
            figure.quote = " | ".join(c.text for c in tables[figure.table_id].rows[figure.row] if c.text)
    for gap in gaps:
        gap.quote = back(gap.quote, gap.end)
        gap.start, gap.end = reading.start(gap.start), reading.end(gap.end)


def parse_document(
    doc: LoadedDocument, data: bytes, chunk_chars: int = 500, limits: LimitSettings | None = None,
    *, chunks: bool = True,
) -> ParsedReport:
    """Build the full document model from a loaded file and its bytes (LoadError over `limits`).

    ``chunks=False`` leaves the retrieval chunks out (an empty list): what `juesuan check` asks
    for, since the rules read figures, tables and text, never chunks. Everything else is the same.
    """
    original = _layout(doc)
    reading = _reading_copy(original)
    layout = reading.layout if reading else original
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
        ocr_pages=doc.ocr_pages,
        text=layout.text,
    )
    sections = build_sections(layout.lines, len(layout.text))
    tables: list[Table] = []
    for raw in layout.raw_tables:
        section = section_at(sections, raw.start)
        raw.section = section.path if section else None
        raw.context = layout.text[max(0, raw.start - 1500): raw.start]
        tables.extend(build_tables(raw, len(tables)))
    figures, gaps = _narrative_figures(layout, sections, report, (limits or default_limits()).max_numbers)
    for table in tables:
        quotes = {r: " | ".join(c.text for c in row if c.text) for r, row in enumerate(table.rows)}
        table_section = section_at(sections, table.start)
        headings = table_section.title_path if table_section else ""
        for figure in table_figures(table, report.id, report.year, quotes):
            if figure.unit in ("万元", "元", "亿元", "千元", "%") and figure.scope is None:
                # The funds a cell covers: named in its metric, the table's title or the headings above.
                figure.scope = scope_of(figure.metric, f"{headings} > {table.title or ''}")
            figures.append(figure)
    figures.sort(key=lambda f: (f.start, f.end))
    if reading is not None:
        _restore(original, reading, sections, tables, figures, gaps)
        report.text = original.text
    for figure in figures:  # read by OCR from a scanned page: a digit may be misread
        if figure.page in doc.ocr_pages:
            figure.source = "ocr"
    parsed = ParsedReport(
        report=report, sections=sections, tables=tables, figures=figures, gaps=gaps,
        chunks=build_chunks(report, sections, tables, original.lines, layout.page_starts, chunk_chars)
        if chunks else [],
        page_starts=layout.page_starts, glyphs=original.glyphs, turns=doc.ocr_turns,
    )
    if parsed.glyphs:
        for figure in figures:
            # The box on the figure's page (a row of a table continued onto the next page is
            # printed there, while its figure's page is the table's first: it gets none).
            figure.box = next((box[1:] for box in parsed.boxes(figure.start, figure.end) if box[0] == figure.page),
                              None)
    return parsed


def parse_file(
    path: Path, max_bytes: int = 50 * 1024 * 1024, chunk_chars: int = 500, limits: LimitSettings | None = None,
    *, chunks: bool = True,
) -> ParsedReport:
    """Read and parse one report file (raises `LoadError` naming the file when it can't);
    ``chunks=False``: without retrieval chunks (`parse_document`)."""
    limits = limits or default_limits()
    doc = load_document(path, max_bytes, limits=limits)
    return parse_document(doc, path.read_bytes(), chunk_chars, limits, chunks=chunks)


def page_of(parsed: ParsedReport, offset: int) -> int | None:
    """The page a text offset of a parsed report stands on (None for formats without pages)."""
    return page_at(parsed.page_starts, offset)
