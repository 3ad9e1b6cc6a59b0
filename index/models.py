"""The document model: a report, its sections, tables, stated figures and retrieval chunks.

Every object carries its provenance (report id, section path, page, character span into the
report's canonical text) so that a citation, a finding or a verified number is just data.
Money and rates are `decimal.Decimal`, kept exactly as printed.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

Role = Literal[
    "amount",  # a money amount (万元, 元, 亿元)
    "share",  # 占X% of a base
    "change_amount",  # 比上年增加/减少 X万元
    "change_rate",  # 增长/下降 X%
    "completion_rate",  # 完成预算X%, 预算执行率, 资金到位率
    "count",  # N辆, N人, N批次, N个项目
    "score",  # 得分 (分)
    "weight",  # 权重 in a performance table
    "target",  # 指标值: the target of a performance indicator
    "actual",  # 完成值 of a performance indicator, when numeric
    "rate",  # any other percentage (满意度, 同比)
]
Direction = Literal["increase", "decrease", "flat"]
# What an amount is: the final account (决算, 执行数, 支出), a budget (预算, 年初预算, 调整后预算), or
# — in a government's accounts that print both — the execution reported before the final accounts.
Basis = Literal["actual", "budget", "initial_budget", "adjusted_budget", "executed"]
# What a change is measured against: last year's amount, this year's budget, or the execution
# reported before the final accounts ("与2021年执行数相比").
Against = Literal["prior_year", "budget", "execution"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Report(_Model):
    """One ingested report file."""

    id: str = Field(description="sha256 of the file's bytes, first 16 hex digits")
    source_name: str = Field(description="file name as given by the user (never used as a path)")
    format: str = Field(description="txt, md, docx, pdf, xlsx or xls")
    title: str | None = Field(default=None, description="the report's own title line")
    department: str | None = Field(default=None, description="单位/部门 name detected from the text")
    year: int | None = Field(default=None, description="fiscal year the report accounts for")
    pages: int | None = Field(default=None, description="page count (PDF) or sheet count (XLSX)")
    ocr_pages: list[int] = Field(
        default_factory=list, description="pages without a text layer (scans) whose text OCR read"
    )
    text: str = Field(description="canonical text; every character span points into it")


class Section(_Model):
    """A heading of the report's own numbering and the text under it."""

    id: int = Field(description="index of the section in the report, in reading order")
    parent: int | None = Field(default=None, description="id of the enclosing section")
    level: int = Field(description="depth in the tree, 1 for 第X部分")
    marker: str = Field(description="the numbering as printed: 第二部分, 七、, （二）, 3., （1）, 附件1")
    title: str = Field(description="heading text without its marker (first clause for long items)")
    path: str = Field(description="markers from the root, e.g. '第二部分 > 七、 > （二） > 3.'")
    title_path: str = Field(description="titles from the root, joined with ' > '")
    page: int | None = None
    start: int = Field(description="span of the heading and its body in Report.text")
    end: int
    inferred: bool = Field(
        default=False, description="marker restored from the template for an unnumbered heading"
    )


class Cell(_Model):
    """One table cell, as printed."""

    text: str
    row: int
    col: int
    start: int | None = Field(default=None, description="span in Report.text when the cell is there")
    end: int | None = None


class Table(_Model):
    """A table: header rows then body rows; columns aligned across rows."""

    id: int = Field(description="index of the table in the report")
    title: str | None = None
    kind: str | None = Field(
        default=None,
        description="what the table is: one of the nine standard tables, 绩效自评表-预算执行, "
        "绩效自评表-绩效指标, 资金计划, or None",
    )
    subject: str | None = Field(default=None, description="the project the table is about, if any")
    unit: str | None = Field(default=None, description="万元 or 元, from the table's 单位 line")
    page: int | None = None
    section: str | None = Field(default=None, description="section path the table stands in")
    header_rows: int = 0
    rows: list[list[Cell]]
    start: int = Field(description="span of the whole table in Report.text")
    end: int

    def header_text(self, col: int) -> str:
        """A column's header: its cells in all header rows, joined with spaces.

        A group header printed once above several columns (a merged cell) is carried right
        over the empty cells beside it, but only inside its own parent group: in the 三公 table
        "公务接待费" spans two header rows, and the empty cell under it must not borrow
        "公务用车运行维护费" from the group to its left.
        """
        parts: list[str] = []
        rows = self.rows[: self.header_rows]

        def group_start(r: int, c: int) -> int:
            """Column where the (carried) header of row r over column c starts."""
            return next((k for k in range(min(c, len(rows[r]) - 1), -1, -1) if rows[r][k].text), -1)

        for r, row in enumerate(rows):
            text = row[col].text if col < len(row) else ""
            if not text and r < len(rows) - 1:
                start = group_start(r, col)
                inside = start >= 0 and all(group_start(up, start) == group_start(up, col) for up in range(r))
                text = row[start].text if inside else ""
            if text and text not in parts:
                parts.append(text)
        return " ".join(parts)


