"""Run the rule catalogue over parsed reports and summarise what it found."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

import evals.rules  # noqa: F401 - importing the package registers every rule
from evals.findings import SEVERITY_ORDER, Finding
from evals.intervals import HUNDRED, Interval
from evals.registry import RULES, RuleContext
from index.models import ParsedReport
from index.numbers import read_cell

if TYPE_CHECKING:
    from index.store import Store

log = logging.getLogger(__name__)


class Summary(BaseModel):
    """Counts for one report."""

    rules_run: int = 0
    findings: int = 0
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    insufficient_data: int = 0


class CheckResult(BaseModel):
    """The findings for one report, most severe first, and their summary."""

    path: str | None = None
    report_id: str
    title: str | None = None
    department: str | None = None
    year: int | None = None
    summary: Summary
    findings: list[Finding] = Field(default_factory=list)
    insufficient: dict[str, int] = Field(default_factory=dict, description="rule id -> unbound cases")
    previous: str | None = Field(default=None, description="last year's report it was checked against")


def run_rules(
    parsed: ParsedReport, previous: ParsedReport | None = None, rule_ids: list[str] | None = None, path: str | None = None
) -> CheckResult:
    """Run the rules (all, or the ids given) over one report; a rule that crashes is a bug,
    logged and counted as insufficient data rather than taking the others down."""
    ctx = RuleContext(report=parsed, previous=previous)
    findings: list[Finding] = []
    specs = [RULES[i] for i in rule_ids] if rule_ids else list(RULES.values())
    for spec in specs:
        try:
            found = spec.check(ctx)
        except Exception:
            log.exception("rule %s failed on %s", spec.id, parsed.report.source_name)
            ctx.insufficient(spec.id)
            continue
        findings.extend(found)
    findings = consolidate(findings, parsed.report.text)
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.family, f.rule, f.evidence[0].start if f.evidence and f.evidence[0].start is not None else 0))
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
    report = parsed.report
    return CheckResult(
        path=path,
        report_id=report.id,
        title=report.title,
        department=report.department,
        year=report.year,
        summary=Summary(
            rules_run=len(specs), findings=len(findings), errors=counts["error"], warnings=counts["warning"],
            infos=counts["info"], insufficient_data=sum(ctx.insufficient_counts.values()),
        ),
        findings=findings,
        insufficient=dict(ctx.insufficient_counts),
    )


def consolidate(findings: list[Finding], text: str) -> list[Finding]:
    """One wrong printed number is one finding. A finding's first evidence is the number it is
    about (the total that does not add up, the rate that does not follow, the printing that
    differs). Errors and warnings about the same number are merged into the most severe one; so
    is a share whose base is that number when the share holds against the value the number should
    have (a 三公 total printed wrong makes its parts' shares fail too). The merged finding names
    the other relations the number breaks and quotes their evidence. Two findings that merely
    share a number are not merged: each may be its own error."""
    serious = [f for f in findings if f.severity != "info" and _subject(f, text) is not None]
    groups: dict[tuple[int, int], list[Finding]] = {}
    for finding in serious:
        groups.setdefault(_subject(finding, text), []).append(finding)  # type: ignore[arg-type]
    for subject, group in groups.items():
        expected = _expected_value(group[0])
        for finding in serious:
            if finding not in group and finding.rule == "shares.recompute" and _share_follows(finding, subject,
                                                                                            expected, text):
                group.append(finding)
    dropped: set[int] = set()
    for key, group in groups.items():
        group = [f for f in group if id(f) not in dropped]
        if len(group) < 2:
            continue
        # The findings about the number itself first (the most severe of them), then the shares
        # it broke; a bare "part above its whole" yields to the relation that says by how much.
        group.sort(key=lambda f: (_subject(f, text) != key, SEVERITY_ORDER[f.severity],
                                  f.rule == "sums.part_exceeds_whole", f.rule))
        primary, others = group[0], group[1:]
        also = "；".join(f"{o.message.rstrip('。')}（{o.rule}）" for o in others)
        primary.message = primary.message.rstrip("。") + f"。同一数字另使{len(others)}项关系不成立：{also}。"
        spans = {(e.start, e.end) for e in primary.evidence}
        for other in others:
            dropped.add(id(other))
            for evidence in other.evidence:
                if (evidence.start, evidence.end) not in spans:
                    spans.add((evidence.start, evidence.end))
                    primary.evidence.append(evidence)
    return [f for f in findings if id(f) not in dropped]


def _subject(finding: Finding, text: str) -> tuple[int, int] | None:
    """The span of the printed number a finding is about (its first evidence), if it is one."""
    first = finding.evidence[0] if finding.evidence else None
    if first is None or first.start is None or first.end is None:
        return None
    return (first.start, first.end) if read_cell(text[first.start: first.end]).kind == "number" else None


def _expected_value(finding: Finding) -> Decimal | None:
    try:
        return Decimal(finding.expected)
    except (InvalidOperation, ValueError):
        return None


def _share_follows(share: Finding, base: tuple[int, int], expected: Decimal | None, text: str) -> bool:
    """True when a share finding [share, part, base] is about `base` and holds once the base has
    the value the other relation says it should have."""
    spans = [(e.start, e.end) for e in share.evidence]
    if expected is None or expected <= 0 or len(spans) < 3 or spans[2] != base:
        return False
    printed = [read_cell(text[s: e]) for s, e in spans[:2] if s is not None and e is not None]
    if len(printed) < 2 or any(c.kind != "number" or c.value is None for c in printed):
        return False
    rate, part = printed
    shown = Interval.displayed(rate.value, rate.decimals)  # type: ignore[arg-type]
    implied = Interval.displayed(part.value, part.decimals) / Interval.exact(expected) * Interval.exact(HUNDRED)  # type: ignore[arg-type]
    return shown.overlaps(implied.widen(Decimal("0.01")))


# --- checking files and stored reports: what `juesuan check` runs ------------------------------

SEVERITY_ZH: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass(frozen=True)
class Source:
    """One report to check: a file on disk or a report already in the store."""

    label: str  # the path as given (a folder's files under it), or the stored file name
    path: Path | None = None
    report_id: str | None = None


def select_rules(requested: list[str] | None) -> list[str] | None:
    """Rule ids to run for `--rule` values (ids or family names, repeated or comma-separated);
    None means every rule. Raises ValueError naming what is unknown."""
    tokens = [t.strip() for item in requested or [] for t in item.split(",") if t.strip()]
    if not tokens:
        return None
    chosen: list[str] = []
    unknown: list[str] = []
    for token in tokens:
        if token in RULES:
            matched = [token]
        else:
            matched = [spec.id for spec in RULES.values() if spec.family == token]
        if not matched:
            unknown.append(token)
        chosen.extend(m for m in matched if m not in chosen)
    if unknown:
        known = ", ".join(sorted({s.family for s in RULES.values()})) or "（尚无规则）"
        raise ValueError(f"未知的规则或类别：{', '.join(unknown)}（类别：{known}；完整列表见 docs/rules.md）")
    return chosen


class Checker:
    """Resolves command-line arguments to reports and checks them one at a time (memory stays
    flat over a folder of thousands). Files are parsed without storing anything; other arguments
    are looked up in the store of `data_dir`, which is opened only if it already exists."""

    def __init__(self, data_dir: Path | None, max_bytes: int = 50 * 1024 * 1024, chunk_chars: int = 500) -> None:
        self.data_dir = data_dir
        self.max_bytes = max_bytes
        self.chunk_chars = chunk_chars
        self._store: Store | None = None

    def close(self) -> None:
        """Close the store if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def _open_store(self) -> Store | None:
        if self._store is None and self.data_dir is not None and (self.data_dir / "juesuan.sqlite").is_file():
            from index.store import Store

            self._store = Store(self.data_dir)
        return self._store

    def resolve(self, args: list[str]) -> tuple[list[Source], list[str]]:
        """Sources for the arguments, in order, and one line per argument that names nothing.

        An existing path is a file, or a folder whose supported report files (recursively, sorted)
        are all checked. Anything else is looked up in the store: an id prefix, or part of a file
        name or department (every match is checked)."""
        from index.loaders import SUPPORTED_SUFFIXES

        sources: list[Source] = []
        failures: list[str] = []
        seen: set[tuple[str | None, str | None]] = set()

        def add(source: Source) -> None:
            key = (str(source.path.resolve()) if source.path else None, source.report_id)
            if key not in seen:
                seen.add(key)
                sources.append(source)

        for arg in args:
            path = Path(arg).expanduser()
            if path.is_dir():
                found = sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
                )
                if not found:
                    failures.append(f"{arg}: 文件夹中没有支持的报告文件")
                for p in found:
                    add(Source(label=str(p), path=p))
            elif path.exists():
                add(Source(label=arg, path=path))
            else:
                store = self._open_store()
                ids = store.find_reports(arg) if store is not None and arg.strip() else []
                if not ids:
                    looks_like_path = "/" in arg or "\\" in arg or path.suffix.lower() in SUPPORTED_SUFFIXES
                    reason = "文件不存在" if looks_like_path else "文件不存在，也不是已入库报告的 id"
                    failures.append(f"{arg}: {reason}")
                for report_id in ids:
                    report = store.get_report(report_id)
                    add(Source(label=report.source_name if report else report_id, report_id=report_id))
        return sources, failures

    def load(self, source: Source) -> ParsedReport:
        """Parse the file or load the stored report; raises LoadError with a line naming it."""
        from index.loaders import LoadError

        if source.path is not None:
            from index.parse import parse_file

            return parse_file(source.path, self.max_bytes, self.chunk_chars)
        store = self._open_store()
        parsed = store.load_parsed(source.report_id) if store is not None and source.report_id else None
        if parsed is None:
            raise LoadError(f"{source.label}: 已入库报告 {source.report_id} 无法读取")
        return parsed


