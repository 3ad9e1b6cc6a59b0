"""The copy of a report's text that patterns read: simplified characters, inline readings out.

Every pattern of this project (units 万元/个, 占, 年初预算, headings, table headers) is written in
simplified characters and expects words unbroken, so a traditional report is read through a
simplified copy with the readings some reposting sites insert after characters (經(jīng)費(fèi),
萬(wàn)元) taken out. The copy keeps a map back to the original: every span found in it is
reported in the text as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexicon import to_simplified

# A reading inserted after a character: 經(jīng)費(fèi), 萬(wàn)元, 預(yù)算.
READING = re.compile(r"(?<=[\u3400-\u9fff])[(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]{1,7}[)）]")


@dataclass(frozen=True)
class ReadingCopy:
    """The copy's text and, for each of its offsets (and its end), the original offset."""

    text: str
    to_original: list[int]
    to_copy: list[int]

    def start(self, offset: int) -> int:
        """The original offset of a span that starts at `offset` of the copy."""
        return self.to_original[offset]

    def end(self, offset: int) -> int:
        """The original offset of a span that ends at `offset` of the copy."""
        return self.to_original[offset - 1] + 1 if offset > 0 else 0


def reading_copy(text: str) -> ReadingCopy | None:
    """The simplified, reading-free copy of a text; None when it needs neither change."""
    readings = [(m.start(), m.end()) for m in READING.finditer(text)]
    simple = to_simplified(text)
    if len(simple) != len(text):
        simple = text  # a conversion that changes lengths cannot be mapped back: read as printed
    if simple == text and not readings:
        return None
    keep = [True] * len(simple)
    for begin, finish in readings:
        keep[begin:finish] = [False] * (finish - begin)
    to_original = [i for i, k in enumerate(keep) if k] + [len(simple)]
    to_copy = [0] * (len(simple) + 1)
    j = 0
    for i in range(len(simple)):
        to_copy[i] = j
        j += keep[i]
    to_copy[len(simple)] = j
    copy = "".join(ch for ch, k in zip(simple, keep, strict=True) if k)
    return ReadingCopy(copy, to_original, to_copy)


def clean(text: str) -> str:
    """A short piece of text (a title, a cell) as the patterns read it."""
    return READING.sub("", to_simplified(text))
