"""Stated figures from the narrative: every number bound to its metric, year, role and place.

The narrative of a 部门决算 is formulaic ("2023年度“三公”经费财政拨款支出决算为14.71万元，
完成预算100%，较上年度减少2.66万元，下降15.31%。"), so a figure is read clause by clause:
- the words right before a number name its metric ("公务接待费支出4.55万元");
- a number with no metric of its own ("占30.93%", "下降18.75%") belongs to the last metric
  named in the same sentence;
- the word right before it gives its role: 占 → share, 增加/减少 → change amount, 增长/下降 →
  change rate, 完成预算/执行率 → completion rate, 差值 / 决算数大于预算数 → a difference from
  the budget; its unit gives amount, count or score;
- 比2022年度 / 较上年 give the year compared to, 与2021年度预算相比 a comparison with the budget
  (`against`); a number right after such a phrase ("较上年2.08减少0.03万元") is last year's
  amount, even without a unit; a year at the head of a sentence gives the year the figure
  refers to; a project named at the head of a paragraph ("1.政府工作专项经费项目绩效自评得分为
  100分") is the subject of the paragraph's figures;
- a share's base is the whole it names ("占收入合计的98.70%"), else the total that opens its
  list: "…中，A x万元，占a%", or the amount before 其中, in the same sentence or the one before
  ("本单位支出为1942.57万元。其中：基本支出1121.09万元，占57.71%");
- the funds a figure covers (`scope`) come from its name or the headings above it.
Numbers that are not figures are skipped: years and dates, 功能分类 codes ("（201类）"), list
numbering, thresholds ("单价100万元以上"), figure and annex numbers, and damaged numbers
(`index.figures.gaps`), which are reported as gaps instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.figures import words as w
from index.figures.gaps import is_damaged
from index.figures.keys import split_metric
from index.lexicon import canonical_metric
from index.models import Figure
from index.numbers import MONEY_UNITS, PERCENT_UNITS, normalize_unit, parse_decimal


@dataclass
class FigureContext:
    """What the text around a sentence says about its figures."""

    report_id: str
    report_year: int | None
    department: str | None
    section: str
    page: int | None
    subject: str | None = None
    headings: str = ""  # the titles of the sections above, for the funds they narrow to


@dataclass
class _Number:
    """A number found in a sentence: a figure with its unit, or last year's amount in a comparison."""

    start: int
    end: int
    text: str
    unit: str | None
    approx: bool
    match_end: int
    prior_year: int | None = None  # set for "较上年2.08减少…": the year the amount belongs to
    prior: bool = False


def _numbers(sentence: str, sentence_year: int | None) -> list[_Number]:
    """The numbers of a sentence in order: figures with units, and last year's amounts inside
    comparisons (which win over a plain reading of the same number)."""
    found: list[_Number] = []
    for match in w.PRIOR_VALUE_RE.finditer(sentence):
        year = int(match.group("year")) if match.group("year") else (sentence_year - 1 if sentence_year else None)
        unit = match.group("unit")
        if unit is None:  # "较上年2.08减少0.03万元": the unit of the change that follows
            after = w.FIGURE_RE.search(sentence, match.end("num"))
            unit = normalize_unit(after.group("unit")) if after else None
        if unit not in MONEY_UNITS:
            continue
        found.append(_Number(match.start("num"), match.end("num"), match.group("num"), unit, False,
                             match.end("num"), prior_year=year, prior=True))
    taken = {(n.start, n.end) for n in found}
    for match in w.FIGURE_RE.finditer(sentence):
        if (match.start("num"), match.end("num")) in taken:
            continue
        unit = normalize_unit(match.group("unit"))
        found.append(_Number(match.start("num"), match.end("num"), match.group("num"),
                             "万元" if unit == "万" else unit, bool(match.group("approx")), match.end()))
    return sorted(found, key=lambda n: n.start)


