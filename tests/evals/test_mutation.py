"""The mutation harness runs, counts, and clean generated reports raise no error finding."""

from __future__ import annotations

import pytest

from evals.check import run_rules
from evals.mutation import format_result, run
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
