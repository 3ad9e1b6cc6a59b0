"""Labelled questions and where they come from: one `QAItem` type and the loaders of its sets.

Both the QA evaluation (evals.quality.qa) and the generator of questions about synthetic reports
(evals.quality.qa_generated) import this module, and it imports neither of them.

Three sets share the shape:

- seed: evals/data/qa_seed.jsonl, questions about the bundled sample (index/samples/);
- real: evals/data/qa_real.jsonl, questions about the real published texts of
  evals/data/corpus/reports/ (`report` is "NNN.txt"), each in a `split` (dev | heldout), with
  the reader's wording (`kind`, `style`), the gold quotes, the report's reason sentence where a
  reason is asked, and the `parts` of a compound question;
- generated: made from evals.synthetic's ground truth (evals.quality.qa_generated).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals import DATA
from index import SAMPLE_REPORT

__all__ = ["CORPUS_REPORTS", "REAL", "SAMPLES", "SEED", "QAItem", "load_items", "report_path"]

SEED = DATA / "qa_seed.jsonl"
REAL = DATA / "qa_real.jsonl"
SAMPLES = SAMPLE_REPORT.parent
CORPUS_REPORTS = DATA / "corpus" / "reports"


@dataclass
class QAItem:
    """One labelled question."""

    id: str
    question: str
    answerable: bool
    report: str
    gold_sections: list[str] = field(default_factory=list)
    gold_figures: list[dict] = field(default_factory=list)
    reference_answer: str = ""
    # "sample" (index/samples/), "real" (evals/data/corpus/reports/) or "synthetic"
    # (evals.synthetic.generate(seed))
    source: str = "sample"
    seed: int | None = None
    split: str = ""  # the real set: "dev" (tune on it) or "heldout" (never tune on it)
    kind: str = ""  # single, compound, count, reason, unanswerable
    style: list[str] = field(default_factory=list)  # names_department, bare, traditional, no_punctuation
    gold_quotes: list[str] = field(default_factory=list)  # the report's words stating the gold figures
    reason: str = ""  # the report's reason sentence, when the question asks why
    parts: list[str] = field(default_factory=list)  # what a compound question asks, one part each
    folder: str = ""  # a dataset's reports folder (evals.quality.dataset): the report is `folder/report`


def load_items(path: Path = SEED, source: str | None = None) -> list[QAItem]:
    """The labelled questions of a JSONL file (`source` set on each when given)."""
    with path.open(encoding="utf-8") as fh:
        items = [QAItem(**json.loads(line)) for line in fh if line.strip()]
    if source is not None:
        for item in items:
            item.source = source
    return items


def report_path(item: QAItem) -> Path | None:
    """The file a question is about (None for a generated report: its text is made on demand)."""
    if item.folder:
        return Path(item.folder) / item.report
    if item.source == "real":
        return CORPUS_REPORTS / item.report
    if item.source == "synthetic":
        return None
    return SAMPLES / item.report
