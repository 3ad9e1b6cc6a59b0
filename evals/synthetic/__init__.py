"""Synthetic 部门决算 reports with known figures: unit-test material, never evidence of generality.

The generator is `evals.synthetic.generate`; its public API is re-exported here.
"""

from evals.synthetic.generate import (
    FAMILIES,
    Fact,
    GroundTruth,
    Planted,
    Project,
    Relation,
    generate,
    main,
    parse_text,
    perturb_number,
    plant,
)

__all__ = [
    "FAMILIES", "Fact", "GroundTruth", "Planted", "Project", "Relation", "generate", "main", "parse_text",
    "perturb_number", "plant",
]
