"""The real corpus and its hand audits: what a careful auditor found in reports nobody here wrote.

`evals/data/corpus/reports/NNN.txt` are 65 real published texts (see the README beside them);
`evals/data/corpus/audits/NNN.toml` is one hand audit per document: the relations that hold,
the real inconsistencies, and what must not be flagged, each naming the printed numbers it
compares. A number is named by an *anchor*: a piece of the document's text with the number in
square brackets, "公务接待费支出决算为[26.4]万元", which must occur exactly once in the text
(with the brackets removed), so that the number's character span is known. An empty bracket
marks a gap where a number should stand ("占[] %").

    python -m evals.quality.real_corpus validate [NNN ...]   # every anchor resolves, once
    python -m evals.quality.real_corpus show NNN             # the audit next to the text
    python -m evals.quality.real_corpus score [--json]       # `juesuan check` against every audit

The tests (tests/evals/test_real_corpus.py) hold `juesuan check` to every audit, and
`evals.quality.real_mutation` moves each number of a relation that holds and expects an error naming it.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from evals import DATA
from evals.audit.findings import Finding

CORPUS = DATA / "corpus"
REPORTS = CORPUS / "reports"
AUDITS = CORPUS / "audits"

Family = Literal[
    "sums", "shares", "yoy", "completion", "counts", "repeated", "hygiene", "performance", "nine_tables"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Holds(_Strict):
    """A relation the auditor checked and found consistent (within display rounding)."""

    family: Family
    relation: str = Field(description="the relation in words, with the printed numbers")
    numbers: list[str] = Field(
        min_length=1, description="an anchor for every printed number it ties (two or more, except a "
        "count against the items it lists)"
    )
    note: str = ""

    @field_validator("numbers")
    @classmethod
    def _enough(cls, value: list[str], info) -> list[str]:
        if len(value) < 2 and info.data.get("family") != "counts":
            raise ValueError("a relation that holds ties two or more printed numbers")
        return value


class Inconsistency(_Strict):
    """A real inconsistency of the published text: `check` must report it."""

    family: Family = Field(description="the family whose rule should report it")
    also: list[Family] = Field(default_factory=list, description="other families that may report it")
    severity: Literal["error", "warning"] = "error"
    relation: str
    numbers: list[str] = Field(min_length=1, description="an anchor for every number it compares")
    note: str = ""


class NotFlagged(_Strict):
    """Something that looks like an error to a naive rule and is not one."""

    what: str
    numbers: list[str] = Field(min_length=1)


class Audit(_Strict):
    """One document's hand audit."""

    doc: str = Field(pattern=r"^\d{3}$")
    department: str
    year: int | None = None
    summary: str
    states_numbers: bool = Field(
        default=True, description="False when the text states no figure at all (a table of contents)"
    )
    holds: list[Holds] = Field(default_factory=list)
    inconsistencies: list[Inconsistency] = Field(default_factory=list)
    not_flagged: list[NotFlagged] = Field(default_factory=list)

    @field_validator("doc")
    @classmethod
    def _exists(cls, value: str) -> str:
        if not (REPORTS / f"{value}.txt").is_file():
            raise ValueError(f"no corpus document {value}")
        return value


@dataclass(frozen=True)
class Span:
    """Where an anchored number stands in the document's text."""

    anchor: str
    start: int
    end: int
    text: str  # the number as printed ('' for a gap)


class AnchorError(ValueError):
    """An anchor that does not name exactly one place of the text."""


def resolve(text: str, anchor: str) -> Span:
    """The span of the bracketed number of `anchor` in `text` (AnchorError unless exactly once)."""
    if anchor.count("[") != 1 or anchor.count("]") != 1 or anchor.index("[") > anchor.index("]"):
        raise AnchorError(f"anchor needs exactly one [number]: {anchor!r}")
    before, rest = anchor.split("[", 1)
    number, after = rest.split("]", 1)
    plain = before + number + after
    first = text.find(plain)
    if first < 0:
        raise AnchorError(f"anchor not in the text: {anchor!r}")
    if text.find(plain, first + 1) >= 0:
        raise AnchorError(f"anchor occurs more than once (add context): {anchor!r}")
    start = first + len(before)
    return Span(anchor, start, start + len(number), number)


