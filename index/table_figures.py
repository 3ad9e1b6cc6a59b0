"""Stated figures from tables: each numeric cell bound to its row label and column header.

The row label of a cell is the nearest text cell to its left (a 功能分类 name, 总额, 公务接待费);
a code cell in the row (201 / 20103 / 2010301) becomes the figure's code. The column header
gives the role (预算执行率 → completion rate, 权重 → weight, 得分 → score, 指标值 → target,
完成值 → actual, 增减金额 / 支出减少情况 → change amount, 增减幅度 / 支出减少率 → change rate),
with the table's 单位 line the unit, the basis of an amount (预算数 → budget, 年初预算 →
initial budget, 调整后预算数 → adjusted budget, 决算数 / 执行数 / 支出 → actual) and its year
(上年… → the prior year, a year named in the header → that year). A row labelled with a year
("2015年", "2016年比2015年增减%") gives its cells' year, and the column then names the metric.

Not figures: 行次 / 栏次 / 序号 / 编码 columns, rows of identifiers (电话, 编码), and the numbers of
a flattened row that could not be put under a column (they stand after every headed column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from index.lexicon import canonical_metric, is_known_metric
from index.models import Against, Basis, Direction, Figure, Role, Table
from index.numbers import read_cell
from index.tables import is_code, is_numeric, unit_from_text
from index.text_tables import FORM

_SKIP_LABELS = {"/", "-", "—", "≥", "≤", "＝", "=", ">", "<", "＞", "＜", "定性", "定量"}
_PERCENT_COLUMN = re.compile(r"率|%|％|占比|比例")


def _role_for_column(header: str, cell: str, table: Table) -> tuple[Role, str]:
    """(role, unit) of a numeric cell from its column header and the table's unit."""
    unit = table.unit or "万元"
    if cell.endswith(("%", "％")):
        role: Role = "completion_rate" if "执行率" in header or "完成率" in header else "rate"
        return role, "%"
    if "权重" in header:
        return "weight", "分"
    if "得分" in header or "分值" in header:
        return "score", "分"
    if "执行率" in header:
        return "completion_rate", "%"
    if _PERCENT_COLUMN.search(header):
        return "rate", "%"
    return "amount", unit


def _indicator_units(table: Table) -> dict[int, str]:
    """For 绩效指标 tables: row -> the 度量单位 printed in that row."""
    unit_col = next((c for c in range(len(table.rows[0])) if "度量单位" in table.header_text(c)), None)
    if unit_col is None:
        return {}
    return {
        r: row[unit_col].text
        for r, row in enumerate(table.rows)
        if r >= table.header_rows and unit_col < len(row) and row[unit_col].text
    }


def _row_code(table: Table, row: list) -> str | None:
    """The 功能分类/经济分类 code printed at the head of a row of a standard table, if any.

    Performance tables have no codes: there a '100' is a target or a weight, not 类 100.
    """
    if table.kind and ("绩效" in table.kind or table.kind == "资金计划"):
        return None
    return next((c.text.replace(" ", "") for c in row[:2] if _is_code_cell(table, row, c.col)), None)


_NUMBERING_HEADER = re.compile(r"^(?:序号|编号|行次|栏次)$|编码|代码")
_CODE_HEADER = re.compile(r"编码|代码")
# Header parts that say which measure a column holds, not what it measures.
_MEASURE_PARTS = {"预算数", "决算数", "年初预算数", "调整后预算数", "小计", "合计", "金额", "数额"}


def _cell_code(table: Table, row: list, label_col: int | None) -> str | None:
    """The code of the row item a cell belongs to: the code cell just left of its label.

    Tables printed as two halves side by side (基本支出决算表: 301… on the left, 302… on the
    right) carry two codes per row, so the code is looked up next to each cell's own label;
    a label in the first columns falls back on the code at the head of the row.
    """
    if label_col is not None and label_col > 0 and is_code(row[label_col - 1].text):
        return row[label_col - 1].text.replace(" ", "")
    if label_col is None or label_col <= 1:
        return _row_code(table, row)
    return None


def _is_code_cell(table: Table, row: list, col: int) -> bool:
    """True for a numeric cell that is a code: under a 编码 header, or just left of a name."""
    text = row[col].text
    if not is_code(text) or (table.kind and ("绩效" in table.kind or table.kind == "资金计划")):
        return False
    if _CODE_HEADER.search(table.header_text(col)):
        return True
    right = row[col + 1].text if col + 1 < len(row) else ""
    return bool(right) and not is_numeric(right)


def _column(table: Table, name: str) -> int | None:
    return next((c for c in range(len(table.rows[0])) if name in table.header_text(c)), None)


