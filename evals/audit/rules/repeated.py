"""Repeated disclosure: a figure stated in several places has one value.

Two statements are grouped only when they surely state the same quantity:
- narrative figures with the same canonical metric (a lexicon metric, a 功能分类 code, or a
  project's own metric), role, unit, year, comparison year, base, direction, funds (scope),
  basis and what a change is measured against (last year or the budget);
- cells of project tables (绩效自评表 预算执行, 资金计划) with the same project (its name compared
  regardless of the order of its characters), row, column meaning, unit and year.
Counts are left to the counts family and the nine standard tables to nine_tables. Figures in
one sentence are an enumeration, never repeats of each other. Values must be identical when
printed with the same decimals (both are one exact value rounded the same way: any difference
is an error); with different decimals the coarser value's interval must hold the finer one
(2.0 and 2.00, 4.6 and 4.55 agree; 4.5 and 4.55 do not, and are 'rounding' only when one unit
of the coarser digit apart).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from evals.audit.findings import Evidence, Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import compare_stated, make, sentence_span, subject_key
from index.lexicon import is_known_metric
from index.models import Figure

RULE_ID = "repeated.same_figure"
_PROJECT_TABLES = ("绩效自评表-预算执行", "资金计划")
_OUTCOME_ORDER = {"ok": 0, "rounding": 1, "error": 2}


def _column_key(column: str | None) -> str:
    text = re.sub(r"\s+", "", column or "")
    text = re.sub(r"[（(](万元|元|%|％)[）)]", "", text)
    return text.removesuffix("数") if text.endswith(("预算数", "执行数")) else text


def _row_key(label: str) -> str:
    return re.sub(r"^(?:其中[:：]?)", "", re.sub(r"\s+", "", label))


# A metric outside the lexicon is compared when its name says what it is an amount of
# ("一般公共预算收入", "政府性基金收入"), never a list ("上年结转、…等") or a phrase.
_FISCAL_NOUN = re.compile(r"(?:收入|支出|经费|资金|总计|合计|结余|结转|财力|费)$")


def _named_quantity(metric: str) -> bool:
    return 4 <= len(metric) <= 16 and bool(_FISCAL_NOUN.search(metric)) and not re.search(r"[、等，,的]", metric)


def _text_key(f: Figure, kinds: dict[int, str | None] | None = None) -> tuple | None:
    if f.role == "count" or f.approximate:
        return None
    if f.placed == "table" and (kinds is None or f.table_id not in kinds or kinds[f.table_id] is not None
                                or f.role != "amount"):
        return None  # cells of a plain table (no standard kind) state amounts the narrative repeats
    metric = f.metric
    if f.subject:
        metric = metric.removeprefix(f.subject).strip()
        if not metric:
            return None
    elif not (is_known_metric(f.metric) or (f.code and len(f.code) in (3, 5, 7)) or _named_quantity(metric)):
        return None
    # The funds a figure covers, its basis and what a change is measured against are part of
    # what it states: 一般公共预算's 收入总计 and 政府性基金's are two quantities.
    return ("text", metric, f.code, subject_key(f.subject), f.role, f.unit, f.year, f.compared_to, f.base,
            f.direction, f.scope, f.basis or "actual", f.against)


def _table_key(f: Figure, kinds: dict[int, str | None]) -> tuple | None:
    if f.placed != "table" or f.table_id is None or kinds.get(f.table_id) not in _PROJECT_TABLES:
        return None
    if not f.subject or f.role in ("weight", "score"):
        return None
    return ("table", subject_key(f.subject), _row_key(f.label), _column_key(f.column), f.role, f.unit, f.year)


def _place(f: Figure) -> str:
    where = f.section or "报告"
    return f"{where}{'表格' if f.placed == 'table' else '正文'}"


@rule(
    RULE_ID,
    family="repeated",
    severity="error",
    zh="同一数字（同一指标、年度、口径、主体、单位及表格栏目）在报告不同位置（正文、附件、表格）出现时数值一致。",
    en="The same figure stated in several places (narrative, annexes, tables) has one value.",
    needs="narrative+tables",
)
def same_figure(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    text = report.report.text
    kinds = {t.id: t.kind for t in report.tables}
    groups: dict[tuple, list[Figure]] = defaultdict(list)
    for f in report.figures:
        key = _text_key(f, kinds) or _table_key(f, kinds)
        if key is not None:
            groups[key].append(f)

    # group key -> (worst outcome, figures that disagree with the most stated value)
    results: list[tuple[tuple, str, list[Figure], Figure]] = []
    for key, figs in groups.items():
        places = {(f.table_id if f.placed == "table" else sentence_span(text, f)) for f in figs}
        if len(places) < 2:
            continue
        if key[0] == "text":
            by_sentence: dict[tuple[int, int], set] = defaultdict(set)
            for f in figs:
                by_sentence[sentence_span(text, f)].add(f.value)
            if any(len(values) > 1 for values in by_sentence.values()):
                ctx.insufficient(RULE_ID)  # one sentence, two values: an enumeration, not a repeat
                continue
        counts = Counter(f.value for f in figs)
        reference_value = max(counts, key=lambda v: (counts[v], -min(f.start for f in figs if f.value == v)))
        reference = next(f for f in figs if f.value == reference_value)
        worst, differing = "ok", []
        for f in figs:
            outcome = compare_stated(reference, f)
            if outcome != "ok":
                differing.append(f)
                worst = max(worst, outcome, key=_OUTCOME_ORDER.__getitem__)
        if worst != "ok":
            results.append((key, worst, differing, reference))

    findings: list[Finding] = []
    # Cells of two tables of one project are reported together: one finding per pair of tables.
    merged: dict[tuple, list[tuple[tuple, str, list[Figure], Figure]]] = defaultdict(list)
    for item in results:
        key, _, differing, reference = item
        if key[0] == "table":
            tables = frozenset(f.table_id for f in [reference, *differing])
            merged[(key[1], tables)].append(item)
        else:
            findings.append(_text_finding(*item))
    for items in merged.values():
        findings.append(_table_finding(items))
    return findings


def _text_finding(key: tuple, worst: str, differing: list[Figure], reference: Figure) -> Finding:
    label = reference.metric
    values = "、".join(f"{f.text}{f.unit}（{_place(f)}）" for f in differing)
    message = f"“{label}”在报告中多处表述不一致：{reference.text}{reference.unit}（{_place(reference)}）与{values}。"
    diff = differing[0].value - reference.value
    return make(
        RULE_ID, worst, message, expected=f"{reference.text}{reference.unit}",
        actual="、".join(f"{f.text}{f.unit}" for f in differing), difference=format(diff, "f"),
        # The printing that differs first: it is what the finding is about.
        evidence=[*[Evidence.of(f) for f in differing[:5]], Evidence.of(reference)],
    )


def _table_finding(items: list[tuple[tuple, str, list[Figure], Figure]]) -> Finding:
    worst = max((i[1] for i in items), key=_OUTCOME_ORDER.__getitem__)
    subject = items[0][3].subject
    parts, expected, actual, evidence = [], [], [], []
    for _, _, differing, reference in items:
        column = reference.column or ""
        row = _row_key(reference.label)
        parts.append(f"{row}{column}{reference.text}与{'、'.join(f.text for f in differing)}")
        expected.append(f"{row}{column}={reference.text}{reference.unit if reference.unit == '%' else ''}")
        actual.append(f"{row}{column}=" + "、".join(f.text + (f.unit if f.unit == "%" else "") for f in differing))
        evidence.extend([Evidence.of(reference), *[Evidence.of(f) for f in differing]])
    message = f"“{subject}”项目的资金表格在两处表述不一致：{'；'.join(parts)}。"
    first = items[0]
    diff = first[2][0].value - first[3].value
    return make(
        RULE_ID, worst, message, expected="；".join(expected), actual="；".join(actual),
        difference=format(diff, "f"), evidence=evidence[:10],
    )
