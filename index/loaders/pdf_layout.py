"""A PDF's printed lines (`Line`) and their layout, measured from the lines themselves: line
pitch, body edges, tab stop.

A report saved as text and printed to PDF (or a Word document written one paragraph per line)
has no tab characters and no empty lines in its text layer, yet a table flattened into one cell
per line needs both: a cell is a line that starts with a tab, a row ends at an empty line. The
PDF loader recovers them from the layout measured here, so that the parse reads the same lines
as from the TXT:

* **Empty lines.** The line pitch (top to top, in ems) is the most common distance between
  consecutive lines of one font size in the document (of any size, for a size with too few
  lines; not per page: on a page of lines each followed by an empty one, the most common
  distance is two pitches). A vertical
  gap of k extra pitches between two lines is k empty lines, at most MAX_EMPTY_LINES (more
  carry nothing the canonical text keeps, and a cover page is mostly gap). Across a page break,
  the room left below the page's last line and above the next page's first (against the lowest
  and highest line of any page outside the header and footer bands) counts the same way.
* **Tab stop.** Indents are measured from the body's left edge: the page's own, or the usual
  one of the document on a page where every line is indented (a page of table cells). The
  normal first-line indent is the most common indent of up to 2.5 em. A tab stop is a position
  clearly deeper (by 0.9 em or more, and at most 8 em in) where at least MIN_TAB_LINES lines
  start, and whose lines wrap back to the margin as a tab-led paragraph does, not under
  themselves as an indented paragraph does. A line pushed there by printed spaces is not
  tab-led. Real reports have no such position: their deeper lines are centred titles and
  right-set dates, one here and one there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

MAX_EMPTY_LINES = 2
MIN_TAB_LINES = 4
# A page with fewer lines than this has no edges of its own worth comparing.
_FULL_PAGE_LINES = 5


@dataclass
class Line:
    """One printed line of text outside the tables, with its box and layout flags."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    indented: bool = False  # starts clearly right of the page's left text edge
    short: bool = False  # ends well before the right text edge: the paragraph ends here
    centered: bool = False
    consumed: bool = False  # used as a table title/unit
    in_margin: bool = False  # in the top/bottom band where headers and footers live
    blank: bool = False  # only blank glyphs (a printed space or tab): no text of its own
    spaced: bool = False  # printed spaces stand before its first character
    tab: bool = False  # starts at the document's tab stop: its text starts with a tab
    xs: list[float] = field(default_factory=list)  # x0, x1 of each character of `text` (pdf.py)


def _mode(values: list[float], step: float) -> float | None:
    """The most common value, rounded to `step`; None for no values."""
    counts = Counter(round(v / step) * step for v in values)
    return counts.most_common(1)[0][0] if counts else None


