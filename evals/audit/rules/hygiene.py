"""Hygiene: the report is one year's, finished, and complete.

- the fiscal year is the same wherever the report states it (title, part headings, 截至…12月31日,
  …编制范围; a comparison 与YYYY年度相比 names the year before);
- no template placeholder is left (XX, ××, 某某, 0000, X月) and no template instruction either;
- the nine standard tables are there, each titled and with its unit;
- a total is not left empty or 0 in a table whose parts carry amounts.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from evals.audit.findings import Evidence, Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import ZERO, cell_value, make, table_evidence
from index.models import ParsedReport
from index.tables import NINE_TABLES

FAMILY = "hygiene"

# ---------------------------------------------------------------------------- locations


def section_at(report: ParsedReport, pos: int) -> str:
    """Path of the deepest section holding a text offset ('' when none)."""
    best = None
    for s in report.sections:
        if s.start <= pos < s.end and (best is None or s.level >= best.level):
            best = s
    return best.path if best else ""


def page_at(report: ParsedReport, pos: int) -> int | None:
    """Page of a text offset (None for formats without pages)."""
    page = None
    for offset, p in report.page_starts:
        if offset <= pos:
            page = p
        else:
            break
    return page


def _lines(report: ParsedReport):
    """(start, line) of every text line that is not inside a table."""
    text = report.report.text
    spans = [(t.start, t.end) for t in report.tables]
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        if any(s <= start < e for s, e in spans):
            continue
        yield start, line


def _evidence(report: ParsedReport, line_start: int, line: str, start: int, end: int) -> Evidence:
    quote = line.strip()
    return Evidence(
        quote=quote[:300], section=section_at(report, start), page=page_at(report, start), start=start, end=end
    )


# ---------------------------------------------------------------------------- fiscal year

_YEAR = r"((?:19|20)\d{2})"
# Statements of the fiscal year itself.
_FISCAL_PATTERNS = (
    ("part", re.compile(rf"^\s*第[一二三四五六七八九十]+部分\s*[^\d\s]{{0,40}}?{_YEAR}\s*年度?")),
    ("date", re.compile(rf"(?:截至|截止|截至到)\s*{_YEAR}\s*年\s*12\s*月\s*31\s*日")),
    ("scope", re.compile(rf"{_YEAR}\s*年度?部门决算编制范围")),
)
# Sentences that name the year their own 决算 is of: "现将…2021年度部门决算信息公开如下",
# "2015年衢江区“三公”经费支出决算同比下降的原因". A wrong year here is very likely last year's text
# left in, but the sentence could be about another year's accounts: a warning, not an error.
_NAMING_PATTERNS = (
    ("named", re.compile(rf"{_YEAR}\s*年度?(?:部门|单位)决算(?!表)")),
    ("sentence", re.compile(rf"^\s*{_YEAR}\s*年度?[^。，,；;\d]{{0,24}}?决算(?!表|数与)")),
)
_WARNING_KINDS = {"named", "sentence"}
# Comparisons with the year before.
_COMPARE = re.compile(rf"(?:与|比|较|同)\s*{_YEAR}\s*年度?\s*(?:相比|相较|比较|持平|基本持平|增加|减少|增长|下降|上升|有所|同期)")
_TITLE_YEAR = re.compile(rf"{_YEAR}\s*年度?")


@rule(
    "hygiene.fiscal_year",
    family=FAMILY,
    severity="error",
    zh="报告各处所述决算年度一致（标题、各部分标题、截至日期、编制范围），与上年比较时所称年度为上一年度。",
    en="The fiscal year is the same wherever the report states it; comparisons name the year before.",
    needs="narrative",
)
def fiscal_year(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    text = report.report.text
    statements: list[tuple[str, int, Evidence]] = []  # (kind, implied fiscal year, evidence)
    title = report.report.title or ""
    if (m := _TITLE_YEAR.search(title)) is not None:
        pos = text.find(title)
        start = pos + m.start(1) if pos >= 0 else None
        statements.append(
            ("title", int(m.group(1)), Evidence(quote=title, section="", page=page_at(report, start or 0),
                                                start=start, end=start + 4 if start is not None else None))
        )
    for line_start, line in _lines(report):
        for kind, pattern in _FISCAL_PATTERNS:
            for m in pattern.finditer(line):
                s = line_start + m.start(1)
                statements.append((kind, int(m.group(1)), _evidence(report, line_start, line, s, s + 4)))
        taken = {ev.start for _, _, ev in statements}
        for kind, pattern in _NAMING_PATTERNS:
            for m in pattern.finditer(line):
                s = line_start + m.start(1)
                if s not in taken:
                    taken.add(s)
                    statements.append((kind, int(m.group(1)), _evidence(report, line_start, line, s, s + 4)))
        for m in _COMPARE.finditer(line):
            s = line_start + m.start(1)
            statements.append(("compare", int(m.group(1)) + 1, _evidence(report, line_start, line, s, s + 4)))
    if not statements:
        ctx.insufficient("hygiene.fiscal_year")
        return []
    votes = Counter(year for _, year, _ in statements)
    if not title and report.report.year is not None:
        # No title line: the year the text names most often (how the report's year was found)
        # weighs like a title.
        votes[report.report.year] += 2
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        ctx.insufficient("hygiene.fiscal_year")
        return []
    fiscal = ranked[0][0]
    findings = []
    named: dict[int, list[Evidence]] = defaultdict(list)
    for kind, year, ev in statements:
        if year == fiscal:
            continue
        if kind in _WARNING_KINDS:
            named[year].append(ev)
            continue
        if kind == "compare":
            message = f"与上年比较时所称年度为{year - 1}年度，但本报告为{fiscal}年度决算，应与{fiscal - 1}年度比较。"
            expected, actual = str(fiscal - 1), str(year - 1)
        else:
            where = {"title": "标题", "part": "部分标题", "date": "截至日期", "scope": "编制范围表述"}[kind]
            message = f"{where}所称年度为{year}年，与报告其余各处的{fiscal}年度不一致。"
            expected, actual = str(fiscal), str(year)
        findings.append(make("hygiene.fiscal_year", "error", message, expected=expected, actual=actual, evidence=[ev]))
    for year, places in named.items():
        # One wrong year is one finding, however often the leftover sentence repeats it.
        quotes = "；".join(dict.fromkeys(f"“{ev.quote[:40]}”" for ev in places))
        findings.append(make(
            "hygiene.fiscal_year", "warning",
            f"文中称{year}年度决算（{quotes}），与报告其余各处的{fiscal}年度不一致，疑为沿用往年文字。",
            expected=str(fiscal), actual=str(year), evidence=places, severity="warning",
        ))
    return findings


# ---------------------------------------------------------------------------- placeholders

_PLACEHOLDERS = re.compile(
    r"(?<![A-Za-z])[XＸ×]{2,}(?![A-Za-z])"  # XX, XXX, ××
    r"|(?<![A-Za-z])[xｘ]{2,}(?![A-Za-z])"  # xx
    r"|(?<![A-Za-z0-9])[XＸ×](?=\s*[年月日])"  # X月, X日
    r"|某某"
    r"|(?<![0-9.])0000(?![0-9.])"  # 0000 (年)
)
_INSTRUCTIONS = re.compile(
    r"作下述说明|仍保留该表格式|（不涉及的不列）|\(不涉及的不列\)|（如持平作持平表述）|按上述格式依次说明|由主管部门根据[^。]{0,20}填写"
)


def _grouped_matches(report: ParsedReport, pattern: re.Pattern[str], include_tables: bool) -> dict[str, list]:
    """Matches of `pattern` grouped by section path: [(match text, line, line start, match start)]."""
    text = report.report.text
    groups: dict[str, list] = defaultdict(list)
    lines = _lines(report) if not include_tables else _all_lines(text)
    for line_start, line in lines:
        for m in pattern.finditer(line):
            start = line_start + m.start()
            groups[section_at(report, start)].append((m.group(0), line, line_start, start, line_start + m.end()))
    return groups


def _all_lines(text: str):
    offset = 0
    for line in text.split("\n"):
        start, offset = offset, offset + len(line) + 1
        yield start, line


@rule(
    "hygiene.placeholders",
    family=FAMILY,
    severity="warning",
    zh="报告中不得残留模板占位符（XX、××、某某、0000、X月等）。",
    en="No template placeholder (XX, ××, 某某, 0000, X月…) is left in the report.",
    needs="narrative",
)
def placeholders(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    findings = []
    for section, matches in _grouped_matches(report, _PLACEHOLDERS, include_tables=True).items():
        tokens = list(dict.fromkeys(m[0] for m in matches))
        evidence, seen_lines = [], set()
        for token, line, line_start, start, end in matches:
            if line_start in seen_lines:
                continue
            seen_lines.add(line_start)
            evidence.append(_evidence(report, line_start, line, start, end))
            if len(evidence) == 3:
                break
        where = f"“{section}”" if section else "报告开头"
        findings.append(
            make(
                "hygiene.placeholders", "error",
                f"{where}有{len(matches)}处模板占位符未替换为实际内容（{'、'.join(tokens[:5])}）。",
                expected="实际数字或名称", actual="、".join(tokens[:5]), difference=f"{len(matches)}处",
                evidence=evidence,
            )
        )
    return findings


@rule(
    "hygiene.template_instructions",
    family=FAMILY,
    severity="info",
    zh="报告中不应残留模板的填写说明（如“作下述说明”“不涉及的不列”）。",
    en="No instruction text of the template (作下述说明, 不涉及的不列…) is left in the report.",
    needs="narrative",
)
def template_instructions(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    findings = []
    for section, matches in _grouped_matches(report, _INSTRUCTIONS, include_tables=False).items():
        by_line = {m[2]: m for m in reversed(matches)}  # first match of each line
        first = sorted(by_line.values(), key=lambda m: m[3])
        token = first[0][0]
        where = f"“{section}”" if section else "报告开头"
        findings.append(
            make(
                "hygiene.template_instructions", "info",
                f"{where}残留模板填写说明“{token}”，应在发布前删除。",
                actual=token, difference=f"{len(first)}处",
                evidence=[_evidence(report, ls, ln, s, e) for _, ln, ls, s, e in first[:3]],
            )
        )
    return findings


# ---------------------------------------------------------------------------- nine tables

NINE_KINDS = [kind for kind, _ in NINE_TABLES]
# In the template's order (一 … 九), for messages.
NINE_ORDER = [
    "收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表", "一般公共预算财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款支出决算表",
]


def ends_mid_sentence(report: ParsedReport) -> bool:
    """True for a text that stops in the middle of a sentence (a page copied only in part); a
    report may end with a table."""
    text = report.report.text.rstrip()
    if not text or (report.tables and report.tables[-1].end >= len(text) - 2):
        return False
    return not text.endswith(("。", "！", "？", ".", "；", "）", ")"))


@rule(
    "hygiene.nine_tables_present",
    family=FAMILY,
    severity="warning",
    zh="部门决算附有九张标准决算表，每张表有标题和金额单位。",
    en="The nine standard tables are present, each with its title and unit.",
    needs="tables",
)
def nine_tables_present(ctx: RuleContext) -> list[Finding]:
    report = ctx.report
    present = {t.kind: t for t in report.tables if t.kind in NINE_KINDS}
    fmt_name = (report.report.format or "").lower()
    findings = []
    if not present:
        kind_of_file = "文本/Word" if fmt_name in ("txt", "md", "docx", "doc") else fmt_name.upper()
        findings.append(
            make(
                "hygiene.nine_tables_present", "info",
                f"本报告（{kind_of_file}）中没有九张标准决算表，无法核对表内及表间关系；决算表常另行公开，需另行取得。",
                expected="9张", actual="0张", severity="info",
            )
        )
        return findings
    missing = [(number, kind) for number, kind in enumerate(NINE_ORDER, start=1) if kind not in present]
    if missing and (len(present) < 5 or ends_mid_sentence(report)):
        # A statement of one table (a 三公 statement), or a text cut off before its tables: what
        # is missing cannot be told from what is absent here.
        findings.append(make(
            "hygiene.nine_tables_present", "info",
            f"本报告只有{len(present)}张标准决算表（{'、'.join(present)}），其余决算表需另行取得后才能核对。",
            expected="9张", actual=f"{len(present)}张", severity="info",
        ))
        missing = []
    for number, kind in missing:
        findings.append(
            make(
                "hygiene.nine_tables_present", "warning",
                f"报告缺少第{number}张标准决算表“{kind}”。",
                expected=kind, actual="缺失",
            )
        )
    for kind, table in present.items():
        if not table.title:
            findings.append(
                make("hygiene.nine_tables_present", "warning", f"决算表“{kind}”没有标题。",
                     expected="表标题", actual="无", evidence=[table_evidence(table, 0)])
            )
        if not table.unit:
            findings.append(
                make("hygiene.nine_tables_present", "warning", f"决算表“{table.title or kind}”未标明金额单位。",
                     expected="单位：万元（或元）", actual="无单位", evidence=[table_evidence(table, 0)])
            )
    return findings


_TOTAL_LABELS = {"合计", "总计", "本年收入合计", "本年支出合计", "人员经费合计", "公用经费合计", "收入总计", "支出总计"}


def _is_zero_or_empty(text: str) -> bool:
    value = cell_value(text)
    return (not text.strip() or text.strip() in ("-", "—", "/")) if value is None else value[0] == ZERO


@rule(
    "hygiene.total_missing",
    family=FAMILY,
    severity="error",
    zh="决算表中各组成项有数时，合计（总计）栏不得为空或为0。",
    en="A table's total is not left empty or 0 where its parts carry amounts.",
    needs="tables",
)
def total_missing(ctx: RuleContext) -> list[Finding]:
    findings = []
    for table in ctx.report.tables:
        if table.kind not in NINE_KINDS:
            continue
        body = range(table.header_rows, len(table.rows))
        for r in body:
            row = table.rows[r]
            for c, cell in enumerate(row):
                label = cell.text.replace(" ", "")
                if label not in _TOTAL_LABELS:
                    continue
                # the value cells right of the label, up to the next text label
                for j in range(c + 1, len(row)):
                    txt = row[j].text.strip()
                    if txt and cell_value(txt) is None:
                        break
                    if not _is_zero_or_empty(txt):
                        continue
                    parts = [
                        rr for rr in body
                        if rr != r and j < len(table.rows[rr]) and (v := cell_value(table.rows[rr][j].text)) is not None
                        and v[0] != ZERO
                    ]
                    if parts:
                        header = table.header_text(j)
                        findings.append(
                            make(
                                "hygiene.total_missing", "error",
                                f"“{table.title or table.kind}”的“{label}”行{('“' + header + '”栏') if header else ''}为空或为0，但该栏其他各行有数。",
                                expected="各组成项之和", actual=txt or "空", evidence=[table_evidence(table, r, j)],
                            )
                        )
        if table.kind == "一般公共预算财政拨款“三公”经费支出决算表":
            findings.extend(_sangong_total_missing(table))
    return findings


def _sangong_total_missing(table) -> list[Finding]:
    """The 三公 table: its 合计 columns (预算数 / 决算数) empty while the parts have amounts."""
    findings = []
    cols = range(len(table.rows[0])) if table.rows else range(0)
    for r in range(table.header_rows, len(table.rows)):
        row = table.rows[r]
        for j in cols:
            header = table.header_text(j).split(" ")
            if "合计" not in header or j >= len(row):
                continue
            measure = header[-1]
            if not _is_zero_or_empty(row[j].text):
                continue
            others = [
                k for k in cols if k != j and k < len(row) and table.header_text(k).split(" ")[-1] == measure
                and (v := cell_value(row[k].text)) is not None and v[0] != ZERO
            ]
            if others:
                findings.append(
                    make("hygiene.total_missing", "error",
                         f"“{table.title}”的合计（{measure}）为空或为0，但各项有数。",
                         expected="各项之和", actual=row[j].text or "空", evidence=[table_evidence(table, r, j)])
                )
    return findings


# ---------------------------------------------------------------------------- blank and damaged numbers

_ROLE_WORDS = {"share": "占比", "change_amount": "增减额", "change_rate": "增减率", "amount": "金额"}


@rule(
    "hygiene.blank_value",
    family=FAMILY,
    severity="warning",
    zh="正文中应有数字之处不得留空或残缺（如“占 %”“比上年减少 万元”“支出总计,867.48万元”）。",
    en="No number is left blank or printed damaged where the sentence needs one (占 %, 减少 万元, ,867.48万元).",
    needs="narrative",
)
def blank_value(ctx: RuleContext) -> list[Finding]:
    """One finding per sentence, naming every gap in it; the damaged number is never used."""
    by_sentence: dict[str, list] = defaultdict(list)
    for gap in ctx.report.gaps:
        by_sentence[gap.quote].append(gap)
    findings = []
    for quote, gaps in by_sentence.items():
        parts = []
        for gap in gaps:
            what = f"{gap.metric or ''}{_ROLE_WORDS.get(gap.role or '', '数字')}"
            if gap.kind == "blank":
                parts.append(f"{what}留空（“{gap.unit}”前没有数字）")
            else:
                parts.append(f"{what}印作“{gap.printed}{gap.unit}”，千位分隔符前的数字缺失")
        evidence = [Evidence(quote=quote[:300], section=g.section, page=g.page, start=g.start, end=g.end) for g in gaps]
        findings.append(make(
            "hygiene.blank_value", "warning", f"正文有{len(gaps)}处应有的数字缺失：" + "；".join(parts) + "。",
            expected="完整的数字", actual="；".join(g.printed or "空" for g in gaps), evidence=evidence,
            severity="warning",
        ))
    return findings
