"""Mutation testing of the rule suite on clean synthetic reports.

Clean reports come from `evals.synthetic.generate` (consistent within display rounding; the
bundled sample is not used: it has real errors). For each report:

1. the clean report is parsed and checked: every finding on it is a false alarm, and an
   *error* finding is the worst kind (target: zero);
2. each stated figure that takes part in some relation (a sum, a share, a change, a
   completion rate, a count, a performance table, a repetition) is perturbed in turn by
   editing its printed digits in the text — ±1 in the last digit ('last'), ±1 in the
   next-to-last digit ('tens'), two adjacent digits swapped ('swap'), decimal point moved
   ('x10') — and the perturbed report is parsed and checked again;
3. a perturbation is *detected* when a new finding (of any severity: error, warning, or info,
   which is how an off-by-rounding difference is reported) has evidence overlapping the
   perturbed span; the detections are split by the worst severity found there, and 'any new
   error' (a new error finding anywhere) is counted too, for rules that cannot point at the
   figure;
4. a perturbation is *within tolerance* when the changed value still satisfies every relation
   the ground truth records for the figure, within display rounding (the intervals the
   printed digits allow overlap; two printings of one quantity with the same decimals are
   identical): an auditor could not tell it from rounding (one part of a four-part sum
   changed by 0.01). Detection is given over all perturbations and over the *detectable*
   ones (the others).

Figures no relation constrains cannot be caught by any rule; they are not perturbed but
counted and listed as 'unconstrained'. Figures bound only by inequalities (人次 ≥ 批次, 小微企业
≤ 中小企业) are listed apart as 'weakly constrained': most changes keep an inequality true.

    python -m evals.quality.mutation [--reports 20] [--seed 1] [--per-report N] [--all-kinds] [--jobs 2]

A 'last' change of an amount printed with two decimals (±0.01 万元) is often inside the
rounding slack of the relation it takes part in (a sum of n parts tolerates n+1 half-cents):
no interval rule can see it; such changes are the 'within tolerance' ones. See docs/mutation.md.
"""

from evals.quality.mutation.harness import (
    FLAGGING,
    KINDS,
    SEVERITIES,
    MutationResult,
    Perturbation,
    ReportOutcome,
    check_report,
    report_seeds,
    run,
)
from evals.quality.mutation.summary import format_result
from evals.quality.mutation.tolerance import relation_holds, truth_fact, within_tolerance

__all__ = ["FLAGGING", "KINDS", "SEVERITIES", "MutationResult", "Perturbation", "ReportOutcome", "check_report",
           "format_result", "relation_holds", "report_seeds", "run", "truth_fact", "within_tolerance"]
