"""The model path, guarded, beside the no-model path, on the real question set.

Every question of evals/data/qa_real.jsonl (default: the dev split) is asked with its own
report in scope, through the chain, once per provider. For each provider it prints

- gold figures stated: gold figures the answer states, verified (evals.quality.qa.figure_stated);
- numbers supported / contradicted / unsupported: of all the numbers in the answers;
- answers with a 核对 line (a contradicted number corrected);
- answerable questions refused, unanswerable ones refused;
- loop-guard stops: answers the guard cut because the model started to repeat itself, and
  answers whose raw text loops (rag.guard.find_loop) — with `--unguarded` (the same prompt and
  fact table, but no repeat penalty, no budget by parts, no stop on a loop) to see what the
  guard prevents;
- seconds per answer (median and 90th percentile).

    python -m evals.quality.qa_model                                # dev split: llamacpp and extractive
    python -m evals.quality.qa_model --provider extractive --limit 10
    python -m evals.quality.qa_model --save evals/data/model_answers_real.jsonl
    python -m evals.quality.qa_model --provider llamacpp --unguarded    # the same model without the guard

`--save` writes the bundled model's answers, one JSON line each: question id, question,
report, answer text (with its 核对 line), the model's raw text, and every claim with its
verdict, for labelling by hand (docs/verification.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from evals.quality.qa import figure_stated
from evals.quality.qa_items import REAL, QAItem, load_items, report_path
from index.ingest import Library
from index.settings import LLMSettings, Settings
from rag.chain import AnswerChain
from rag.guard import find_loop
from rag.models import CANNOT_ANSWER, Answer
from rag.retrieve import HybridSearch

__all__ = ["GUARDED_LOCAL", "ModelScores", "run", "table"]

# The bundled model on two cores: a short context, greedy decoding. `max_tokens` is only the
# ceiling: each answer gets rag.guard.token_budget(parts) tokens.
GUARDED_LOCAL = {"temperature": 0.0, "max_tokens": 400, "context_passages": 3, "context_chars": 1200}


class _LoopCounter(logging.Handler):
    """Counts the loop guard's stops (rag.guard logs one line per stop)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.stops = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.stops += 1


@dataclass
class ModelScores:
    """Counts for one provider over the questions asked."""

    provider: str
    questions: int = 0
    answerable: int = 0
    unanswerable: int = 0
    gold_figures: int = 0
    gold_stated: int = 0
    numbers: int = 0
    supported: int = 0
    contradicted: int = 0
    unsupported: int = 0
    corrected: int = 0  # answers ending with a 核对 line
    refused_wrongly: int = 0
    refused_correctly: int = 0
    loop_stops: int = 0
    raw_loops: int = 0  # answers whose raw text loops
    seconds: list[float] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)

    def add(self, item: QAItem, answer: Answer, seconds: float) -> None:
        """Score one answer."""
        self.questions += 1
        self.seconds.append(seconds)
        self.numbers += len(answer.claims)
        for verdict in ("supported", "contradicted", "unsupported"):
            setattr(self, verdict, getattr(self, verdict) + sum(c.verdict == verdict for c in answer.claims))
        self.corrected += "\n核对：" in answer.answer
        self.raw_loops += find_loop(answer.raw_answer) is not None
        refused = answer.answer == CANNOT_ANSWER
        if item.answerable:
            self.answerable += 1
            self.gold_figures += len(item.gold_figures)
            self.gold_stated += sum(figure_stated(answer, g) for g in item.gold_figures)
            self.refused_wrongly += refused
        else:
            self.unanswerable += 1
            self.refused_correctly += refused
        self.answers.append({
            "id": item.id, "question": item.question, "report": item.report, "answerable": item.answerable,
            "answer": answer.answer, "raw_answer": answer.raw_answer, "provider": answer.provider,
            "seconds": round(seconds, 2),
            "claims": [{"text": c.text, "value": c.value, "unit": c.unit, "verdict": c.verdict, "metric": c.metric,
                        "expected": c.expected, "how": c.how, "start": c.start, "end": c.end,
                        "evidence": c.evidence.model_dump() if c.evidence else None} for c in answer.claims],
            "gold_figures": item.gold_figures,
        })

    def row(self) -> dict[str, str]:
        """The printed figures."""
        def share(a: int, b: int) -> str:
            return f"{a / b:.2f} ({a}/{b})" if b else "—"

        q90 = sorted(self.seconds)[int(0.9 * (len(self.seconds) - 1))] if self.seconds else 0.0
        return {
            "provider": self.provider,
            "gold figures stated": share(self.gold_stated, self.gold_figures),
            "numbers supported": share(self.supported, self.numbers),
            "numbers contradicted": share(self.contradicted, self.numbers),
            "numbers unsupported": share(self.unsupported, self.numbers),
            "answers with 核对": str(self.corrected),
            "answerable refused": share(self.refused_wrongly, self.answerable),
            "unanswerable refused": share(self.refused_correctly, self.unanswerable),
            "loop-guard stops": str(self.loop_stops),
            "raw answers looping": str(self.raw_loops),
            "s/answer p50 / p90": (f"{statistics.median(self.seconds):.2f} / {q90:.2f}" if self.seconds else "—"),
        }