def _steps(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """(font size, top-to-top distance in ems) of consecutive lines of one size: pitches and gaps."""
    return [
        (round(a.size * 2) / 2, (b.top - a.top) / a.size) for a, b in pairwise(lines)
        if abs(a.size - b.size) < 0.5 and 0.8 * a.size <= b.top - a.top <= 3 * a.size
    ]


@dataclass
class PageGrid:
    """The measured layout of a document's pages (see the module doc)."""

    pitches: dict[float, float] = field(default_factory=dict)  # font size -> pitch in ems
    pitch: float | None = None  # in ems, for a font size without its own
    lefts: dict[int, float] = field(default_factory=dict)
    rights: dict[int, float] = field(default_factory=dict)
    top: float | None = None  # top of the highest first line of a page: where the body begins
    bottom: float | None = None  # bottom of the lowest last line of a page: where it ends
    tab_stop: float | None = None  # indent of the tab stop from the body's left edge

    def left(self, page: int) -> float:
        """The body's left edge on a page."""
        return self.lefts.get(page, 0.0)

    def right(self, page: int) -> float:
        """The body's right edge on a page."""
        return self.rights.get(page, 0.0)

    def at_tab_stop(self, line: Line) -> bool:
        """True when a line starts at the document's tab stop (not pushed there by spaces)."""
        return (self.tab_stop is not None and not line.spaced
                and abs(line.x0 - self.left(line.page) - self.tab_stop) <= 1.0)

    def pitch_of(self, line: Line) -> float | None:
        """The line pitch, in points, of a line's font size."""
        em = self.pitches.get(round(line.size * 2) / 2, self.pitch)
        return em * line.size if em else None

    def empty_lines(self, prev: Line, nxt: Line) -> int:
        """How many empty lines stand between two consecutive printed lines."""
        if prev.page == nxt.page:
            pitch = self.pitch_of(prev)
            slots = (nxt.top - prev.top) / pitch - 1 if pitch else 0.0
        elif nxt.page == prev.page + 1 and self.top is not None and self.bottom is not None:
            below, above = self.pitch_of(prev), self.pitch_of(nxt)
            slots = (max(0.0, self.bottom - prev.bottom) / below if below else 0.0) + (
                max(0.0, nxt.top - self.top) / above if above else 0.0)
        else:
            return 0
        return max(0, min(MAX_EMPTY_LINES, int(slots + 0.25)))


def measure(pages: Sequence[Sequence[Line]], blanks: Sequence[Sequence[Line]]) -> PageGrid:
    """Measure pitch, body edges and tab stop from each page's text lines and blank-glyph lines.

    Blank lines (only a printed space or tab) occupy a line of the page, so they count for the
    pitch and the first and last line of a page; edges and the tab stop come from ink only.
    """
    grid = PageGrid()
    slots = [sorted([*lines, *extra], key=lambda ln: ln.top) for lines, extra in zip(pages, blanks, strict=True)]
    _measure_pitches(grid, slots)
    body = [[ln for ln in lines if not ln.in_margin] for lines in slots]
    grid.top = min((lines[0].top for lines in body if lines), default=None)
    grid.bottom = max((lines[-1].bottom for lines in body if lines), default=None)
    inked = [lines for lines in pages if lines]
    _measure_edges(grid, inked)
    grid.tab_stop = _tab_stop(inked, grid)
    return grid


def _measure_pitches(grid: PageGrid, slots: list[list[Line]]) -> None:
    """The line pitch of each font size with enough lines, and of the document."""
    steps = [step for lines in slots for step in _steps(lines)]
    grid.pitch = _mode([em for _, em in steps], 0.02)
    for size in {size for size, _ in steps}:
        of_size = [em for s, em in steps if s == size]
        if len(of_size) >= 3:
            grid.pitches[size] = _mode(of_size, 0.02) or grid.pitch or 0.0


def _measure_edges(grid: PageGrid, pages: list[Sequence[Line]]) -> None:
    """Each page's left and right body edge: its own, widened to the document's usual ones."""
    full = [lines for lines in pages if len(lines) >= _FULL_PAGE_LINES]
    usual_left = _mode([min(ln.x0 for ln in lines) for lines in full], 1.0)
    usual_right = _mode([max(ln.x1 for ln in lines) for lines in full], 1.0)
    for lines in pages:
        left, right = min(ln.x0 for ln in lines), max(ln.x1 for ln in lines)
        grid.lefts[lines[0].page] = min(left, usual_left) if usual_left is not None else left
        grid.rights[lines[0].page] = max(right, usual_right) if usual_right is not None else right


def _tab_stop(pages: Sequence[Sequence[Line]], grid: PageGrid) -> float | None:
    """The indent of the tab stop, or None when the document has none (see the module doc)."""
    body = [ln for lines in pages for ln in lines if not ln.in_margin]
    indents = [(ln, ln.x0 - grid.left(ln.page)) for ln in body]
    normal = _mode([i for ln, i in indents if 0.9 * ln.size < i <= 2.5 * ln.size], 1.0) or 0.0
    deeper = Counter(round(i) for ln, i in indents if normal + 0.9 * ln.size <= i <= 8 * ln.size)
    near = {x: sum(deeper[x + d] for d in (-1, 0, 1)) for x in deeper}
    if not near or max(near.values()) < MIN_TAB_LINES:
        return None
    stop = float(max(near, key=lambda x: (near[x], deeper[x])))
    return stop if _wraps_to_margin(pages, grid, stop) else None


def _wraps_to_margin(pages: Sequence[Sequence[Line]], grid: PageGrid, stop: float) -> bool:
    """Whether the full lines at a candidate stop run on at the margin (a tab-led paragraph)
    at least as often as under themselves (an indented paragraph)."""
    margin = under = 0
    for lines in pages:
        for a, b in pairwise(lines):
            full = a.x1 >= grid.right(a.page) - 4 * a.size
            if not full or abs(a.x0 - grid.left(a.page) - stop) > 1.0:
                continue
            indent = b.x0 - grid.left(b.page)
            margin += indent < 0.9 * b.size
            under += abs(indent - stop) <= 1.0
    return margin >= under
