"""Cleaning what a model wrote into an answer with citations: one function, tested by a table.

Small local models wrap answers in code fences or JSON, leave <think> blocks, chat-template
tokens and a following fake turn ("用户：…"), loop (rag.guard), echo the fact table and cite
passages that do not exist. `parse_answer` undoes all of that, maps the [n] markers to
`Citation`s of the numbered passages, drops markers that point at no passage, and turns any
"I cannot answer" into the one phrase `CANNOT_ANSWER` with no numbers and no citations.

After verification, `cited_findings` finds the rule findings (`juesuan check`) whose evidence
is a figure an answer's number was checked against, so the answer can say that the report
itself is inconsistent there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from index.models import Figure
from rag.context import FACT_HEADER, NumberedPassage, fact_phrase
from rag.guard import cut_loop
from rag.models import CANNOT_ANSWER, Citation, Claim

__all__ = [
    "AnswerFinding",
    "ParsedAnswer",
    "citation_for",
    "cite_from_evidence",
    "cited_findings",
    "claim_figures",
    "clean_text",
    "finding_anchor",
    "is_cannot_answer",
    "parse_answer",
]

_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>.*", re.DOTALL | re.IGNORECASE)
_THINK_CLOSE_ONLY = re.compile(r"^.*?</(think|thinking|reasoning)>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n?(.*?)(?:```|$)", re.DOTALL)
_SPECIAL = re.compile(r"<\|[^|>]{1,40}\|>|</?s>|\[/?INST\]")
# A fake next turn the model went on to write: everything from it on is junk.
_NEXT_TURN = re.compile(
    r"\n\s*(?:用户|问题|问|Human|User|Assistant|助手|Question|Q)\s*[:：]", re.IGNORECASE
)
_PREFIX = re.compile(r"^\s*(?:回答|答案|答|Answer|A)\s*[:：]\s*", re.IGNORECASE)
# [1] [1,2] [1、2] [1][2] 【1】 ［1］ (1-based, up to two digits each)
_MARKER = re.compile(r"\s*[\[［【]\s*(\d{1,2}(?:\s*[,，、]\s*\d{1,2})*)\s*[\]］】]")
_REFUSAL = re.compile(
    r"(无法回答|不能回答|无法确定|无法从.{0,12}(?:得知|找到|回答|判断)|没有(?:找到|提供|提及|涉及|说明|相关)"
    r"|未(?:提及|提供|找到|说明|涉及)|资料中(?:没有|并未|未)|cannot answer|not (?:mentioned|provided|found))",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d")
# A row of the context's figures table echoed back: "[1] | 公务用车 | 3辆 | 数量 | 2023".
_TABLE_ROW = re.compile(
    r"^\s*(?P<n>\[\d{1,2}\])?\s*\|?\s*(?P<name>[^|\n]+?)\s*\|\s*(?P<value>[^|\n]+?)\s*"
    r"(?:\|\s*[^|\n]*?\s*){0,3}$",
    re.MULTILINE,
)
# A row of the fact table echoed back: "公务接待费 | 2023 | 本年决算 | 4.55 | 万元 | [1]".
_FACT_ROW = re.compile(
    r"^[ \t]*(?P<metric>[^|\n]+?)[ \t]*\|[ \t]*(?P<year>\d{4}|—|-)[ \t]*\|[ \t]*(?P<role>[^|\n]+?)[ \t]*\|"
    r"[ \t]*(?P<value>-?[\d,]+(?:\.\d+)?)[ \t]*\|[ \t]*(?P<unit>[^|\n]*?)[ \t]*(?:\|[ \t]*(?P<n>(?:\[\d{1,3}\])*)[ \t]*)?$",
    re.MULTILINE,
)
_FACT_ROW_END = re.compile(r"(\|[ \t]*(?:\[\d{1,3}\])+)[ \t]*(?=[^\s|\[])")
_MARKER_RUN = re.compile(r"(?:\[\d{1,2}\]\s*){2,}")
_LEADING_MARKERS = re.compile(r"^(?:\s*\[\d{1,2}\])+\s*[。，,.、:：]?\s*")


@dataclass
class ParsedAnswer:
    """A cleaned answer: its text (markers normalised to [n]) and the passages it cites."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    cannot_answer: bool = False


def _unwrap_json(text: str) -> str:
    """The answer field of a JSON object the model wrote instead of prose (else the text)."""
    stripped = text.strip()
    start, end = stripped.find("{"), stripped.rfind("}")
    if start == -1 or end <= start:
        return text
    try:
        data = json.loads(stripped[start:end + 1])
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    for key in ("answer", "回答", "答案", "text", "response", "content"):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            before, after = stripped[:start].strip(), stripped[end + 1:].strip()
            # JSON standing alone (or after a short label) is the answer; prose around it is kept.
            return value if len(before) < 12 and not after else f"{before}{value}{after}"
    return text


