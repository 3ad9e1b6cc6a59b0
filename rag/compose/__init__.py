"""Figure-first answers without a model: a question in parts, each part's figures found by key
in the report's figure table, written with the report's names and cited [n].

    parts.py  the question → parts (what each asks, about what, for which year)
    names.py  the names the lexicon and the report give figures
    find.py   a part → the figures (and the reason sentence) that answer it
    write.py  findings → sentences; "报告未说明…" for a part the report has nothing for
"""

from __future__ import annotations

from rag.compose.find import Finding, find, report_year
from rag.compose.names import Names
from rag.compose.parts import Part, split_question
from rag.compose.write import write
from rag.context import Context
from rag.models import CANNOT_ANSWER

__all__ = ["Finding", "Part", "compose", "findings_for"]


def findings_for(context: Context) -> list[Finding]:
    """What the context's figures say for each part of its question."""
    names = Names.of(context)
    year = report_year(context)
    return [find(part, names, context, year) for part in split_question(context.question, names)]


def compose(context: Context) -> str:
    """The answer from the context's figures and sentences, or CANNOT_ANSWER when the report
    answers no part of the question."""
    findings = findings_for(context)
    if not any(f.says_something for f in findings):
        return CANNOT_ANSWER
    return write(findings, context, report_year(context))
