"""Stated figures from tables: each numeric cell bound to its row label and column header.

The row label of a cell is the nearest text cell to its left (a 功能分类 name, 总额, 公务接待费);
a code cell in the row (201 / 20103 / 2010301) becomes the figure's code. The column header
gives the role (预算执行率 → completion rate, 权重 → weight, 得分 → score, 指标值 → target,
完成值 → actual) and, with the table's 单位 line, the unit. A column headed 上年… refers to
the prior year.
"""

from __future__ import annotations

import re

from index.lexicon import canonical_metric, is_known_metric
from index.models import Figure, Role, Table
from index.numbers import parse_decimal
from index.tables import is_code, is_numeric

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
    return next((c.text.replace(" ", "") for c in row[:2] if is_code(c.text)), None)


_NUMBERING_HEADER = re.compile(r"^(?:序号|编号|行次|栏次)$")
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


def _header_metric(header: str) -> tuple[str, str] | None:
    """(metric, measure) named by a column header when the row has no label of its own.

    The 三公 table has one row of numbers under a three-level header ("财政拨款“三公”经费 >
    公务用车购置及运行维护费 > 公务用车购置费 > 预算数"): the deepest known metric names the
    cell, the last part says whether it is the budget or the final account.
    """
    parts = header.split(" ")
    measure = parts[-1] if parts and parts[-1] in _MEASURE_PARTS else ""
    for part in reversed(parts):
        if part in _MEASURE_PARTS:
            continue
        metric, _ = canonical_metric(part)
        if is_known_metric(metric):
            return metric, measure
    return None


def _column(table: Table, name: str) -> int | None:
    return next((c for c in range(len(table.rows[0])) if name in table.header_text(c)), None)


def table_figures(table: Table, report_id: str, year: int | None, row_quote: dict[int, str]) -> list[Figure]:
    """All numeric cells of a table as figures. `row_quote` maps row index -> quoted row text."""
    figures: list[Figure] = []
    if not table.rows or table.kind == "绩效自评表-基本情况":
        return figures
    indicator_units = _indicator_units(table) if table.kind == "绩效自评表-绩效指标" else {}
    label_col = _column(table, "三级指标") if table.kind == "绩效自评表-绩效指标" else None
    for r, row in enumerate(table.rows):
        if r < table.header_rows:
            continue
        for cell in row:
            text = cell.text.strip()
            if not is_numeric(text) or _is_code_cell(table, row, cell.col):
                continue
            header = table.header_text(cell.col)
            if _NUMBERING_HEADER.match(header.replace(" ", "")):
                continue  # 序号 1, 2, 3 of a list of units: numbering, not a figure
            own_col: int | None = None
            if label_col is not None and row[label_col].text:
                label = row[label_col].text
            else:
                own_col = next(
                    (
                        c
                        for c in range(cell.col - 1, -1, -1)
                        if row[c].text and not is_numeric(row[c].text) and row[c].text not in _SKIP_LABELS
                        and not is_code(row[c].text)
                    ),
                    None,
                )
                label = row[own_col].text if own_col is not None else ""
            code = _cell_code(table, row, own_col if label_col is None else None)
            if not label and not header:
                continue
            role, unit = _role_for_column(header, text, table)
            if "指标值" in header:
                role, unit = "target", indicator_units.get(r, "")
            elif "完成值" in header:
                role, unit = "actual", indicator_units.get(r, "")
            clean_label = re.sub(r"^(?:其中[:：]?|[一二三四五六七八九十]+、|\d+[.．、])", "", label).strip()
            if clean_label:
                metric, known_code = canonical_metric(clean_label)
            elif named := _header_metric(header):
                metric, known_code = (f"{named[0]} {named[1]}" if named[1] == "预算数" else named[0]), None
            else:
                metric, known_code = header, None
            if table.subject and table.subject not in metric:
                metric = f"{table.subject} {metric}"
            # The number as printed, without its % sign: the span covers exactly the digits.
            number = text.rstrip("%％").rstrip()
            value, decimals = parse_decimal(number)
            lead = len(cell.text) - len(cell.text.lstrip())
            cell_year = (year - 1) if (year and ("上年" in header or "上年" in label)) else year
            figures.append(
                Figure(
                    report_id=report_id,
                    metric=metric,
                    label=label or header,
                    subject=table.subject,
                    code=code or known_code,
                    column=header or None,
                    value=value,
                    text=number,
                    decimals=decimals,
                    unit=unit,
                    year=cell_year,
                    role=role,
                    source="table",
                    table_id=table.id,
                    row=r,
                    col=cell.col,
                    section=table.section or "",
                    page=table.page,
                    start=cell.start + lead if cell.start is not None else table.start,
                    end=cell.start + lead + len(number) if cell.start is not None else table.end,
                    quote=row_quote.get(r, ""),
                )
            )
    return figures