def run(items: list[QAItem], provider: str, model_path: Path | None = None, progress: bool = False,
        unguarded: bool = False) -> ModelScores:
    """Ask every question with its report in scope; one library for all the reports. Without
    `model_path`, llamacpp runs the bundled model; `unguarded` turns the loop guard and the
    repeat penalty off (the model's stream is then read to its end or max_tokens)."""
    scores = ModelScores(provider + (" (unguarded)" if unguarded else ""))
    counter = _LoopCounter()
    guard_log = logging.getLogger("rag.guard")
    guard_log.addHandler(counter)
    guard_log.setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(data_dir=Path(tmp) / "data"))
        try:
            embed = HybridSearch(library).weights()["dense"] > 0
            files = {i.report: path for i in items if (path := report_path(i)) is not None}
            results = library.ingest(list(files.values()), progress=False, embed=embed)
            ids = {name: r.report_id for name, r in zip(files, results) if r.report_id}
            local = {**GUARDED_LOCAL, "model_path": model_path} if provider == "llamacpp" else {}
            llm = LLMSettings.model_validate({"provider": provider, **local})
            chain = AnswerChain(library, library.settings.model_copy(update={"llm": llm}), guarded=not unguarded)
            if unguarded and chain.choice.model is not None and "repeat_penalty" in type(chain.choice.model).model_fields:
                chain.choice.model = chain.choice.model.model_copy(update={"repeat_penalty": 1.0})
            for n, item in enumerate(items, start=1):
                started = time.perf_counter()
                answer = chain.invoke(item.question, [ids[item.report]] if item.report in ids else None)
                scores.add(item, answer, time.perf_counter() - started)
                if progress:
                    print(f"[{provider} {n}/{len(items)}] {item.id} {scores.seconds[-1]:.1f}s {answer.answer!r}",
                          flush=True)
        finally:
            library.close()
            guard_log.removeHandler(counter)
    scores.loop_stops = counter.stops
    return scores


def table(rows: list[dict[str, str]]) -> str:
    """The rows side by side, one column per provider (a Markdown table)."""
    keys = [k for k in rows[0] if k != "provider"]
    lines = ["| | " + " | ".join(r["provider"] for r in rows) + " |", "|---" * (len(rows) + 1) + "|"]
    lines += [f"| {k} | " + " | ".join(r[k] for r in rows) + " |" for k in keys]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Print the side-by-side table (and save the model's answers when asked)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", action="append", choices=["llamacpp", "extractive", "openai", "ollama"],
                        help="repeatable; default: llamacpp and extractive")
    parser.add_argument("--split", choices=["dev", "heldout", "all"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--save", type=Path, default=None, help="write the first model provider's answers (JSONL)")
    parser.add_argument("--model-path", type=Path, default=None, help="a GGUF file (default: the bundled model)")
    parser.add_argument("--progress", action="store_true", help="print each answer as it comes")
    parser.add_argument("--unguarded", action="store_true", help="the model without the loop guard (to compare)")
    args = parser.parse_args(argv)
    items = [i for i in load_items(REAL, source="real") if args.split == "all" or i.split == args.split]
    items = items[: args.limit]
    results = [run(items, provider, args.model_path, args.progress, args.unguarded and provider != "extractive")
               for provider in args.provider or ["llamacpp", "extractive"]]
    print(f"{len(items)} questions ({args.split})")
    print(table([r.row() for r in results]))
    model = next((r for r in results if r.provider != "extractive"), None)
    if args.save is not None and model is not None:
        with args.save.open("w", encoding="utf-8") as fh:
            for answer in model.answers:
                fh.write(json.dumps(answer, ensure_ascii=False) + "\n")
        print(f"saved {len(model.answers)} answers to {args.save}")


if __name__ == "__main__":
    main()