T7 = "一般公共预算财政拨款“三公”经费支出决算表"
_SANGONG = {"三公经费", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费"}
# Sub-columns of the 公务用车 group that name its parts only under it ("公车购置及运行维护费 > 车辆购置").
_VEHICLE_PARTS = {"车辆购置": "公务用车购置费", "购置": "公务用车购置费", "购置费": "公务用车购置费",
                  "车辆运行": "公务用车运行维护费", "运行": "公务用车运行维护费", "运行维护": "公务用车运行维护费",
                  "运行费": "公务用车运行维护费", "运行维护费": "公务用车运行维护费"}
_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})年度?$")
_YEARS_COMPARED = re.compile(r"((?:19|20)\d{2})年度?(?:决算数?)?(?:比|与|较)((?:19|20)\d{2})年")
_YEAR_NAMED = re.compile(r"((?:19|20)\d{2})年")
_CHANGE_RATE = re.compile(r"幅度|增减率|增长率|减少率|下降率|增减%|增减比例|变动率|增幅|降幅")
_CHANGE = re.compile(r"增减|增、减|减少|增加|下降|增长|变动")
_FALLING = re.compile(r"减少|下降|降幅")
_COUNT_COLUMN = re.compile(r"数量|人次|批次|辆数|个数")
_IDENTIFIER_LABEL = re.compile(r"电话|编码|代码|邮编|传真|手机|索引号|文号|账号")
# A list marker before a row label; "、" alone is one whose numeral was lost (OCR misses a thin 一).
_LABEL_PREFIX = re.compile(r"^(?:其中[:：]?|[一二三四五六七八九十]*、|\d+[.．、]|[（(][0-9一二三四五六七八九十]+[)）])")
_SIDES = {"收入", "支出"}  # the two halves of a 收入支出决算总表, not what their amounts are
# (word in a row label, count unit): a count table's or a form's rows say what they count.
_COUNT_UNITS = (("人次", "人次"), ("批次", "批次"), ("团组", "团组"), ("保有量", "辆"), ("购置数", "辆"),
                ("辆", "辆"), ("编制", "人"), ("人数", "人"))


@dataclass(frozen=True)
class _Meaning:
    """What a column header or a row label says about the numbers under it or in it."""

    role: Role | None = None  # a change or a count, when the words say so
    basis: Basis | None = None
    year: int | None = None
    compared_to: int | None = None
    falling: bool = False  # 减少/下降 in the words: a positive change is a decrease
    against: Against | None = None


def _basis(header: str) -> Basis | None:
    """Which amount a column holds: the final account or a budget, when its header says."""
    words = "".join(part for part in header.split(" ") if part not in _SIDES)
    if "预算" in words and "调整" in words:
        return "adjusted_budget"
    if "年初预算" in words:
        return "initial_budget"
    if re.search(r"执行|决算|支出", words):
        return "actual"
    return "budget" if "预算" in words else None


def _column_meaning(header: str, year: int | None) -> _Meaning:
    """Role, basis and year of a column from its header (compact parts joined by spaces)."""
    words = header.replace(" ", "")
    compared = _YEARS_COMPARED.search(words)
    named = compared or _YEAR_NAMED.search(words)
    own_year = int(named.group(1)) if named else year
    if _CHANGE_RATE.search(words) or _CHANGE.search(words):
        against: Against = "budget" if "预算" in words else "prior_year"
        prior = int(compared.group(2)) if compared else (own_year - 1 if own_year and against == "prior_year" else None)
        role: Role = "change_rate" if _CHANGE_RATE.search(words) else "change_amount"
        return _Meaning(role, None, own_year, prior, bool(_FALLING.search(words)), against)
    if "上年" in words and year:
        own_year = year - 1
    counted = _COUNT_COLUMN.search(words) and not re.search(r"金额|元", words)
    return _Meaning(role="count" if counted else None, basis=_basis(header), year=own_year)


def _meaning(header: str, label: str, year: int | None) -> _Meaning:
    """The column's meaning, with what a row labelled by a year says ("2015年", "2016年比2015年增减%")."""
    column = _column_meaning(header, year)
    words = re.sub(r"\s", "", label)
    if compared := _YEARS_COMPARED.search(words):
        role: Role = "change_rate" if "%" in words or _CHANGE_RATE.search(words) else "change_amount"
        return _Meaning(role, None, int(compared.group(1)), int(compared.group(2)), False, "prior_year")
    if own := _YEAR_LABEL.match(words):
        return replace(column, year=int(own.group(1)))
    if "上年" in words and year and column.role is None:
        return replace(column, year=year - 1)
    return column


def _direction(value: Decimal, falling: bool) -> Direction:
    """A change's direction from its sign, read against a 减少/下降 header."""
    if value == 0:
        return "flat"
    return "decrease" if (value < 0) != falling else "increase"


