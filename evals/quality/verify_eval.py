"""How well the number verifier catches wrong numbers and leaves right ones alone.

Over the reference answers of `evals/data/qa_seed.jsonl` (careful, correct answers about the
bundled sample report):

- wrongly flagged: the share of numbers in the unaltered answers whose verdict is not
  `supported` (every number there is right, so each flag is a false alarm);
- caught: each number is altered alone — ±1 in its last digit, ×10, two adjacent digits
  swapped, 万元 written as 元 without scaling — and the share of altered numbers whose verdict
  is not `supported`.

The answers are verified as the chain would verify them: with the passages an answer cites
(here the chunks of the question's `gold_sections`). `--no-passages` verifies against the
figures alone.

    python -m evals.quality.verify_eval            # the table
    python -m evals.quality.verify_eval --details  # every miss and false alarm
    python -m evals.quality.verify_eval --json
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from evals import DATA
from index import SAMPLE_REPORT
from index.models import ParsedReport
from index.parse import parse_file
from rag.models import Claim
from rag.verify import FoundNumber, find_numbers, verify_against_report

SEED_QUESTIONS = DATA / "qa_seed.jsonl"
SAMPLES = SAMPLE_REPORT.parent


def load_questions(path: Path = SEED_QUESTIONS) -> list[dict]:
    """The questions of a JSONL file (see docs/verification.md for the format)."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@lru_cache(maxsize=8)
def load_report(name: str) -> ParsedReport:
    """A report a question is about: a file name under index/samples/ or a path."""
    path = Path(name)
    if not path.is_file():
        path = SAMPLES / name
    return parse_file(path)


def gold_passages(parsed: ParsedReport, sections: list[str]) -> list[str]:
    """The chunks of the gold sections (and their subsections), as an answer would cite them."""
    return [c.text for c in parsed.chunks if any(c.section == s or c.section.startswith(s + " > ") for s in sections)]


# --- alterations -------------------------------------------------------------------------

_CN = "零一二三四五六七八九"


