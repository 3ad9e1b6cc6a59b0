"""The plain form questions and report names are compared in, and the pieces of report text
an answer quotes."""

from __future__ import annotations

import re
import unicodedata

from index.reading import READING, clean

__all__ = ["clause_start", "display_label", "plain", "without_readings"]

_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_SPACE = re.compile(r"\s+")
# List numbering and lead words in front of a name: "2.公务接待费", "其中:(1)公务用车购置费", "一、".
_LEAD = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][0-9一二三四五六七八九十]+[)）]|\d+[.．、]|其中[:：]?|[:：])+")
# Where a clause starts: after the punctuation that closes the one before ("、" lists stay whole), or
# after a space between words, which is how a flattened heading meets its text ("二、单位基本情况 本单位…").
_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n]|(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")


def plain(text: str) -> str:
    """Simplified, readings out, half-width, lower case, without quotes or spaces: the form a
    question and the report's names are matched in."""
    text = unicodedata.normalize("NFKC", clean(text)).lower()
    return _SPACE.sub("", _QUOTES.sub("", text))


def without_readings(text: str) -> str:
    """Report text as printed, without the readings some reposting sites insert (經(jīng) → 經)."""
    return READING.sub("", text)


def display_label(label: str) -> str:
    """A figure's label as an answer names it: as printed, without list numbering or spaces."""
    text = _SPACE.sub("", without_readings(label))
    return _LEAD.sub("", text).strip("，,:：") or text


def clause_start(text: str, end: int) -> int:
    """Where the clause holding text[end - 1] starts."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, end)]
    return breaks[-1] if breaks else 0