def _count_unit(label: str, header: str = "") -> str | None:
    """The unit of a count: from its row label (人次, 批次, 保有量), else from a column header that
    names one ("接待人次"; not "数量或人次")."""
    for words in (re.sub(r"\s", "", label), "" if "或" in header else header):
        if unit := next((unit for word, unit in _COUNT_UNITS if word in words), None):
            return unit
    return None


def _header_metric(header: str, sangong: bool = False) -> tuple[str, str] | None:
    """(metric, measure) named by a column header when the row has no label of its own.

    The 三公 table has one row of numbers under a three-level header ("财政拨款“三公”经费 >
    公务用车购置及运行维护费 > 公务用车购置费 > 预算数"): the deepest known metric names the
    cell, the last part says whether it is the budget or the final account. Under the 公务用车
    group, 车辆购置 / 车辆运行 name its two parts; a bare 合计 of a 三公 table is the 三公经费.
    """
    parts = header.split(" ")
    measure = parts[-1] if parts and parts[-1] in _MEASURE_PARTS else ""
    for n in range(len(parts) - 1, -1, -1):
        if parts[n] in _MEASURE_PARTS:
            continue
        if parts[n] in _VEHICLE_PARTS and any(
            canonical_metric(p)[0] == "公务用车购置及运行维护费" for p in parts[:n]
        ):
            return _VEHICLE_PARTS[parts[n]], measure
        metric, _ = canonical_metric(parts[n])
        if is_known_metric(metric):
            return metric, measure
    if sangong and parts[0] in ("合计", "总计"):
        return "三公经费", measure
    return None


def _headers(table: Table) -> list[str]:
    """Each column's header, spaces inside a cell removed ("预 算 数"), a 栏次 row left out."""
    head = [row for row in table.rows[: table.header_rows]
            if next((c.text.replace(" ", "") for c in row if c.text), "") not in ("栏次", "行次")]
    compact = table.model_copy(update={
        "header_rows": len(head),
        "rows": [[c.model_copy(update={"text": re.sub(r"\s", "", c.text)}) for c in row] for row in head],
    })
    width = max(len(r) for r in table.rows)
    return [compact.header_text(c) if head else "" for c in range(width)]


def _headed_width(table: Table) -> int:
    """Columns up to the last one with a header: numbers right of it are a flattened row's
    numbers that could not be put under a column."""
    width = max(len(r) for r in table.rows)
    if not table.header_rows:
        return width
    return 1 + max((c for row in table.rows[: table.header_rows] for c, cell in enumerate(row) if cell.text),
                   default=width - 1)


def _is_sangong(table: Table, headers: list[str]) -> bool:
    """A 三公 table: typed so by its title, or naming two 三公 items in its rows or columns."""
    if table.kind == T7:
        return True
    names = {p for h in headers for p in h.split(" ") if p}
    names |= {next((c.text for c in row if c.text), "") for row in table.rows[table.header_rows:]}
    return sum(canonical_metric(_LABEL_PREFIX.sub("", n))[0] in _SANGONG for n in names if n) >= 2


@dataclass
class _Context:
    """A table and what is read once for all its cells."""

    table: Table
    year: int | None
    headers: list[str]
    headed: int
    sangong: bool
    indicator_units: dict[int, str]
    label_col: int | None


def _clean_label(label: str) -> str:
    """A row label without its numbering: "其中:(1)公务用车购置费" → "公务用车购置费"."""
    for _ in range(3):
        label = _LABEL_PREFIX.sub("", label.strip())
    return label.strip()


def _row_label(ctx: _Context, row: list, col: int) -> tuple[str, int | None]:
    """The label of a cell's row (the nearest text cell to its left) and its column."""
    if ctx.label_col is not None and row[ctx.label_col].text:
        return row[ctx.label_col].text, None
    own = next(
        (c for c in range(col - 1, -1, -1)
         if row[c].text and not is_numeric(row[c].text) and row[c].text not in _SKIP_LABELS
         and not is_code(row[c].text)),
        None,
    )
    return (row[own].text if own is not None else ""), own


def _metric(ctx: _Context, label: str, header: str, basis: Basis | None, side: str | None) -> tuple[str, str | None]:
    """(metric, code it implies) from the row label, or from the column when the row is a year.

    `side` is 收入 or 支出 when the label stands under one of those (a table in two halves):
    its 总计 / 合计 is that side's.
    """
    clean = _clean_label(label)
    if clean and not _YEAR_LABEL.match(clean) and not _YEARS_COMPARED.search(clean):
        metric, code = canonical_metric(f"{side}{clean}" if side and clean in ("总计", "合计") else clean)
        if ctx.sangong and metric in ("合计", "总计"):
            metric = "三公经费"
        if ctx.sangong and basis == "budget":
            metric = f"{metric} 预算数"  # the 三公 table's 预算数 column, named as completion rules look for it
        return metric, code
    if named := _header_metric(header, ctx.sangong):
        return (f"{named[0]} {named[1]}" if named[1] == "预算数" else named[0]), None
    return header, None


