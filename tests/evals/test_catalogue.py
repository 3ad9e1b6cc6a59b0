"""docs/rules.md is generated from the registry and must not drift from it."""

from __future__ import annotations

from evals.audit import catalogue
from evals.audit.registry import RULES


def test_rules_md_is_generated_from_the_registry() -> None:
    assert catalogue.DOC_PATH.exists(), "docs/rules.md missing: run python -m evals.audit.catalogue"
    assert catalogue.DOC_PATH.read_text(encoding="utf-8") == catalogue.generate(), (
        "docs/rules.md is out of date: run python -m evals.audit.catalogue"
    )


def test_every_rule_and_family_is_listed() -> None:
    text = catalogue.generate()
    for spec in RULES.values():
        assert f"`{spec.id}`" in text
        assert f"## {spec.family}" in text
    assert "Tolerance" in text and "Insufficient data" in text and "Severity" in text
