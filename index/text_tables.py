"""Tables printed as flattened text ("cell streams"), rebuilt into rows and columns.

Reports copied from web pages or converted from Word print their tables as lines of text:
- tab-led: one cell per line, each led by a tab, rows separated by empty lines (Word → text);
- piped rows: one row per line, cells separated by `|`, often padded ("合计 | 77.00 | ||||");
- one cell per line: with no separator, each ending in " |", with a line of only "|" between
  cells, or with an empty line between cells (two empty lines then stand for an empty cell).

A run of cell-like lines (short, no sentence punctuation, no dot leaders) that holds numbers
is read as a table. Rows are rebuilt around their labels: a label starts a row and the
numbers after it are its values. The header is the cells before the first data row, laid out
as wide as the data rows, with a group header over its sub-columns ("公车购置及运行维护费"
over 合计 / 车辆购置 / 车辆运行) or over each half of a table printed in two halves (收入 |
支出). A row's values are put under the value columns only when there are exactly as many of
them; otherwise they stand after the table's columns, under no header, and make no figure.
Label/value pairs with no header ("人员编制 | 21 | 实有人数 | 21") become a form (`FORM`), a table
whose columns count things (数量, 人次) a `COUNTS` table. Titles and 单位 lines above a table stay
narrative lines; they name the table and its unit. Cells are matched against the patterns as
`index.reading.clean` reads them (繁體 simplified, inline readings out); spans stay as printed.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from index.numbers import read_cell
from index.reading import clean
from index.tables import RawCell, RawTable, is_data_row, is_numeric, unit_from_text

FORM = "表单"  # the kind of a table of label/value pairs with no header
COUNTS = "数量表"  # the kind of a table whose columns count (数量, 人次): no 决算表 even under a 三公 title

_SENTENCE = re.compile(r"[。；;！!？?，]|(?<![0-9]),|,(?![0-9])")
_LEADER = re.compile(r"\.\.\.|…|··|．．|PAGEREF|_Toc")
_WIDE_GAP = re.compile(r"\S {3,}\S")
_HEADING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")
_TITLE_END = re.compile(r"(?:表|说明|情况)$")
_TABLE_NUMBER = re.compile(r"^[（(]?(?:公开)?\d+表[）)]?$")
_MEASURE = re.compile(r"预算|决算|执行|金额|合计|小计|总计|数|额|费|支出|收入|率|幅度|增减|增、减|人次|批次|元|%|比|年")
_LABEL_HEADER = re.compile(r"项目|科目|收入|支出|年度|年份|名称|类别|内容")
_COUNTING = re.compile(r"数量|人次|批次|次数|个数|辆")
_MONEY = re.compile(r"金额|元|费|支出|收入|预算|决算|额")
_SUBTOTAL = ("合计", "小计")
_NUMBERING = ("栏次", "行次")
_MAX_CELL = 40
_RULE = re.compile(r"^:?-{3,}:?$|^$")


@dataclass(frozen=True)
class LineCell:
    """One cell of a flattened table: its text (stripped), its line and where it starts there.

    `line` is None for an empty cell the layout implies (a padded or skipped cell). `number`
    and `value` (a number or a blank: "", "-", "—", "/", "无") are read once, by `read_cell`.
    """

    text: str
    line: int | None = None
    offset: int = 0
    number: bool = field(init=False)
    value: bool = field(init=False)

    def __post_init__(self) -> None:
        kind = read_cell(self.text).kind
        object.__setattr__(self, "number", kind == "number")
        object.__setattr__(self, "value", kind in ("number", "blank"))


_EMPTY = LineCell("")


@dataclass
class FlatTable:
    """A table found in the text lines `first` … `end - 1` (block indices), rows aligned."""

    first: int
    end: int
    rows: list[list[LineCell]]
    header_rows: int = 0
    title: str | None = None
    unit: str | None = None
    kind: str | None = None
    flattened: bool = False  # the tab-led layout: build_tables aligns its short rows itself

    def to_raw(self, line_starts: dict[int, int], start: int, end: int, page: int | None) -> RawTable:
        """The raw table, each cell's span taken from where its line stands in the text."""
        rows = [
            [
                RawCell(c.text, line_starts[c.line] + c.offset, line_starts[c.line] + c.offset + len(c.text))
                if c.line is not None and c.text else RawCell(c.text)
                for c in row
            ]
            for row in self.rows
        ]
        return RawTable(
            rows=rows, start=start, end=end, page=page, title=self.title, unit=self.unit,
            header_rows=self.header_rows, flattened=self.flattened, kind=self.kind,
        )