def _role_and_unit(ctx: _Context, r: int, header: str, label: str, text: str,
                   meaning: _Meaning) -> tuple[Role, str] | None:
    """(role, unit) of a cell; None when a count's unit cannot be told (never guessed)."""
    if ctx.table.kind == FORM or meaning.role == "count":
        unit = _count_unit(label, header)
        return ("count", unit) if unit else None
    if meaning.role == "change_rate":
        return "change_rate", "%"
    if meaning.role == "change_amount":
        return "change_amount", unit_from_text(header) or ctx.table.unit or "万元"
    role, unit = _role_for_column(header, text, ctx.table)
    if "指标值" in header:
        return "target", ctx.indicator_units.get(r, "")
    if "完成值" in header:
        return "actual", ctx.indicator_units.get(r, "")
    return role, unit


def _cell_figure(ctx: _Context, r: int, cell, report_id: str, quote: str) -> Figure | None:
    """The figure one numeric cell states, or None when it states none."""
    table, row = ctx.table, ctx.table.rows[r]
    text = cell.text.strip()
    reading = read_cell(text)
    if reading.value is None or _is_code_cell(table, row, cell.col) or cell.col >= ctx.headed:
        return None
    header = ctx.headers[cell.col]
    if any(_NUMBERING_HEADER.search(part) for part in header.split(" ")):
        return None  # 序号 / 行次 / 编码: numbering and identifiers, not figures
    label, own_col = _row_label(ctx, row, cell.col)
    if (not label and not header) or _IDENTIFIER_LABEL.search(label):
        return None
    meaning = _meaning(header, label, ctx.year)
    found = _role_and_unit(ctx, r, header, label, text, meaning)
    if found is None:
        return None
    role, unit = found
    basis = meaning.basis if role == "amount" else None
    sides = ctx.headers[own_col].split(" ") if own_col is not None else []
    metric, known_code = _metric(ctx, label, header, basis, next((p for p in sides if p in _SIDES), None))
    if table.subject and table.subject not in metric:
        metric = f"{table.subject} {metric}"
    code = _cell_code(table, row, own_col if ctx.label_col is None else None)
    # The number as printed, without its % sign: the span covers exactly the number.
    number = text[reading.start: reading.end]
    value, decimals = reading.value, reading.decimals
    lead = len(cell.text) - len(cell.text.lstrip())
    change = role in ("change_amount", "change_rate")
    year_row = bool(_YEAR_LABEL.match(_clean_label(label)) or _YEARS_COMPARED.search(label))
    return Figure(
        report_id=report_id,
        metric=metric,
        label=(header if year_row else label) or header,
        subject=table.subject,
        code=code or known_code,
        column=header or None,
        value=value,
        text=number,
        decimals=decimals,
        unit=unit,
        year=meaning.year,
        compared_to=meaning.compared_to if change else None,
        role=role,
        basis=basis,
        against=meaning.against if change else None,
        direction=_direction(value, meaning.falling) if change and value is not None else None,
        source="table",
        table_id=table.id,
        row=r,
        col=cell.col,
        section=table.section or "",
        page=table.page,
        start=cell.start + lead if cell.start is not None else table.start,
        end=cell.start + lead + len(number) if cell.start is not None else table.end,
        quote=quote,
    )


def table_figures(table: Table, report_id: str, year: int | None, row_quote: dict[int, str]) -> list[Figure]:
    """All numeric cells of a table as figures. `row_quote` maps row index -> quoted row text."""
    if not table.rows or table.kind == "绩效自评表-基本情况":
        return []
    headers = _headers(table)
    ctx = _Context(
        table=table,
        year=year,
        headers=headers,
        headed=_headed_width(table),
        sangong=_is_sangong(table, headers),
        indicator_units=_indicator_units(table) if table.kind == "绩效自评表-绩效指标" else {},
        label_col=_column(table, "三级指标") if table.kind == "绩效自评表-绩效指标" else None,
    )
    figures = []
    for r in range(table.header_rows, len(table.rows)):
        for cell in table.rows[r]:
            if figure := _cell_figure(ctx, r, cell, report_id, row_quote.get(r, "")):
                figures.append(figure)
    return _executed(figures, headers)


def _executed(figures: list[Figure], headers: list[str]) -> list[Figure]:
    """In a table with both a 执行数 and a 决算数 column (a government's 收支决算平衡表), the 执行数
    is the execution reported before the final accounts, not the final account itself."""
    compact = [h.replace(" ", "") for h in headers]
    if not any("决算数" in h for h in compact):
        return figures
    executed = {c for c, h in enumerate(compact) if h.endswith("执行数") and "预算执行" not in h}
    for figure in figures:
        if figure.col in executed and figure.basis == "actual":
            figure.basis = "executed"
    return figures
