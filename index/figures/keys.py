"""What a figure is a figure of, as a key both the rules and the answer verifier compare by.

A budget amount is named "<metric> 年初预算" in the narrative and "<metric> 预算数" in a 三公
table; its basis says which budget. `split_metric` gives the metric and the basis alike for
both, so a budget stated in a sentence and one printed in a table are one quantity.
"""

from __future__ import annotations

from index.models import Figure

BUDGET_BASES = ("initial_budget", "adjusted_budget", "budget")
BUDGET_SUFFIXES = {"年初预算": "initial_budget", "调整后预算": "adjusted_budget", "全年预算": "budget",
                   "预算": "budget", "预算数": "budget", "年初预算数": "initial_budget",
                   "调整后预算数": "adjusted_budget"}


def split_metric(figure: Figure) -> tuple[str, str]:
    """(metric, basis): the final account's basis is 'actual' (also when the text does not say)."""
    head, _, tail = figure.metric.rpartition(" ")
    if head and tail in BUDGET_SUFFIXES:
        return head, figure.basis or BUDGET_SUFFIXES[tail]
    return figure.metric, figure.basis or "actual"


def is_budget(basis: str) -> bool:
    """True for any kind of budget."""
    return basis in BUDGET_BASES
