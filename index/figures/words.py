"""The words around a number: the cues that give a figure its role, year, basis and what it is
compared against, and the cleaning that turns the words before it into a metric name.

Every pattern here is linear (no nested quantifiers over the same characters), so a long
adversarial line costs linear time.
"""

from __future__ import annotations

import re

from index.lexicon import canonical_metric, clean_metric_text, is_known_metric
from index.models import Against, Basis, Direction, Figure, Role
from index.numbers import ALL_UNITS, MONEY_UNITS, NUMBER_PATTERN, PERCENT_UNITS, SCORE_UNITS

UNIT_ALT = "|".join(re.escape(u) for u in ALL_UNITS)
# number, optional 余/多 (approximate), unit
# A bare 万 not followed by another word ("0.39万（含…）") is 万元 with its 元 dropped; 分 before
# 钟/之 is time or a fraction ("15分钟社区生活圈"), not a score.
FIGURE_RE = re.compile(
    rf"(?P<num>{NUMBER_PATTERN})\s*(?P<approx>余|多)?\s*(?P<unit>{UNIT_ALT}|万(?![\u4e00-\u9fff]))(?![钟之])"
)
YEAR = r"(?:19|20)\d{2}"
# The prior year's amount inside a comparison: "较上年2.08减少0.03万元", "比上年累计支出3.2万元下降…",
# "比2015年度决算数2840万元下降…". The number (a unit is optional) stands right before the change.
PRIOR_VALUE_RE = re.compile(
    rf"(?:比|较|与)\s*(?:上一?年度?|上年同期|(?P<year>{YEAR})\s*年度?)(?:同期)?"
    rf"(?:的)?(?:决算数?|累计支出|支出数?|实际支出)?(?:为)?\s*"
    rf"(?P<num>{NUMBER_PATTERN})\s*(?P<unit>万元|亿元|元)?\s*(?:相比)?[，,]?\s*"
    r"(?=增加|减少|下降|增长|上升|降低|减|增|持平)"
)
# A comparison with a budget rather than with last year: "与2021年度预算相比", "比年初预算".
BUDGET_COMPARE_RE = re.compile(
    rf"(?:比|较|与|同)\s*(?:{YEAR}\s*年度?|本年度?|全年)?(?:的)?(?:年初|调整后)?预算(?:数)?(?:相比)?"
)
# "与2021年执行数相比": a government's final accounts against the execution reported earlier.
EXECUTION_COMPARE_RE = re.compile(rf"(?:比|较|与|同)\s*(?:{YEAR}\s*年度?)?(?:的)?(?:预算)?执行数")
PRIOR_COMPARE_RE = re.compile(
    rf"(?:比|较|与|同)\s*(?P<year>{YEAR})\s*年度?(?!\s*预算)|(?:比|较|与)\s*上一?(?:年度?|度)|同比"
)
COMPARE = re.compile(rf"(?:比|较|与|同)(?P<year>{YEAR})年度?(?:相比)?|(?:比|较|与)上一?(?:年度?|度)(?:相比)?|同比")
SENTENCE_END = re.compile(r"[。！？!?]|\.(?!\d)")
CLAUSE_BREAK = re.compile(r"[，,：:；;]")
# "（含外宾接待支出0.00万元）": the metric of a number inside such a parenthesis starts after it.
PAREN_OPEN = re.compile(r"[（(](?:含|其中[:：]?|包括)(?![）)])")
# "政府采购金额（以合同签订为准）": a note on how the figure is counted, not part of its name.
NOTE_PAREN = re.compile(r"[（(]以[^（）()]{1,12}为准[）)]")
# A budget amount named in the text: "年初预算为54.53万元", "“三公”经费财政拨款支出年初预算为2.85万元".
BUDGET_TAIL = re.compile(r"(?:年初预算|调整后预算|全年预算|(?:(?<=支出|经费)|^)预算)(?:数|金额)?$")
BUDGET_BASIS: dict[str, Basis] = {"年初预算": "initial_budget", "调整后预算": "adjusted_budget"}
# "一般公共服务（201类）政府办公厅（室）及相关机构事务（03款）行政运行（01项）"
_NAME_PART = r"(?:[^（()（：:，。；]|[（(]室[）)])+?"
# Codes are often left out: "社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）".
# The class name is bounded: an unbounded lazy one rescans a long run of characters from each start.
CLASS_ITEM = re.compile(
    rf"(?P<lei>[\u4e00-\u9fff]{{1,40}}?)(?:支出)?[（(](?P<c1>\d{{3}})?类[）)]"
    rf"(?:\s*(?P<kuan>{_NAME_PART})[（(](?P<c2>\d{{2}})?款[）)])?"
    rf"(?:\s*(?P<xiang>{_NAME_PART})[（(](?P<c3>\d{{2}})?项[）)])?"
)

