"""The verifier on real answers: hand labels against today's verdicts.

`evals/data/verdicts_real.jsonl` labels every number of the bundled model's answers to the real
question set (`evals/data/model_answers_real.jsonl`: dev; `…_heldout.jsonl`: heldout) by hand,
from the question and the report text, without looking at the verifier's verdicts:

- `right`: the report states it (or implies it within display rounding) for what the sentence
  says it is — same metric, year and role;
- `wrong`: it is not (`kind`: wrong_metric, wrong_role, wrong_year, wrong_value, invented, other);
- `not_a_claim`: a numeral inside a name or a reference (八项规定, 十四五, a year, a date).

Each answer (the text before its 核对 line, which the tool adds) is verified again here with
`rag.verify.verify_against_report` — the function `juesuan verify` and `ask` share — against
its report parsed as ingest parses it, so the rates are those of the verifier as it is now:

- wrong numbers caught: shown ✗ (contradicted) or ? (unsupported), not ✓; a wrong number the
  verifier did not take as a claim at all is a miss;
- right numbers flagged: shown ✗ or ?; the stricter line counts ✗ alone;
- names taken for claims: `not_a_claim` numerals the verifier checked.

    python -m evals.quality.verify_real              # both splits
    python -m evals.quality.verify_real --details    # every miss and every flag, with its label
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from evals import DATA
from evals.quality.qa_items import CORPUS_REPORTS
from index.models import ParsedReport
from index.parse import parse_file
from index.settings import Settings
from rag.marks import CORRECTIONS_PREFIX
from rag.models import Claim
from rag.verify import verify_against_report

__all__ = ["ANSWERS", "LABELS", "Outcome", "Rates", "evaluate", "main"]

LABELS = DATA / "verdicts_real.jsonl"
ANSWERS = {"dev": DATA / "model_answers_real.jsonl", "heldout": DATA / "model_answers_real_heldout.jsonl"}


@dataclass
class Outcome:
    """One labelled number and the verdict it gets now."""

    id: str
    split: str
    text: str
    label: str
    kind: str
    verdict: str | None  # None: the verifier did not take it as a claim
    expected: str | None
    report_says: str
    note: str


@dataclass
class Rates:
    """The counts of one split."""

    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, label: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.label == label]

    @property
    def wrong(self) -> list[Outcome]:
        return self._of("wrong")

    @property
    def right(self) -> list[Outcome]:
        return self._of("right")

    @property
    def caught(self) -> list[Outcome]:
        return [o for o in self.wrong if o.verdict in ("contradicted", "unsupported")]

    @property
    def flagged(self) -> list[Outcome]:
        return [o for o in self.right if o.verdict != "supported"]

    @property
    def contradicted_right(self) -> list[Outcome]:
        return [o for o in self.right if o.verdict == "contradicted"]

    @property
    def names_checked(self) -> list[Outcome]:
        return [o for o in self._of("not_a_claim") if o.verdict is not None]


def _body(answer: str) -> str:
    return answer.split(f"\n{CORRECTIONS_PREFIX}")[0]


def _claim_for(claims: list[Claim], start: int, end: int) -> Claim | None:
    """The claim whose span holds the labelled digits."""
    return next((c for c in claims if c.start <= start and end <= c.end), None)


def evaluate(labels_path: Path = LABELS, answers: dict[str, Path] = ANSWERS) -> dict[str, Rates]:
    """Each split's labelled numbers with today's verdicts. A label whose answer text changed
    (its sha256 differs) is an error: label the new answer again."""
    settings = Settings()
    rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    answered: dict[tuple[str, str], dict] = {}
    for split, path in answers.items():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                answered[(split, item["id"])] = item
    parsed: dict[str, ParsedReport] = {}
    verdicts: dict[tuple[str, str], list[Claim]] = {}
    rates: dict[str, Rates] = {}
    for row in rows:
        key = (row["split"], row["id"])
        item = answered.get(key)
        if item is None:
            raise ValueError(f"{labels_path.name}: no answer {row['id']} in the {row['split']} answers")
        answer = item["answer"]
        if hashlib.sha256(answer.encode("utf-8")).hexdigest() != row["answer_sha"]:
            raise ValueError(f"{labels_path.name}: answer {row['id']} ({row['split']}) changed since it was labelled")
        if key not in verdicts:
            report = item["report"]
            if report not in parsed:
                parsed[report] = parse_file(CORPUS_REPORTS / report, settings.max_upload_bytes, settings.chunk_chars)
            verdicts[key] = verify_against_report(_body(answer), parsed[report])
        claim = _claim_for(verdicts[key], row["start"], row["end"])
        rates.setdefault(row["split"], Rates()).outcomes.append(Outcome(
            id=row["id"], split=row["split"], text=row["text"], label=row["label"], kind=row.get("kind") or "",
            verdict=claim.verdict if claim else None, expected=claim.expected if claim else None,
            report_says=row.get("report_says") or "", note=row.get("note") or "",
        ))
    return rates


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.2f} ({part}/{whole})" if whole else "—"


def table(rates: dict[str, Rates]) -> str:
    """The rates of each split and of both."""
    header = ("split | numbers labelled | wrong caught | wrong-metric caught | wrong shown ✓ or unchecked | "
              "right flagged (✗ or ?) | right shown ✗ | names taken for claims")
    lines = [header]
    everything = Rates([o for r in rates.values() for o in r.outcomes])
    for name, r in [*sorted(rates.items()), ("both", everything)]:
        metric = [o for o in r.wrong if o.kind == "wrong_metric"]
        lines.append(" | ".join([
            name, str(len(r.outcomes)), _share(len(r.caught), len(r.wrong)),
            _share(sum(o in r.caught for o in metric), len(metric)),
            str(len(r.wrong) - len(r.caught)), _share(len(r.flagged), len(r.right)),
            _share(len(r.contradicted_right), len(r.right)),
            _share(len(r.names_checked), len(r._of("not_a_claim"))),
        ]))
    kinds = Counter(o.kind for o in everything.wrong)
    lines.append("wrong numbers by kind: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    return "\n".join(lines)


def details(rates: dict[str, Rates]) -> str:
    """Every wrong number not caught, every right number flagged, every name checked."""
    lines = []
    for r in rates.values():
        for title, group in (("missed", [o for o in r.wrong if o not in r.caught]), ("flagged", r.flagged),
                             ("name checked", r.names_checked)):
            for o in group:
                lines.append(f"{title:<12} {o.split:<7} {o.id:<8} {o.text:<14} verdict={o.verdict} "
                             f"expected={o.expected} · {o.kind or o.label}: {o.report_says} · {o.note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the catch and false-flag rates."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--details", action="store_true", help="list every miss, flag and name checked")
    args = parser.parse_args(argv)
    rates = evaluate()
    print(table(rates))
    if args.details:
        print(details(rates))


if __name__ == "__main__":
    main()