def find_flat_tables(lines: list[str | None]) -> dict[int, FlatTable]:
    """Flattened tables among text lines (None for a block that is not a text line), by first line."""
    found = {t.first: t for t in _tab_led_tables(lines)}
    used = {i for t in found.values() for i in range(t.first, t.end)}
    for run in _runs(lines, used):
        for table in _run_tables(lines, run):
            found[table.first] = table
    return found


# ---------------------------------------------------------------------------- tab-led layout


def _is_tab_line(line: str | None) -> bool:
    return line is not None and line.startswith("\t")


def _is_blank(line: str | None) -> bool:
    """A row separator of a flattened table: an empty line (a lone tab is an empty cell)."""
    return line is not None and not line.strip(" ")


def _tab_led_tables(lines: list[str | None]) -> list[FlatTable]:
    """Runs of four or more tab-led lines: one cell per line, rows separated by empty lines."""
    tables: list[FlatTable] = []
    i = 0
    while i < len(lines):
        if not _is_tab_line(lines[i]):
            i += 1
            continue
        j, last_tab, tab_lines = i, i, 0
        while j < len(lines) and (_is_tab_line(lines[j]) or _is_blank(lines[j])):
            if _is_tab_line(lines[j]):
                last_tab, tab_lines = j, tab_lines + 1
            j += 1
        if tab_lines >= 4:
            tables.append(FlatTable(first=i, end=last_tab + 1, rows=_tab_rows(lines, i, last_tab + 1),
                                    flattened=True))
        i = last_tab + 1
    return tables


def _tab_rows(lines: list[str | None], first: int, end: int) -> list[list[LineCell]]:
    rows: list[list[LineCell]] = [[]]
    for k in range(first, end):
        line = lines[k] or ""
        if _is_blank(line):
            if rows[-1]:
                rows.append([])
            continue
        content = line.strip()
        rows[-1].append(LineCell(content, k, line.index(content) if content else len(line)))
    return [r for r in rows if r]


# ---------------------------------------------------------------------------- runs of cell lines


def _cell_like(text: str) -> bool:
    """Short text without sentence punctuation, dot leaders or column-aligned gaps."""
    text = text.strip()
    return 0 < len(text) <= _MAX_CELL and not (
        _SENTENCE.search(text) or _LEADER.search(text) or _WIDE_GAP.search(text)
    )


def _pieces(line: str, k: int) -> list[LineCell]:
    """The cells of a piped line, the empty pieces outside an opening or closing "|" dropped."""
    cells, at = [], 0
    parts = line.split("|")
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    if len(parts) > 1 and line.lstrip().startswith("|"):
        at = len(parts[0]) + 1
        parts = parts[1:]
    for part in parts:
        content = part.strip()
        cells.append(LineCell(content, k, at + part.index(content)) if content else _EMPTY)
        at += len(part) + 1
    return cells


def _line_kind(line: str | None) -> str:
    """blank, bar (only "|"), piped, cell (plain cell-like line) or text (anything else)."""
    if line is None:
        return "text"
    text = line.strip()
    if not text:
        return "blank"
    if text == "|":
        return "bar"
    if "|" in text:
        pieces = [p.strip() for p in text.split("|")]
        return "piped" if all(not p or _cell_like(p) for p in pieces) else "text"
    return "cell" if _cell_like(text) else "text"