def _list_head(figures: list[Figure], before: int) -> Figure | None:
    """The last money amount stated before offset `before`: the total a 其中 list breaks down."""
    for figure in reversed(figures):
        if figure.start < before and figure.role == "amount" and figure.unit in MONEY_UNITS:
            return figure
    return None


def extract_sentence_figures(paragraph: str, offset: int, ctx: FigureContext) -> list[Figure]:
    """All figures of one paragraph; `offset` is the paragraph's position in Report.text."""
    figures: list[Figure] = []
    subject = ctx.subject
    if match := w.PROJECT_HEAD.match(paragraph):
        subject = match.group("subj").strip()
    # A paragraph headed by a 类/款/项 item ("1、社会保障和就业支出（类）…（项）。主要用于：…。年初
    # 预算为54.53万元，…") is about that item in every sentence.
    paragraph_item = w.CLASS_ITEM.match(w.LEAD_NUMBERING.sub("", paragraph).lstrip())
    # "与2021年执行数相比，有以下变化。一是收入增加3627万元…": a comparison that opens a sentence
    # of its own holds for the changes of the sentences after it.
    carried: tuple[str, int | None] | None = None
    before: Figure | None = None  # the last figure of the sentence before
    for s_begin, s_end in w.sentences(paragraph):
        sentence = paragraph[s_begin:s_end]
        found = _sentence_figures(sentence, offset + s_begin, ctx, subject, paragraph, s_begin, paragraph_item,
                                  figures, carried, before)
        figures.extend(found)
        before = found[-1] if found else None
        phrase = w.against_at(sentence, len(sentence))
        if phrase[0] is not None:
            has_change = any(f.role in ("change_amount", "change_rate") for f in found)
            carried = None if has_change else phrase  # type: ignore[assignment]
    return figures


def _sentence_year(sentence: str, ctx: FigureContext, subject: str | None, paragraph: str, s_begin: int) -> int | None:
    year = ctx.report_year
    if match := w.SENTENCE_YEAR.match(w.LEAD_NUMBERING.sub("", sentence).strip()):
        year = int(match.group("year"))
        if subject and paragraph.find(subject) <= s_begin + match.end() <= paragraph.find(subject) + len(subject) + 4:
            year = ctx.report_year  # "2.2022年度政府工作经费项目…": a name, not a year
    return year


def _share_base(sentence: str, pos: int, sentence_start: int, head_metric: str | None, earlier: list[Figure],
                figures: list[Figure]) -> str | None:
    """The whole a share without a named base is a share of: the total opening its list."""
    if head_metric:
        return head_metric
    qizhong = sentence.rfind("其中", 0, pos)
    if qizhong >= 0:
        head = _list_head(figures, sentence_start + qizhong)
        if head is not None and head.start >= sentence_start:
            return head.metric
        if not sentence[:qizhong].strip(" 　\t。；;，,：:") or head is not None:
            # "。其中：基本支出…占81.8%": the total of the sentences before.
            head = _list_head(earlier, sentence_start)
            return head.metric if head is not None else None
    return w.first_amount_metric(figures, sentence_start)