def clean_text(raw: str) -> str:
    """The model's text without think blocks, fences, JSON wrappers, template tokens or a fake next turn."""
    text = _THINK.sub("", raw)
    text = _THINK_CLOSE_ONLY.sub("", text) if re.search(r"</(think|thinking|reasoning)>", text, re.IGNORECASE) else text
    text = _THINK_OPEN.sub("", text)
    text = _SPECIAL.sub("", text)
    fenced = _FENCE.findall(text)
    if fenced:
        text = "\n".join(part.strip() for part in fenced if part.strip()) or _FENCE.sub("", text)
    text = _unwrap_json(text)
    turn = _NEXT_TURN.search(text)
    if turn and turn.start() > 0:
        text = text[: turn.start()]
    text = _PREFIX.sub("", text.strip())
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # A string of marker-less junk at the end (lone punctuation, ellipsis left by a cut-off).
    text = re.sub(r"[\[［【]\d{0,2}$", "", text)  # a marker cut off by max_tokens
    text = re.sub(r"[\s,，;；:：、\-—*#>]+$", "", text)
    return text.strip()


def is_cannot_answer(text: str) -> bool:
    """True when the text says the report does not answer the question.

    The phrase itself anywhere counts, and so does a refusal in the first sentence when that
    sentence states no number or is all there is. A real answer may well go on to say
    "报告没有说明原因" after giving the figures: that is not a refusal.
    """
    if not text.strip() or CANNOT_ANSWER.rstrip("。") in text:
        return True
    plain = _MARKER.sub("", text).strip()
    if not re.sub(r"[\s\W_]+", "", plain):  # only markers and punctuation: "[1][2][3]"
        return True
    first, *rest = re.split(r"(?<=[。！？!?\n])", plain, maxsplit=1)
    if not _REFUSAL.search(first):
        return False
    if len(first.strip()) >= len(plain) - 2:  # the refusal is all there is
        return True
    # "报告未说明预算数。决算数68.3万元[1]。": one part refused, the others answered.
    return not _NUMBER.search(first) and not _NUMBER.search("".join(rest))


def citation_for(np: NumberedPassage, max_quote: int = 240) -> Citation:
    """The citation of a numbered passage: its report, section, page and text (cut at a sentence)."""
    chunk = np.passage.chunk
    quote = chunk.text.strip()
    if len(quote) > max_quote:
        cut = max(quote.rfind(p, 0, max_quote) for p in "。；;")
        quote = quote[: cut + 1] if cut > max_quote // 3 else quote[:max_quote] + "……"
    return Citation(n=np.n, report_id=chunk.report_id, section=chunk.section, page=chunk.page, quote=quote,
                    start=chunk.start, end=chunk.end)


def parse_answer(raw: str, passages: list[NumberedPassage]) -> ParsedAnswer:
    """Clean a model's output and map its [n] markers to citations of `passages`.

    Markers are normalised to `[n]` (one per passage, in the order written); a marker whose
    number is not a passage is dropped. An answer that says it cannot answer becomes exactly
    CANNOT_ANSWER, with no numbers and no citations.
    """
    text = cut_loop(clean_text(raw), len(passages))
    if is_cannot_answer(text):
        return ParsedAnswer(CANNOT_ANSWER, [], True)
    by_n = {np.n: np for np in passages}
    cited: list[int] = []

    def replace(match: re.Match) -> str:
        numbers = [int(x) for x in re.split(r"\s*[,，、]\s*", match.group(1))]
        kept = [n for n in dict.fromkeys(numbers) if n in by_n]
        for n in kept:
            if n not in cited:
                cited.append(n)
        return "".join(f"[{n}]" for n in kept)

    text = _tidy_markers(_MARKER.sub(replace, _untable(text)).strip())
    return ParsedAnswer(text, [citation_for(by_n[n]) for n in cited])


def _unfact(text: str) -> str:
    """Fact-table rows a small model copied, rewritten as statements ("公务接待费比上年减少1.05万元[1]。")."""
    text = _FACT_ROW_END.sub(r"\1\n", text)  # one row per line
    text = re.sub(rf"^[ \t]*{re.escape(FACT_HEADER)}[ \t]*\n?", "", text, flags=re.MULTILINE)

    def row(match: re.Match) -> str:
        phrase = fact_phrase(match["metric"].strip(), match["year"], match["role"].strip(), match["value"],
                             match["unit"].strip())
        return f"{phrase}{match['n'] or ''}。"

    return _FACT_ROW.sub(row, text).replace("。\n", "。")


def _untable(text: str) -> str:
    """Figures-table rows a small model copied, rewritten as plain statements ("公务用车3辆[1]。")."""
    if text.count("|") < 2:
        return text
    text = _unfact(text)
    if text.count("|") < 2:
        return text
    text = re.sub(r"(?<=\S)[ \t]*(\[\d{1,2}\][ \t]*[^|\n\[]+\|)", r"\n\1", text)  # one row per line

    def row(match: re.Match) -> str:
        if match.group(0).count("|") < 2:
            return match.group(0)
        if match["name"].strip() in ("编号", "指标"):  # the table's header row
            return ""
        name = match["name"].split("（")[0].strip() or match["name"].strip()
        return f"{name}{match['value'].strip()}{match['n'] or ''}。"

    return _TABLE_ROW.sub(row, text).replace("。\n", "。")


