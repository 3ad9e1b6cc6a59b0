"""What a number of an answer claims, read with the report's own figure grammar.

An answer sentence is read exactly as a report sentence is (`index.figures`): the same phrase
lists, the same metric names, roles, years, bases and comparisons. "公务接待费支出14.71万元" is then
a claim about 公务接待费's amount of the report year, whatever the model meant, and it is judged
against the report's figures with that key — so a total given as a part, or a change given as
the amount, meets the report's own value for that key and is contradicted. `ask` and `verify`
read answers with this one function.
"""

from __future__ import annotations

from index.figures import FigureContext, extract_sentence_figures
from index.lexicon import to_simplified
from index.models import Figure

__all__ = ["answer_figures"]


def answer_figures(text: str, report_year: int | None, department: str | None = None) -> dict[int, Figure]:
    """The figures an answer states, by the offset of their number in the answer."""
    simple = to_simplified(text)
    if len(simple) != len(text):
        simple = text
    claims: dict[int, Figure] = {}
    offset = 0
    for line in simple.split("\n"):
        ctx = FigureContext(report_id="answer", report_year=report_year, department=department, section="",
                            page=None)
        for figure in extract_sentence_figures(line, offset, ctx):
            claims.setdefault(figure.start, figure)
        offset += len(line) + 1
    return claims
