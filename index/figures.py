"""Stated figures from the narrative: every number bound to its metric, year, role and place.

The narrative of a 部门决算 is formulaic ("2023年度“三公”经费财政拨款支出决算为14.71万元，
完成预算100%，较上年度减少2.66万元，下降15.31%。"), so a figure is read clause by clause:
- the words right before a number name its metric ("公务接待费支出4.55万元");
- a number with no metric of its own ("占30.93%", "下降18.75%") belongs to the last metric
  named in the same sentence;
- the word right before it gives its role: 占 → share, 增加/减少 → change amount, 增长/下降 →
  change rate, 完成预算/执行率 → completion rate; its unit gives amount, count or score;
- 比2022年度 / 较上年 give the year compared to; a year at the head of a sentence gives the
  year the figure refers to; a project named at the head of a paragraph ("1.政府工作专项经费
  项目绩效自评得分为100分") is the subject of the paragraph's figures.
Numbers that are not figures are skipped: years and dates, 功能分类 codes ("（201类）"), list
numbering, thresholds ("单价100万元以上"), figure and annex numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.lexicon import canonical_metric, clean_metric_text, is_known_metric
from index.models import Direction, Figure, Role
from index.numbers import (
    ALL_UNITS,
    MONEY_UNITS,
    NUMBER_PATTERN,
    PERCENT_UNITS,
    SCORE_UNITS,
    normalize_unit,
    parse_decimal,
)

_UNIT_ALT = "|".join(re.escape(u) for u in ALL_UNITS)
# number, optional 余/多 (approximate), unit
# A bare 万 not followed by another word ("0.39万（含…）") is 万元 with its 元 dropped; 分 before
# 钟/之 is time or a fraction ("15分钟社区生活圈"), not a score.
_FIGURE_RE = re.compile(
    rf"(?P<num>{NUMBER_PATTERN})\s*(?P<approx>余|多)?\s*(?P<unit>{_UNIT_ALT}|万(?![\u4e00-\u9fff]))(?![钟之])"
)
# "（含外宾接待支出0.00万元）": the metric of a number inside such a parenthesis starts after it.
_PAREN_OPEN = re.compile(r"[（(](?:含|其中[:：]?|包括)(?![）)])")
# "政府采购金额（以合同签订为准）": a note on how the figure is counted, not part of its name.
_NOTE_PAREN = re.compile(r"[（(]以[^（）()]{1,12}为准[）)]")
# A budget amount named in the text: "年初预算为54.53万元", "“三公”经费财政拨款支出年初预算为2.85万元".
_BUDGET_TAIL = re.compile(r"(?:年初预算|调整后预算|全年预算|(?:(?<=支出|经费)|^)预算)(?:数|金额)?$")
_SENTENCE_END = re.compile(r"[。！？!?]|\.(?!\d)")
_CLAUSE_BREAK = re.compile(r"[，,：:；;]")
# "一般公共服务（201类）政府办公厅（室）及相关机构事务（03款）行政运行（01项）"
_NAME_PART = r"(?:[^（()（：:，。；]|[（(]室[）)])+?"
# Codes are often left out: "社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）".
_CLASS_ITEM = re.compile(
    rf"(?P<lei>[\u4e00-\u9fff]+?)(?:支出)?[（(](?P<c1>\d{{3}})?类[）)]"
    rf"(?:\s*(?P<kuan>{_NAME_PART})[（(](?P<c2>\d{{2}})?款[）)])?"
    rf"(?:\s*(?P<xiang>{_NAME_PART})[（(](?P<c3>\d{{2}})?项[）)])?"
)

_INCREASE = ("增加", "增长", "上升", "提高", "增多")
_DECREASE = ("减少", "下降", "降低", "减少了", "下降了", "缩减")
# "下降（增长）27.78%": the template's alternative left in parentheses; the first word is the one meant.
_DIRECTION_BEFORE = re.compile(
    r"(增加|增长|上升|提高|增多|减少|下降|降低|缩减)了?(?:了)?(?:[（(](?:增加|增长|上升|减少|下降)[）)])?\s*$"
)
_CHANGE_CLAUSE = re.compile(r"^(?P<m>[^，,：:；;]{2,20}?)(?:增加|增长|上升|减少|下降)了?$")
_SHARE_BEFORE = re.compile(r"占(?P<base>[^，。；、占]{0,30}?)(?:的)?\s*(?:比重为|比例为|比重|比例)?\s*$")
_COMPLETION_BEFORE = re.compile(
    r"(?P<kw>完成(?P<base>年初预算|调整后预算|全年预算|预算)(?:数)?的?|(?P<kw2>预算执行率|执行率|预算完成率)(?:为|达到?)?)\s*$"
)
_RATE_BEFORE = re.compile(r"(?P<kw>[\u4e00-\u9fff]{0,6}(?:到位率|使用率|满意度|覆盖率|达标率|合格率|率))(?:为|达到?)?\s*$")
_YEAR = r"(?:19|20)\d{2}"
_COMPARE = re.compile(rf"(?:比|较|与|同)(?P<year>{_YEAR})年度?(?:相比)?|(?:比|较|与)上一?(?:年度?|度)(?:相比)?|同比")
_COMPARE_YEAR = re.compile(rf"(?:比|较|与)(?P<year>{_YEAR})年度?")
_SENTENCE_YEAR = re.compile(rf"^(?:截至|截止)?\s*(?P<year>{_YEAR})\s*年(?:度)?")
_DATE_PHRASE = re.compile(rf"(?:截至|截止)?{_YEAR}\s*年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?(?:度|末|底)?")
_LEAD_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.．、](?!\d{1,3}(?!\d))|[（(]\d{1,2}[）)]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")
_PROJECT_HEAD = re.compile(r"^\s*\d{1,2}[.．、]\s*(?P<subj>[^，。；：]{2,40}?)项目(?:绩效自评|全年|预算|支出|资金)")
_PROJECT_LINE = re.compile(r"^\s*[（(](?P<subj>[^（）()]{2,40}?)项目[）)]\s*$")
_WEAK_METRIC = {"", "支出", "金额", "费用", "经费", "资金", "数", "总额", "合计", "共计", "其中", "共"}
_TRAILING = re.compile(
    r"(?:支出决算数|支出决算|决算数|决算|支出数|累计|共计支出|共计|合计为|总计为|均为|分别为|各|为|是|达到|达|约|有|共有|共)+$"
)
_LEADING = re.compile(r"^(?:其中|具体如下|主要用于以下方面|主要包括|包括|以及|共有|共计|列明|和|及|另|即|了)+")
_SKIP_AFTER = re.compile(r"^\s*(?:以上|以下|及以上|及以下|（含）以上)")
_SKIP_BEFORE = re.compile(r"(?:第|图|表|附件|附表|单价|编号|代码|排名第)\s*$")
_CODE_AFTER = re.compile(r"^\s*(?:类|款|项)\s*[）)]")
_APPROX_BEFORE = re.compile(r"(?:约|近|超|超过)\s*$")


@dataclass
class FigureContext:
    """What the text around a sentence says about its figures."""

    report_id: str
    report_year: int | None
    department: str | None
    section: str
    page: int | None
    subject: str | None = None


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, each with its closing punctuation."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(text):
        spans.append((begin, match.end()))
        begin = match.end()
    if begin < len(text):
        spans.append((begin, len(text)))
    return [(b, e) for b, e in spans if text[b:e].strip()]


def _clause_prefix(sentence: str, pos: int) -> str:
    """Words of the clause that precede position `pos` (from the last clause break)."""
    head = sentence[:pos]
    cut = 0
    for match in _CLAUSE_BREAK.finditer(head):
        cut = match.end()
    # 、 separates list items only after a figure: "用车0辆、机要通信用车0辆".
    for match in re.finditer(rf"(?:{_UNIT_ALT})\s*、", head):
        cut = max(cut, match.end())
    for match in _PAREN_OPEN.finditer(head):
        cut = max(cut, match.end())
    return head[cut:]


def _metric_words(prefix: str, department: str | None, subject: str | None = None) -> str:
    """The metric named by a clause prefix, with time words, verbs and fillers removed."""
    words = _LEAD_NUMBERING.sub("", prefix).strip()
    if subject and words.startswith(subject):
        # "政府工作专项经费项目绩效自评得分为": the project is the subject, not the metric.
        words = words[len(subject):].removeprefix("项目")
    words = words.removeprefix("项目") if subject else words
    compare = _COMPARE.search(words)
    if compare:
        words = words[: compare.start()]
    words = _DATE_PHRASE.sub("", words)
    words = _NOTE_PAREN.sub("", words)
    for filler in ("本年度", "年末", "截至", "截止"):
        words = words.replace(filler, "")
    words = re.sub(r"全年(?!预算)", "", words)
    if department:
        words = _strip_self_reference(words.replace(department, ""), department)
    for self_name in ("本部门（单位）", "部门（单位）", "本部门", "本单位", "我单位", "单位"):
        words = words.removeprefix(self_name)
    words = _LEADING.sub("", words.strip())
    words = _DIRECTION_BEFORE.sub("", words)
    words = _TRAILING.sub("", words.strip())
    if len(words) > 16:
        # A long lead-in ("…等相关企业到我县考察、调研等接待费用"): the metric is its tail.
        tail = re.split(r"[等的]", words)[-1]
        words = tail if len(tail) >= 2 else words[-16:]
    return words.strip()


_ORG_SUFFIX = re.compile(r"(办公室|委员会|局|部|委|中心|院|所|站|队|办)$")


def _strip_self_reference(words: str, department: str) -> str:
    """Drop a leading short form of the department's own name ("县政府办公室" for
    "米易县人民政府办公室"): a prefix ending in the department's organisational word whose
    characters all occur, in order, in the department name."""
    suffix = _ORG_SUFFIX.search(department)
    if not suffix:
        return words
    for end in range(len(words), 2, -1):
        prefix = words[:end]
        if prefix.endswith(suffix.group(1)) and _is_subsequence(prefix, department):
            return words[end:]
    return words


def _is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


def _role_for(prefix: str, unit: str) -> tuple[Role, Direction | None, str | None, str | None]:
    """(role, direction, base, rate keyword) from the words just before a number and its unit."""
    if unit in PERCENT_UNITS:
        if match := _SHARE_BEFORE.search(prefix):
            base = clean_metric_text(match.group("base")) or None
            return "share", None, base, None
        if match := _DIRECTION_BEFORE.search(prefix):
            return "change_rate", _direction(match.group(1)), None, None
        if match := _COMPLETION_BEFORE.search(prefix):
            base = match.group("base") if match.group("base") else None
            return "completion_rate", None, base, match.group("kw2")
        if match := _RATE_BEFORE.search(prefix):
            return "rate", None, None, match.group("kw")
        return "rate", None, None, None
    if match := _DIRECTION_BEFORE.search(prefix):
        return "change_amount", _direction(match.group(1)), None, None
    if unit in MONEY_UNITS:
        return "amount", None, None, None
    if unit in SCORE_UNITS:
        return "score", None, None, None
    return "count", None, None, None


def _direction(word: str) -> Direction:
    return "increase" if word.startswith(_INCREASE) else "decrease"


def _is_skipped(text: str, start: int, end_num: int) -> bool:
    """True for numbers that are not figures: codes, numbering, thresholds, figure numbers."""
    before, after = text[max(0, start - 6): start], text[end_num: end_num + 8]
    return bool(_SKIP_BEFORE.search(before) or _CODE_AFTER.match(after))


def extract_sentence_figures(paragraph: str, offset: int, ctx: FigureContext) -> list[Figure]:
    """All figures of one paragraph; `offset` is the paragraph's position in Report.text."""
    figures: list[Figure] = []
    subject = ctx.subject
    if match := _PROJECT_HEAD.match(paragraph):
        subject = match.group("subj").strip()
    # A paragraph headed by a 类/款/项 item ("1、社会保障和就业支出（类）…（项）。主要用于：…。年初
    # 预算为54.53万元，…") is about that item in every sentence.
    paragraph_item = _CLASS_ITEM.match(_LEAD_NUMBERING.sub("", paragraph).lstrip())
    for s_begin, s_end in _sentences(paragraph):
        sentence = paragraph[s_begin:s_end]
        sentence_year = ctx.report_year
        if match := _SENTENCE_YEAR.match(_LEAD_NUMBERING.sub("", sentence).strip()):
            sentence_year = int(match.group("year"))
            if subject and paragraph.find(subject) <= s_begin + match.end() <= paragraph.find(subject) + len(subject) + 4:
                sentence_year = ctx.report_year  # "2.2022年度政府工作经费项目…": a name, not a year
        compare = _COMPARE_YEAR.search(sentence)
        compared_year = int(compare.group("year")) if compare else None
        last_metric: tuple[str, str, str | None] | None = None  # (metric, label, code)
        if item := _CLASS_ITEM.search(sentence) or paragraph_item:
            last_metric = _class_item_metric(item)
        head_metric: str | None = None
        if match := re.search(r"^(?P<head>[^，。；]{2,40}?)中[，,]", sentence):
            head_metric = canonical_metric(_metric_words(match.group("head"), ctx.department, subject))[0]
        for match in _FIGURE_RE.finditer(sentence):
            num_start, num_end = match.start("num"), match.end("num")
            if _is_skipped(sentence, num_start, num_end):
                continue
            after = sentence[match.end(): match.end() + 20]
            unit = normalize_unit(match.group("unit"))
            unit = "万元" if unit == "万" else unit
            if unit in MONEY_UNITS and _SKIP_AFTER.match(after):
                continue
            if num_start == 0 and s_begin == 0 and unit not in MONEY_UNITS and unit not in PERCENT_UNITS:
                continue  # "13项目支出：指…": list numbering glued to the item, not a count
            prefix = _clause_prefix(sentence, num_start)
            role, direction, base, rate_kw = _role_for(prefix, unit)
            previous = figures[-1] if figures and figures[-1].start >= offset + s_begin else None
            if previous is not None and not prefix.strip() and sentence[:num_start].rstrip().endswith("、"):
                # "分别下降15%、35%": an enumerated value shares its neighbour's role.
                role, direction, base = previous.role, previous.direction, previous.base
            words = _metric_words(prefix, ctx.department, subject)
            # The words before 占/完成预算 name the base or the rate, not the metric; before a
            # change they name the metric only when the clause starts with it ("公务接待费支出
            # 决算比2022年度减少1.05万元"), else the change belongs to the last metric named.
            if role in ("share", "completion_rate") or words in _WEAK_METRIC:
                words = "" if role != "rate" or not rate_kw else rate_kw
            if role == "completion_rate" and subject:
                words = "预算执行率"
            if role == "count" and (noun := _COUNTED_NOUN.match(after)):
                # "对4个项目编制了绩效目标": the thing counted follows the measure word.
                words = _counted_metric(words, noun.group(1), noun.group(2))
            budget = _BUDGET_TAIL.search(words) if role == "amount" else None
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
            elif words:
                metric, code = canonical_metric(words)
                label = words
                if subject and role not in ("share",) and subject not in metric:
                    metric = f"{subject} {metric}"
                last_metric = (metric, label, code)
            elif last_metric is None and role in ("change_amount", "change_rate") and (
                found := _changed_metric(sentence[:num_start])
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
                base = head_metric or _first_amount_metric(figures, offset + s_begin)
            value, decimals = parse_decimal(match.group("num"))
            is_change = role in ("change_amount", "change_rate")
            figures.append(
                Figure(
                    report_id=ctx.report_id,
                    metric=metric,
                    label=label,
                    subject=subject,
                    code=code,
                    value=value,
                    text=match.group("num"),
                    decimals=decimals,
                    unit=unit,
                    year=sentence_year,
                    compared_to=(compared_year or (sentence_year - 1 if sentence_year else None)) if is_change else None,
                    role=role,
                    direction=direction,
                    base=base,
                    approximate=bool(match.group("approx")) or bool(_APPROX_BEFORE.search(prefix)),
                    source="text",
                    section=ctx.section,
                    page=ctx.page,
                    start=offset + s_begin + num_start,
                    end=offset + s_begin + num_end,
                    quote=sentence.strip(),
                )
            )
    return figures


_COUNTED_NOUN = re.compile(r"^(?:（套）)?(项目|单位|部门|团组|股室|机构|课题)(?P<rest>[^，。；：]{0,14})")


def _counted_metric(words: str, noun: str, rest: str) -> str:
    """Name a count whose noun follows it: '开展绩效监控的7个项目' → 开展绩效监控的项目."""
    if words and words not in ("对", "选取", "共") and not words.endswith("等") and "、" not in words:
        return words + noun
    rest = re.sub(r"^(?:开展了|开展|编制了|编制|进行了|进行)", lambda m: m.group(0).rstrip("了"), rest)
    rest = rest.replace("了", "")
    return f"{rest}的{noun}" if rest else noun


def _class_item_metric(item: re.Match[str]) -> tuple[str, str, str | None]:
    """(metric, label, code) of a 类/款/项 line: the deepest level named, with its full code.

    Without printed codes only a 类 gets one (from its standard name); a 款 or 项 name is not
    enough to know its code, so it gets none rather than a guess.
    """
    code: str | None = None
    if item.group("c1"):
        code = item.group("c1") + (item.group("c2") or "") + (item.group("c3") or "")
    name = item.group("xiang") or item.group("kuan") or item.group("lei")
    name = name.strip()
    if not item.group("kuan"):
        name, class_code = canonical_metric(name)
        code = code or class_code
    return name, item.group(0), code


def _changed_metric(head: str) -> tuple[str, str | None] | None:
    """The known metric a clause before a change names ("项目支出增加"), if any."""
    clauses = [c for c in _CLAUSE_BREAK.split(head) if c.strip()]
    if len(clauses) < 2 or not (match := _CHANGE_CLAUSE.match(clauses[-2].strip())):
        return None
    metric, code = canonical_metric(match.group("m"))
    return (metric, code) if is_known_metric(metric) else None


def _first_amount_metric(figures: list[Figure], sentence_start: int) -> str | None:
    """The sentence's leading total ("本年收入合计1054.82万元，其中：…占100%")."""
    for figure in figures:
        if figure.start >= sentence_start and figure.role == "amount":
            return figure.metric
    return None


def project_from_line(line: str) -> str | None:
    """The project a heading line such as '（政府工作专项经费项目）' introduces."""
    match = _PROJECT_LINE.match(line)
    return match.group("subj").strip() if match else None


__all__ = ["FigureContext", "extract_sentence_figures", "project_from_line"]