INCREASE = ("增加", "增长", "上升", "提高", "增多", "多")
# "下降（增长）27.78%": the template's alternative left in parentheses; the first word is the one meant.
DIRECTION_BEFORE = re.compile(
    r"(增加|增长|上升|提高|增多|减少|下降|降低|缩减|压减|节约)了?(?:了)?(?:[（(](?:增加|增长|上升|减少|下降)[）)])?\s*$"
    r"|(?:比|较)[^，,。；;]{0,10}?(少|多)了?\s*$"  # "比上年少2.66万元"
)
# "比上年增减-204.61万元，增减幅度-7.03%": a change printed with its sign (the words of a
# 增减 column written out); the sign gives the direction, a bare number is an increase.
SIGNED_CHANGE_BEFORE = re.compile(
    r"(?:增减|变动)(?:变动|变化)?(?:额|数|金额|幅度|率|比例|百分比)?(?:为|是)?\s*(?P<sign>[-－—−+＋])?\s*$"
    r"|增幅(?:为|是|达)?\s*(?P<sign2>[-－—−+＋])?\s*$"
)
_MINUS = set("-－—−")
# "决算数大于预算数55.93万元": the final account against the budget, signed by the comparison word.
BUDGET_DIFF_BEFORE = re.compile(
    r"决算数?(?P<word>大于|高于|超过|超出|多于|小于|低于|少于)(?:年初|调整后)?预算数?(?:的)?\s*$"
)
# "差值为0.9万元", "相差0.05万元": the gap between the final account and the budget, unsigned.
DIFFERENCE_BEFORE = re.compile(r"(?:差值|差额|相差)(?:为|是)?\s*$")
# A question's own words echoed before its answer ("完成年初预算的百分之几是88.7%", "增长多少为
# 10.87%", "实有多少人为21人"): asking words, not part of the metric or its role.
QUESTION_ECHO = re.compile(r"(?:是|为)?(?:百分之几|多少|几成|几)(?:人|个|项|次)?(?:是|为)?\s*$")
_ECHO_NOUN = re.compile(r"(?:是)?多少(人|个|项|名)(?=为|是|$)")
_ECHO_WORDS = re.compile(r"(?:是|为)?(?:百分之几|多少|几成)(?:人|个|项|次)?(?=是|为)")
# An organisation or a place named as the subject ("湛江市委宣传部比上年减少…", "南纪门街道收支总计"),
# when the report does not say which department it is.
_ORG_WORDS = (r"(?:办公室|委员会|管理局|局|部|委|中心|检察院|法院|医院|学院|研究院|院|所|站|队|办|馆|街道|街道办事处"
              r"|镇|乡|学校|中学|小学|幼儿园|处|联|会|县|区|市|州|旗)")
