"""Decoding that cannot loop: a token budget per question part, and a stop on repeats.

Small models fall into loops: the same sentence again and again until the token limit, runs
of made-up citations ("[100] [101] [102] …"), or one phrase repeated with no end. Three
defences, the same for every provider:

- the backend's own repeat penalty where it has one (`REPEAT_PENALTY` for llama.cpp and
  ollama, `FREQUENCY_PENALTY` for OpenAI-compatible servers; rag.providers sets them);
- a token budget that grows with the number of parts the question asks (`token_budget`),
  never above the configured `max_tokens`;
- `guard_stream`, which watches the text as it streams and stops the model at the first
  loop `find_loop` sees. `cut_loop` cuts a finished text the same way; `rag.output.parse_answer`
  calls it, so a loop is cut in one place whether the text was streamed or not.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

__all__ = [
    "BASE_TOKENS",
    "FREQUENCY_PENALTY",
    "REPEAT_PENALTY",
    "TOKENS_PER_PART",
    "Loop",
    "cut_loop",
    "find_loop",
    "guard_stream",
    "token_budget",
]

log = logging.getLogger(__name__)

# llama.cpp / ollama divide the logits of the last 64 tokens by this. Mild: digits are single
# tokens in Qwen's vocabulary, and a penalty on them can change a copied number. On the real
# question set (dev) the bundled model had 6 contradicted numbers at 1.1, 2 at 1.05, 4 at 1.0.
REPEAT_PENALTY = 1.05
# OpenAI-compatible servers subtract this per earlier occurrence of a token in the output.
FREQUENCY_PENALTY = 0.2
# One sentence per asked part: an amount with its change and rate is ~40 tokens, a reason
# copied from the report ~60.
BASE_TOKENS = 48
TOKENS_PER_PART = 72

_MARKER = r"[\[［【]\s*(\d{1,3})\s*[\]］】]"
_MARKER_RUN = re.compile(rf"(?:{_MARKER}[\s,，、;；]*){{3,}}")
_ONE_MARKER = re.compile(_MARKER)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_CLAUSE_END = re.compile(r"[，,、：:。！？!?；;\n]")
_NOT_TEXT = re.compile(r"[\s\W_]+")
MIN_SENTENCE = 4  # shorter "sentences" ("[1]。", "是。") may repeat without being a loop
MIN_CLAUSE = 6
CLAUSE_REPEATS = 3  # "完成预算的100%" may well stand twice in a good answer; three times it is a loop
MAX_PERIOD = 60
MIN_PERIODIC_CHARS = 24


@dataclass(frozen=True)
class Loop:
    """Where a text starts to loop (everything from `start` on is dropped) and why."""

    start: int
    reason: str


def token_budget(parts: int, ceiling: int) -> int:
    """The most tokens an answer to a question of `parts` parts may take (at most `ceiling`)."""
    return max(16, min(ceiling, BASE_TOKENS + TOKENS_PER_PART * max(1, parts)))


def _key(text: str) -> str:
    """A sentence without its markers, spaces and punctuation: what a repeat has in common."""
    return _NOT_TEXT.sub("", _ONE_MARKER.sub("", text))


def _citation_run(text: str, n_passages: int | None) -> Loop | None:
    """The text ends in a run of markers: four or more, or three with one that is no passage —
    "[100] [101] [102]". The first two valid, distinct markers are kept. (A run followed by more
    text is no runaway: the clean-up keeps its distinct markers.)"""
    run = next((m for m in _MARKER_RUN.finditer(text) if not text[m.end():].strip()), None)
    if run is not None:
        markers = list(_ONE_MARKER.finditer(run.group(0)))
        numbers = [int(m.group(1)) for m in markers]
        invalid = n_passages is not None and any(n < 1 or n > n_passages for n in numbers)
        if len(markers) < 4 and not invalid:
            return None
        kept: list[int] = []
        end = run.start()
        for m, n in zip(markers, numbers):
            if len(kept) == 2 or n in kept or (n_passages is not None and not 1 <= n <= n_passages):
                break
            kept.append(n)
            end = run.start() + m.end()
        return Loop(end, "citation run")
    return None


def _pieces(text: str, ends: re.Pattern[str]) -> Iterator[tuple[int, str]]:
    """(start, text) of each piece that is complete (its end mark written)."""
    start = 0
    for m in ends.finditer(text):
        yield start, text[start:m.end()]
        start = m.end()


def _repeated_sentence(text: str) -> Loop | None:
    """A whole sentence written a second time (markers and punctuation aside)."""
    seen: set[str] = set()
    for start, sentence in _pieces(text, _SENTENCE_END):
        key = _key(sentence)
        if len(key) < MIN_SENTENCE:
            continue
        if key in seen:
            return Loop(start + len(sentence) - len(sentence.lstrip()), "repeated sentence")
        seen.add(key)
    return None


def _repeated_clause(text: str) -> Loop | None:
    """A clause written a third time: loops that never end a sentence ("减少9.6万元，减少9.6万元，…")."""
    counts: dict[str, int] = {}
    for start, clause in _pieces(text, _CLAUSE_END):
        key = _key(clause)
        if len(key) < MIN_CLAUSE:
            continue
        counts[key] = counts.get(key, 0) + 1
        if counts[key] == CLAUSE_REPEATS:
            return Loop(start + len(clause) - len(clause.lstrip()), "repeated clause")
    return None


def _periodic_tail(text: str) -> Loop | None:
    """The text ends in one unit repeated three times or more ("公务接待费公务接待费公务接待费…",
    "1.1.1.1.…"); one copy of the unit is kept."""
    length = len(text)
    for period in range(1, min(MAX_PERIOD, length // 3) + 1):
        unit = text[length - period:]
        repeats, pos = 1, length - period
        while pos >= period and text[pos - period:pos] == unit:
            repeats += 1
            pos -= period
        if repeats >= 3 and repeats * period >= MIN_PERIODIC_CHARS and _key(unit):
            return Loop(pos + period, "repeated phrase")
    return None


def find_loop(text: str, n_passages: int | None = None) -> Loop | None:
    """The earliest place the text starts looping, or None.

    A loop is a sentence written again, a clause written a third time, a unit repeated at the
    end, or a run of citation markers (three or more with a repeat or a number that is no
    passage — `n_passages` when known — or four or more).
    """
    found = [loop for loop in (_citation_run(text, n_passages), _repeated_sentence(text),
                               _repeated_clause(text), _periodic_tail(text)) if loop is not None]
    return min(found, key=lambda loop: loop.start) if found else None


def cut_loop(text: str, n_passages: int | None = None) -> str:
    """The text up to where it starts looping (all of it when it does not loop)."""
    loop = find_loop(text, n_passages)
    return text if loop is None else text[:loop.start].rstrip()


def guard_stream(deltas: Iterable[str], n_passages: int | None = None) -> Iterator[str]:
    """The model's text until it starts looping; then the model is stopped.

    Text is passed on a clause at a time (up to the last punctuation written), so nothing of a
    loop gets out before it is recognised: the pieces joined are the text before the loop.
    Closing the model's stream (when it has a `close`) ends generation at once: llama.cpp stops
    decoding, an HTTP stream is dropped.
    """
    source = iter(deltas)
    text, sent = "", 0
    try:
        for delta in source:
            if not delta:
                continue
            text += delta
            loop = find_loop(text, n_passages)
            if loop is not None:
                log.info("loop guard: %s at character %d; the model is stopped", loop.reason, loop.start)
                if loop.start > sent:
                    yield text[sent:loop.start]
                return
            safe = max((m.end() for m in _CLAUSE_END.finditer(text, sent)), default=sent)
            if safe > sent:
                yield text[sent:safe]
                sent = safe
        if len(text) > sent:
            yield text[sent:]
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
