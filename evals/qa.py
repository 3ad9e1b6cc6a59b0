"""Answer-quality evaluation over labelled questions, in two sets:

- seed: evals/data/qa_seed.jsonl, 50 questions about the bundled sample (index/samples/);
- generated: ~9 questions about each of K reports of evals.synthetic (default K=5, seeds 1..5),
  made from the generator's ground truth by evals.qa_generated; the report texts are written to
  a temporary directory and ingested into the eval's library next to the sample.

Each item: question, answerable, gold_sections, gold_figures [{metric, value, unit, role,
year}], reference_answer, report (a file name), source ("sample" or "synthetic") and, for a
generated report, its seed. For the provider(s) asked it prints, per set and overall,

- retrieval hit@1 / hit@3: a passage of a gold section (or inside one) among the first 1 / 3
  passages the chain retrieved (answerable questions);
- gold figures stated: the share of gold figures the answer states with the right value and
  unit and the verifier marks supported;
- numbers verified: the share of all numbers in answers that the verifier marks supported;
- refusals: unanswerable questions answered CANNOT_ANSWER, and answerable ones wrongly refused;
- seconds per answer.

    python -m evals.qa                              # extractive, both sets
    python -m evals.qa --provider llamacpp --limit 20   # the bundled local model, 20 per set
    python -m evals.qa --set generated --reports 2 --details
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
    source: str = "sample"  # "sample" (index/samples/) or "synthetic" (evals.synthetic.generate(seed))
    seed: int | None = None


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
    label: str = ""

    def merged(self, other: Scores) -> Scores:
        """The counts of both (the overall row)."""
        out = Scores(self.provider, label="overall")
        for name in ("hit1", "hit3", "answerable", "gold_figures", "gold_stated", "numbers", "supported",
                     "unanswerable", "refused_correctly", "refused_wrongly"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.seconds = self.seconds + other.seconds
        out.details = self.details + other.details
        return out

    def shares(self) -> dict[str, float | None]:
        """The figures as fractions in [0, 1] (None when there is nothing to count)."""
        def f(a: int, b: int) -> float | None:
            return a / b if b else None

        return {"hit@1": f(self.hit1, self.answerable), "hit@3": f(self.hit3, self.answerable),
                "gold figures stated": f(self.gold_stated, self.gold_figures),
                "numbers verified": f(self.supported, self.numbers)}

    def row(self) -> dict[str, str]:
        """The printed figures."""
        def share(a: int, b: int) -> str:
            return f"{a / b:.2f} ({a}/{b})" if b else "—"

        return {
            "set": self.label,
            "provider": self.provider,
            "hit@1": share(self.hit1, self.answerable),
            "hit@3": share(self.hit3, self.answerable),
            "gold figures stated": share(self.gold_stated, self.gold_figures),
            "numbers verified": share(self.supported, self.numbers),
            "unanswerable refused": share(self.refused_correctly, self.unanswerable),
            "answerable refused": share(self.refused_wrongly, self.answerable),
            "s/answer (median)": f"{statistics.median(self.seconds):.2f}" if self.seconds else "—",
        }


def evaluate(chain: AnswerChain, items: list[QAItem], report_ids: dict[str, str], label: str = "") -> Scores:
    """Ask every question through the chain and score the answers."""
    scores = Scores(chain.provider, label=label)
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


def _ingest(library: Library, items: list[QAItem], tmp: Path) -> dict[str, str]:
    """Ingest the reports the items ask about (generated ones written to `tmp` first)."""
    from evals.synthetic import generate

    ids = {}
    for name in sorted({i.report for i in items}):
        item = next(i for i in items if i.report == name)
        if item.source == "synthetic":
            path = tmp / name
            path.write_text(generate(item.seed)[0], encoding="utf-8")
        else:
            path = SAMPLES / name
        result = library.ingest([path], progress=False)[0]
        if result.report_id:
            ids[name] = result.report_id
    return ids


def load_sets(which: str = "both", reports: int = 5, limit: int | None = None) -> dict[str, list[QAItem]]:
    """The question sets by name: seed (qa_seed.jsonl) and/or generated (`reports` generated reports)."""
    from evals.qa_generated import DEFAULT_SEEDS, make_items

    sets: dict[str, list[QAItem]] = {}
    if which in ("both", "seed"):
        sets["seed"] = load_items()[:limit]
    if which in ("both", "generated"):
        seeds = list(DEFAULT_SEEDS) + list(range(max(DEFAULT_SEEDS) + 1, reports + 1))
        sets["generated"] = make_items(seeds[:reports])[:limit]
    return sets


def run(sets: dict[str, list[QAItem]], provider: str = "extractive", data_dir: Path | None = None) -> list[Scores]:
    """Score every set with one provider: one Scores per set, then the overall one."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(data_dir=data_dir or Path(tmp) / "data"))
        try:
            all_items = [i for items in sets.values() for i in items]
            report_ids = _ingest(library, all_items, Path(tmp))
            llm = LLMSettings(provider=provider, **(LOCAL if provider == "llamacpp" else {}))
            chain = AnswerChain(library, library.settings.model_copy(update={"llm": llm}))
            results = [evaluate(chain, items, report_ids, label=name) for name, items in sets.items()]
        finally:
            library.close()
    if len(results) > 1:
        overall = results[0]
        for more in results[1:]:
            overall = overall.merged(more)
        results.append(overall)
    return results


def main(argv: list[str] | None = None) -> None:
    """Print the answer-quality table for the requested providers."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", action="append", choices=["extractive", "llamacpp", "openai", "ollama"],
                        help="repeatable; default: extractive")
    parser.add_argument("--set", choices=["both", "seed", "generated"], default="both", dest="which",
                        help="which questions (default: both)")
    parser.add_argument("--reports", type=int, default=5, help="generated reports (K, default 5)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions of each set")
    parser.add_argument("--details", action="store_true", help="print each answer")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    sets = load_sets(args.which, args.reports, args.limit)
    rows = []
    for provider in args.provider or ["extractive"]:
        for scores in run(sets, provider):
            rows.append(scores.row())
            if args.details and scores.label != "overall":
                for d in scores.details:
                    print(json.dumps(d, ensure_ascii=False))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(row[k] for k in keys))


if __name__ == "__main__":
    main()
