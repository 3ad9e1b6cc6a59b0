"""Every error and warning quotes the numbers it compares, and says what was printed.

Over the real corpus, the bundled sample, the real PDFs (when ../shared/samples is present) and
the corpus with one number moved per relation (so that the arithmetic rules fire): each piece of
evidence points at a number that stands in its own quote, and a finding's `actual` is a value
as the report prints it — the digits of one of the numbers it quotes — never a recomputation.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from evals.audit.check import run_rules
from evals.audit.findings import Finding
from evals.quality.real_corpus import REPORTS, audited, document, documents, load_audit, resolve
from evals.quality.real_mutation import perturb
from index.models import ParsedReport
from index.parse import parse_file
from tests.conftest import SAMPLES, SEED

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def _reports() -> Iterator[ParsedReport]:
    for doc in documents():
        yield parse_file(REPORTS / f"{doc}.txt")
    yield parse_file(SEED)
    if SAMPLES.is_dir():
        for pdf in sorted(SAMPLES.glob("*.pdf")):
            yield parse_file(pdf)
    with tempfile.TemporaryDirectory() as folder:
        for doc in audited():
            text = document(doc)
            for relation in load_audit(doc).holds[:4]:
                span = resolve(text, relation.numbers[0])
                moved = perturb(span.text)
                if moved:
                    path = Path(folder) / f"{doc}.txt"
                    path.write_text(text[: span.start] + moved + text[span.end:], encoding="utf-8")
                    yield parse_file(path)


def _problems(parsed: ParsedReport, finding: Finding) -> list[str]:
    text = parsed.report.text
    problems = []
    quoted = []
    for evidence in finding.evidence:
        if evidence.start is None or evidence.end is None or evidence.end == evidence.start:
            continue
        printed = text[evidence.start: evidence.end]
        quoted.append(printed.replace(",", "").lstrip("-"))
        if printed.replace(",", "") not in evidence.quote.replace(",", ""):
            problems.append(f"{printed!r} is not in its quote {evidence.quote[:40]!r}")
    actual = finding.actual.replace("万元", "").replace("%", "").replace(",", "")
    if _NUMBER.fullmatch(actual) and actual.lstrip("-") not in quoted:
        problems.append(f"actual {finding.actual} is not a printed number of {quoted}")
    return problems


def test_findings_quote_every_number_they_compare() -> None:
    checked, bad = 0, []
    for parsed in _reports():
        for finding in run_rules(parsed).findings:
            if finding.severity == "info":
                continue
            checked += 1
            bad.extend(f"{parsed.report.source_name} {finding.rule}: {p}" for p in _problems(parsed, finding))
    assert checked >= 100  # the arithmetic rules did fire on the moved numbers
    assert bad == []