def _tidy_markers(text: str) -> str:
    """Runs of markers made unique (at most three), and markers opening the answer moved to the
    end of its first sentence."""
    def dedupe(match: re.Match) -> str:
        found = list(dict.fromkeys(re.findall(r"\[\d{1,2}\]", match.group(0))))[:3]
        return "".join(found)

    text = _MARKER_RUN.sub(dedupe, text)
    lead = _LEADING_MARKERS.match(text)
    if lead and lead.end() < len(text):
        markers = "".join(dict.fromkeys(re.findall(r"\[\d{1,2}\]", lead.group(0))))
        rest = text[lead.end():]
        end = re.search(r"[。；;！!？?\n]|$", rest)
        first = rest[: end.start()] if end else rest
        if not re.search(r"\[\d{1,2}\]", first):
            rest = first + markers + rest[len(first):]
        text = rest
    return text.strip()


def cite_from_evidence(
    text: str, claims: list[Claim], passages: list[NumberedPassage]
) -> tuple[str, list[Citation]]:
    """Add [n] markers to an answer that has none, from where its supported numbers stand.

    A supported claim's evidence quote is looked up in the passages; the first passage holding
    it is cited at the end of the claim's sentence. Unsupported numbers get no citation.
    """
    inserts: dict[int, list[int]] = {}
    for claim in claims:
        if claim.verdict != "supported" or claim.evidence is None:
            continue
        quote = claim.evidence.quote.strip()
        np = next((p for p in passages if quote and (quote in p.text or p.text in quote)), None)
        if np is None:
            continue
        end = re.search(r"[。；;！!？?\n]|$", text[claim.end:])
        at = claim.end + (end.start() if end else 0)
        if np.n not in inserts.setdefault(at, []):
            inserts[at].append(np.n)
    if not inserts:
        return text, []
    cited: list[int] = []
    out, pos = [], 0
    for at in sorted(inserts):
        out.append(text[pos:at])
        out.append("".join(f"[{n}]" for n in inserts[at]))
        cited += [n for n in inserts[at] if n not in cited]
        pos = at
    out.append(text[pos:])
    by_n = {p.n: p for p in passages}
    return "".join(out), [citation_for(by_n[n]) for n in cited]


# --- findings of `juesuan check` behind an answer's numbers -----------------------------------


@dataclass(frozen=True)
class AnswerFinding:
    """A rule finding on a figure one of the answer's numbers was checked against."""

    numbers: tuple[str, ...]  # the answer's numbers checked against its figures, as written: ("100%",)
    report_id: str
    rule: str
    severity: str  # error, warning, info
    message: str  # the finding's first sentence
    anchor: str  # the id of the finding on the review tab (finding_anchor)


def finding_anchor(report_id: str, finding: Any) -> str:
    """A stable id for a finding of a report: the review tab gives its entry this id and an
    answer links to it."""
    start = next((e.start for e in finding.evidence if e.start is not None), 0)
    return f"finding-{report_id[:12]}-{re.sub(r'[^A-Za-z0-9_-]', '-', finding.rule)}-{start}"


def _one_line(message: str, limit: int = 160) -> str:
    """The first sentence of a finding's message (they can run to several)."""
    first = re.split(r"(?<=[。；])", message.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"


def claim_figures(claim: Claim, figures: list[Figure]) -> list[Figure]:
    """The report figures a supported or contradicted number was checked against: those stated
    in its evidence sentence, of its metric and, when one fits, of its value (the report's value
    for a contradicted number)."""
    if claim.verdict == "unsupported" or claim.evidence is None:
        return []
    ev = claim.evidence
    same = [f for f in figures if f.quote == ev.quote and (not ev.section or f.section == ev.section)]
    if claim.metric:
        same = [f for f in same if f.metric == claim.metric] or same
    shown = claim.expected if claim.verdict == "contradicted" and claim.expected else claim.text
    valued = [f for f in same if re.search(rf"(?<![\d.]){re.escape(f.text)}(?![\d])", shown)]
    return valued or same


def cited_findings(
    claims: list[Claim], figures: list[Figure], check: Callable[[str], Any]
) -> list[AnswerFinding]:
    """The findings whose evidence overlaps a figure behind a supported or contradicted number.

    `check(report_id)` gives a report's check result (`evals.audit.check.CheckResult`: `.findings`,
    each with `.evidence` spans) or None; the caller caches it. Each finding is listed once,
    with the answer's numbers it concerns.
    """
    found: dict[str, AnswerFinding] = {}
    for claim in claims:
        for figure in claim_figures(claim, figures):
            result = check(figure.report_id)
            for finding in getattr(result, "findings", None) or []:
                if not any(e.start is not None and e.end is not None and e.start < figure.end and figure.start < e.end
                           for e in finding.evidence):
                    continue
                anchor = finding_anchor(figure.report_id, finding)
                old = found.get(anchor)
                numbers = (*old.numbers, claim.text) if old and claim.text not in old.numbers else \
                    old.numbers if old else (claim.text,)
                found[anchor] = AnswerFinding(numbers, figure.report_id, finding.rule, finding.severity,
                                              _one_line(finding.message), anchor)
    return list(found.values())