@dataclass
class _Run:
    """Consecutive lines of one family: piped lines, or plain cells (with bars between)."""

    lines: list[int] = field(default_factory=list)  # cell, piped and bar lines, blanks left out
    piped: bool = False


def _runs(lines: list[str | None], used: set[int]) -> list[_Run]:
    runs: list[_Run] = []
    current: _Run | None = None
    for k, line in enumerate(lines):
        kind = "text" if k in used else _line_kind(line)
        if kind == "blank":
            continue
        piped = kind == "piped"
        if kind == "text" or (current is not None and current.piped != piped):
            current = None
            if kind == "text":
                continue
        if current is None:
            current = _Run(piped=piped)
            runs.append(current)
        current.lines.append(k)
    return runs


def _run_cells(lines: list[str | None], run: _Run) -> list[LineCell]:
    """The cells of a run in reading order; in a run of cells with an empty line between each
    two, every further empty line is an empty cell."""
    cells: list[LineCell] = []
    spaced = not run.piped and _blank_separated(run)
    previous: int | None = None
    for k in run.lines:
        line = lines[k] or ""
        if line.strip() == "|":
            continue
        if spaced and previous is not None:
            cells.extend(_EMPTY for _ in range(k - previous - 2))
        if run.piped:
            cells.extend(_pieces(line, k))
        else:
            content = line.strip()
            cells.append(LineCell(content, k, line.index(content)))
        previous = k
    return cells


def _blank_separated(run: _Run) -> bool:
    """True when every two consecutive cell lines of a run have an empty line between them."""
    gaps = [b - a for a, b in zip(run.lines, run.lines[1:], strict=False)]
    return bool(gaps) and all(g >= 2 for g in gaps)


def _run_tables(lines: list[str | None], run: _Run) -> list[FlatTable]:
    """The tables of one run: piped rows when most piped lines hold several cells, else a stream."""
    cells = _run_cells(lines, run)
    if not any(c.number for c in cells):
        return []
    if run.piped:
        rows = [_pieces(lines[k] or "", k) for k in run.lines]
        rows = [r for r in rows if not all(_RULE.match(c.text) for c in r)]  # "---|---|" under a header
        if sum(len(r) >= 2 for r in rows) * 2 > len(rows):
            table = _row_table(rows)
            return [_named(lines, table)] if table else []
    return [_named(lines, t) for t in _stream_tables(cells)]


def _named(lines: list[str | None], table: FlatTable) -> FlatTable:
    """The table with the title and 单位 printed in the few lines above it (and a count table typed)."""
    seen = 0
    for k in range(table.first - 1, -1, -1):
        line = lines[k]
        if line is None or seen >= 5:
            break
        text = line.strip(" \t|")
        if not text:
            continue
        seen += 1
        if len(text) > 60:
            break
        if table.unit is None and (unit := unit_from_text(_compact(text))):
            table.unit = unit
        elif table.title is None and _is_title(text):
            table.title = text
    if table.kind is None and _counts_only(table):
        table.kind = COUNTS
    return table


def _counts_only(table: FlatTable) -> bool:
    """True when the value columns' headers count things (数量, 人次) and name no money."""
    heads = [_compact(c.text) for row in table.rows[: table.header_rows] for c in row[1:] if c.text]
    return bool(heads) and any(_COUNTING.search(h) for h in heads) and not any(_MONEY.search(h) for h in heads)


def _is_title(text: str) -> bool:
    compact = _compact(text)
    return len(compact) >= 6 and not _TABLE_NUMBER.match(compact) and (
        "表" in compact or compact.endswith("情况")
    )


# ---------------------------------------------------------------------------- cells → rows


@lru_cache(maxsize=8192)
def _compact(text: str) -> str:
    """A cell as the patterns read it: simplified, inline readings out (經(jīng)費), no spaces."""
    return re.sub(r"\s", "", clean(text)) if not text.isascii() else re.sub(r"\s", "", text)


