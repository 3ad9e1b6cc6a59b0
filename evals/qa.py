"""Answer-quality evaluation over labelled questions (evals/data/qa_seed.jsonl).

Each line: question, answerable, gold_sections, gold_figures [{metric, value, unit, role,
year}], reference_answer, report (a file of index/samples/). For each provider it prints

- retrieval hit@1 / hit@3: a passage of a gold section (or inside one) among the first 1 / 3
  passages the chain retrieved (answerable questions);
- gold figures stated: the share of gold figures the answer states with the right value and
  unit and the verifier marks supported;
- numbers verified: the share of all numbers in answers that the verifier marks supported;
- refusals: unanswerable questions answered CANNOT_ANSWER, and answerable ones wrongly refused;
- seconds per answer.

    python -m evals.qa                              # extractive and the bundled local model
    python -m evals.qa --provider extractive        # one provider
    python -m evals.qa --provider llamacpp --limit 10 --details
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import index
from index.ingest import Library
from index.settings import LLMSettings, Settings
from rag.chain import AnswerChain
from rag.models import CANNOT_ANSWER, Answer

DATA = Path(__file__).parent / "data" / "qa_seed.jsonl"
SAMPLES = Path(index.__file__).parent / "samples"
# The local model gets a short context: it is small and slow on two cores (docs/answering.md).
LOCAL = {"temperature": 0.0, "max_tokens": 128, "context_passages": 3, "context_chars": 1200}


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


def load_items(path: Path = DATA) -> list[QAItem]:
    """The labelled questions of a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        return [QAItem(**json.loads(line)) for line in fh if line.strip()]


def _is_hit(section: str, gold: list[str]) -> bool:
    return any(section == g or section.startswith(g + " > ") for g in gold)


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a.replace(",", "")) == Decimal(b.replace(",", ""))
    except InvalidOperation:
        return a == b


def figure_stated(answer: Answer, gold: dict) -> bool:
    """True when the answer states the gold figure (value and unit) and it is verified."""
    return any(
        _same_number(c.value, str(gold["value"])) and c.unit == gold["unit"] and c.verdict == "supported"
        for c in answer.claims
    )


@dataclass
class Scores:
    """Counts for one provider."""

    provider: str
    hit1: int = 0
    hit3: int = 0
    answerable: int = 0
    gold_figures: int = 0
    gold_stated: int = 0
    numbers: int = 0
    supported: int = 0
    unanswerable: int = 0
    refused_correctly: int = 0
    refused_wrongly: int = 0
    seconds: list[float] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)

    def row(self) -> dict[str, str]:
        """The printed figures."""
        def share(a: int, b: int) -> str:
            return f"{a / b:.2f} ({a}/{b})" if b else "—"

        return {
            "provider": self.provider,
            "hit@1": share(self.hit1, self.answerable),
            "hit@3": share(self.hit3, self.answerable),
            "gold figures stated": share(self.gold_stated, self.gold_figures),
            "numbers verified": share(self.supported, self.numbers),
            "unanswerable refused": share(self.refused_correctly, self.unanswerable),
            "answerable refused": share(self.refused_wrongly, self.answerable),
            "s/answer (median)": f"{statistics.median(self.seconds):.2f}" if self.seconds else "—",
        }


def evaluate(chain: AnswerChain, items: list[QAItem], report_ids: dict[str, str]) -> Scores:
    """Ask every question through the chain and score the answers."""
    scores = Scores(chain.provider)
    for item in items:
        scope = [report_ids[item.report]] if item.report in report_ids else None
        started = time.perf_counter()
        state = chain._prepare({"question": item.question, "report_ids": scope})
        answer = chain._finish(state, chain.generate.invoke(state))
        scores.seconds.append(time.perf_counter() - started)
        sections = [np.passage.chunk.section for np in state.context.passages]
        scores.numbers += len(answer.claims)
        scores.supported += sum(c.verdict == "supported" for c in answer.claims)
        refused = answer.answer == CANNOT_ANSWER
        if item.answerable:
            scores.answerable += 1
            scores.hit1 += any(_is_hit(s, item.gold_sections) for s in sections[:1])
            scores.hit3 += any(_is_hit(s, item.gold_sections) for s in sections[:3])
            scores.gold_figures += len(item.gold_figures)
            scores.gold_stated += sum(figure_stated(answer, g) for g in item.gold_figures)
            scores.refused_wrongly += refused
        else:
            scores.unanswerable += 1
            scores.refused_correctly += refused
        scores.details.append({
            "id": item.id, "question": item.question, "answer": answer.answer,
            "claims": [(c.text, c.verdict) for c in answer.claims], "sections": sections[:3],
        })
    return scores


def _ingest(library: Library, items: list[QAItem]) -> dict[str, str]:
    ids = {}
    for name in sorted({i.report for i in items}):
        result = library.ingest([SAMPLES / name], progress=False)[0]
        if result.report_id:
            ids[name] = result.report_id
    return ids


def main(argv: list[str] | None = None) -> None:
    """Print the answer-quality table for the requested providers."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", action="append", choices=["extractive", "llamacpp", "openai", "ollama"],
                        help="repeatable; default: extractive and llamacpp")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--details", action="store_true", help="print each answer")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    items = load_items()[: args.limit]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(data_dir=Path(tmp)))
        report_ids = _ingest(library, items)
        for provider in args.provider or ["extractive", "llamacpp"]:
            llm = LLMSettings(provider=provider, **(LOCAL if provider == "llamacpp" else {}))
            settings = library.settings.model_copy(update={"llm": llm})
            scores = evaluate(AnswerChain(library, settings), items, report_ids)
            rows.append(scores.row())
            if args.details:
                for d in scores.details:
                    print(json.dumps(d, ensure_ascii=False))
        library.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(row[k] for k in keys))


if __name__ == "__main__":
    main()
