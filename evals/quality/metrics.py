"""The scorecard's small measures, defined once: hit@k, reciprocal rank, a share.

`hits` is one question's ranking read as booleans: position i is True when the i-th passage
retrieved answers the question (a passage of a gold section, or holding a gold quote).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MRR_DEPTH", "hit_at", "mean", "reciprocal_rank", "share"]

#: How deep the reciprocal rank looks: a first hit below the 10th passage counts as none.
MRR_DEPTH = 10


def hit_at(hits: Sequence[bool], k: int) -> bool:
    """True when a passage among the first `k` answers the question."""
    return any(hits[:k])


def reciprocal_rank(hits: Sequence[bool], depth: int = MRR_DEPTH) -> float:
    """1 / the rank of the first passage that answers (1 for the first), 0 when none of the
    first `depth` does."""
    return next((1 / rank for rank, hit in enumerate(hits[:depth], start=1) if hit), 0.0)


def mean(values: Sequence[float]) -> float | None:
    """The mean, or None for no values."""
    return sum(values) / len(values) if values else None


def share(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to count."""
    return part / whole if whole else None