def int_to_chinese(n: int) -> str:
    """0–99 as a Chinese numeral (三, 十二, 八十)."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def _format(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}" if decimals else str(int(value))


def alterations(n: FoundNumber) -> list[tuple[str, str, str]]:
    """(kind, new number text, new unit) for each way of getting the number wrong."""
    out: list[tuple[str, str, str]] = []
    step = Decimal(1).scaleb(-n.decimals)
    if n.chinese:
        v = int(n.value)
        for kind, new in (("+1", v + 1), ("-1", v - 1), ("x10", v * 10)):
            if 0 <= new < 100 and new != v:
                out.append((kind, int_to_chinese(new), n.unit))
        return out
    for kind, new in (("+1", n.value + step), ("-1", n.value - step), ("x10", n.value * 10)):
        if new >= 0 and new != n.value:
            out.append((kind, _format(new, n.decimals), n.unit))
    digits = n.value_text
    positions = [i for i, ch in enumerate(digits) if ch.isdigit()]
    for a, b in reversed(list(pairwise(positions))):
        if digits[a] != digits[b]:
            swapped = list(digits)
            swapped[a], swapped[b] = swapped[b], swapped[a]
            text = "".join(swapped)
            if not (text.startswith("0") and len(text.split(".")[0]) > 1):
                out.append(("swap", text, n.unit))
                break
    if n.unit == "万元" and n.value != 0:  # 0万元 = 0元: not an error
        out.append(("unit", n.value_text, "元"))
    return out


def altered_text(answer: str, n: FoundNumber, new_number: str, new_unit: str) -> str:
    unit_end = n.num_end + (answer[n.num_end: n.end].find(n.unit) + len(n.unit) if n.unit else 0)
    tail = answer[n.num_end: unit_end]
    if n.unit and new_unit != n.unit:
        tail = tail.replace(n.unit, new_unit, 1)
    return answer[: n.num_start] + new_number + tail + answer[unit_end:]


# --- the evaluation ------------------------------------------------------------------------


@dataclass
class Result:
    """Counts over the reference answers (`numbers`, `flagged`) and their alterations."""

    numbers: int = 0
    flagged: int = 0
    altered: int = 0
    caught: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [altered, caught]
    false_alarms: list[dict] = field(default_factory=list)
    misses: list[dict] = field(default_factory=list)

    @property
    def caught_rate(self) -> float:
        return self.caught / self.altered if self.altered else 1.0

    @property
    def flagged_rate(self) -> float:
        return self.flagged / self.numbers if self.numbers else 0.0

    def as_dict(self) -> dict:
        return {
            "numbers": self.numbers, "wrongly_flagged": self.flagged, "wrongly_flagged_rate": round(self.flagged_rate, 4),
            "altered": self.altered, "caught": self.caught, "caught_rate": round(self.caught_rate, 4),
            "by_kind": {k: {"altered": a, "caught": c} for k, (a, c) in sorted(self.by_kind.items())},
            "false_alarms": self.false_alarms, "misses": self.misses,
        }


def _claim_at(claims: list[Claim], n: FoundNumber) -> Claim | None:
    return next((c for c in claims if c.start <= n.num_start < c.end), None)


def evaluate(questions: list[dict] | None = None, use_passages: bool = True) -> Result:
    """Verify every reference answer, then every one-number alteration of it."""
    result = Result()
    for q in questions if questions is not None else load_questions():
        parsed = load_report(q.get("report") or SAMPLE_REPORT.name)
        passages = gold_passages(parsed, q.get("gold_sections", [])) if use_passages else None
        answer = q["reference_answer"]
        claims = verify_against_report(answer, parsed, passages)
        numbers = find_numbers(answer)
        for c in claims:
            result.numbers += 1
            if c.verdict != "supported":
                result.flagged += 1
                result.false_alarms.append({"id": q["id"], "number": c.text, "verdict": c.verdict,
                                            "expected": c.expected, "how": c.how, "answer": answer})
        for n in numbers:
            for kind, new_number, new_unit in alterations(n):
                text = altered_text(answer, n, new_number, new_unit)
                claim = _claim_at(verify_against_report(text, parsed, passages), n)
                counts = result.by_kind.setdefault(kind, [0, 0])
                result.altered += 1
                counts[0] += 1
                if claim is None or claim.verdict != "supported":
                    result.caught += 1
                    counts[1] += 1
                else:
                    result.misses.append({"id": q["id"], "kind": kind, "number": claim.text, "how": claim.how,
                                          "answer": text})
    return result


def table(result: Result, source: str, use_passages: bool = True, details: bool = False) -> str:
    """The printed rates (and, with `details`, every false alarm and miss)."""
    mode = "figures + cited passages (gold sections)" if use_passages else "figures only"
    lines = [f"verifier over {source} ({mode})",
             f"  correct numbers wrongly flagged: {result.flagged}/{result.numbers} = {result.flagged_rate:.1%}",
             f"  altered numbers caught:          {result.caught}/{result.altered} = {result.caught_rate:.1%}"]
    for kind, (altered, caught) in sorted(result.by_kind.items()):
        lines.append(f"    {kind:5s} {caught}/{altered} = {caught / altered:.1%}")
    if details:
        for fa in result.false_alarms:
            lines.append(f"  FLAG {fa['id']} {fa['number']} {fa['verdict']} {fa['expected'] or ''} | {fa['how']}")
        for miss in result.misses:
            lines.append(f"  MISS {miss['id']} {miss['kind']} {miss['number']} | {miss['how']} | {miss['answer']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: verify the reference answers and their alterations, print the rates."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SEED_QUESTIONS)
    parser.add_argument("--no-passages", action="store_true", help="verify against the figures alone")
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = evaluate(load_questions(args.data), use_passages=not args.no_passages)
    if args.json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n")
        return 0
    print(table(result, args.data.name, not args.no_passages, args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