def document(doc: str) -> str:
    """The text of corpus document `doc` ('001'), exactly as stored."""
    return (REPORTS / f"{doc}.txt").read_text(encoding="utf-8")


def documents() -> list[str]:
    """Every corpus document id, in order."""
    return sorted(p.stem for p in REPORTS.glob("*.txt"))


@cache
def load_audit(doc: str) -> Audit:
    """The hand audit of one document."""
    path = AUDITS / f"{doc}.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    audit = Audit.model_validate(data)
    if audit.doc != doc:
        raise ValueError(f"{path.name}: doc = {audit.doc!r}")
    return audit


def audited() -> list[str]:
    """Ids of the documents that have an audit."""
    return sorted(p.stem for p in AUDITS.glob("*.toml"))


def spans(doc: str, anchors: list[str]) -> list[Span]:
    """Resolve a list of anchors of one document."""
    text = document(doc)
    return [resolve(text, a) for a in anchors]


def validate(doc: str) -> list[str]:
    """Problems of one audit (empty when every anchor resolves once and the file loads)."""
    try:
        audit = load_audit(doc)
    except Exception as exc:  # noqa: BLE001 - report any load error as a problem line
        return [f"{doc}: {exc}"]
    text = document(doc)
    problems: list[str] = []
    groups: list[tuple[str, list[Holds] | list[Inconsistency] | list[NotFlagged]]] = [
        ("holds", audit.holds), ("inconsistencies", audit.inconsistencies), ("not_flagged", audit.not_flagged)]
    for name, items in groups:
        for i, item in enumerate(items):
            for anchor in item.numbers:
                try:
                    resolve(text, anchor)
                except AnchorError as exc:
                    problems.append(f"{doc} {name}[{i}]: {exc}")
    return problems


# --- `juesuan check` against the audits ----------------------------------------------------------

SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


