"""Answer-quality evaluation over labelled questions, in three sets:

- seed: evals/data/qa_seed.jsonl, 50 questions about the bundled sample (index/samples/);
- generated: ~9 questions about each of K reports of evals.synthetic (default K=5, seeds 1..5),
  made from the generator's ground truth by evals.quality.qa_generated; the report texts are written to
  a temporary directory and ingested into the eval's library next to the sample;
- real: evals/data/qa_real.jsonl, 104 questions on 41 real published texts of
  evals/data/corpus/reports/, scored in two parts: dev (tune on it) and heldout (never tune on
  it: run it at the end and report it as it is).

Items are `evals.quality.qa_items.QAItem`s. Each question is asked with its own report in scope. For
the provider(s) asked it prints, per set (the real set: dev and heldout) and overall,

- retrieval hit@1 / hit@3: a passage of a gold section (or inside one) — on the real set, a
  passage holding a gold quote — among the first 1 / 3 passages the chain retrieved; MRR: the
  mean of 1 / the rank of the first such passage among those the chain retrieved (0 when none);
- gold figures stated: the share of gold figures the answer states with the right value and
  unit and the verifier marks supported ("减少204.61万元" states a change of -204.61);
- numbers verified: the share of all numbers in answers that the verifier marks supported;
- refusals: unanswerable questions answered CANNOT_ANSWER, and answerable ones wrongly refused;
- reason stated: for a question asking why, the report's reason sentence is in the answer (at
  least 80% of its characters, in order, after simplification and without punctuation);
- parts covered: for a compound question, the parts whose gold figures are all stated (a
  reason part: its reason stated);
- seconds per answer.

    python -m evals.quality.qa                              # extractive, seed and generated
    python -m evals.quality.qa --set real                   # the real set, dev and heldout
    python -m evals.quality.qa --set real --split dev --details   # tune on dev only
    python -m evals.quality.qa --provider llamacpp --limit 20   # the bundled local model, 20 per set
    python -m evals.quality.qa --set generated --reports 2 --details
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import Path

from evals.quality.metrics import reciprocal_rank
from evals.quality.qa_items import REAL, SEED, QAItem, load_items, report_path
from index.bm25 import normalize_text
from index.ingest import Library
from index.reading import clean
from index.settings import LLMSettings, Settings
from rag.chain import AnswerChain
from rag.models import CANNOT_ANSWER, Answer

# The local model gets a short context: it is small and slow on two cores (docs/answering.md).
LOCAL = {"temperature": 0.0, "max_tokens": 128, "context_passages": 3, "context_chars": 1200}


def _is_hit(section: str, gold: list[str]) -> bool:
    return any(section == g or section.startswith(g + " > ") for g in gold)


def _plain(text: str) -> str:
    """Text as compared: simplified, inline readings out, half-width, no punctuation or spaces."""
    return re.sub(r"[^\w]|_", "", normalize_text(clean(text)))


def _holds_quote(passage: str, quotes: list[str]) -> bool:
    plain = _plain(passage)
    return any(_plain(q) and _plain(q) in plain for q in quotes)


def _same_number(a: str, b: str) -> bool:
    try:
        return Decimal(a.replace(",", "")) == Decimal(b.replace(",", ""))
    except InvalidOperation:
        return a == b


_DOWN = re.compile(r"^(?:比上年|较上年)?(?:减少|下降|降低|少|减|降幅)")


def figure_stated(answer: Answer, gold: dict) -> bool:
    """True when the answer states the gold figure (value and unit) and it is verified.

    A signed change ("-204.61" in a table's 增减 column) is stated by its size after a word of
    decrease ("减少204.61万元").
    """
    value = str(gold["value"])
    down = value.startswith("-")
    for c in answer.claims:
        if c.unit != gold["unit"] or c.verdict != "supported":
            continue
        if _same_number(c.value, value):
            return True
        if down and _same_number(c.value, value[1:]) and _DOWN.search(c.text):
            return True
    return False


def reason_stated(answer: str, reason: str, share: float = 0.8) -> bool:
    """True when the report's reason sentence is in the answer: at least `share` of its
    characters in order (the answer may drop "主要原因是" or change a comma)."""
    gold, text = _plain(reason), _plain(answer)
    if not gold:
        return False
    blocks = SequenceMatcher(None, gold, text, autojunk=False).get_matching_blocks()
    return sum(b.size for b in blocks if b.size >= 2) >= share * len(gold)


# What a part of a compound question asks, by its words (first match wins).
_PART_ASKS = (
    ("reason", re.compile(r"为什么|为何|原因|怎么")),
    ("share", re.compile(r"占|比例|比重")),
    ("completion_rate", re.compile(r"完成|为年初预算|为预算|执行率")),
    ("change_rate", re.compile(r"百分之|幅度|%|下降多少|降低多少|增长多少|上升多少")),
    ("change_amount", re.compile(r"减少|增加|增减|少了|多了")),
    ("budget", re.compile(r"预算")),
)
_ALIKE = {
    "amount": {"amount", "count"}, "count": {"count", "amount"}, "budget": {"budget", "amount"},
    "change_rate": {"change_rate", "change_amount"}, "change_amount": {"change_amount", "change_rate"},
}


def part_asks(part: str) -> str:
    """What one part of a question asks: reason, share, completion_rate, change_rate,
    change_amount, budget or amount."""
    plain = normalize_text(part)
    return next((name for name, pattern in _PART_ASKS if pattern.search(plain)), "amount")


def parts_covered(item: QAItem, answer: Answer) -> list[bool | None]:
    """For each part of a compound question: covered (its gold figures stated, or its reason),
    not covered, or None when no gold figure belongs to it (it cannot be scored).

    Gold figures are given to parts in order, a figure of the role the part asks first.
    """
    free = list(range(len(item.gold_figures)))
    out: list[bool | None] = []
    for part in item.parts:
        asks = part_asks(part)
        if asks == "reason":
            out.append(reason_stated(answer.answer, item.reason) if item.reason else None)
            continue
        roles = [g["role"] for g in item.gold_figures]
        pick = next((i for i in free if roles[i] == asks), None)
        if pick is None:
            pick = next((i for i in free if roles[i] in _ALIKE.get(asks, {asks})), None)
        if pick is None:
            out.append(None)
            continue
        free.remove(pick)
        out.append(figure_stated(answer, item.gold_figures[pick]))
    return out


_COUNTS = ("hit1", "hit3", "rr", "answerable", "gold_figures", "gold_stated", "numbers", "supported", "unanswerable",
           "refused_correctly", "refused_wrongly", "reasons", "reasons_stated", "parts", "parts_covered")


@dataclass
class Scores:
    """Counts for one provider."""

    provider: str
    hit1: int = 0
    hit3: int = 0
    rr: float = 0.0  # the sum of the reciprocal ranks of the first passage that answers
    answerable: int = 0
    gold_figures: int = 0
    gold_stated: int = 0
    numbers: int = 0
    supported: int = 0
    unanswerable: int = 0
    refused_correctly: int = 0
    refused_wrongly: int = 0
    reasons: int = 0
    reasons_stated: int = 0
    parts: int = 0
    parts_covered: int = 0
    seconds: list[float] = field(default_factory=list)
    details: list[dict] = field(default_factory=list)
    label: str = ""

    def merged(self, other: Scores) -> Scores:
        """The counts of both (the overall row)."""
        out = Scores(self.provider, label="overall")
        for name in _COUNTS:
            setattr(out, name, getattr(self, name) + getattr(other, name))
        out.seconds = self.seconds + other.seconds
        out.details = self.details + other.details
        return out

    def shares(self) -> dict[str, float | None]:
        """The figures as fractions in [0, 1] (None when there is nothing to count)."""
        def f(a: int, b: int) -> float | None:
            return a / b if b else None

        return {"hit@1": f(self.hit1, self.answerable), "hit@3": f(self.hit3, self.answerable),
                "MRR": self.rr / self.answerable if self.answerable else None,
                "gold figures stated": f(self.gold_stated, self.gold_figures),
                "numbers verified": f(self.supported, self.numbers),
                "reason stated": f(self.reasons_stated, self.reasons),
                "parts covered": f(self.parts_covered, self.parts)}

    def row(self) -> dict[str, str]:
        """The printed figures."""
        def share(a: int, b: int) -> str:
            return f"{a / b:.2f} ({a}/{b})" if b else "—"

        return {
            "set": self.label,
            "provider": self.provider,
            "hit@1": share(self.hit1, self.answerable),
            "hit@3": share(self.hit3, self.answerable),
            "MRR": f"{self.rr / self.answerable:.2f}" if self.answerable else "—",
            "gold figures stated": share(self.gold_stated, self.gold_figures),
            "numbers verified": share(self.supported, self.numbers),
            "unanswerable refused": share(self.refused_correctly, self.unanswerable),
            "answerable refused": share(self.refused_wrongly, self.answerable),
            "reason stated": share(self.reasons_stated, self.reasons),
            "parts covered": share(self.parts_covered, self.parts),
            "s/answer (median)": f"{statistics.median(self.seconds):.2f}" if self.seconds else "—",
        }


def _score(scores: Scores, item: QAItem, answer: Answer, passages: list[tuple[str, str]]) -> dict:
    """Add one answer to the counts; the detail line of it."""
    scores.numbers += len(answer.claims)
    scores.supported += sum(c.verdict == "supported" for c in answer.claims)
    refused = answer.answer == CANNOT_ANSWER
    detail: dict = {"id": item.id, "question": item.question, "answer": answer.answer,
                    "claims": [(c.text, c.verdict) for c in answer.claims],
                    "sections": [section for section, _ in passages[:3]]}
    if not item.answerable:
        scores.unanswerable += 1
        scores.refused_correctly += refused
        return detail
    if item.gold_quotes:
        hits = [_holds_quote(text, item.gold_quotes) for _, text in passages]
    else:
        hits = [_is_hit(section, item.gold_sections) for section, _ in passages]
    scores.answerable += 1
    scores.hit1 += any(hits[:1])
    scores.hit3 += any(hits[:3])
    scores.rr += reciprocal_rank(hits)
    stated = [figure_stated(answer, g) for g in item.gold_figures]
    scores.gold_figures += len(stated)
    scores.gold_stated += sum(stated)
    scores.refused_wrongly += refused
    detail["missed"] = [f"{g['metric']} {g['value']}{g['unit']} {g['role']}"
                        for g, ok in zip(item.gold_figures, stated, strict=True) if not ok]
    if item.reason:
        scores.reasons += 1
        detail["reason stated"] = reason_stated(answer.answer, item.reason)
        scores.reasons_stated += detail["reason stated"]
    if item.parts:
        covered = [c for c in parts_covered(item, answer) if c is not None]
        scores.parts += len(covered)
        scores.parts_covered += sum(covered)
        detail["parts"] = dict(zip(item.parts, parts_covered(item, answer), strict=True))
    return detail


def evaluate(chain: AnswerChain, items: list[QAItem], report_ids: dict[str, str], label: str = "") -> Scores:
    """Ask every question through the chain (its own report in scope) and score the answers."""
    scores = Scores(chain.provider, label=label)
    for item in items:
        scope = [report_ids[item.report]] if item.report in report_ids else None
        started = time.perf_counter()
        state = chain._prepare({"question": item.question, "report_ids": scope})
        answer = chain._finish(state, chain.generate.invoke(state))
        scores.seconds.append(time.perf_counter() - started)
        passages = [(np.passage.chunk.section, np.text) for np in state.context.passages]
        scores.details.append(_score(scores, item, answer, passages))
    return scores


def _ingest(library: Library, items: list[QAItem], tmp: Path) -> dict[str, str]:
    """Ingest the reports the items ask about (generated ones written to `tmp` first)."""
    from evals.synthetic import generate

    ids = {}
    for name in sorted({i.report for i in items}):
        item = next(i for i in items if i.report == name)
        path = report_path(item)
        if path is None:
            if item.seed is None:
                raise ValueError(f"{item.id}: a generated report's question needs its seed")
            path = tmp / name
            path.write_text(generate(item.seed)[0], encoding="utf-8")
        result = library.ingest([path], progress=False)[0]
        if result.report_id:
            ids[name] = result.report_id
    return ids


SETS = ("both", "seed", "generated", "real", "all")


def load_sets(which: str = "both", reports: int = 5, limit: int | None = None,
              split: str = "both") -> dict[str, list[QAItem]]:
    """The question sets by name: seed (qa_seed.jsonl), generated (`reports` generated reports) and
    real (qa_real.jsonl: "real dev" and "real heldout", or the one `split` asked). `which` is one
    set, "both" (seed and generated) or "all"."""
    from evals.quality.qa_generated import DEFAULT_SEEDS, make_items

    if which not in SETS:
        raise ValueError(f"unknown question set {which!r}: one of {', '.join(SETS)}")
    sets: dict[str, list[QAItem]] = {}
    if which in ("both", "all", "seed"):
        sets["seed"] = load_items(SEED)[:limit]
    if which in ("both", "all", "generated"):
        seeds = list(DEFAULT_SEEDS) + list(range(max(DEFAULT_SEEDS) + 1, reports + 1))
        sets["generated"] = make_items(seeds[:reports])[:limit]
    if which in ("all", "real"):
        real = load_items(REAL, source="real")
        for part in ("dev", "heldout"):
            if split in ("both", part):
                sets[f"real {part}"] = [i for i in real if i.split == part][:limit]
    return sets


def run(sets: dict[str, list[QAItem]], provider: str = "extractive", data_dir: Path | None = None) -> list[Scores]:
    """Score every set with one provider: one Scores per set, then the overall one."""
    with tempfile.TemporaryDirectory() as tmp:
        library = Library(Settings(data_dir=data_dir or Path(tmp) / "data"))
        try:
            all_items = [i for items in sets.values() for i in items]
            report_ids = _ingest(library, all_items, Path(tmp))
            llm = LLMSettings.model_validate({"provider": provider, **(LOCAL if provider == "llamacpp" else {})})
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
    parser.add_argument("--set", choices=SETS, default="both", dest="which",
                        help="which questions: seed, generated, real, both (seed and generated, the default) or all")
    parser.add_argument("--split", choices=["both", "dev", "heldout"], default="both",
                        help="the real set's part (default: both, reported separately)")
    parser.add_argument("--reports", type=int, default=5, help="generated reports (K, default 5)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions of each set")
    parser.add_argument("--details", action="store_true", help="print each answer")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    sets = load_sets(args.which, args.reports, args.limit, args.split)
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