ORG_NAME = re.compile(rf"[\u4e00-\u9fff（）()]{{1,24}}?{_ORG_WORDS}")
_ORG_END = re.compile(rf"{_ORG_WORDS}(?=[\u4e00-\u9fff])")
CHANGE_CLAUSE = re.compile(r"^(?P<m>[^，,：:；;]{2,20}?)(?:增加|增长|上升|减少|下降)了?$")
SHARE_BEFORE = re.compile(r"占(?P<base>[^，。；、占]{0,30}?)(?:的)?\s*(?:比重为|比例为|比重|比例)?\s*$")
COMPLETION_BEFORE = re.compile(
    r"(?P<kw>(?:完成|为|占)(?P<base>年初预算|调整后预算|全年预算|预算)(?:数)?的?|(?P<kw2>预算执行率|执行率|预算完成率)"
    r"(?:为|达到?)?)\s*$"
)
RATE_BEFORE = re.compile(r"(?P<kw>[\u4e00-\u9fff]{0,6}(?:到位率|使用率|满意度|覆盖率|达标率|合格率|率))(?:为|达到?)?\s*$")
COMPARE_YEAR = re.compile(rf"(?:比|较|与)(?P<year>{YEAR})年度?")
SENTENCE_YEAR = re.compile(rf"^(?:截至|截止)?\s*(?P<year>{YEAR})\s*年(?:度)?")
DATE_PHRASE = re.compile(rf"(?:截至|截止)?{YEAR}\s*年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?(?:度|末|底)?")
LEAD_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}[.．、](?!\d{1,3}(?!\d))|[（(]\d{1,2}[）)]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)"
)
PROJECT_HEAD = re.compile(r"^\s*\d{1,2}[.．、]\s*(?P<subj>[^，。；：]{2,40}?)项目(?:绩效自评|全年|预算|支出|资金)")
PROJECT_LINE = re.compile(r"^\s*[（(](?P<subj>[^（）()]{2,40}?)项目[）)]\s*$")
TOTAL_WORDS = {"合计", "共计", "总计", "总额", "小计", "共"}
WEAK_METRIC = {"", "支出", "金额", "费用", "经费", "资金", "数", "总额", "合计", "共计", "其中", "共",
               "实际支出", "实际", "实际支出数"}
# A bare 收入 / 支出 with no project in view is the report's own total ("本单位收入为1687.45万元").
BARE_TOTALS = {"收入": "本年收入合计", "支出": "本年支出合计"}
# Bounded repeat: an unbounded one before $ rescans a long run of these words from each start.
_TRAILING = re.compile(
    r"(?:支出决算数|支出决算|决算数|决算|支出数|累计|共计支出|共计|合计为|均为|分别为|各|为|是|达到|达|约|有|共有|共"
    r"|实现|完成){1,8}$"
)
_LEADING = re.compile(
    r"^(?:其中|具体如下|主要用于以下方面|主要包括|包括|以及|共有|共计|列明|和|及|另|即|了|此外|由|加上|加|"
    r"[一二三四五六七八九十]是|"
    r"全[镇乡县区市省盟州]本级|全[镇乡县区市省盟州])+"
)
SKIP_AFTER = re.compile(r"^\s*(?:以上|以下|及以上|及以下|（含）以上)")
_SKIP_BEFORE = re.compile(r"(?:第|图|表|附件|附表|单价|编号|代码|排名第)\s*$")
_CODE_AFTER = re.compile(r"^\s*(?:类|款|项)\s*[）)]")
APPROX_BEFORE = re.compile(r"(?:约|近|超|超过)\s*$")
# "收入总计6567.06万元": a date word that is part of a metric's name stays ("年末结转和结余").
_FILLERS = re.compile(r"本年度|年末(?!结转|结余)|截至|截止")
_ORG_SUFFIX = re.compile(r"(办公室|委员会|局|部|委|中心|院|所|站|队|办)$")
PERSON_NOUN = re.compile(r"^(?:在职|退休|离休)?(?:职工|干部|员工|人员|教职工|学生|幼儿|工作人员)")
# Counts that belong to the money metric in view: "公务接待24批次，210人次".
EVENT_UNITS = ("批次", "人次", "次", "团组", "辆")
# A verb or nothing before a count: the thing counted is named after it ("设9个内设机构").
COUNT_VERB = re.compile(r"(?:内设|下设|下辖|设有|设立|设|现有|现|共有|拥有|有|共|包括|含|辖)?")
THING_AFTER = re.compile(r"[\u4e00-\u9fff]{2,8}?(?=[，,。；;：:、（(\[]|和|及|$)")
COUNTED_NOUN = re.compile(r"^(?:（套）)?(项目|单位|部门|团组|股室|机构|课题)(?P<rest>[^，,。；;：:、]{0,14})")
# The funds a figure covers, from its own name or the headings above it (most specific first).
SCOPES = (("一般公共预算", "一般公共预算"), ("政府性基金", "政府性基金"), ("国有资本经营", "国有资本经营"),
          ("财政拨款", "财政拨款"))
