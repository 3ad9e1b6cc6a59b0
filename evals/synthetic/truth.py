"""Ground truth of a synthetic report: every figure printed (`Fact`), the relations among
them (`Relation`), the projects' 绩效自评表 as printed (`Project`), all of it (`GroundTruth`),
and the record of one planted error (`Planted`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal


@dataclass
class Fact:
    """One figure the generator printed."""

    key: str  # unique within the report
    metric: str  # the metric as the template names it (canonical where the lexicon has it)
    role: str
    value: Decimal
    text: str  # as printed
    unit: str
    year: int
    source: str = "text"  # "text" (narrative) or "table" (a cell of a 绩效自评表)
    compared_to: int | None = None
    direction: str | None = None
    base: str | None = None
    code: str | None = None
    subject: str | None = None
    column: str | None = None
    start: int = -1
    end: int = -1
    relations: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["value"] = str(self.value)
        return data


@dataclass
class Relation:
    """A relation among stated figures that a consistent report satisfies."""

    id: str
    family: str  # sums, shares, yoy, completion, counts, performance, repeated
    statement: str
    members: list[str]  # fact keys
    strict: bool = True  # an equality (a changed figure breaks it); False for inequalities only


@dataclass
class Project:
    """A project with its 绩效自评表 as printed (cells as text)."""

    name: str
    code: str
    budget_rows: list[list[str]]  # 预算执行 part, header row first
    indicator_rows: list[list[str]]  # 绩效指标 part, header row first, 合计 row last


@dataclass
class GroundTruth:
    seed: int
    department: str
    year: int
    facts: list[Fact]
    relations: list[Relation]
    projects: list[Project]

    def fact(self, key: str) -> Fact:
        return next(f for f in self.facts if f.key == key)

    def constrained(self) -> list[Fact]:
        """Facts that take part in at least one equality (the ones a rule could catch)."""
        strict = {r.id for r in self.relations if r.strict}
        return [f for f in self.facts if any(r in strict for r in f.relations)]

    def weakly_constrained(self) -> list[Fact]:
        """Facts bound only by inequalities (人次 ≥ 批次, 小微 ≤ 中小): most changes keep them true."""
        strict = {r.id for r in self.relations if r.strict}
        return [f for f in self.facts if f.relations and not any(r in strict for r in f.relations)]

    def unconstrained(self) -> list[Fact]:
        return [f for f in self.facts if not f.relations]


@dataclass
class Planted:
    """An error planted by `plant`."""

    family: str
    description: str
    start: int
    end: int  # span of the edited text in the new report
    before: str
    after: str
    fact: str | None = None  # key of the edited fact, when one was edited
    relations: list[str] = field(default_factory=list)
