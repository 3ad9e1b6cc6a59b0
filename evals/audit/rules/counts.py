"""Counts: "N个项目", "N辆", "N人" agree with what is listed beside them.

- counts.stated_vs_listed: a count that announces a numbered list ("开展绩效监控的7个项目完成情况
  具体如下：" then 1.–4.) equals the number of items listed, and the same count (same metric,
  unit, year, project) stated in several places has one value ("选取4个项目开展绩效监控").
- counts.breakdown: a count broken down after 其中 ("共有车辆3辆，其中：…0辆、…1辆…", 编制 44 名其中
  …, 在岗 34 人其中…) adds up: with two or more parts their sum is the total, and a single part
  never exceeds it; the official cars (公务用车, 三公 section) never outnumber all the vehicles
  (车辆, 国有资产 section). A sum is asserted only for a list that is a partition: its parts
  name the same kind of thing as the total (编制 under 编制, 单位 under 单位, 车 under 车辆, people
  under a head count) — staff by title *and* by grade *and* the retired, or 编制 posts listed
  under a count of people, are not — and a list the document cuts off is never summed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from evals.audit.findings import Evidence, Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import fmt, make, sentence_span, subject_key
from index.lexicon import is_known_metric
from index.models import Figure, ParsedReport

FAMILY = "counts"
_ANNOUNCE = re.compile(r"(?:具体|分别|详细)?(?:情况)?如下\s*[:：]?\s*$")
_MARKER_NUMBER = re.compile(r"^[（(]?(\d{1,2})")


def _count_figures(report: ParsedReport) -> list[Figure]:
    return [f for f in report.figures if f.placed == "text" and f.role == "count" and not f.approximate]


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


# A count followed by the names it counts: "设9个内设机构,分别为:办公室、…、项目服务股。",
# "内设机构12个:办公室、…"; or preceded by them: "内设办公室、人事股、…、信息中心21个股室和直属单位".
_LIST_AFTER = re.compile(
    r"^\s*(?P<noun>[\u4e00-\u9fff]{0,10})\s*(?:[,，]\s*)?(?P<cue>分别为|分别是|即|包括)?\s*(?P<colon>[:：])?\s*"
    r"(?P<items>[^。；;：:，,]+)(?P<end>[。；;]|$)"
)
_LIST_VERB = re.compile(r"^(?:.*?(?:内设|下设|下辖|设有|设立|分设|包括|设))")
_ITEM_UNITS = ("个", "家", "所")


def _items(listing: str) -> set[int] | None:
    """How many names a 、-separated list holds (a set: one 和/及 may join two names or be part of
    one); None when it is not a plain list of names (too few items, 等, numbers or clauses in it)."""
    listing = listing.strip(" 。；;")
    if "、" not in listing or listing.endswith(("等", "等等")) or re.search(r"\d|[，,]", listing):
        return None
    items = [i for i in listing.split("、") if i.strip()]
    if len(items) < 2 or any(len(re.sub(r"[（(][^）)]*[）)]", "", i)) > 20 for i in items):
        return None
    joined = sum(1 for i in items if _JOINED.search(re.sub(r"[（(][^）)]*[）)]", "", i)))
    return {len(items), len(items) + joined}


# "南院和北院": two names joined (the word before 和 is a name of its own); "宣传和投诉举报事务中心" is one.
_JOINED = re.compile(r"(?:中心|室|科|处|股|局|部|院|所|站|队|办|馆|公司|医院|学校|组)\s*[和及]")


def _inline_listing(text: str, f: Figure) -> set[int] | None:
    """The item counts of the names listed right after (or right before) a count, if any."""
    start, end = sentence_span(text, f)
    after = text[f.end: end].lstrip()
    if not after.startswith(f.unit):
        return None
    after = after[len(f.unit):]
    if (m := _LIST_AFTER.match(after)) and (m.group("cue") or m.group("colon")):
        return _items(m.group("items"))
    clause = re.split(r"[，,：:；;。]", text[start: f.start])[-1]
    if "、" in clause and (verb := _LIST_VERB.match(clause)):
        return _items(clause[verb.end():])
    return None


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
    for f in counts:
        if id(f) in listed or f.unit not in _ITEM_UNITS:
            continue
        options = _inline_listing(text, f)
        if options is not None:
            listed[id(f)] = int(f.value) if f.value in options else min(options, key=lambda n: abs(n - f.value))

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


_PEOPLE = re.compile(r"(?:人员|职工|干部|员工|人数|教职工|工作人员)$")
# Totals of serving staff, which never include the retired.
_SERVING = re.compile(r"在职|在岗|正式|在编|编制|教职工")
_PERSON_PART = re.compile(r"(?:员|人|工|干部)$")
_NOT_SERVING = ("退休", "离休", "编制", "编")


def _noun(metric: str) -> str:
    """The thing a count counts: "编制内在岗人数" → 编制内在岗, "共有车辆" → 共有车."""
    noun = re.sub(r"(?:人数|总数|数)$", "", metric)
    return noun[:-1] if noun.endswith("车辆") else noun


def is_partition(total: Figure, parts: list[Figure]) -> bool:
    """Whether a 其中 list of counts names kinds of the total's own thing (so its sum is the total)."""
    head = _noun(total.metric)
    if not head:
        return False
    for word in _NOT_SERVING:
        if word in ("退休", "离休") and not _SERVING.search(head):
            continue  # 实有人数 = 在职 + 离休 + 退休
        if word not in head and any(word in p.metric for p in parts):
            return False  # retirees under serving staff, 编制 posts under people
    if all(_noun(p.metric).endswith(head[-1]) for p in parts):
        return True
    people = bool(_PEOPLE.search(total.metric)) or total.unit in ("人", "名")
    return people and bool(_PEOPLE.search(total.metric) or head.endswith("岗")) and all(
        _PERSON_PART.search(_noun(p.metric)) for p in parts
    )


