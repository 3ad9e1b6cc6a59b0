"""Showing the verifier's verdicts: the mark after each number of an answer, and the 核对 line.

`render_marked` writes "4.55万元 ✓", "4.65万元 ✗[报告为 4.55万元]", "3.2万元 ?[未核实]";
`mark_for` is one claim's mark. `corrections_line` is the line that ends an answer with a
contradicted number: "核对：公务接待费应为4.55万元（报告第二部分七、（二）3.）而非4.65万元。"
"""

from __future__ import annotations

from rag.models import Claim

MARKS = {"supported": "✓", "contradicted": "✗", "unsupported": "?"}
CORRECTIONS_PREFIX = "核对："


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
    # Imported here: rag.verify imports this module, and the chain imports it before rag.verify.
    from rag.verify.find import _CITATION_RE

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


def correction(claim: Claim) -> str:
    """One contradicted number corrected, with where the report states it:
    "公务接待费应为4.55万元（报告第二部分七、（二）3.）而非4.65万元"."""
    what = claim.metric or ""
    if not claim.expected:
        return f"{what}{claim.text}与报告不符"
    where = ""
    if claim.evidence is not None and "推算" not in claim.expected:
        place = claim.evidence.section.replace(" > ", "")
        page = f"第{claim.evidence.page}页" if claim.evidence.page else ""
        where = f"（报告{place}{page}）" if place or page else ""
    return f"{what}应为{claim.expected}{where}而非{claim.text}"


def corrections_line(claims: list[Claim]) -> str | None:
    """"核对：…。" listing each contradicted number's correction, or None when there is none."""
    items = list(dict.fromkeys(correction(c) for c in sorted(claims, key=lambda c: c.start)
                               if c.verdict == "contradicted"))
    return f"{CORRECTIONS_PREFIX}{'；'.join(items)}。" if items else None
