"""Stated figures: every number of a report bound to its metric, year, role and place.

`narrative` reads sentences, `gaps` finds the numbers a report leaves blank or damaged, and
`words` holds the vocabulary both use (the cues around a number and metric-name cleaning).
Figures of tables come from `index.table_figures`.
"""

from index.figures.gaps import find_gaps
from index.figures.narrative import FigureContext, extract_sentence_figures
from index.figures.words import project_from_line

__all__ = ["FigureContext", "extract_sentence_figures", "find_gaps", "project_from_line"]