class Figure(_Model):
    """One number stated in the report, bound to what it measures."""

    report_id: str
    metric: str = Field(description="what it measures, canonical where known (e.g. 公务接待费)")
    label: str = Field(description="the metric as named in the text or the table")
    subject: str | None = Field(default=None, description="project the figure belongs to, if any")
    code: str | None = Field(default=None, description="功能分类 code such as 2010301, if any")
    column: str | None = Field(default=None, description="for a table cell: its column header")
    value: Decimal
    text: str = Field(description="the number as printed, e.g. '1054.82'")
    decimals: int = Field(description="digits after the decimal point as printed")
    unit: str = Field(description="万元, 元, 亿元, %, 个, 辆, 人, 人次, 批次, 分, 天, …")
    year: int | None = Field(description="the year the value refers to")
    compared_to: int | None = Field(default=None, description="prior year of a change figure")
    role: Role
    basis: Basis | None = Field(
        default=None,
        description="for an amount: the final account ('actual') or which budget it is; None when "
        "the text does not say (a narrative amount is then the final account)",
    )
    against: Against | None = Field(
        default=None,
        description="for a change: last year's amount ('prior_year') or the budget ('budget'); "
        "for an unsigned 差值 the direction is None",
    )
    scope: str | None = Field(
        default=None,
        description="the funds the figure covers when the text narrows them: 财政拨款, 一般公共预算, "
        "政府性基金, 国有资本经营 (None: all funds, or not said)",
    )
    direction: Direction | None = None
    base: str | None = Field(
        default=None,
        description="for a share: the whole it is a share of; for a completion rate: the "
        "denominator named (预算, 年初预算, 调整后预算) when the text says",
    )
    approximate: bool = Field(default=False, description="stated as 'N余' or '约N'")
    source: Literal["text", "table", "ocr"] = Field(
        description="a sentence ('text') or a table cell ('table') of the text layer, or read by OCR from a "
        "scanned page ('ocr'; a table cell then has table_id, row and col)"
    )
    table_id: int | None = None
    row: int | None = None
    col: int | None = None
    section: str = Field(default="", description="section path, e.g. '第二部分 > 七、 > （二） > 3.'")
    page: int | None = None
    box: tuple[float, float, float, float] | None = Field(
        default=None,
        description="where the number is printed on its page: x0, top, x1, bottom in PDF points from the "
        "page's top-left corner (None: not a PDF, or a row of a continued table printed on the next page)",
    )
    start: int = Field(description="span of the number in Report.text")
    end: int
    quote: str = Field(description="the sentence or table row the number stands in")

    @property
    def placed(self) -> Literal["text", "table"]:
        """Where the number stands: in a sentence ('text') or a table cell ('table'), also when
        it was read by OCR (`source` is then 'ocr'). Rules and answers ask this, not `source`."""
        return "table" if self.table_id is not None else "text"


class Gap(_Model):
    """A place where the report should print a number and prints none, or a damaged one:
    "占 %", "比上年减少 万元", "支出总计,867.48万元". Never passed on to the rules as a value."""

    report_id: str
    kind: Literal["blank", "damaged"]
    metric: str | None = Field(default=None, description="what the missing number would measure")
    role: Role | None = None
    unit: str | None = None
    printed: str = Field(default="", description="what stands where the number should: '' or ',867.48'")
    section: str = ""
    page: int | None = None
    start: int = Field(description="span of the gap (the unit or the damaged number) in Report.text")
    end: int
    quote: str


