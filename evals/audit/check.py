"""Run the rule catalogue over parsed reports and summarise what it found: `run_rules` and the
merging of findings about one printed number (`consolidate`); what the front ends call
(`select_rules`, `check_one`, `check_stored`, `StoredChecks`, `exit_code`). Which files or
stored reports to check is `inputs`, which report is last year's is `pairing`."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

import evals.audit.rules  # noqa: F401 - importing the package registers every rule
from evals.audit.findings import SEVERITY_ORDER, Evidence, Finding
from evals.audit.inputs import ReportInputs, Source
from evals.audit.intervals import HUNDRED, Interval
from evals.audit.pairing import pick_previous, stored_previous
from evals.audit.registry import RULES, RuleContext
from index.models import ParsedReport, Report
from index.numbers import read_cell

if TYPE_CHECKING:
    from index.settings import CheckSettings, LimitSettings
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
    mark_ocr(findings, parsed.report)
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


# Said after the message of a finding that compares numbers OCR read from a scanned page.
OCR_NOTE = "所比数字有的由 OCR 从扫描页识别，可能是识别错误而非报告本身的错误：请对照原页核对。"


def mark_ocr(findings: list[Finding], report: Report) -> None:
    """Mark the evidence printed on a scanned page (its text read by OCR): a figure read by OCR
    (`Evidence.of`), or a quote of this report standing on one of its scanned pages. A finding
    resting on such a number may be a misreading, not the report's mistake: an error becomes a
    warning and says so (one false error costs the auditor's trust in every other finding)."""
    scanned = set(report.ocr_pages)
    for finding in findings:
        for evidence in finding.evidence:
            evidence.ocr = evidence.ocr or (evidence.page in scanned and _quotes_this(evidence, report.text))
        if any(e.ocr for e in finding.evidence) and finding.severity != "info":
            if finding.severity == "error":
                finding.severity = "warning"
            finding.message = finding.message.rstrip() + OCR_NOTE


def _quotes_this(evidence: Evidence, text: str) -> bool:
    """Whether a quote is of this report, not of last year's (whose page numbers are its own):
    its span lies in this text and the quote stands around it."""
    if evidence.start is None or evidence.end is None or not 0 <= evidence.start < evidence.end <= len(text):
        return False
    head = evidence.quote.split(" | ")[0][:12]  # a table row is quoted with " | " between cells
    window = text[max(0, evidence.start - len(evidence.quote) - 2): evidence.end + len(evidence.quote) + 2]
    return bool(head) and head in window


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


# --- what the front ends call -----------------------------------------------------------------


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


def check_stored(
    store: Store, report_id: str, previous_id: str | None = None, rule_ids: list[str] | None = None
) -> CheckResult | None:
    """The findings of an ingested report (None when it is not in the store), checked against the
    ingested report `previous_id` when given (pairing.stored_previous finds last year's)."""
    parsed = store.load_parsed(report_id)
    if parsed is None:
        return None
    last = store.load_parsed(previous_id) if previous_id else None
    paired = (last.report.source_name, last) if last is not None else None
    return check_one(parsed, parsed.report.source_name, paired, rule_ids)


class StoredChecks:
    """The findings of ingested reports as a front end shows them (the app's 审查 tab and the
    findings behind an answer's numbers, in the app and in `juesuan ask`): each report checked
    against last year's report among those the reader may see (pairing.stored_previous), with
    the rules of `JUESUAN_CHECK__*`; run once per (report, last year's report)."""

    def __init__(self, settings: CheckSettings) -> None:
        try:
            self.rule_ids = select_rules([settings.rules])
        except ValueError as exc:
            raise ValueError(f"JUESUAN_CHECK__RULES: {exc}") from None
        self.pair = settings.previous_from_store
        self._results: dict[tuple[str, str | None], CheckResult] = {}

    def result(self, store: Store, report_id: str, readable: list[dict]) -> CheckResult | None:
        """The findings of `report_id`, or None when it is not among `readable` (rows of
        `Store.reports()`) or no longer stored. A report id is its content's hash, so a result
        never goes stale."""
        if not any(r["id"] == report_id for r in readable):
            return None
        previous = stored_previous(readable, report_id) if self.pair else None
        key = (report_id, previous["id"] if previous else None)
        if key not in self._results:
            result = check_stored(store, report_id, key[1], self.rule_ids)
            if result is None:
                return None
            self._results[key] = result
        return self._results[key]

    def forget(self, report_id: str) -> None:
        """Drop the results a removed report was part of (as the report or as last year's)."""
        self._results = {k: v for k, v in self._results.items() if report_id not in k}


def exit_code(results: list[CheckResult], failures: list[str]) -> int:
    """2 when an input could not be read, else 1 when any report has an error finding, else 0."""
    if failures:
        return 2
    return 1 if any(r.summary.errors for r in results) else 0


# --- many inputs, on every core ------------------------------------------------------------------


@dataclass(frozen=True)
class _CheckJob:
    """What checking one input needs, sent to a worker process (so: plain, picklable data)."""

    source: Source
    rule_ids: list[str] | None
    data_dir: Path | None
    max_bytes: int
    chunk_chars: int
    limits: LimitSettings | None
    previous: tuple[Source, ...]  # last year's reports given on the command line (--previous)
    previous_given: bool
    pair_from_store: bool
    single_input: bool


# Per process: the resolver (and the store it opens) and the parsed --previous reports, made once
# and reused for every input that process checks. The parent fills `_PREVIOUS` before the workers
# start, so a forked worker (and a run with jobs=1) does not parse last year's reports again.
_INPUTS: dict[tuple[Path | None, int, int], ReportInputs] = {}
_PREVIOUS: dict[tuple[Source, ...], list[tuple[str, ParsedReport]]] = {}


def _inputs_for(job: _CheckJob) -> ReportInputs:
    key = (job.data_dir, job.max_bytes, job.chunk_chars)
    if key not in _INPUTS:
        _INPUTS[key] = ReportInputs(job.data_dir, job.max_bytes, job.chunk_chars)
    return _INPUTS[key]


def _load(inputs: ReportInputs, source: Source, limits: LimitSettings | None) -> ParsedReport:
    if source.path is None:
        return inputs.load(source)  # an ingested report: read from the store
    from index.parse import parse_file

    # Checking reads figures, tables and text: no retrieval chunks.
    return parse_file(source.path, inputs.max_bytes, inputs.chunk_chars, limits, chunks=False)


def _check_job(job: _CheckJob) -> CheckResult | str:
    """Check one input: its result, or the one line saying why it could not be read."""
    from index.loaders import LoadError

    inputs = _inputs_for(job)
    try:
        parsed = _load(inputs, job.source, job.limits)
    except LoadError as exc:
        return str(exc)
    if job.previous_given:
        if job.previous not in _PREVIOUS:
            _PREVIOUS[job.previous] = [(s.label, _load(inputs, s, job.limits)) for s in job.previous]
        paired = pick_previous(parsed, _PREVIOUS[job.previous], single_input=job.single_input)
    else:  # none given: last year's among the ingested reports (the app's pairing)
        paired = inputs.previous_in_store(parsed) if job.pair_from_store else None
    return check_one(parsed, job.source.label, paired, job.rule_ids)


def check_sources(
    inputs: ReportInputs,
    sources: list[Source],
    *,
    rule_ids: list[str] | None = None,
    last_year: list[tuple[Source, ParsedReport]] | None = None,
    pair_from_store: bool = False,
    limits: LimitSettings | None = None,
    jobs: int | None = None,
    use_ray: bool = False,
    ray_address: str | None = None,
) -> Iterator[tuple[Source, CheckResult | str]]:
    """Check every source, on `jobs` processes (None: every core; 1: this process), and yield
    (source, its result or the line saying why it could not be read) in the order of `sources`:
    the same output, in the same order, whatever the number of processes.

    Each file is parsed once, without retrieval chunks. `last_year` holds the reports given with
    --previous (already loaded, each with its source); when it is None, last year's report is
    looked for among the ingested reports if `pair_from_store`. `use_ray` runs the checks on Ray
    (`index.parallel.map_ordered`).
    """
    from index.parallel import map_ordered
    from index.settings import default_limits

    limits = limits or default_limits()  # read once, not once per file (it reads the environment)
    previous = tuple(source for source, _ in last_year or [])
    if last_year is not None:
        _PREVIOUS[previous] = [(source.label, parsed) for source, parsed in last_year]
    todo = [
        _CheckJob(
            source=source, rule_ids=rule_ids, data_dir=inputs.data_dir, max_bytes=inputs.max_bytes,
            chunk_chars=inputs.chunk_chars, limits=limits, previous=previous, previous_given=last_year is not None,
            pair_from_store=pair_from_store, single_input=len(sources) == 1,
        )
        for source in sources
    ]
    try:
        outcomes = map_ordered(_check_job, todo, jobs=jobs, use_ray=use_ray, ray_address=ray_address)
        yield from zip(sources, outcomes, strict=True)
    finally:
        _PREVIOUS.pop(previous, None)
        for opened in _INPUTS.values():  # the ones a run in this process (jobs=1) opened
            opened.close()
        _INPUTS.clear()
