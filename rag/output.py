"""Cleaning what a model wrote into an answer with citations: one function, tested by a table.

Small local models wrap answers in code fences or JSON, leave <think> blocks, chat-template
tokens and a following fake turn ("用户：…"), and cite passages that do not exist.
`parse_answer` undoes all of that, maps the [n] markers to `Citation`s of the numbered
passages, drops markers that point at no passage, and turns any "I cannot answer" into the
one phrase `CANNOT_ANSWER` with no numbers and no citations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from rag.context import NumberedPassage
from rag.models import CANNOT_ANSWER, Citation, Claim

__all__ = ["ParsedAnswer", "citation_for", "cite_from_evidence", "clean_text", "is_cannot_answer", "parse_answer"]

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
    first = re.split(r"(?<=[。！？!?\n])", plain, maxsplit=1)[0]
    if not _REFUSAL.search(first):
        return False
    return not _NUMBER.search(first) or len(first.strip()) >= len(plain) - 2


def citation_for(np: NumberedPassage, max_quote: int = 240) -> Citation:
    """The citation of a numbered passage: its report, section, page and text (cut at a sentence)."""
    chunk = np.passage.chunk
    quote = chunk.text.strip()
    if len(quote) > max_quote:
        cut = max(quote.rfind(p, 0, max_quote) for p in "。；;")
        quote = quote[: cut + 1] if cut > max_quote // 3 else quote[:max_quote] + "……"
    return Citation(n=np.n, report_id=chunk.report_id, section=chunk.section, page=chunk.page, quote=quote)


def parse_answer(raw: str, passages: list[NumberedPassage]) -> ParsedAnswer:
    """Clean a model's output and map its [n] markers to citations of `passages`.

    Markers are normalised to `[n]` (one per passage, in the order written); a marker whose
    number is not a passage is dropped. An answer that says it cannot answer becomes exactly
    CANNOT_ANSWER, with no numbers and no citations.
    """
    text = clean_text(raw)
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


def _untable(text: str) -> str:
    """Figures-table rows a small model copied, rewritten as plain statements ("公务用车3辆[1]。")."""
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