def _label_like(text: str) -> bool:
    """A row label that may stand without numbers: short, not a heading, title or 单位 line."""
    compact = _compact(text).removeprefix("其中:").removeprefix("其中：")
    return 0 < len(compact) <= 20 and not (
        _HEADING.match(compact) or _TITLE_END.search(compact) or ":" in compact or "：" in compact
        or compact in _NUMBERING
    )


def _header_like(text: str) -> bool:
    """A column header: short, no colon, not a heading or a number."""
    compact = _compact(text)
    return len(compact) <= 20 and not (
        ":" in compact or "：" in compact or _HEADING.match(compact) or is_numeric(compact)
    )


def _group_like(text: str) -> bool:
    """A group header over several columns (收入, 支出): short words, no digits."""
    compact = _compact(text)
    return 0 < len(compact) <= 12 and _header_like(compact) and not (
        re.search(r"[0-9]", compact) or compact.endswith(("表", "说明"))
    )


@dataclass
class _Segment:
    """A row as printed in a stream: a label and the values after it (indices into the stream)."""

    label: int
    values: list[int]


def _segments(cells: list[LineCell]) -> list[_Segment]:
    segments: list[_Segment] = []
    for i, cell in enumerate(cells):
        if cell.value and segments:
            segments[-1].values.append(i)
        elif not cell.value:
            segments.append(_Segment(i, []))
    return segments


def _is_data(cells: list[LineCell], seg: _Segment) -> bool:
    """A data row: a label with a number after it (a 栏次 row numbers the columns)."""
    texts = [_compact(cells[seg.label].text), *(cells[v].text for v in seg.values)]
    return any(cells[v].number for v in seg.values) and is_data_row(texts)


def _stream_tables(cells: list[LineCell]) -> list[FlatTable]:
    """Every table of a stream of cells, in order."""
    tables: list[FlatTable] = []
    segs = _segments(cells)
    labels = [s.label for s in segs]
    pos = 0
    while pos < len(cells):
        table, pos = _next_table(cells, segs, bisect_left(labels, pos), pos)
        if table is not None:
            tables.append(table)
    return tables


def _next_table(cells: list[LineCell], segs: list[_Segment], first: int, pos: int) -> tuple[FlatTable | None, int]:
    """The first table from cell `pos` (segment `first`) on, or None, and where to look next."""
    d = next((n for n in range(first, len(segs)) if _is_data(cells, segs[n])), None)
    if d is None:
        return None, len(cells)
    sizes = Counter(1 + len(s.values) for s in segs[d: d + 30] if s.values)
    size = max(sizes, key=lambda n: (sizes[n], -n))
    for halves in (2, 1):
        header = _header(cells, pos, segs, d, size, halves)
        if header is None:
            continue
        rows, stop = _body(cells, segs, d, size, halves)
        if any(c.number for row in rows for c in row[: size * halves]):
            return _table(header, rows), stop
    form = _form(cells, pos, segs[d].label)
    if form is not None:
        return form
    return None, (segs[d].values or [segs[d].label])[-1] + 1


def _table(head: list[list[LineCell]], rows: list[list[LineCell]]) -> FlatTable:
    """Header and body rows as one grid, every row as wide as the widest."""
    width = max(len(r) for r in [*head, *rows])
    grid = [r + [_EMPTY] * (width - len(r)) for r in [*head, *rows]]
    lines = [c.line for r in grid for c in r if c.line is not None]
    return FlatTable(first=min(lines), end=max(lines) + 1, rows=grid, header_rows=len(head))


# ---------------------------------------------------------------------------- the header


