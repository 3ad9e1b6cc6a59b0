"""The scorecard as data: one `Metric` per measured figure, a `Scorecard` per run, and the
comparison of two runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["SUITES", "Change", "Metric", "Scorecard", "ScorecardError", "compare", "load_scorecard"]

Suite = Literal["retrieval", "qa", "verify", "rules"]
SUITES: tuple[str, ...] = ("retrieval", "qa", "verify", "rules")
# Shares closer than this are the same figure (they are computed from whole counts).
_SAME = 1e-9


class Metric(BaseModel):
    """One measured figure of one suite on one dataset (and provider, for answers)."""

    model_config = ConfigDict(extra="forbid")

    suite: Suite
    dataset: str = Field(description="sample, generated, real, real dev, real heldout or a dataset folder's name")
    name: str = Field(description="what is measured, e.g. 'hit@1' or 'false error findings'")
    value: float | None = Field(description="a share in [0, 1], a count or a mean; None when nothing was counted")
    part: int | None = Field(default=None, description="for a share: what was counted (19 of 20 → 19)")
    whole: int | None = Field(default=None, description="for a share: out of how many (19 of 20 → 20)")
    kind: Literal["share", "count", "mean"] = "share"
    better: Literal["higher", "lower"] = Field(description="which way is an improvement")
    provider: str = Field(default="", description="the answering provider (qa only)")
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies the figure across runs."""
        return (self.suite, self.dataset, self.provider, self.name)

    def shown(self) -> str:
        """The value as printed: '0.950 (19/20)', '3', '0.912'."""
        if self.value is None:
            return "—"
        if self.kind == "share":
            counts = f" ({self.part}/{self.whole})" if self.whole is not None else ""
            return f"{self.value:.3f}{counts}"
        if self.kind == "count":
            return str(int(self.value))
        return f"{self.value:.3f}"


class Scorecard(BaseModel):
    """One run of `juesuan eval`: when, on what code, how long, and every figure."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    date: str = Field(description="when the run started (ISO 8601, UTC)")
    commit: str = Field(description="`git rev-parse --short HEAD` of the code measured ('unknown' outside git)")
    uncommitted: bool = Field(default=False, description="the working tree had changes beyond that commit")
    suites: list[str]
    datasets: list[str]
    providers: list[str]
    cores: int = 0
    load_average: list[float] = Field(default_factory=list, description="1/5/15-minute load when the run began")
    seconds: dict[str, float] = Field(default_factory=dict, description="wall time per suite, and 'total'")
    cpu_seconds: float | None = Field(default=None, description="CPU time of the run, its worker processes included")
    notes: list[str] = Field(default_factory=list, description="sampling, skipped suites, fallbacks")
    metrics: list[Metric] = Field(default_factory=list)

    def of(self, suite: str) -> list[Metric]:
        """The metrics of one suite, in the order measured."""
        return [m for m in self.metrics if m.suite == suite]

    def code(self) -> str:
        """The commit, and whether there was work beyond it."""
        return self.commit + (" plus uncommitted work" if self.uncommitted else "")


class ScorecardError(ValueError):
    """A scorecard file that cannot be read (one line naming it)."""


def load_scorecard(path: Path) -> Scorecard:
    """A scorecard saved with `--json`/`--output X.json` (ScorecardError naming the file if not one)."""
    try:
        return Scorecard.model_validate_json(Path(path).read_bytes())
    except OSError as exc:
        raise ScorecardError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ScorecardError(f"{path}: not a scorecard ({where + ': ' if where else ''}{first['msg']})") from exc
    except json.JSONDecodeError as exc:  # pragma: no cover - pydantic reports JSON errors itself
        raise ScorecardError(f"{path}: not JSON: {exc.msg}") from exc


class Change(BaseModel):
    """One figure in two runs."""

    suite: str
    dataset: str
    provider: str
    name: str
    old: str
    new: str
    verdict: Literal["better", "worse", "same", "new", "gone", "n/a"]
    delta: float | None = None


def _verdict(old: Metric | None, new: Metric | None) -> tuple[str, float | None]:
    if old is None:
        return "new", None
    if new is None:
        return "gone", None
    if old.value is None or new.value is None:
        return ("same" if old.value == new.value else "n/a"), None
    delta = new.value - old.value
    if abs(delta) <= _SAME:
        return "same", 0.0
    up = delta > 0
    return ("better" if up == (new.better == "higher") else "worse"), delta


def compare(old: Scorecard, new: Scorecard) -> list[Change]:
    """Every figure of either run: old → new, better or worse by the figure's direction (higher
    is better for recall and hits, lower for false alarms and refusals of answerable questions)."""
    before = {m.key: m for m in old.metrics}
    after = {m.key: m for m in new.metrics}
    keys = list(before) + [k for k in after if k not in before]
    out = []
    for key in keys:
        a, b = before.get(key), after.get(key)
        verdict, delta = _verdict(a, b)
        out.append(Change(suite=key[0], dataset=key[1], provider=key[2], name=key[3],
                          old=a.shown() if a else "—", new=b.shown() if b else "—",
                          verdict=verdict, delta=delta))  # type: ignore[arg-type]
    return out
