"""The mutation harness runs, counts, and clean generated reports raise no error finding."""

from __future__ import annotations

from decimal import Decimal

import pytest

from evals.audit.check import run_rules
from evals.quality.mutation import format_result, run
from evals.synthetic import generate, parse_text


def test_harness_runs_on_two_reports_and_counts():
    result = run(reports=2, seed=1, per_report=12)
    assert len(result.reports) == 2
    assert 0 < len(result.perturbations) <= 24
    assert 0 <= result.detected <= len(result.perturbations)
    assert result.unconstrained  # reported, not hidden
    for p in result.perturbations:
        assert p.before != p.after and p.families
    text = format_result(result)
    assert "detected" in text and "unconstrained" in text


@pytest.mark.parametrize("seed", range(8))
def test_clean_reports_raise_no_error_findings(seed):
    """A real requirement: a consistent report must not be accused (may fail while rules mature)."""
    text, _ = generate(seed)
    errors = [f for f in run_rules(parse_text(text)).findings if f.severity == "error"]
    assert not errors, [(f.rule, f.message) for f in errors]


def _fact(truth, key):
    return next(f for f in truth.facts if f.key == key)


def test_within_tolerance_follows_the_ground_truth_relations():
    """A part of a sum changed by one cent may be rounding; a decimal point moved is not; a bare
    0 is exact, so 0 → 1 always breaks the relation it takes part in."""
    from evals.quality.mutation import within_tolerance

    _, truth = generate(140891)
    part = _fact(truth, "表1.财政专户管理资金.年初预算")  # 0.00 in a three-source sum
    assert within_tolerance(truth, part, "0.01")
    assert not within_tolerance(truth, part, "1.00")
    weight = _fact(truth, "表1.指标0.权重")  # weights are set, not rounded
    assert not within_tolerance(truth, weight, str(int(weight.text) + 1))
    abroad = _fact(truth, "三公.因公出国（境）费")
    assert abroad.text == "0" and not within_tolerance(truth, abroad, "1")


def test_a_perturbation_is_detected_at_any_severity_and_split():
    from evals.quality.mutation import Perturbation

    common = {"report_seed": 1, "fact": "f", "metric": "m", "role": "amount", "families": "sums", "kind": "last",
              "before": "1.00", "after": "1.01", "any_new_error": False}
    info = Perturbation(severity="info", **common)
    none = Perturbation(severity=None, **common)
    error = Perturbation(severity="error", **common)
    assert info.detected and not info.flagged
    assert not none.detected and error.flagged


def test_balances_the_report_does_not_state_are_read_as_part_of_whole():
    """The generator writes no 结转和结余, so 收支总计 = 本年收入合计 there; a reader can only tell
    that the income does not exceed the total: a larger total is not detectable."""
    from evals.quality.mutation import within_tolerance

    _, truth = generate(596853)
    total = _fact(truth, "收支总计")
    bigger = f"{Decimal(total.text) + Decimal('0.10'):.2f}"
    smaller = f"{Decimal(total.text) - Decimal('0.10'):.2f}"
    assert within_tolerance(truth, total, bigger)
    assert not within_tolerance(truth, total, bigger, readings=False)
    assert not within_tolerance(truth, total, smaller)