def _header(
    cells: list[LineCell], pos: int, segs: list[_Segment], d: int, size: int, halves: int
) -> list[list[LineCell]] | None:
    """The header rows (each as wide as a data row) above data segment `d`, from cell `pos` on.

    From the bottom up: a 栏次 row numbering the columns, the column headers (with one group
    header followed by its own 合计/小计 sub-column), and a row of group headers over equal
    parts of the width (收入 | 支出 over the two halves of a 收入支出决算总表).
    """
    width = size * halves
    end = segs[d].label
    numbering: list[LineCell] = []
    n = d
    while n > 0 and _compact(cells[segs[n - 1].label].text) in _NUMBERING and segs[n - 1].label >= pos:
        n -= 1
        numbering = [cells[segs[n].label], *(cells[v] for v in segs[n].values), *numbering]
        end = segs[n].label
    if numbering and len(numbering) != width:
        return None
    leaf = _leaf(cells, pos, end, width)
    if leaf is None or not _plausible(leaf[0][-1], size, halves):
        return None
    rows, start = leaf
    groups: list[LineCell] = []
    while start - 1 >= pos and _group_like(cells[start - 1].text):
        start -= 1
        groups.insert(0, cells[start])
    if len(groups) >= 2:  # one short line above the header is its title, not a group
        spread = _spread(groups, width)
        if spread is None:
            return None
        rows.insert(0, spread)
    return [*rows, *([numbering] if numbering else [])]


def _spread(groups: list[LineCell], width: int) -> list[LineCell] | None:
    """A row of group headers over equal parts of the width (收入 | 支出), or None."""
    span = width // len(groups)
    if width % len(groups) or span < 2:
        return None
    return [c for g in groups for c in [g, *[_EMPTY] * (span - 1)]]


def _under_last(top: list[LineCell], below: list[LineCell], width: int) -> list[list[LineCell]]:
    """Two header rows: the last cell of `top` is a group header over the sub-headers `below`."""
    return [top + [_EMPTY] * (width - len(top)), [_EMPTY] * (len(top) - 1) + below]


def _leaf(cells: list[LineCell], pos: int, end: int, width: int) -> tuple[list[list[LineCell]], int] | None:
    """The column headers ending at cell `end`: `width` columns, one group header allowed.

    A header cell followed by 合计/小计 (other than the first column's) is a group header over
    the columns from that 合计 to the end: it adds a header row, not a column.
    """
    cols, i, group = 0, end, None
    while cols < width:
        i -= 1
        if i < pos or cells[i].number or not _header_like(cells[i].text):
            return None
        following = _compact(cells[i + 1].text) if i + 1 < end else ""
        if following in _SUBTOTAL and cols < width - 1 and group is None:
            group = i
            continue
        cols += 1
    if group is None:
        return [list(cells[i:end])], i
    return _under_last(list(cells[i: group + 1]), list(cells[group + 1: end]), width), i


def _plausible(leaf: list[LineCell], size: int, halves: int) -> bool:
    """Column headers that name measures; in two halves, the second half led by a label header."""
    values = [c.text for n, c in enumerate(leaf) if n % size]
    if not any(_MEASURE.search(_compact(t)) for t in values):
        return False
    if halves == 2:
        second = _compact(leaf[size].text)
        return second == _compact(leaf[0].text) or bool(_LABEL_HEADER.search(second))
    return True


# ---------------------------------------------------------------------------- the body


def _body(
    cells: list[LineCell], segs: list[_Segment], d: int, size: int, halves: int
) -> tuple[list[list[LineCell]], int]:
    """The rows from data segment `d` on, and the cell where the table ends.

    A row's values go under its value columns only when there are exactly `size - 1` of them;
    otherwise they stand after all columns (under no header). The table ends at a row with
    more values than columns, or at a line without values that is no row label (a heading).
    """
    rows: list[list[LineCell]] = []
    stop = segs[d].label
    n = d
    while n < len(segs):
        row: list[LineCell] = []
        spare: list[LineCell] = []
        for _half in range(halves):
            if n >= len(segs) or not _in_body(cells, segs[n], size):
                break
            seg = segs[n]
            values = [cells[v] for v in seg.values]
            bound = len(values) == size - 1
            row += [cells[seg.label], *(values if bound else [_EMPTY] * (size - 1))]
            spare += [] if bound else [v for v in values if v.text]
            stop = (seg.values or [seg.label])[-1] + 1
            n += 1
        if not row:
            break
        rows.append(row + [_EMPTY] * (size * halves - len(row)) + spare)
    return rows, stop


