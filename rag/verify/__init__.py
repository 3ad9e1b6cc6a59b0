"""Deterministic verification of the numbers in an answer (no LLM).

`verify(answer_text, figures, passages, report_year)` finds every number an answer states,
binds it to what it measures and judges it against the report's stated figures: supported,
contradicted (with the report's value) or unsupported. The steps are modules of this package:

    find        numbers as an answer prints them (Arabic and Chinese numerals, units)
    grammar     what a number claims, read with the report's own figure grammar (index.figures)
    vocabulary  the report's names for what it measures (for names the grammar cannot bind)
    bind        binding by those names, for the numbers the grammar leaves
    rounding    units and display rounding
    derive      numbers that follow from stated ones (sums, differences, shares, last year's)
    judge       the verdict of each number

See docs/verification.md for the rules and the measured catch / false-flag rates.
"""

from rag.marks import MARKS, mark_for, render_marked
from rag.verify.find import FoundNumber, find_numbers
from rag.verify.judge import verify, verify_against_report
from rag.verify.rounding import rounds_to

__all__ = ["MARKS", "FoundNumber", "find_numbers", "mark_for", "render_marked", "rounds_to", "verify",
           "verify_against_report"]
