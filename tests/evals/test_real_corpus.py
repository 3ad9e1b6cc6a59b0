"""`juesuan check` on real published reports, held to the hand audits of evals/data/corpus/.

Each corpus document has an audit written from the text with a calculator (AUDITING.md beside
the audits): the relations that hold, the real inconsistencies, and the traps. Here every real
inconsistency must be reported at its severity, nothing else may be reported as an error or a
warning, one inconsistency is one finding, every document parses and checks without a rule
crashing, and every relation that holds is broken by moving one of its numbers (the mutation
run on real text) and found again: at least 95% per family.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import pytest

from evals.audit.check import run_rules
from evals.quality.real_corpus import REPORTS, audited, documents, load_audit, score_document, validate
from evals.quality.real_mutation import Mutation, perturb, recall, run
from index.parse import parse_file

AUDITED = audited()


def test_every_corpus_document_has_a_valid_audit() -> None:
    assert len(AUDITED) >= 50
    assert AUDITED == documents()
    assert [p for doc in AUDITED for p in validate(doc)] == []


@pytest.mark.parametrize("doc", AUDITED)
def test_check_agrees_with_the_audit(doc: str) -> None:
    result = score_document(doc)
    missed = [item.relation for item, finding in result.found if finding is None]
    assert missed == [], f"{doc}: inconsistencies not reported at their severity"
    assert [f"{f.rule}: {f.message}" for f in result.false_alarms] == [], f"{doc}: false alarms"
    assert [item.relation for item, _ in result.repeats] == [], f"{doc}: one inconsistency, several findings"


def test_the_audits_hold_real_inconsistencies_of_several_families() -> None:
    """The agreement above is not vacuous: the audits list errors and warnings to be found."""
    items = [i for doc in AUDITED for i in load_audit(doc).inconsistencies]
    assert {i.severity for i in items} == {"error", "warning"}
    assert {"yoy", "counts", "completion", "hygiene"} <= {i.family for i in items}


def test_every_document_parses_and_checks_without_a_rule_failing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="evals.audit.check"):
        for doc in documents():
            run_rules(parse_file(REPORTS / f"{doc}.txt"))
    assert [r.getMessage() for r in caplog.records] == []


def test_figures_come_from_every_document_that_states_numbers() -> None:
    without = [doc for doc in AUDITED if load_audit(doc).states_numbers
               and not parse_file(REPORTS / f"{doc}.txt").figures]
    assert without == [], f"documents that state numbers but gave no figure: {without}"


@pytest.mark.parametrize(
    ("printed", "moved"),
    [("0", "5"), ("5", "0"), ("0.00", "1.00"), ("0.06", "0.16"), ("26.4", "36.4"), ("9.6", "8.6"),
     ("1,867.48", "2,867.48"), ("100", "200"), ("-47.95", "-57.95")],
)
def test_a_mutation_moves_a_number_beyond_its_rounding(printed: str, moved: str) -> None:
    assert perturb(printed) == moved and len(moved) == len(printed)


@lru_cache(maxsize=1)
def _mutations() -> tuple[Mutation, ...]:
    return tuple(run(AUDITED))


def test_breaking_a_relation_that_holds_is_found_in_every_family() -> None:
    table = recall(list(_mutations()))
    assert set(table) >= {"sums", "shares", "yoy", "completion", "counts", "repeated"}
    low = {family: f"{hit}/{total}" for family, (hit, total) in table.items() if hit < 0.95 * total}
    assert low == {}, f"families below 95% detection on real text: {low}"


def test_a_detected_mutation_names_the_moved_number() -> None:
    detected = [m for m in _mutations() if m.detected]
    assert detected and all(m.rules for m in detected)
