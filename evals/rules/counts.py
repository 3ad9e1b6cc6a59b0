"""Counts: "N个项目", "N辆", "N人" agree with what is listed beside them.

- counts.stated_vs_listed: a count that announces a numbered list ("开展绩效监控的7个项目完成情况
  具体如下：" then 1.–4.) equals the number of items listed, and the same count (same metric,
  unit, year, project) stated in several places has one value ("选取4个项目开展绩效监控").
- counts.breakdown: a count broken down after 其中 ("共有车辆3辆，其中：…0辆、…1辆…", 编制 44 名其中
  …, 在岗 34 人其中…) adds up: with two or more parts their sum is the total, and a single part
  never exceeds it; the official cars (公务用车, 三公 section) never outnumber all the vehicles
  (车辆, 国有资产 section).
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from evals.findings import Evidence, Finding
from evals.registry import RuleContext, rule
from evals.rules._audit import fmt, make, sentence_span, subject_key
from index.lexicon import is_known_metric
from index.models import Figure, ParsedReport

FAMILY = "counts"
_ANNOUNCE = re.compile(r"(?:具体|分别|详细)?(?:情况)?如下\s*[:：]?\s*$")
_MARKER_NUMBER = re.compile(r"^[（(]?(\d{1,2})")


def _count_figures(report: ParsedReport) -> list[Figure]:
    return [f for f in report.figures if f.source == "text" and f.role == "count" and not f.approximate]


def _listed_items(report: ParsedReport, sentence_end: int, pos: int) -> int | None:
    """How many numbered items (1. 2. …) follow a sentence that announces a list.

    The items are the sections just under the sentence's own section that start after it,
    numbered 1, 2, 3… without a gap; None when no such list follows.
    """
    holder = None
    for s in report.sections:
        if s.start <= pos < s.end and (holder is None or s.level >= holder.level):
            holder = s
    if holder is None:
        return None
    children = sorted(
        (s for s in report.sections if s.parent == holder.id and s.start >= sentence_end - 1), key=lambda s: s.start
    )
    expected, count = 1, 0
    for child in children:
        m = _MARKER_NUMBER.match(child.marker)
        if not m or int(m.group(1)) != expected:
            break
        expected += 1
        count += 1
    return count or None


@rule(
    "counts.stated_vs_listed",
    family=FAMILY,
    severity="error",
    zh="“N个项目”等数量与其后列举的条目数一致，同一数量在不同位置表述一致。",
    en="A stated count equals the items listed after it, and the same count stated twice has one value.",
    needs="narrative",
)
def stated_vs_listed(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    text = report.report.text
    counts = _count_figures(report)
    listed: dict[int, int] = {}  # id(figure) -> number of items listed after its sentence
    for f in counts:
        start, end = sentence_span(text, f)
        sentence = text[start:end]
        if not _ANNOUNCE.search(sentence.rstrip("。")) or f.unit not in ("个", "项", "家", "名", "人", "辆", "条"):
            continue
        # only the number that counts the announced items: the last count before 如下
        last = [g for g in counts if sentence_span(text, g) == (start, end)]
        if last and last[-1] is not f:
            continue
        n = _listed_items(report, end, f.start)
        if n is not None:
            listed[id(f)] = n

    groups: dict[tuple, list[Figure]] = defaultdict(list)
    for f in counts:
        specific = is_known_metric(f.metric) or len(f.metric.removeprefix(f.subject or "").strip()) >= 4
        if specific:
            groups[(f.metric, f.unit, f.year, subject_key(f.subject))].append(f)
        elif id(f) in listed:
            groups[("single", id(f))].append(f)

    findings = []
    for figs in groups.values():
        spans = [sentence_span(text, f) for f in figs]
        if len(set(spans)) < len(spans):
            # two counts of one metric in one sentence: an enumeration ("分别印发文件64份、57份")
            if len({f.value for f in figs}) > 1:
                ctx.insufficient("counts.stated_vs_listed")
            continue
        stated = sorted({f.value for f in figs})
        listings = [(f, listed[id(f)]) for f in figs if id(f) in listed]
        values = set(stated) | {Decimal(n) for _, n in listings}
        if len(values) <= 1:
            continue
        metric = figs[0].metric
        unit = figs[0].unit
        stated_text = "、".join(f"{fmt(v)}{unit}" for v in stated)
        if listings:
            n = listings[0][1]
            message = f"“{metric}”的数量表述为{stated_text}，而其后列举的条目为{n}项，前后不一致。"
            expected = f"{n}{unit}"
            wrong = [f for f in figs if f.value != n]
        else:
            message = f"“{metric}”在报告中先后表述为{stated_text}，数量不一致。"
            expected = "一致的数量"
            wrong = figs[1:]
        actual = "、".join(f"{f.text}{unit}" for f in wrong) or stated_text
        difference = fmt(wrong[0].value - Decimal(listings[0][1])) if listings and wrong else ""
        findings.append(
            make("counts.stated_vs_listed", "error", message, expected=expected, actual=actual,
                 difference=difference, evidence=[Evidence.of(f) for f in figs])
        )
    return findings


def _breakdowns(report: ParsedReport) -> list[tuple[Figure, list[Figure]]]:
    """(total, parts) for every 其中 breakdown of counts of one unit."""
    text = report.report.text
    counts = _count_figures(report)
    by_sentence: dict[tuple[int, int], list[Figure]] = defaultdict(list)
    for f in counts:
        by_sentence[sentence_span(text, f)].append(f)
    result = []
    for (start, end), figs in by_sentence.items():
        figs.sort(key=lambda f: f.start)
        sentence = text[start:end]
        marks = [start + m.start() for m in re.finditer(r"其中", sentence)]
        for i, mark in enumerate(marks):
            stop = marks[i + 1] if i + 1 < len(marks) else end
            after = [f for f in figs if mark < f.start < stop]
            for unit in dict.fromkeys(f.unit for f in after):
                parts = [f for f in after if f.unit == unit]
                before = [f for f in figs if f.start < mark and f.unit == unit]
                total = before[-1] if before else None
                if total is None and not sentence[: mark - start].strip(" ，,：:（("):
                    # "…1个。其中行政单位1个，…": the total closes the sentence before
                    prev = [
                        f for (s, e), fs in by_sentence.items() if e <= start and start - e <= 2 for f in fs if f.unit == unit
                    ]
                    total = prev[0] if len(prev) == 1 else None
                if total is not None and parts:
                    result.append((total, parts))
    return result


@rule(
    "counts.breakdown",
    family=FAMILY,
    severity="error",
    zh="“其中”所列各分项数量之和等于总数（如车辆按用途、编制与在岗人数按类别）。",
    en="A count broken down after 其中 adds up (vehicles by type, staff by category).",
    needs="narrative",
)
def breakdown(ctx: RuleContext) -> list[Finding]:
    findings = []
    for total, parts in _breakdowns(ctx.report):
        parts_sum = sum((p.value for p in parts), Decimal(0))
        unit = total.unit
        listing = " + ".join(f"{p.text}" for p in parts)
        if len(parts) >= 2 and parts_sum != total.value:
            message = f"“{total.metric}”共{total.text}{unit}，但其中各分项合计为{fmt(parts_sum)}{unit}（{listing}）。"
        elif len(parts) == 1 and parts_sum > total.value:
            message = f"“{parts[0].metric}”{parts[0].text}{unit}超过了总数“{total.metric}”{total.text}{unit}。"
        else:
            continue
        findings.append(
            make("counts.breakdown", "error", message, expected=f"{total.text}{unit}", actual=f"{fmt(parts_sum)}{unit}",
                 difference=fmt(parts_sum - total.value), evidence=[Evidence.of(total), *[Evidence.of(p) for p in parts]])
        )
    findings.extend(_subsets(ctx))
    return findings


# Counts stated in different sections where one is part of the other: the official cars of the
# 三公 section (公务用车) are among all the vehicles of the 国有资产 section (车辆).
_SUBSETS = (("车辆", "公务用车", "辆"),)


def _subsets(ctx: RuleContext) -> list[Finding]:
    findings = []
    counts = [f for f in _count_figures(ctx.report) if f.subject is None and (f.year in (None, ctx.year))]
    for whole_metric, part_metric, unit in _SUBSETS:
        wholes = [f for f in counts if f.metric == whole_metric and f.unit == unit]
        parts = [f for f in counts if f.metric == part_metric and f.unit == unit]
        if not wholes or not parts:
            continue
        if len({f.value for f in wholes}) > 1 or len({f.value for f in parts}) > 1:
            ctx.insufficient("counts.breakdown")
            continue
        whole, part = wholes[0], parts[0]
        if part.value > whole.value:
            findings.append(make(
                "counts.breakdown", "error",
                f"“{part.metric}”{part.text}{unit}超过了单位共有“{whole.metric}”{whole.text}{unit}。",
                expected=f"≤{whole.text}{unit}", actual=f"{part.text}{unit}", difference=fmt(part.value - whole.value),
                evidence=[Evidence.of(whole), Evidence.of(part)],
            ))
    return findings