def _cut_off(report: ParsedReport, last: Figure, end: int) -> bool:
    """A list the document's cut runs into: its sentence reaches the end of a text that stops
    mid-sentence, and after its last part the list goes on ("…全额事业编45个、差额"); a note in
    parentheses after the last part ("退休人员0人(不含…") does not continue it."""
    text = report.report.text
    if text[end:].strip() or text[:end].rstrip().endswith(("。", "！", "？", ".", "；")):
        return False
    rest = re.sub(r"[（(][^）)]*(?:[）)]|$)", "", text[last.end: end])
    return bool(re.search(r"[、，,；;]", rest))


def _implicit(report: ParsedReport, figs: list[Figure], end: int) -> list[tuple[Figure, list[Figure]]]:
    """A head count followed in its sentence by counts of its own kinds without 其中:
    "在职人员81人,专业技术人员57人、管理人员1人,工勤人员23人" (every part names the total's noun)."""
    if len(figs) < 3 or len({f.unit for f in figs}) != 1 or figs[0].unit not in ("人", "名"):
        return []
    total, parts = figs[0], figs[1:]
    if not total.metric.endswith("人员") or not all(p.metric.endswith("人员") and p.metric != total.metric
                                                   for p in parts):
        return []
    return [] if _cut_off(report, parts[-1], end) else [(total, parts)]


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
                if total is not None and parts and is_partition(total, parts) and not _cut_off(report, parts[-1], end):
                    result.append((total, parts))
        if not marks:
            result.extend(_implicit(report, figs, end))
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
        # The total is what the report prints; its parts imply their sum.
        findings.append(
            make("counts.breakdown", "error", message, expected=f"{fmt(parts_sum)}{unit}", actual=f"{total.text}{unit}",
                 difference=fmt(total.value - parts_sum), evidence=[Evidence.of(total), *[Evidence.of(p) for p in parts]])
        )
    findings.extend(_subsets(ctx))
    findings.extend(_posts(ctx))
    return findings


# "科级领导职数8名(5正3副)": posts broken down into principal and deputy posts.
_POSTS = re.compile(r"\s*[（(]\s*(?P<a>\d+)\s*正\s*(?P<b>\d+)\s*副\s*[）)]")


def _posts(ctx: RuleContext) -> list[Finding]:
    """A count of posts followed by its 正/副 split adds up."""
    text = ctx.report.report.text
    findings = []
    for f in _count_figures(ctx.report):
        after = text[f.end:].lstrip()
        if not after.startswith(f.unit):
            continue
        rest_at = f.end + (len(text[f.end:]) - len(after)) + len(f.unit)
        match = _POSTS.match(text, rest_at)
        if match is None:
            continue
        a, b = Decimal(match.group("a")), Decimal(match.group("b"))
        if a + b == f.value:
            continue
        quote = f.quote
        evidence = [Evidence.of(f), *[
            Evidence(quote=quote, section=f.section, page=f.page, start=match.start(g), end=match.end(g))
            for g in ("a", "b")
        ]]
        findings.append(make(
            "counts.breakdown", "error",
            f"“{f.metric}”{f.text}{f.unit}，但其后所列“{a}正{b}副”合计为{fmt(a + b)}{f.unit}。",
            expected=f"{fmt(a + b)}{f.unit}", actual=f"{f.text}{f.unit}", difference=fmt(f.value - a - b),
            evidence=evidence,
        ))
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