# Metrics whose funds the template fixes (the 三公 are paid from appropriations by definition).
_UNSCOPED = {"三公经费", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费",
             "公务用车运行维护费", "公务接待费", "国内公务接待费", "外事接待费", "机关运行经费"}


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph, each with its closing punctuation."""
    spans, begin = [], 0
    for match in SENTENCE_END.finditer(text):
        spans.append((begin, match.end()))
        begin = match.end()
    if begin < len(text):
        spans.append((begin, len(text)))
    return [(b, e) for b, e in spans if text[b:e].strip()]


# The longest clause prefix in the 65 real reports is 124 characters.
MAX_PREFIX = 200


def clause_prefix(sentence: str, pos: int) -> str:
    """Words of the clause that precede position `pos` (from the last clause break), at most
    `MAX_PREFIX` characters: a metric is named close to its number, and a hostile line of
    thousands of numbers without a clause break must not be re-read whole for each of them."""
    head = sentence[max(0, pos - MAX_PREFIX):pos]
    cut = 0
    for match in CLAUSE_BREAK.finditer(head):
        cut = match.end()
    # 、 separates list items only after a figure: "用车0辆、机要通信用车0辆", "…219万元）、上级…";
    # a parenthesis opened right after a figure starts a list of its parts: "365万元（税收增加146万元".
    for match in re.finditer(rf"(?:{UNIT_ALT})\s*(?:[）)]\s*)?、|(?:{UNIT_ALT})\s*[（(]", head):
        cut = max(cut, match.end())
    for match in PAREN_OPEN.finditer(head):
        cut = max(cut, match.end())
    return head[cut:]


def metric_words(prefix: str, department: str | None, subject: str | None = None) -> str:
    """The metric named by a clause prefix, with time words, verbs and fillers removed."""
    words = _ECHO_NOUN.sub(r"\1数", LEAD_NUMBERING.sub("", prefix))  # "实有多少人为" asks the 实有人数
    words = QUESTION_ECHO.sub("", words).strip()
    if subject and words.startswith(subject):
        # "政府工作专项经费项目绩效自评得分为": the project is the subject, not the metric.
        words = words[len(subject):].removeprefix("项目")
    words = words.removeprefix("项目") if subject else words
    compare = COMPARE.search(words) or BUDGET_COMPARE_RE.search(words)
    if compare:
        words = words[: compare.start()]
    words = DATE_PHRASE.sub("", words)
    words = NOTE_PAREN.sub("", words)
    words = _FILLERS.sub("", words)
    words = re.sub(r"全年(?!预算)", "", words)
    if department:
        words = strip_self_reference(words.replace(department, ""), department)
    for self_name in ("本部门（单位）", "部门（单位）", "本部门", "本单位", "我单位", "单位", "我镇", "我局"):
        words = words.removeprefix(self_name)
    words = _LEADING.sub("", words.strip())
    words = DIRECTION_BEFORE.sub("", words)
    words = SIGNED_CHANGE_BEFORE.sub("", words)
    words = _TRAILING.sub("", words.strip())
    words = without_org_name(words)
    if len(words) > 16:
        # A long lead-in ("…等相关企业到我县考察、调研等接待费用"): the metric is its tail.
        tail = re.split(r"[等的]", words)[-1]
        words = tail if len(tail) >= 2 else words[-16:]
    return words.strip()


# A sentence opening with a comparison, after its year and whose it is: "比上年减少…",
# "2023年较上年下降…", "湛江市委宣传部比上年减少…", "完成年初预算的88.7%": it goes on about
# the figure the sentence before stated.
# Possessive spaces (\s*+): nothing after them starts with a space, and plain ones would split a
# long run of spaces every way between them (quadratic).
_COMPARISON_OPEN = re.compile(
    rf"(?:{YEAR}\s*+年度?)?\s*+(?:[\u4e00-\u9fff（）()]{{1,24}}?{_ORG_WORDS})?\s*+(?:{YEAR}\s*+年度?)?\s*+"
    rf"(?:(?:比|较|与|同)\s*(?:上一?年度?|上年同期|{YEAR}\s*年度?)|同比"
    r"|完成(?:年初|调整后|全年)?预算|(?:预算)?(?:执行|完成)率|占"
    r"|(?:实际支出|实际|支出决算|决算)数?(?:为|是|达)|(?:增加|减少|增长|下降|上升|降低)(?:了)?(?:为|是)?\s*\d)"
)


def opens_with_comparison(sentence: str, department: str | None) -> bool:
    """True when a sentence opens with a comparison (to last year, to the budget, to a whole),
    after its year and whose it is."""
    opening = _ECHO_WORDS.sub("", LEAD_NUMBERING.sub("", sentence)).strip()
    if department:
        opening = opening.replace(department, "", 1)
    for self_name in ("本部门（单位）", "部门（单位）", "本部门", "本单位", "我单位", "单位"):
        opening = opening.removeprefix(self_name)
    return bool(_COMPARISON_OPEN.match(opening))


def after_org_names(words: str) -> list[str]:
    """The words after each organisation or place name that may open them, shortest prefix first
    ("泉港区一般公共预算总收入" → ["一般公共预算总收入"])."""
    return [words[m.end():] for m in _ORG_END.finditer(words) if len(words) - m.end() >= 2]


def without_org_name(words: str) -> str:
    """Words without an organisation or place named before the metric: "" for a name alone
    ("湛江市委宣传部"), the metric for a name and a known metric ("南纪门街道收支总计")."""
    if ORG_NAME.fullmatch(words) and not is_known_metric(canonical_metric(words)[0]):
        return ""
    if is_known_metric(canonical_metric(words)[0]):
        return words
    for rest in after_org_names(words):
        if is_known_metric(canonical_metric(rest)[0]) or rest in BARE_TOTALS:
            return rest
    return words


def strip_self_reference(words: str, department: str) -> str:
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


def role_for(prefix: str, unit: str) -> tuple[Role, Direction | None, str | None, str | None]:
    """(role, direction, base, rate keyword) from the words just before a number and its unit."""
    prefix = QUESTION_ECHO.sub("", prefix)
    if unit in PERCENT_UNITS:
        if match := SHARE_BEFORE.search(prefix):
            base = clean_metric_text(match.group("base")) or None
            return "share", None, canonical_metric(base)[0] if base else None, None
        if match := DIRECTION_BEFORE.search(prefix):
            return "change_rate", direction_of(match.group(1) or match.group(2)), None, None
        if match := SIGNED_CHANGE_BEFORE.search(prefix):
            return "change_rate", _signed_direction(match), None, None
        if match := COMPLETION_BEFORE.search(prefix):
            base = match.group("base") if match.group("base") else None
            return "completion_rate", None, base, match.group("kw2")
        if match := RATE_BEFORE.search(prefix):
            return "rate", None, None, match.group("kw")
        return "rate", None, None, None
    if match := DIRECTION_BEFORE.search(prefix):
        return "change_amount", direction_of(match.group(1) or match.group(2)), None, None
    if (match := SIGNED_CHANGE_BEFORE.search(prefix)) and unit in MONEY_UNITS:
        return "change_amount", _signed_direction(match), None, None
    if match := BUDGET_DIFF_BEFORE.search(prefix):
        word = match.group("word")
        return "change_amount", "increase" if word in ("大于", "高于", "超过", "超出", "多于") else "decrease", None, "budget"
    if DIFFERENCE_BEFORE.search(prefix):
        return "change_amount", None, None, "budget"
    if unit in MONEY_UNITS:
        return "amount", None, None, None
    if unit in SCORE_UNITS:
        return "score", None, None, None
    return "count", None, None, None


# "上年公务接待费5.6万元", "去年…": an amount of the year before.
LAST_YEAR_WORDS = re.compile(r"^(?:上一?年度?|去年)(?!同期|结转|结余|度?结转|度?结余)")


def _signed_direction(match: re.Match[str]) -> Direction:
    sign = match.group("sign") or match.group("sign2")
    return "decrease" if sign in _MINUS else "increase"


def direction_of(word: str) -> Direction:
    """increase or decrease, from a direction word."""
    return "increase" if word.startswith(INCREASE) else "decrease"


def against_at(sentence: str, pos: int) -> tuple[Against | None, int | None]:
    """What a change at `pos` is compared against: the last comparison phrase before it in the
    sentence ("较上年" → prior year; "与2021年度预算相比" → the budget; "与2021年执行数相比" → the
    execution reported earlier), with a year it names."""
    found: list[tuple[int, Against, int | None]] = []
    for match in EXECUTION_COMPARE_RE.finditer(sentence, 0, pos):
        found.append((match.start(), "execution", None))
    for match in BUDGET_COMPARE_RE.finditer(sentence, 0, pos):
        found.append((match.start(), "budget", None))
    for match in PRIOR_COMPARE_RE.finditer(sentence, 0, pos):
        year = match.group("year")
        found.append((match.start(), "prior_year", int(year) if year else None))
    if not found:
        return None, None
    # The last phrase wins; at one position a budget or execution reading beats "与2021年".
    rank = {"execution": 0, "budget": 1, "prior_year": 2}
    _, against, year = max(found, key=lambda item: (item[0], -rank[item[1]]))
    return against, year


def in_parenthesis(sentence: str, pos: int) -> bool:
    """True when `pos` stands inside a parenthesis opened before it in the sentence."""
    head = sentence[:pos]
    return head.count("(") + head.count("（") > head.count(")") + head.count("）")


def is_skipped(text: str, start: int, end_num: int) -> bool:
    """True for numbers that are not figures: codes, numbering, thresholds, figure numbers."""
    before, after = text[max(0, start - 6): start], text[end_num: end_num + 8]
    return bool(_SKIP_BEFORE.search(before) or _CODE_AFTER.match(after))


def counted_metric(words: str, noun: str, rest: str) -> str:
    """Name a count whose noun follows it: '开展绩效监控的7个项目' → 开展绩效监控的项目."""
    if words and words not in ("对", "选取", "共") and not words.endswith("等") and "、" not in words:
        return words + noun
    rest = re.sub(r"^(?:开展了|开展|编制了|编制|进行了|进行)", lambda m: m.group(0).rstrip("了"), rest)
    rest = rest.replace("了", "")
    if rest.startswith(("和", "及", "与")):
        return noun + rest  # "21个股室和直属单位"
    return f"{rest}的{noun}" if rest else noun


def class_item_metric(item: re.Match[str]) -> tuple[str, str, str | None]:
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


def changed_metric(head: str) -> tuple[str, str | None] | None:
    """The known metric a clause before a change names ("项目支出增加"), if any."""
    clauses = [c for c in CLAUSE_BREAK.split(head) if c.strip()]
    if len(clauses) < 2 or not (match := CHANGE_CLAUSE.match(clauses[-2].strip())):
        return None
    metric, code = canonical_metric(match.group("m"))
    return (metric, code) if is_known_metric(metric) else None


def first_amount_metric(figures: list[Figure], sentence_start: int) -> str | None:
    """The sentence's leading total ("本年收入合计1054.82万元，其中：…占100%")."""
    for figure in figures:
        if figure.start >= sentence_start and figure.role == "amount":
            return figure.metric
    return None


