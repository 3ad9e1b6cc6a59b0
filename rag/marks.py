"""Showing the verifier's verdicts: the mark after each number of an answer.

`render_marked` writes "4.55万元 ✓", "4.65万元 ✗[报告为 4.55万元]", "3.2万元 ?[未核实]";
`mark_for` is one claim's mark.
"""

from __future__ import annotations

from rag.claims_find import _CITATION_RE
from rag.models import Claim

MARKS = {"supported": "✓", "contradicted": "✗", "unsupported": "?"}


def mark_for(claim: Claim) -> str:
    """The colour-free mark shown after a number."""
    if claim.verdict == "supported":
        return "✓" if claim.how.startswith("stated") else "✓[推算]"
    if claim.verdict == "contradicted":
        return f"✗[报告为 {claim.expected}]" if claim.expected else "✗[与报告不符]"
    return "?[未核实]"


def render_marked(answer_text: str, claims: list[Claim]) -> str:
    """The answer with each number followed by its verdict mark (after its citation markers):
    "4.55万元 ✓", "4.65万元 ✗[报告为 4.55万元]", "3.2万元 ?[未核实]"."""
    out, pos = [], 0
    for c in sorted(claims, key=lambda c: c.start):
        end = c.end
        while m := _CITATION_RE.match(answer_text, end):
            end = m.end()
        if end < pos:
            continue
        out.append(answer_text[pos:end])
        out.append(" " + mark_for(c))
        pos = end
    out.append(answer_text[pos:])
    return "".join(out)