def _in_body(cells: list[LineCell], seg: _Segment, size: int) -> bool:
    if len(seg.values) >= size:
        return False
    return bool(seg.values) or _label_like(cells[seg.label].text)


# ---------------------------------------------------------------------------- forms


def _form(cells: list[LineCell], pos: int, first: int) -> tuple[FlatTable, int] | None:
    """Label/value pairs with no header around cell `first` (联系人 | 吴俊 | 人员编制 | 21)."""
    start = first
    while start - 2 >= pos and _pair(cells[start - 2], cells[start - 1]):
        start -= 2
    rows, i = [], start
    while i + 1 < len(cells) and _pair(cells[i], cells[i + 1]):
        rows.append([cells[i], cells[i + 1]])
        i += 2
    if sum(r[1].number for r in rows) < 2:
        return None
    lines = [c.line for r in rows for c in r if c.line is not None]
    return FlatTable(first=min(lines), end=max(lines) + 1, rows=rows, kind=FORM), i


def _pair(label: LineCell, value: LineCell) -> bool:
    compact = _compact(label.text)
    if label.value or not _label_like(compact) or len(compact) > 12 or re.search(r"[0-9]", compact):
        return False
    return value.value or (len(_compact(value.text)) <= 12 and _label_like(value.text))


# ---------------------------------------------------------------------------- piped rows


def _trimmed(row: list[LineCell]) -> list[LineCell]:
    end = len(row)
    while end and not row[end - 1].text:
        end -= 1
    return row[:end]


def _row_table(rows: list[list[LineCell]]) -> FlatTable | None:
    """A table of piped rows: the multi-cell rows above the first data row are its header."""
    d = next((n for n, r in enumerate(rows) if is_data_row([_compact(c.text) for c in r])
              and any(c.number for c in r[1:])), None)
    if d is None:
        return None
    top = d
    while top > 0 and len(_trimmed(rows[top - 1])) >= 2:
        top -= 1
    sizes = Counter(len(_trimmed(r)) for r in rows[d:] if any(c.number for c in r))
    width = max(sizes, key=lambda n: (sizes[n], n))
    head = _fit_header([_trimmed(r) for r in rows[top:d]], width)
    if head is None:
        return None
    body = [_piped_row(r, width) for r in rows[d:]]
    return _table(head, body)


def _fit_header(rows: list[list[LineCell]], width: int) -> list[list[LineCell]] | None:
    """Header rows as wide as the data: one row, or a group row over a row of sub-headers."""
    if len(rows) == 1 and len(rows[0]) <= width:
        return [rows[0] + [_EMPTY] * (width - len(rows[0]))]
    if len(rows) != 2:
        return None
    top, below = rows
    if len(top) == len(below) == width:
        return rows
    if len(top) < width and len(below) == width - len(top) + 1:
        return _under_last(top, below, width)
    spread = _spread(top, width) if len(below) == width else None
    return [spread, below] if spread else None


def _piped_row(row: list[LineCell], width: int) -> list[LineCell]:
    """A data row: its cells where the pipes put them when it has as many as the header;
    otherwise its label, empty value columns, and its values after them (under no header)."""
    cells = list(row)
    while len(cells) > width and not cells[-1].text:
        cells.pop()
    if len(cells) == width or not any(c.value and c.text for c in cells[1:]):
        return _trimmed(cells) + [_EMPTY] * (width - len(_trimmed(cells)))
    return [cells[0], *[_EMPTY] * (width - 1), *(c for c in cells[1:] if c.text)]