def _sentence_figures(
    sentence: str, start: int, ctx: FigureContext, subject: str | None, paragraph: str, s_begin: int,
    paragraph_item: re.Match[str] | None, earlier: list[Figure], carried: tuple[str, int | None] | None = None,
    before: Figure | None = None,
) -> list[Figure]:
    """The figures of one sentence at offset `start` of Report.text; `earlier` are the figures of
    the paragraph's previous sentences (for the total a list in this sentence breaks down).

    A sentence that opens with a comparison ("比上年减少1.05万元，下降18.75%。") continues the
    sentence before: its changes are those of the last figure stated there (`before`)."""
    figures: list[Figure] = []
    year = _sentence_year(sentence, ctx, subject, paragraph, s_begin)
    last_metric: tuple[str, str, str | None] | None = None  # (metric, label, code)
    if before is not None and before.subject == subject and w.opens_with_comparison(sentence, ctx.department):
        last_metric = (split_metric(before)[0], before.label, before.code)  # a budget's metric, not the budget
    if item := w.CLASS_ITEM.search(sentence) or paragraph_item:
        last_metric = w.class_item_metric(item)
    head_metric: str | None = None
    if match := re.search(r"^(?P<head>[^，。；]{2,40}?)中[，,]", sentence):
        head_metric = canonical_metric(w.metric_words(match.group("head"), ctx.department, subject))[0]
    outer = last_metric  # the metric in view outside a "(其中…)" parenthesis
    for number in _numbers(sentence, year):
        if w.is_skipped(sentence, number.start, number.end) or is_damaged(sentence, number.start, number.text):
            continue
        inside = w.in_parenthesis(sentence, number.start)
        if not inside:
            last_metric = outer  # "…995万元(其中…958万元),比上年下降26.24%": the rate is the 995's
        unit = number.unit or ""
        after = sentence[number.match_end: number.match_end + 20]
        if unit in MONEY_UNITS and w.SKIP_AFTER.match(after):
            continue
        if number.start == 0 and s_begin == 0 and unit not in MONEY_UNITS and unit not in PERCENT_UNITS:
            continue  # "13项目支出：指…": list numbering glued to the item, not a count
        prefix = w.clause_prefix(sentence, number.start)
        if number.prior:
            role, direction, base, rate_kw = "amount", None, None, None
        else:
            role, direction, base, rate_kw = w.role_for(prefix, unit)
        previous = figures[-1] if figures else None
        if previous is not None and not prefix.strip() and sentence[: number.start].rstrip().endswith("、"):
            # "分别下降15%、35%": an enumerated value shares its neighbour's role.
            role, direction, base = previous.role, previous.direction, previous.base
        words = "" if number.prior else w.metric_words(prefix, ctx.department, subject)
        if w.is_reason(words):
            continue  # "主要原因是新增了605.99万元…": an amount in a reason, named after it if at all
        own_year = year
        if role == "amount" and (last := w.LAST_YEAR_WORDS.match(words)) and year is not None:
            words, own_year = words[last.end():], year - 1
        if role == "amount" and words in w.BARE_TOTALS and not subject and last_metric is None:
            words = w.BARE_TOTALS[words]
        # The words before 占/完成预算 name the base or the rate, not the metric; before a
        # change they name the metric only when the clause starts with it ("公务接待费支出
        # 决算比2022年度减少1.05万元"), else the change belongs to the last metric named.
        if role == "amount" and words in w.TOTAL_WORDS:
            # "人员经费841.35万元，公用经费86.10万元，合计927.45万元": the total of the list, never
            # the last item named; its name is the list's head when the sentence states one.
            if head_metric is None:
                continue
            words = head_metric
        if role in ("share", "completion_rate") or words in w.WEAK_METRIC:
            words = "" if role != "rate" or not rate_kw else rate_kw
        if role == "change_amount" and rate_kw == "budget":
            words = ""  # "决算数大于预算数55.93万元", "差值为0.9万元": a gap of the metric in view
        if role == "completion_rate" and subject:
            words = "预算执行率"
        if role == "count" and (noun := w.COUNTED_NOUN.match(after)):
            # "对4个项目编制了绩效目标": the thing counted follows the measure word.
            words = w.counted_metric(words, noun.group(1), noun.group(2))
        elif role == "count" and (w.COUNT_VERB.fullmatch(words) or "、" in words) and (
                thing := w.THING_AFTER.match(after)):
            # "招商服务中心设9个内设机构", "现有72个教学班": what is counted follows the number.
            words = thing.group(0)
        elif role == "count" and not words and unit in ("名", "人") and (noun := w.PERSON_NOUN.match(after)):
            words = noun.group(0)  # "2017年度62名职工工资调标": the people counted follow the number
        elif (role == "count" and not words and last_metric is not None and unit not in w.EVENT_UNITS
              and any(f.metric == last_metric[0] and f.unit in MONEY_UNITS for f in figures + earlier)):
            continue  # a head count is never a count of a money metric
        basis = None
        budget = w.BUDGET_TAIL.search(words) if role == "amount" else None
        if budget and not words[: budget.start()] and last_metric is None and subject:
            last_metric = (subject, subject, None)  # "项目全年预算数100.00万元": the project's budget
        if budget and (words[: budget.start()] or last_metric is not None):
            # A budget amount is the budget of a metric, not the metric: "<metric> 年初预算";
            # the figures after it ("支出决算为…", "完成年初预算的…") are the metric's own.
            if words[: budget.start()]:
                metric, code = canonical_metric(words[: budget.start()])
                if subject and subject not in metric:
                    metric = f"{subject} {metric}"
                last_metric = (metric, words[: budget.start()], code)
            assert last_metric is not None
            metric, label, code = f"{last_metric[0]} {budget.group(0)}", words, last_metric[2]
            basis = w.budget_basis(budget.group(0))
        elif words:
            metric, code = canonical_metric(w.by_heading(words, ctx.headings))
            label = words
            if subject and role not in ("share",) and subject not in metric:
                metric = f"{subject} {metric}"
            last_metric = (metric, label, code)
        elif last_metric is None and role in ("change_amount", "change_rate") and (
            found := w.changed_metric(sentence[: number.start])
        ):
            # "项目支出增加，较上一年度增加1133.95万元": the clause before names what changed.
            metric, code = found
            label = metric
            last_metric = (metric, label, code)
        elif last_metric is not None:
            metric, label, code = last_metric
        elif subject:
            metric, label, code = subject, subject, None
        else:
            continue  # a number we cannot bind is not a figure: never guess
        if role == "share" and base is None:
            base = _share_base(sentence, number.start, start, head_metric, earlier, figures)
        if not inside:
            outer = last_metric
        figures.append(_figure(number, sentence, start, ctx, metric, label, subject, code, own_year, role,
                               direction, base, basis, rate_kw, prefix, carried))
    return figures