def _same_department(a: str | None, b: str | None) -> bool:
    return bool(a and b) and "".join(a.split()) == "".join(b.split())


def pick_previous(
    parsed: ParsedReport, previous: list[tuple[str, ParsedReport]], single_input: bool
) -> tuple[str, ParsedReport] | None:
    """Last year's report for `parsed` among the `--previous` reports.

    With one input and one previous report, that one (it is what the user asked for). Otherwise
    the previous report of the same department and the year before (or, failing that, the
    latest earlier year; any year when the years are unknown); never the report itself."""
    candidates = [(label, p) for label, p in previous if p.report.id != parsed.report.id]
    if single_input and len(candidates) == 1:
        return candidates[0]
    year = parsed.report.year
    same = [(label, p) for label, p in candidates if _same_department(p.report.department, parsed.report.department)]
    if year is None:
        return same[0] if len(same) == 1 else None
    exact = [c for c in same if c[1].report.year == year - 1]
    if exact:
        return exact[0]
    earlier = [c for c in same if c[1].report.year is not None and c[1].report.year < year]
    if earlier:
        return max(earlier, key=lambda c: c[1].report.year or 0)
    undated = [c for c in same if c[1].report.year is None]
    return undated[0] if len(undated) == 1 else None


def check_one(
    parsed: ParsedReport,
    label: str,
    previous: tuple[str, ParsedReport] | None = None,
    rule_ids: list[str] | None = None,
) -> CheckResult:
    """Run the rules over one report (with last year's, when paired) and record what was used."""
    result = run_rules(parsed, previous=previous[1] if previous else None, rule_ids=rule_ids, path=label)
    if previous is not None:
        result.previous = previous[0]
    return result


def exit_code(results: list[CheckResult], failures: list[str]) -> int:
    """2 when an input could not be read, else 1 when any report has an error finding, else 0."""
    if failures:
        return 2
    return 1 if any(r.summary.errors for r in results) else 0