class Chunk(_Model):
    """A retrieval passage: whole sentences or whole table rows of one section."""

    id: str = Field(description="report id + ':' + index")
    report_id: str
    index: int
    text: str
    section: str = Field(description="section path")
    heading: str = Field(description="section titles from the root, for display and retrieval")
    page: int | None = None
    start: int
    end: int
    kind: Literal["text", "table"] = "text"


class Glyphs(_Model):
    """Where a run of Report.text was printed on a PDF page: one printed line of text, or one
    table cell. Coordinates are PDF points from the page's top-left corner (pdfplumber's)."""

    start: int = Field(description="span of the run in Report.text")
    end: int
    page: int
    top: float
    bottom: float
    xs: list[float] = Field(
        description="x0, x1 of each character in turn (2 per character); for a table cell only "
        "the cell's x0, x1"
    )

    def box(self, start: int, end: int) -> tuple[int, float, float, float, float] | None:
        """(page, x0, top, x1, bottom) of the characters of [start, end) in this run, if any."""
        lo, hi = max(start, self.start), min(end, self.end)
        if lo >= hi:
            return None
        if len(self.xs) != 2 * (self.end - self.start):
            return (self.page, self.xs[0], self.top, self.xs[-1], self.bottom)
        xs = self.xs[2 * (lo - self.start): 2 * (hi - self.start)]
        return (self.page, min(xs), self.top, max(xs), self.bottom)


class ParsedReport(_Model):
    """Everything extracted from one file, before it is stored."""

    report: Report
    sections: list[Section]
    tables: list[Table]
    figures: list[Figure]
    chunks: list[Chunk]
    gaps: list[Gap] = Field(default_factory=list, description="numbers the text leaves blank or damaged")
    page_starts: list[tuple[int, int]] = Field(
        default_factory=list, description="(offset, page) pairs: the page of each text offset"
    )
    glyphs: list[Glyphs] = Field(
        default_factory=list,
        description="where the text was printed (PDF only, in text order; kept beside the original PDF)",
    )
    _starts: tuple[list[Glyphs], list[int]] | None = PrivateAttr(default=None)  # (glyphs, their starts)
    turns: dict[int, tuple[float, float, float]] = Field(
        default_factory=dict,
        description="page -> (degrees, centre x, centre y): a scanned page OCR read after turning it "
        "straight by that angle about that centre; its glyphs are in the straightened page",
    )

    def boxes(self, start: int, end: int) -> list[tuple[int, float, float, float, float]]:
        """Where the characters of Report.text[start:end] were printed: one (page, x0, top, x1,
        bottom) per printed line or table cell they stand on; empty when not known (not a PDF,
        or a report loaded from the store)."""
        from bisect import bisect_right

        if self._starts is None or self._starts[0] is not self.glyphs or len(self._starts[1]) != len(self.glyphs):
            self._starts = (self.glyphs, [g.start for g in self.glyphs])
        i = max(0, bisect_right(self._starts[1], start) - 1)
        found = []
        for run in self.glyphs[i:]:
            if run.start >= end:
                break
            if (box := run.box(start, end)) is not None:
                found.append(turn_back(box, self.turns.get(box[0])))
        return found


def turn_back(
    box: tuple[int, float, float, float, float], turn: tuple[float, float, float] | None
) -> tuple[int, float, float, float, float]:
    """A box of a straightened scan (see ParsedReport.turns) where it stands on the page as
    printed: its corners turned back about the centre, and the box around them."""
    if not turn or not turn[0]:
        return box
    page, x0, top, x1, bottom = box
    degrees, cx, cy = turn
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    # straightened = R(degrees) · printed, as OpenCV's getRotationMatrix2D turns an image (y down).
    xs, ys = [], []
    for x, y in ((x0, top), (x1, top), (x0, bottom), (x1, bottom)):
        xs.append(cos * (x - cx) - sin * (y - cy) + cx)
        ys.append(sin * (x - cx) + cos * (y - cy) + cy)
    return (page, round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1))
