"""Numbers as printed: Decimal values, display precision, units and Chinese numerals.

Shared by figure extraction (index) and answer verification (rag), so that a number in an
answer and a number in a report are read by one piece of code.

The grammar of a table cell (`read_cell`), used by every loader, `index.tables`,
`index.table_figures` and the audit rules, so that a cell is a number in all of them or in
none. A cell, stripped, is exactly one of:

* **number**: an optional sign (``-``, ``−``, ``+``), digits either plain (``1054``) or in
  comma-separated thousands (``1,054``), an optional fraction (``.82``), an optional percent
  sign (``%``/``％``, a space before it allowed); or an accounting negative in parentheses,
  ``(1,054.82)`` = −1054.82, with the percent sign inside or after them. Full-width forms
  (``１２．５``, ``，``, ``％``, ``－``, ``（）``) read like their ASCII forms. The value is the
  Decimal as printed (``0.00`` keeps its two decimals), ``decimals`` the digits after the point.
* **code**: a 功能分类/经济分类 subject code printed with spaces, ``201 06 01`` (3 digits, then
  one or two 2-digit groups). Never an amount.
* **blank**: empty, or a marker for "no value": ``-``, ``--``, ``—``, ``——``, ``－``, ``/``,
  ``／``, ``无``.
* **text**: everything else (``12.5.3``, ``2024年``, ``1,05``, ``10万元``).

A plain unsigned integer of 3, 5 or 7 digits (``201``, ``20106``, ``2010601``) is a number that
may be a subject code (``code_like``): out of context it cannot be told from an amount of 201
or a weight of 100. The table reader decides by position (`index.table_figures`): it is a code
under a 编码/代码 header or just left of a name, in a standard table, and an amount elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

# Units a stated figure may carry, longest first so that 人次 wins over 人 and 万元 over 元.
MONEY_UNITS = ("亿元", "万元", "千元", "元")
COUNT_UNITS = (
    "个（套）", "台（套）", "篇（部）", "篇（条）", "万人次", "万人", "人次", "批次", "余人", "个", "辆", "名", "人", "次",
    "项", "台", "套", "篇", "份", "期", "件", "条", "户", "家", "所", "座", "间", "册", "场", "起", "团组", "亩", "张",
)
SCORE_UNITS = ("分",)
TIME_UNITS = ("天",)
PERCENT_UNITS = ("%", "％")
ALL_UNITS = tuple(
    sorted(MONEY_UNITS + COUNT_UNITS + SCORE_UNITS + TIME_UNITS + PERCENT_UNITS, key=len, reverse=True)
)

# An Arabic number as printed: 1054.82, 1,054.82, 0.31, 100. Not part of a longer token.
NUMBER_PATTERN = r"(?<![0-9A-Za-z.．])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![0-9A-Za-z])"
NUMBER_RE = re.compile(NUMBER_PATTERN)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL_RE = re.compile(r"[零〇一二两三四五六七八九十百千]+")


def parse_decimal(text: str) -> tuple[Decimal, int]:
    """Parse '1,054.82' into (Decimal('1054.82'), 2): the value and its decimals as printed."""
    clean = text.replace(",", "").replace("，", "").strip()
    try:
        value = Decimal(clean)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {text!r}") from exc
    decimals = len(clean.split(".", 1)[1]) if "." in clean else 0
    return value, decimals


def chinese_to_int(text: str) -> int | None:
    """Read a Chinese numeral up to 9999 (三, 十二, 二十五, 一百零八); None when it is not one."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * _CN_SMALL[ch]
            current = 0
    return total + current


def normalize_unit(unit: str) -> str:
    """Full-width percent to '%'; other units unchanged."""
    return "%" if unit == "％" else unit


def half_interval(decimals: int) -> Decimal:
    """Half a unit in the last displayed digit: the rounding slack of a displayed value."""
    return Decimal(5) * Decimal(10) ** (-decimals - 1)


# ------------------------------------------------------------------------------------------
# The grammar of a table cell.
# ------------------------------------------------------------------------------------------

CellKind = Literal["number", "code", "blank", "text"]

# Full-width and typographic forms read as ASCII, one character for one so spans still hold.
_CELL_FORMS = str.maketrans("０１２３４５６７８９，．％－＋（）−／\u3000", "0123456789,.%-+()-/ ")
BLANK_MARKERS = frozenset({"", "-", "--", "—", "——", "—-", "/", "无"})
_AMOUNT = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<frac>[0-9]+))?"
_SIGNED_RE = re.compile(rf"(?P<num>(?P<sign>[-+])?{_AMOUNT})\s*(?P<pct>%)?")
_PAREN_RE = re.compile(rf"(?P<num>\(\s*{_AMOUNT}\s*(?P<pct_in>%)?\s*\))\s*(?P<pct>%)?")
_SPACED_CODE_RE = re.compile(r"[0-9]{3}(?:\s?[0-9]{2}){1,2}")
_CODE_LENGTHS = (3, 5, 7)


@dataclass(frozen=True)
class CellReading:
    """What a table cell holds, read by `read_cell`.

    `start`/`end` delimit the number as printed inside the cell text, without a trailing
    percent sign (``96.96`` of ``96.96%``, ``(12.00)`` whole): a figure's span.
    """

    kind: CellKind
    value: Decimal | None = None
    decimals: int = 0
    percent: bool = False
    code_like: bool = False
    start: int = 0
    end: int = 0


def read_cell(text: str) -> CellReading:
    """Classify a table cell as printed: number, code, blank marker or text (see module doc)."""
    cell = text.strip().translate(_CELL_FORMS)
    if cell.replace(" ", "") in BLANK_MARKERS:
        return CellReading("blank")
    if " " in cell and _SPACED_CODE_RE.fullmatch(cell):
        return CellReading("code", code_like=True)
    match = _SIGNED_RE.fullmatch(cell) or _PAREN_RE.fullmatch(cell)
    if match is None or (match.groupdict().get("pct_in") and match["pct"]):
        return CellReading("text")
    return _number(match, lead=len(text) - len(text.lstrip()))


def _number(match: re.Match[str], lead: int) -> CellReading:
    """The reading of a cell that matched one of the two number forms."""
    printed = match["num"]
    negative = printed.startswith(("-", "("))
    digits = re.sub(r"[^0-9.]", "", printed)
    return CellReading(
        kind="number",
        value=Decimal(f"-{digits}" if negative else digits),
        decimals=len(match["frac"] or ""),
        percent=bool(match["pct"] or match.groupdict().get("pct_in")),
        code_like=printed.isdigit() and len(printed) in _CODE_LENGTHS,
        start=lead + match.start("num"),
        end=lead + match.end("num"),
    )
