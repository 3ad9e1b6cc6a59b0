"""The synthetic report generator: deterministic, parseable, and its planted errors are real edits.

(No tests/evals/__init__.py on purpose: with one, pytest imports this folder as the package
`evals` and shadows the real one.)
"""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from evals.synthetic import FAMILIES, generate, parse_text, perturb_number, plant

SEEDS = (0, 7, 42)


@pytest.fixture(scope="module")
def parsed_reports():
    out = {}
    for seed in SEEDS:
        text, truth = generate(seed)
        out[seed] = (text, truth, parse_text(text))
    return out


def test_deterministic_per_seed():
    a, ta = generate(11)
    b, tb = generate(11)
    c, _ = generate(12)
    assert a == b and a != c
    assert [(f.key, f.text, f.start) for f in ta.facts] == [(f.key, f.text, f.start) for f in tb.facts]


def test_variety_across_seeds():
    truths = [generate(s)[1] for s in range(40)]
    assert len({t.department for t in truths}) >= 15
    assert {t.year for t in truths} == set(range(2019, 2025))
    directions = {f.direction for t in truths for f in t.facts if f.role == "change_amount"}
    assert directions == {"increase", "decrease"}
    zero_parts = sum(1 for t in truths for f in t.facts if f.key.startswith("三公.") and f.role == "amount" and f.value == 0)
    assert zero_parts > 0
    totals = [t.fact("收支总计").value for t in truths]
    assert max(totals) / min(totals) > 50  # amounts over orders of magnitude


def test_spans_and_arithmetic_are_exact():
    for seed in range(10):
        text, truth = generate(seed)
        for fact in truth.facts:
            assert text[fact.start:fact.end] == fact.text
            assert isinstance(fact.value, Decimal)
        # totals are the sums of the printed parts
        sums = [r for r in truth.relations if r.family == "sums" and "≤" not in r.statement]
        for relation in sums:
            whole, *parts = (truth.fact(k) for k in relation.members)
            assert whole.value == sum((p.value for p in parts), Decimal(0)), relation.statement


@pytest.mark.parametrize("seed", SEEDS)
def test_parser_recovers_ground_truth(parsed_reports, seed):
    text, truth, parsed = parsed_reports[seed]
    assert parsed.report.year == truth.year and parsed.report.department == truth.department
    by_span = {(f.start, f.end): f for f in parsed.figures}
    part_two = [f for f in truth.facts if f.source == "text" and f.start > text.index("第二部分")
                and f.start < text.index("第三部分")]
    assert len(part_two) > 60
    for fact in part_two + [f for f in truth.facts if f.key.startswith("三公")]:
        figure = by_span.get((fact.start, fact.end))
        assert figure is not None, fact.key
        assert (figure.metric, figure.role, figure.value, figure.year) == (fact.metric, fact.role, fact.value, fact.year), fact.key
        if fact.compared_to:
            assert (figure.compared_to, figure.direction) == (fact.compared_to, fact.direction), fact.key
        if fact.code:
            assert figure.code == fact.code, fact.key
        if fact.base:
            assert figure.base == fact.base, fact.key


@pytest.mark.parametrize("seed", SEEDS)
def test_performance_tables_parse_with_the_right_cells(parsed_reports, seed):
    _, truth, parsed = parsed_reports[seed]
    assert truth.projects
    for project in truth.projects:
        budget = [t for t in parsed.tables if t.subject == project.name and t.kind == "绩效自评表-预算执行"]
        indicators = [t for t in parsed.tables if t.subject == project.name and t.kind == "绩效自评表-绩效指标"]
        assert len(budget) == 1 and len(indicators) == 1, project.name
        assert [[c.text for c in row][1:] for row in budget[0].rows] == project.budget_rows
        rows = [[c.text for c in row] for row in indicators[0].rows]
        assert [r[1:] for r in rows[:-1]] == project.indicator_rows[:-1]
        assert [x for x in rows[-1] if x] == project.indicator_rows[-1]
    # table cells are figures with their column, as stated in the ground truth
    by_span = {(f.start, f.end): f for f in parsed.figures}
    for fact in (f for f in truth.facts if f.source == "table"):
        figure = by_span[(fact.start, fact.end)]
        assert (figure.metric, figure.role, figure.value, figure.column) == (fact.metric, fact.role, fact.value, fact.column)


@pytest.mark.parametrize("family", FAMILIES)
def test_planted_errors_change_the_text(family):
    text, truth = generate(5)
    new, planted = plant(text, family, random.Random(1), truth)
    assert new != text and planted.family == family
    assert new[planted.start:planted.end] == planted.after
    if family != "hygiene":
        assert planted.fact is not None
        assert any(r.startswith(family) for r in planted.relations)


def test_plant_without_truth_parses_the_text():
    text, _ = generate(6)
    new, planted = plant(text, "shares", random.Random(2))
    assert new != text and new[planted.start:planted.end] == planted.after


def test_perturb_number_kinds():
    assert perturb_number("1054.82", "last") == "1054.83"
    assert perturb_number("1054.82", "tens") == "1054.92"
    assert perturb_number("1054.82", "swap") == "0154.82" or perturb_number("1054.82", "swap") == "1504.82"
    assert perturb_number("1054.82", "x10") == "10548.2"
    assert perturb_number("0", "x10") is None
    assert perturb_number("9", "last") == "8"
