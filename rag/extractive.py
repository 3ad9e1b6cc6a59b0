"""The extractive provider: an answer composed from the report's own figures and sentences.

It needs no model. The question is split into parts (rag.compose.parts); each part's figures are
found by key — metric, year, role, basis, what a change is measured against — among the figures
of the retrieved passages (rag.compose.find) and written with the report's names, each sentence
cited [n], with the report's own reason sentence where one is asked (rag.compose.write). A part
the report has nothing for gets "报告未说明…"; when no part can be answered the answer is
CANNOT_ANSWER. It never guesses: every number it writes is a figure of the report.

    公务接待费为何下降？ → 公务接待费4.55万元，比上年减少1.05万元，下降18.75%[1]。
                           主要原因是公务接待批次和人次较上年有所减少[1]。
"""

from __future__ import annotations

from rag.compose import compose
from rag.context import Context

__all__ = ["extractive_answer"]


def extractive_answer(context: Context) -> str:
    """An answer built only from the context's figures and sentences, or CANNOT_ANSWER."""
    return compose(context)
