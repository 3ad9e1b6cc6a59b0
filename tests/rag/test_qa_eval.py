"""The QA evaluation over generated reports (evals.qa_generated, evals.qa)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.qa import QAItem, Scores, load_items, load_sets, run
from evals.qa_generated import DEFAULT_SEEDS, items_for, make_items, report_name
from evals.synthetic import generate, parse_text
from index.models import ParsedReport

SEEDS = (1, 2)


@pytest.fixture(scope="module")
def generated() -> dict[int, tuple[list[QAItem], ParsedReport]]:
    out = {}
    for seed in DEFAULT_SEEDS:
        text, truth = generate(seed)
        parsed = parse_text(text, report_name(seed))
        out[seed] = (items_for(seed, text, truth, parsed), parsed)
    return out


def test_each_report_gets_8_to_10_questions_with_varied_wording(generated) -> None:
    questions = set()
    for seed, (items, _) in generated.items():
        assert 8 <= len(items) <= 10, seed
        assert len({i.id for i in items}) == len(items)
        questions |= {i.question for i in items}
        assert all(i.answerable and i.source == "synthetic" and i.seed == seed for i in items)
        assert all(i.report == report_name(seed) and i.reference_answer for i in items)
    # templated, but not one fixed sentence per kind
    assert any(q.startswith("三公经费比上年") for q in questions)
    assert len(questions) > 3 * 10


def test_gold_sections_exist_and_gold_figures_are_parsed_figures(generated) -> None:
    for items, parsed in generated.values():
        paths = {s.path for s in parsed.sections}
        figures = {(f.metric, f.value, f.unit, f.role, f.year) for f in parsed.figures}
        for item in items:
            assert item.gold_sections and item.gold_figures, item.id
            assert set(item.gold_sections) <= paths, (item.id, item.gold_sections)
            for gold in item.gold_figures:
                key = (gold["metric"], Decimal(gold["value"]), gold["unit"], gold["role"], gold["year"])
                assert key in figures, (item.id, gold)
            # every gold figure is stated in one of the gold sections
            for gold in item.gold_figures:
                assert any(f.section in item.gold_sections and f.metric == gold["metric"]
                           and f.value == Decimal(gold["value"]) for f in parsed.figures), (item.id, gold)


def test_reference_answers_state_the_gold_figures(generated) -> None:
    for items, _ in generated.values():
        for item in items:
            for gold in item.gold_figures:
                printed = gold["value"]
                assert any(str(v) in item.reference_answer for v in {printed, printed.rstrip("0").rstrip(".")}), \
                    (item.id, gold, item.reference_answer)


def test_make_items_is_deterministic() -> None:
    assert make_items(SEEDS) == make_items(SEEDS)


def test_load_sets_names_and_limits() -> None:
    sets = load_sets("both", reports=2, limit=3)
    assert list(sets) == ["seed", "generated"]
    assert sets["seed"] == load_items()[:3]
    assert len(sets["generated"]) == 3 and {i.seed for i in sets["generated"]} == {1}


def test_extractive_run_on_two_generated_reports(tmp_path) -> None:
    items = make_items(SEEDS)
    results = run({"generated": items}, "extractive", data_dir=tmp_path / "data")
    assert len(results) == 1
    scores = results[0]
    assert scores.label == "generated" and scores.answerable == len(items)
    shares = scores.shares()
    for name in ("hit@1", "hit@3", "gold figures stated", "numbers verified"):
        assert shares[name] is not None and 0.0 <= shares[name] <= 1.0, name
    # the extractive provider only writes figures of the report: every number it states is supported
    assert shares["numbers verified"] == 1.0
    assert scores.numbers > 0
    row = scores.row()
    assert row["set"] == "generated" and row["provider"] == "extractive"


def test_overall_row_adds_the_sets() -> None:
    a = Scores("extractive", hit1=1, hit3=2, answerable=2, numbers=3, supported=3, label="seed")
    b = Scores("extractive", hit1=0, hit3=1, answerable=1, numbers=1, supported=0, label="generated")
    total = a.merged(b)
    assert (total.label, total.hit1, total.hit3, total.answerable, total.numbers, total.supported) == \
        ("overall", 1, 3, 3, 4, 3)
    assert total.shares()["numbers verified"] == 0.75

