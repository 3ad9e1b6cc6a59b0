"""Numbers as printed: Decimal values, display precision, units and Chinese numerals.

Shared by figure extraction (index) and answer verification (rag), so that a number in an
answer and a number in a report are read by one piece of code.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# Units a stated figure may carry, longest first so that 人次 wins over 人 and 万元 over 元.
MONEY_UNITS = ("亿元", "万元", "千元", "元")
COUNT_UNITS = (
    "个（套）", "台（套）", "篇（部）", "篇（条）", "人次", "批次", "余人", "个", "辆", "名", "人", "次", "项",
    "台", "套", "篇", "份", "期", "件", "条", "户", "家", "所", "座", "间", "册", "场", "起", "团组",
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