def _figure(
    number: _Number, sentence: str, start: int, ctx: FigureContext, metric: str, label: str,
    subject: str | None, code: str | None, year: int | None, role: str, direction: str | None,
    base: str | None, basis: str | None, rate_kw: str | None, prefix: str,
    carried: tuple[str, int | None] | None = None,
) -> Figure:
    """The Figure for one bound number."""
    value, decimals = parse_decimal(number.text)
    against, compared = (None, None)
    if role in ("change_amount", "change_rate"):
        against, compared = ("budget", None) if rate_kw == "budget" else w.against_at(sentence, number.start)
        if against is None and carried is not None:
            against, compared = carried  # type: ignore[assignment]
        against = against or "prior_year"
        if against in ("budget", "execution"):
            compared = year
        elif compared is None:
            compared = year - 1 if year else None
    unit = number.unit or ""
    return Figure(
        report_id=ctx.report_id,
        metric=metric,
        label=label,
        subject=subject,
        code=code,
        value=value,
        text=number.text,
        decimals=decimals,
        unit=unit,
        year=number.prior_year if number.prior else year,
        compared_to=compared,
        role=role,  # type: ignore[arg-type]
        basis=basis or ("actual" if number.prior else None),  # type: ignore[arg-type]
        against=against,  # type: ignore[arg-type]
        scope=w.scope_of(metric, ctx.headings) if unit in MONEY_UNITS or unit in PERCENT_UNITS else None,
        direction=direction,  # type: ignore[arg-type]
        base=base,
        approximate=number.approx or bool(w.APPROX_BEFORE.search(prefix)),
        source="text",
        section=ctx.section,
        page=ctx.page,
        start=start + number.start,
        end=start + number.end,
        quote=sentence.strip(),
    )


__all__ = ["FigureContext", "extract_sentence_figures"]
