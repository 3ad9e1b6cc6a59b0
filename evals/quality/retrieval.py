"""Retrieval evaluation: hit@1, hit@3 and MRR of each ranker and of the fused ranking.

The questions (`evals/data/retrieval_seed.jsonl`) are about the bundled sample report; each
names the section path(s) that answer it. A retrieved chunk is a hit when its section equals
a `gold` path or lies inside one, or equals a `gold_exact` path (a parent whose children
would be too lenient a match). MRR is the mean reciprocal rank of the first hit among the
first 10 chunks (`evals.quality.metrics`).

    python -m evals.quality.retrieval                 # ingest the sample into a temp dir, print the table
    python -m evals.quality.retrieval --data-dir DIR  # evaluate an existing library holding the sample
    JUESUAN_EMBEDDING__MODEL=BAAI/bge-small-zh-v1.5 python -m evals.quality.retrieval
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from evals import DATA
from evals.quality.metrics import MRR_DEPTH, reciprocal_rank
from index import SAMPLE_REPORT
from index.ingest import Library
from index.settings import RetrievalSettings, Settings
from rag.retrieve import HybridSearch

QUESTIONS = DATA / "retrieval_seed.jsonl"
SAMPLE = SAMPLE_REPORT


@dataclass
class Question:
    """One labelled question."""

    id: str
    question: str
    gold: list[str]
    gold_exact: list[str] = field(default_factory=list)

    def is_hit(self, section: str) -> bool:
        """True when a chunk of this section answers the question."""
        return section in self.gold_exact or any(section == g or section.startswith(g + " > ") for g in self.gold)


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    """The labelled questions of a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        return [Question(**json.loads(line)) for line in fh if line.strip()]


def _hits(question: Question, sections: list[str]) -> tuple[int, int]:
    return int(any(map(question.is_hit, sections[:1]))), int(any(map(question.is_hit, sections[:3])))


@dataclass
class RetrievalResult:
    """One run over the labelled questions: each ranker's hit@1, hit@3 and MRR."""

    rows: dict[str, dict[str, float]]
    questions: int
    embedder: str
    details: list[dict] = field(default_factory=list)


def evaluate(
    library: Library,
    questions: list[Question] | None = None,
    settings: RetrievalSettings | None = None,
    details: list[dict] | None = None,
) -> dict[str, dict[str, float]]:
    """hit@1 / hit@3 / MRR of BM25, dense and figures alone, BM25 + figures, all three at equal
    weight, and the fused ranking with `settings` (default: the library's) as `retrieve` weighs it.

    Rankings are computed once per question and fused offline, so every row sees the same lists.
    Pass a list as `details` to receive each question's top-3 sections per row.
    """
    questions = questions if questions is not None else load_questions()
    retriever = HybridSearch(library, settings or library.settings.retrieval)
    s = retriever.settings
    rows = {
        "bm25": {"bm25": 1.0},
        "dense": {"dense": 1.0},
        "figures": {"figures": 1.0},
        "bm25+figures (dense 0)": {"bm25": s.bm25_weight, "figures": s.figure_weight},
        "bm25+dense+figures (1:1:1)": {"bm25": 1.0, "dense": 1.0, "figures": 1.0},
        "fused default": retriever.weights(),
    }
    totals = {name: [0, 0] for name in rows}
    ranks = {name: 0.0 for name in rows}
    for q in questions:
        rankings = retriever.rankings(q.question, 50, retriever.scope(q.question))
        record: dict = {"id": q.id, "question": q.question, "gold": q.gold + q.gold_exact}
        for name, weights in rows.items():
            ids = [cid for cid, _ in retriever.fuse(rankings, weights)]
            sections = [c.section for c in map(retriever.chunk, ids[:3]) if c is not None]
            h1, h3 = _hits(q, sections)
            totals[name][0] += h1
            totals[name][1] += h3
            deep = [retriever.chunk(cid) for cid in ids[:MRR_DEPTH]]
            ranks[name] += reciprocal_rank([c is not None and q.is_hit(c.section) for c in deep])
            record[name] = sections
        if details is not None:
            details.append(record)
    n = max(len(questions), 1)
    return {name: {"hit@1": h1 / n, "hit@3": h3 / n, "mrr": ranks[name] / n} for name, (h1, h3) in totals.items()}


def format_table(results: dict[str, dict[str, float]], n: int, model: str) -> str:
    """A plain-text table of the results."""
    lines = [f"{n} questions · embedder: {model}", f"{'ranker':<30} {'hit@1':>7} {'hit@3':>7} {'MRR':>7}"]
    lines += [f"{name:<30} {r['hit@1']:>7.3f} {r['hit@3']:>7.3f} {r['mrr']:>7.3f}" for name, r in results.items()]
    return "\n".join(lines)


def run(questions: list[Question] | None = None, data_dir: Path | None = None) -> RetrievalResult:
    """Evaluate on a library: the one in `data_dir` (holding the sample), else the sample
    ingested into a temporary directory."""
    questions = questions if questions is not None else load_questions()
    with tempfile.TemporaryDirectory(prefix="juesuan-eval-") as tmp:
        library = Library(Settings(data_dir=data_dir or Path(tmp)))
        try:
            if data_dir is None:
                library.ingest([SAMPLE], progress=False)
            details: list[dict] = []
            rows = evaluate(library, questions, details=details)
            model = library.embedder.name + (" (offline fallback)" if library.embedder.is_fallback else "")
        finally:
            library.close()
    return RetrievalResult(rows, len(questions), model, details)


def main(argv: list[str] | None = None) -> None:
    """Command line: evaluate and print the table."""
    parser = argparse.ArgumentParser(prog="python -m evals.quality.retrieval", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="an existing library (default: ingest the sample into a temp dir)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--verbose", action="store_true", help="print each question's top-3 sections")
    args = parser.parse_args(argv)
    result = run(load_questions(args.questions), args.data_dir)
    if args.verbose:
        for d in result.details:
            print(f"{d['id']} {d['question']}  gold={d['gold']}")
            for name in result.rows:
                print(f"    {name:<28} {d[name]}")
    print(format_table(result.rows, result.questions, result.embedder))


if __name__ == "__main__":
    main()
