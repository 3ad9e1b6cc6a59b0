"""Mutation testing on real text: break each relation the hand audits say holds, one printed
number at a time, and expect `juesuan check` to report an error naming that number.

For every `holds` relation of every audit (evals/data/corpus/audits/), each number it ties is
moved beyond display rounding by changing its leading digit (+1, or −1 for a 9; a zero becomes
a one: "0.00" → "1.00", "26.4" → "36.4", "9.6" → "8.6"; when the leading digit is the last one
printed, the digit before it: "0.06" → "0.16"; a one-digit number moves by five: "5" → "0"),
which keeps the text's length, so every other
span stays where it was. The edited document is parsed and checked again; the mutation is
*detected* when a new `error` finding's evidence points at the edited number. A change of the
leading digit moves a value by at least a tenth of itself and at least one unit of its last
digit, beyond any rounding slack of the relations these reports state.

    python -m evals.quality.real_mutation [--json] [NNN ...]

Recall is reported per rule family of the relation (sums, shares, yoy, completion, counts,
repeated); the synthetic generator's mutation run (`evals.quality.mutation`) is separate and is not
evidence that the rules hold on real wording.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

from evals.quality.real_corpus import Span, _touches, audited, document, finding_spans, load_audit, resolve

_DIGIT = re.compile(r"[0-9０-９]")


def perturb(number: str) -> str | None:
    """The printed number with its leading non-zero digit moved by one (+1, or −1 for a 9; a
    zero becomes a one); when that digit is the last one printed ("0.06", "0.9") the digit
    before it moves instead ("0.16", "1.9"), so that the change is never a single unit of the
    last digit, which display rounding might explain. Same length as the input; None without
    a digit."""
    digits = [i for i, ch in enumerate(number) if _DIGIT.match(ch)]
    if not digits:
        return None
    if len(digits) == 1:
        # "0", "5万元", "1人": one unit of a one-digit number is inside the slack of a sum of
        # whole numbers (35 = 0 + 5 + 30 holds for 1 + 5 + 30): move it by five.
        i = digits[0]
        return number[:i] + str((_value(number[i]) + 5) % 10) + number[i + 1:]
    lead = next((i for i in digits if number[i] not in "0０"), None)
    if lead is None:
        return _bump(number, digits[0])
    if lead == digits[-1] and len(digits) > 1:
        return _bump(number, digits[digits.index(lead) - 1])
    return _bump(number, lead)


def _value(ch: str) -> int:
    return int(ch) if ch.isascii() else ord(ch) - ord("０")


def _bump(number: str, i: int) -> str:
    value = _value(number[i])
    new = value - 1 if value == 9 else value + 1
    return number[:i] + str(new) + number[i + 1:]


@dataclass
class Mutation:
    """One edited number and what `check` said about it."""

    doc: str
    family: str
    relation: str
    start: int
    before: str
    after: str
    detected: bool
    rules: list[str]


def _check_text(text: str, name: str):
    from evals.audit.check import run_rules
    from index.parse import parse_file

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        return run_rules(parse_file(path), path=name)


def mutate_document(doc: str) -> list[Mutation]:
    """Every mutation of one audited document's holding relations."""
    audit = load_audit(doc)
    text = document(doc)
    out: list[Mutation] = []
    done: dict[tuple[int, int], tuple[bool, list[str], str]] = {}
    for relation in audit.holds:
        for anchor in relation.numbers:
            span: Span = resolve(text, anchor)
            after = perturb(span.text)
            if after is None:
                continue
            key = (span.start, span.end)
            if key not in done:
                edited = text[: span.start] + after + text[span.end :]
                result = _check_text(edited, f"{doc}.txt")
                hits = [
                    f for f in result.findings
                    if f.severity == "error" and any(_touches(s, key) for s in finding_spans(f))
                ]
                done[key] = (bool(hits), sorted({f.rule for f in hits}), after)
            detected, rules, after_text = done[key]
            out.append(Mutation(doc, relation.family, relation.relation, span.start, span.text, after_text,
                                detected, rules))
    return out


def run(docs: list[str]) -> list[Mutation]:
    """Mutations of all the given documents."""
    return [m for doc in docs for m in mutate_document(doc)]


def recall(mutations: list[Mutation]) -> dict[str, tuple[int, int]]:
    """family -> (detected, total)."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for m in mutations:
        out[m.family][1] += 1
        out[m.family][0] += m.detected
    return {family: (hit, total) for family, (hit, total) in sorted(out.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.quality.real_mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", nargs="*")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--missed", action="store_true", help="list every undetected mutation")
    args = parser.parse_args(argv)
    mutations = run(args.docs or audited())
    table = recall(mutations)
    if args.json:
        print(json.dumps({"recall": table, "mutations": [asdict(m) for m in mutations]}, ensure_ascii=False))
        return 0
    if args.missed:
        for m in mutations:
            if not m.detected:
                print(f"{m.doc} {m.family} {m.before}->{m.after} @{m.start}: {m.relation[:90]}")
    hit = sum(h for h, _ in table.values())
    total = sum(t for _, t in table.values())
    for family, (h, t) in table.items():
        print(f"{family:12} {h:4}/{t:<4} {100 * h / t:5.1f}%")
    print(f"{'all':12} {hit:4}/{total:<4} {100 * hit / max(total, 1):5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
