"""The report's own text with the findings' evidence marked: the full-text view of the HTML
format (`juesuan check --format html` on TXT/DOCX/XLSX reports) and the highlighted passage of
the app.

Every evidence span (start, end into the canonical text) becomes one `<mark>`; spans that
overlap are merged into one mark, so marks never nest. Everything else is escaped text: a
report holding "<script>" shows those characters, never runs them.
"""

from __future__ import annotations

import html

from evals.audit.findings import Finding

__all__ = ["Marks", "mark_spans", "marked_html"]


class Marks:
    """The marks of one text: their spans in order, and which mark holds each evidence span."""

    def __init__(self, spans: list[tuple[int, int]], owner: list[int]) -> None:
        self.spans = spans  # (start, end) of each mark, in text order, not overlapping
        self.owner = owner  # for each mark, the index of the first finding quoting it

    def of(self, start: int | None, end: int | None) -> int | None:
        """The index of the mark that holds [start, end), if any."""
        if start is None or end is None:
            return None
        for k, (lo, hi) in enumerate(self.spans):
            if lo <= start and end <= hi:
                return k
        return None


def mark_spans(text: str, findings: list[Finding]) -> Marks:
    """The marks for the evidence of `findings` in `text` (spans outside the text are ignored)."""
    quoted: list[tuple[int, int, int]] = []
    for i, finding in enumerate(findings):
        for e in finding.evidence:
            if e.start is not None and e.end is not None and 0 <= e.start < e.end <= len(text):
                quoted.append((e.start, e.end, i))
    quoted.sort()
    spans: list[tuple[int, int]] = []
    owner: list[int] = []
    for start, end, i in quoted:
        if spans and start < spans[-1][1]:  # overlaps the mark before: one mark for both
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
            owner[-1] = min(owner[-1], i)
        else:
            spans.append((start, end))
            owner.append(i)
    return Marks(spans, owner)


def marked_html(text: str, marks: Marks, mark_id, finding_id, title) -> str:
    """`text` escaped, each mark as <mark id=mark_id(k)> linking to finding_id(owner); `title(i)`
    is the tooltip of a mark quoted by finding i (escaped here)."""
    out: list[str] = []
    pos = 0
    for k, (start, end) in enumerate(marks.spans):
        i = marks.owner[k]
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark id="{mark_id(k)}" title="{html.escape(title(i), quote=True)}">'
            f'<a href="#{finding_id(i)}">{html.escape(text[start:end])}</a></mark>'
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
