"""Rules and measurements: `evals.audit` is the auditors' rule suite (a product feature),
`evals.quality` the project's measurements of itself, `evals.synthetic` the report generator its
unit tests use, `evals/data/` the labelled data (questions, the audited real corpus)."""

from pathlib import Path

__all__ = ["DATA"]

#: The labelled data: question sets, the audited real corpus, hand labels.
DATA = Path(__file__).resolve().parent / "data"