def _touches(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two spans overlap; a zero-length span (a gap) touches a span that reaches it."""
    if a[0] == a[1] or b[0] == b[1]:
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def finding_spans(finding: Finding) -> list[tuple[int, int]]:
    """The character spans a finding's evidence points at."""
    return [(e.start, e.end) for e in finding.evidence if e.start is not None and e.end is not None]


def matches(finding: Finding, item: Inconsistency, item_spans: list[Span]) -> bool:
    """Whether a finding reports this inconsistency: a family the audit accepts, and evidence that
    points at one of the numbers the inconsistency compares."""
    if finding.family not in (item.family, *item.also):
        return False
    wanted = [(s.start, s.end) for s in item_spans]
    return any(_touches(f, w) for f in finding_spans(finding) for w in wanted)


@dataclass
class DocScore:
    """How `check` did on one audited document."""

    doc: str
    found: list[tuple[Inconsistency, Finding | None]]  # each inconsistency and the finding that reports it
    false_alarms: list[Finding]  # error/warning findings no inconsistency explains
    repeats: list[tuple[Inconsistency, int]]  # inconsistencies reported by more than one finding
    figures: int


def hold_against(doc: str, text: str, findings: list[Finding], expected: list[Inconsistency],
                 figures: int = 0) -> DocScore:
    """Hold one report's findings against the inconsistencies an auditor expects in it (each
    numbering its printed numbers by anchors into `text`, the report's text as parsed)."""
    serious = [f for f in findings if f.severity in ("error", "warning")]
    found: list[tuple[Inconsistency, Finding | None]] = []
    repeats: list[tuple[Inconsistency, int]] = []
    explained: set[int] = set()
    for item in expected:
        item_spans = [resolve(text, a) for a in item.numbers]
        hits = [f for f in serious if matches(f, item, item_spans)]
        explained.update(id(f) for f in hits)
        good = [f for f in hits if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[item.severity]]
        found.append((item, good[0] if good else None))
        if len(hits) > 1:
            repeats.append((item, len(hits)))
    false_alarms = [f for f in serious if id(f) not in explained]
    return DocScore(doc, found, false_alarms, repeats, figures)


def score_document(doc: str) -> DocScore:
    """Parse and check one corpus document and hold the result against its audit."""
    from evals.audit.check import run_rules
    from index.parse import parse_file

    audit = load_audit(doc)
    parsed = parse_file(REPORTS / f"{doc}.txt")
    result = run_rules(parsed, path=doc)
    return hold_against(doc, document(doc), result.findings, audit.inconsistencies, len(parsed.figures))


@dataclass
class CorpusScore:
    """`check` against a set of audited reports: recall per family, false alarms, repeats."""

    documents: list[DocScore]

    @property
    def recall(self) -> dict[str, tuple[int, int]]:
        """family -> (found at its severity, expected)."""
        out: dict[str, list[int]] = {}
        for doc in self.documents:
            for item, finding in doc.found:
                counts = out.setdefault(item.family, [0, 0])
                counts[1] += 1
                counts[0] += finding is not None
        return {family: (hit, total) for family, (hit, total) in sorted(out.items())}

    @property
    def expected(self) -> int:
        return sum(total for _, total in self.recall.values())

    @property
    def found(self) -> int:
        return sum(hit for hit, _ in self.recall.values())

    def false_alarms(self, severity: str | None = None) -> list[tuple[str, Finding]]:
        """(document, finding) of every error/warning finding no inconsistency explains (of one
        severity when given)."""
        return [(d.doc, f) for d in self.documents for f in d.false_alarms if severity in (None, f.severity)]

    @property
    def repeats(self) -> list[tuple[str, Inconsistency, int]]:
        return [(d.doc, item, n) for d in self.documents for item, n in d.repeats]


def score(docs: list[str]) -> CorpusScore:
    """Hold `check` against the audits of these corpus documents."""
    return CorpusScore([score_document(doc) for doc in docs])


def _show(doc: str) -> None:
    text = document(doc)
    audit = load_audit(doc)
    print(f"# {doc} {audit.department} {audit.year}: {audit.summary}")
    for name in ("holds", "inconsistencies", "not_flagged"):
        for item in getattr(audit, name):
            label = getattr(item, "relation", None) or getattr(item, "what", "")
            print(f"[{name}] {getattr(item, 'family', '')} {label}")
            for anchor in item.numbers:
                span = resolve(text, anchor)
                print(f"    {span.start:5d}-{span.end:<5d} {span.text!r:12} {anchor}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.quality.real_corpus", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="every anchor of the audits resolves exactly once")
    check.add_argument("docs", nargs="*")
    show = sub.add_parser("show", help="print an audit with its resolved numbers")
    show.add_argument("doc")
    score = sub.add_parser("score", help="hold `juesuan check` against every audit")
    score.add_argument("docs", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "show":
        _show(args.doc)
        return 0
    if args.command == "score":
        return _score(args.docs or audited())
    problems = [p for doc in (args.docs or audited()) for p in validate(doc)]
    for problem in problems:
        print(problem)
    print(f"{len(args.docs or audited())} audits, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


def _score(docs: list[str]) -> int:
    """Print recall per family and every false alarm; exit 1 unless check agrees with every audit."""
    result = score(docs)
    for doc in result.documents:
        for item, finding in doc.found:
            if finding is None:
                print(f"{doc.doc} MISSED {item.family}/{item.severity}: {item.relation}")
        for finding in doc.false_alarms:
            print(f"{doc.doc} FALSE {finding.severity} {finding.rule}: {finding.message}")
        for item, n in doc.repeats:
            print(f"{doc.doc} REPEATED x{n} {item.family}: {item.relation}")
    for family, (hit, total) in result.recall.items():
        print(f"recall {family}: {hit}/{total}")
    print(f"false error/warning findings: {len(result.false_alarms())}; "
          f"inconsistencies reported more than once: {len(result.repeats)}")
    missed = result.expected - result.found
    return 1 if missed or result.false_alarms() or result.repeats else 0


if __name__ == "__main__":
    raise SystemExit(main())