# Names that stand for an income or a spending total depending on the section they are in:
# "一般公共预算财政拨款增加27.44万元" under 五、一般公共预算财政拨款支出决算情况 is the spending.
_FUND_NAMES = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款", "财政拨款")
_REASON = re.compile(r"^(?:主要原因|原因|主要是|主要用于|用于|其中用于|系)")


def by_heading(words: str, headings: str) -> str:
    """A fund's bare name read as its income or its spending, by the innermost heading naming one."""
    if words not in _FUND_NAMES:
        return words
    for title in reversed(headings.split(" > ")):
        has_out, has_in = "支出" in title, "收入" in title
        if has_out != has_in:
            return words + ("支出" if has_out else "收入")
    return words


def is_reason(words: str) -> bool:
    """Words that open a reason or a use ("主要原因是新增了…"): what follows is not named before it."""
    return bool(_REASON.match(words))


def scope_of(metric: str, headings: str) -> str | None:
    """The funds a figure covers: named in its metric, else in the headings it stands under."""
    if metric.split(" ")[0] in _UNSCOPED:
        return None
    metric = metric.replace("非财政拨款", "")  # 使用非财政拨款结余 covers the other funds
    for word, scope in SCOPES:
        if word in metric:
            return scope
    for word, scope in SCOPES:
        if word in headings:
            return scope
    return None


def budget_basis(tail: str) -> Basis:
    """The basis of a budget amount named by its tail ("年初预算为" → initial_budget)."""
    for word, basis in BUDGET_BASIS.items():
        if word in tail:
            return basis
    return "budget"


def project_from_line(line: str) -> str | None:
    """The project a heading line such as '（政府工作专项经费项目）' introduces."""
    match = PROJECT_LINE.match(line)
    return match.group("subj").strip() if match else None
