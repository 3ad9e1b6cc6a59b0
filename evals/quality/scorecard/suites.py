"""Running the suites over the datasets: each returns its `Metric`s.

- retrieval: hit@1 / hit@3 / MRR — on the sample, of the fused ranking over
  evals/data/retrieval_seed.jsonl (evals.quality.retrieval); on any other dataset, of the
  passages the answer chain retrieved for its questions (evals.quality.qa, extractive);
- qa: per provider, gold figures stated, numbers verified, refusals, reasons and parts
  (evals.quality.qa);
- verify: the verifier on every dataset's reference answers and their one-number alterations
  (evals.quality.verify_eval), and on the real set's hand-labelled model answers
  (evals.quality.verify_real);
- rules: `check` held against every audited dataset's expected findings (evals.quality.real_corpus);
  mutation on the real corpus (evals.quality.real_mutation) and on generated reports
  (evals.quality.mutation).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from evals.quality.dataset import Dataset
from evals.quality.metrics import share
from evals.quality.qa import Scores
from evals.quality.qa_items import QAItem
from evals.quality.scorecard.model import Metric

__all__ = ["Options", "SuiteRunner"]


@dataclass
class Options:
    """What to run."""

    suites: list[str]
    datasets: list[Dataset]
    providers: list[str] = field(default_factory=lambda: ["extractive"])
    mutation_reports: int = 20  # generated reports of the synthetic mutation run (evals.quality.mutation)
    mutation_per_report: int | None = None  # perturb at most N figures per report (None: all)
    jobs: int = 2


def _share(suite: str, dataset: str, name: str, part: int, whole: int, better: str = "higher",
           provider: str = "", note: str = "") -> Metric:
    return Metric(suite=suite, dataset=dataset, name=name, value=share(part, whole), part=part, whole=whole,
                  better=better, provider=provider, note=note)  # type: ignore[arg-type]


def _count(suite: str, dataset: str, name: str, n: int, note: str = "") -> Metric:
    return Metric(suite=suite, dataset=dataset, name=name, value=n, kind="count", better="lower", note=note)


class SuiteRunner:
    """Runs the suites asked for; the answer runs are shared between retrieval and qa."""

    def __init__(self, options: Options, progress: Callable[[str], None] = lambda _: None) -> None:
        self.options = options
        self.progress = progress
        self.notes: list[str] = []
        self.seconds: dict[str, float] = {}
        self._answers: dict[str, dict[str, Scores]] = {}  # provider -> question set -> scores

    def run(self) -> list[Metric]:
        """Every metric of the suites asked for, suite by suite (a share of nothing is left out)."""
        metrics: list[Metric] = []
        # answers first, so that their time is the qa suite's (retrieval reads the same runs)
        for suite in sorted(self.options.suites, key=lambda s: s != "qa"):
            started = time.perf_counter()
            metrics += [m for m in getattr(self, f"_{suite}")() if m.kind != "share" or m.whole]
            self.seconds[suite] = round(time.perf_counter() - started, 1)
        order = {s: i for i, s in enumerate(self.options.suites)}
        return sorted(metrics, key=lambda m: order[m.suite])  # stable: the order measured within a suite

    # --- answers (shared) ------------------------------------------------------------------

    def _question_sets(self) -> list[dict[str, list[QAItem]]]:
        """The question sets, in groups that can share one library (no report file name in two
        datasets of a group); the real set is scored as its dev and heldout parts."""
        groups: list[dict[str, list[QAItem]]] = []
        names: list[set[str]] = []
        for d in self.options.datasets:
            if not d.questions:
                continue
            items = d.qa_items()
            sets = ({f"{d.name} {part}": [i for i in items if i.split == part] for part in ("dev", "heldout")}
                    if d.source == "real" else {d.name: items})
            files = {i.report for i in items}
            slot = next((k for k, used in enumerate(names) if not used & files), None)
            if slot is None:
                groups.append({})
                names.append(set())
                slot = len(groups) - 1
            groups[slot].update(sets)
            names[slot] |= files
        return groups

    def answers(self, provider: str) -> dict[str, Scores]:
        """Every question set answered by one provider (run once, then kept)."""
        from evals.quality.qa import run as run_qa

        if provider not in self._answers:
            scores: dict[str, Scores] = {}
            for sets in self._question_sets():
                self.progress(f"answering {', '.join(f'{k} ({len(v)})' for k, v in sets.items())} with {provider}")
                for result in run_qa(sets, provider):
                    if result.label != "overall":
                        scores[result.label] = result
            self._answers[provider] = scores
        return self._answers[provider]

    # --- the suites ----------------------------------------------------------------------

    def _retrieval(self) -> list[Metric]:
        from evals.quality.retrieval import run as run_retrieval

        out: list[Metric] = []
        if any(d.source == "sample" for d in self.options.datasets):
            self.progress("retrieval on the sample (retrieval_seed.jsonl)")
            result = run_retrieval()
            fused, n = result.rows["fused default"], result.questions
            out += [_share("retrieval", "sample", "hit@1", round(fused["hit@1"] * n), n),
                    _share("retrieval", "sample", "hit@3", round(fused["hit@3"] * n), n),
                    Metric(suite="retrieval", dataset="sample", name="MRR", value=fused["mrr"], kind="mean",
                           better="higher", note=f"{n} questions; embedder {result.embedder}")]
        for label, s in self.answers("extractive").items():
            if label == "sample":
                continue  # the sample's retrieval is measured on its own question set above
            out += [_share("retrieval", label, "hit@1", s.hit1, s.answerable),
                    _share("retrieval", label, "hit@3", s.hit3, s.answerable),
                    Metric(suite="retrieval", dataset=label, name="MRR",
                           value=s.rr / s.answerable if s.answerable else None, kind="mean", better="higher",
                           note=f"{s.answerable} answerable questions; passages the answer chain retrieved")]
        return out

    def _qa(self) -> list[Metric]:
        out: list[Metric] = []
        for provider in self.options.providers:
            for label, s in self.answers(provider).items():
                p = s.provider
                out += [
                    _share("qa", label, "gold figures stated", s.gold_stated, s.gold_figures, provider=p),
                    _share("qa", label, "numbers verified", s.supported, s.numbers, provider=p),
                    _share("qa", label, "unanswerable refused", s.refused_correctly, s.unanswerable, provider=p),
                    _share("qa", label, "answerable refused", s.refused_wrongly, s.answerable, "lower", provider=p),
                    _share("qa", label, "reason stated", s.reasons_stated, s.reasons, provider=p),
                    _share("qa", label, "parts covered", s.parts_covered, s.parts, provider=p),
                ]
        return out

    def _verify(self) -> list[Metric]:
        from evals.quality import verify_eval, verify_real

        out: list[Metric] = []
        for d in self.options.datasets:
            rows = [{"id": q.id, "report": str(d.reports_dir / q.report), "gold_sections": q.gold_sections,
                     "reference_answer": q.reference_answer} for q in d.questions or [] if q.reference_answer]
            if not rows:
                continue
            self.progress(f"verifier on {d.name}'s reference answers ({len(rows)}) and their alterations")
            # an answer cites its gold sections' passages when it has some, else the figures alone
            cited = verify_eval.evaluate([r for r in rows if r["gold_sections"]], use_passages=True)
            bare = verify_eval.evaluate([r for r in rows if not r["gold_sections"]], use_passages=False)
            out += [_share("verify", d.name, "altered numbers caught", cited.caught + bare.caught,
                           cited.altered + bare.altered),
                    _share("verify", d.name, "correct numbers flagged", cited.flagged + bare.flagged,
                           cited.numbers + bare.numbers, "lower")]
            if d.source == "real":
                self.progress("verifier on the hand-labelled model answers (verdicts_real.jsonl)")
                rates = verify_real.evaluate()
                every = verify_real.Rates([o for r in rates.values() for o in r.outcomes])
                note = "the bundled model's answers to the real questions, every number labelled by hand"
                out += [_share("verify", d.name, "labelled wrong numbers caught", len(every.caught),
                               len(every.wrong), note=note),
                        _share("verify", d.name, "labelled right numbers flagged", len(every.flagged),
                               len(every.right), "lower", note=note),
                        _share("verify", d.name, "labelled right numbers shown ✗", len(every.contradicted_right),
                               len(every.right), "lower", note=note)]
        return out

    def _rules(self) -> list[Metric]:
        out: list[Metric] = []
        for d in self.options.datasets:
            if d.findings is not None:
                out += self._audited(d)
            if d.source == "real":
                out += self._real_mutation(d)
            if d.source == "synthetic":
                out += self._synthetic_mutation(d)
        return out

    def _audited(self, d: Dataset) -> list[Metric]:
        from evals.audit.check import run_rules
        from evals.quality.real_corpus import CorpusScore, hold_against

        self.progress(f"check on {d.name}'s {len(d.reports)} reports against {len(d.findings or [])} expected findings")
        docs = []
        for report in d.reports:
            parsed = d.parsed(report)
            findings = run_rules(parsed, path=report).findings
            docs.append(hold_against(report, parsed.report.text, findings, d.expected(report), len(parsed.figures)))
        score = CorpusScore(docs)
        return [_share("rules", d.name, "inconsistencies found", score.found, score.expected),
                _count("rules", d.name, "false error findings", len(score.false_alarms("error"))),
                _count("rules", d.name, "false warning findings", len(score.false_alarms("warning"))),
                _count("rules", d.name, "inconsistencies reported more than once", len(score.repeats))]

    def _real_mutation(self, d: Dataset) -> list[Metric]:
        from evals.quality.real_corpus import audited
        from evals.quality.real_mutation import recall
        from evals.quality.real_mutation import run as run_mutation

        self.progress("mutation on the real corpus: each number of each relation that holds, moved")
        table = recall(run_mutation(audited()))
        hit, total = sum(h for h, _ in table.values()), sum(t for _, t in table.values())
        note = "an error finding points at the moved number"
        out = [_share("rules", d.name, "real mutations detected", hit, total, note=note)]
        out += [_share("rules", d.name, f"real mutations detected: {family}", h, t) for family, (h, t) in table.items()]
        return out

    def _synthetic_mutation(self, d: Dataset) -> list[Metric]:
        from evals.quality.mutation import run as run_mutation

        o = self.options
        sampled = f", at most {o.mutation_per_report} figures each (drawn with a fixed seed)" \
            if o.mutation_per_report else ""
        self.progress(f"mutation on {o.mutation_reports} generated reports{sampled}")
        result = run_mutation(o.mutation_reports, seed=1, per_report=o.mutation_per_report, jobs=o.jobs)
        if o.mutation_per_report:
            self.notes.append(f"synthetic mutation sampled: {o.mutation_reports} reports, at most "
                              f"{o.mutation_per_report} perturbed figures per report (fixed seed 1)")
        detectable = result.detectable
        note = f"{o.mutation_reports} clean generated reports (seed 1){sampled}"
        return [_count("rules", d.name, "clean-report error findings (mutation run)", result.clean_errors, note=note),
                _share("rules", d.name, "detectable perturbations detected", sum(p.detected for p in detectable),
                       len(detectable), note=note),
                _share("rules", d.name, "detectable perturbations flagged (error/warning)",
                       sum(p.flagged for p in detectable), len(detectable), note=note)]
