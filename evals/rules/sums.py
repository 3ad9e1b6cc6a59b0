"""Sums: stated totals against their parts, in the narrative and in the standard tables.

Every relation is bound inside one sentence, one section or one table row; when a part or a
total cannot be bound to a single stated value, the case is counted as insufficient data.
The helpers at the top (binding figures to sentences and sections, money intervals in 万元,
building findings) are shared by the shares, yoy and completion families.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from evals.findings import Evidence, Finding, Severity
from evals.intervals import HUNDRED, Interval, verdict
from evals.registry import RuleContext, rule
from evals.rules._audit import cell_value, figure_at, table_evidence
from index.lexicon import FUNCTIONAL_CLASSES, canonical_metric, clean_metric_text
from index.models import Figure, Table

# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------

# 万元 per unit, and how many more decimals a value gains when expressed in 万元.
MONEY_FACTORS: dict[str, tuple[Decimal, int]] = {
    "万元": (Decimal(1), 0),
    "元": (Decimal("0.0001"), 4),
    "千元": (Decimal("0.1"), 1),
    "亿元": (Decimal(10000), -4),
}
ZERO = Decimal(0)


def is_money(figure: Figure) -> bool:
    """True for an amount in a money unit."""
    return figure.unit in MONEY_FACTORS


def bare_zero(figure: Figure) -> bool:
    """A money amount printed as a bare 0 ('0万元'): nothing was spent, an exact zero, not a value
    rounded to whole 万元 (an author who rounds prints 0.00, or the small amount itself)."""
    return figure.value == 0 and figure.decimals == 0 and is_money(figure)


def wan(figure: Figure) -> Interval:
    """The interval a money figure stands for, in 万元 (a bare 0 is exact)."""
    if bare_zero(figure):
        return Interval.exact(ZERO)
    factor = MONEY_FACTORS[figure.unit][0]
    interval = Interval.of(figure)
    return Interval(interval.lo * factor, interval.hi * factor)


def wan_value(figure: Figure) -> Decimal:
    """The printed value of a money figure, in 万元."""
    return figure.value * MONEY_FACTORS[figure.unit][0]


def wan_decimals(figure: Figure) -> int:
    """Display precision of a money figure once expressed in 万元 (a bare 0, which is exact, has
    the precision amounts are printed with: two decimals of 万元)."""
    if bare_zero(figure):
        return max(2, MONEY_FACTORS[figure.unit][1])
    return figure.decimals + MONEY_FACTORS[figure.unit][1]


def fmt(value: Decimal, places: int = 2) -> str:
    """A Decimal for a message: `places` digits after the point, trailing noise removed."""
    places = max(places, 0)
    return str(value.quantize(Decimal(1).scaleb(-places)))


def shown(figure: Figure) -> str:
    """A figure as printed with its unit: '4.55万元', '30.93%'."""
    return f"{figure.text}{figure.unit}"


def is_current(ctx: RuleContext, figure: Figure) -> bool:
    """A figure about the report's own year (or with no year)."""
    return figure.year is None or ctx.year is None or figure.year == ctx.year


def same_value(figures: Iterable[Figure]) -> bool:
    """True when all the figures state the same value (in 万元 for money)."""
    values = {wan_value(f) if is_money(f) else f.value for f in figures}
    return len(values) <= 1


def narrative_amounts(ctx: RuleContext, metric: str | None = None) -> list[Figure]:
    """Money amounts of the report's year stated in the narrative (optionally of one metric)."""
    return [
        f
        for f in ctx.report.figures
        if f.source == "text"
        and f.role == "amount"
        and is_money(f)
        and is_current(ctx, f)
        and (metric is None or f.metric == metric)
    ]


def sentence_mates(ctx: RuleContext, figure: Figure) -> list[Figure]:
    """The figures of the sentence (narrative) or table row a figure stands in, in order."""
    if figure.source == "table":
        return sorted(
            (
                f
                for f in ctx.report.figures
                if f.source == "table" and f.table_id == figure.table_id and f.row == figure.row
            ),
            key=lambda f: f.col or 0,
        )
    span = len(figure.quote) + 2
    return sorted(
        (
            f
            for f in ctx.report.figures
            if f.source == "text"
            and f.quote == figure.quote
            and f.section == figure.section
            and abs(f.start - figure.start) <= span
        ),
        key=lambda f: f.start,
    )


def sentences(ctx: RuleContext, figures: Iterable[Figure]) -> list[list[Figure]]:
    """Narrative figures grouped by the sentence they stand in, in reading order."""
    groups: dict[tuple[str, str], list[list[Figure]]] = defaultdict(list)
    for figure in sorted(figures, key=lambda f: f.start):
        runs = groups[(figure.section, figure.quote)]
        if runs and figure.start - runs[-1][-1].start <= len(figure.quote) + 2:
            runs[-1].append(figure)
        else:
            runs.append([figure])
    return sorted((run for runs in groups.values() for run in runs), key=lambda run: run[0].start)


def section_ancestors(path: str) -> list[str]:
    """A section path and its enclosing sections, innermost first."""
    parts = [p for p in path.split(" > ") if p]
    return [" > ".join(parts[:i]) for i in range(len(parts), 0, -1)]


def in_scope(figure: Figure, scope: str) -> bool:
    """True when the figure stands in section `scope` or one of its subsections."""
    return figure.section == scope or figure.section.startswith(scope + " > ")


class Ambiguous(Exception):
    """Two different values could be meant: the rule must report insufficient data."""


def bind_amount(
    ctx: RuleContext, metric: str, anchor: Figure, *, walk_up: bool = True, code: str | None = None
) -> Figure | None:
    """The narrative amount of `metric` that a figure at `anchor` refers to.

    The same sentence first (the nearest one before the anchor, else after it); then the
    nearest statement before the anchor in the same section; then, walking up the enclosing
    sections, the one value all statements in that scope agree on. Raises Ambiguous when a
    scope holds two different values; None when nothing is stated.
    """
    candidates = [f for f in narrative_amounts(ctx, metric) if code is None or f.code in (None, code)]
    if not candidates:
        return None
    mates = [f for f in candidates if f in sentence_mates(ctx, anchor)]
    if mates:
        before = [f for f in mates if f.start < anchor.start]
        return before[-1] if before else mates[0]
    section = [f for f in candidates if f.section == anchor.section and f.start < anchor.start]
    if section:
        return section[-1]
    if not walk_up:
        return None
    for scope in section_ancestors(anchor.section):
        found = [f for f in candidates if in_scope(f, scope)]
        if found:
            if not same_value(found):
                raise Ambiguous(metric)
            before = [f for f in found if f.start < anchor.start]
            return before[-1] if before else found[0]
    return None


def make_finding(
    rule_id: str,
    family: str,
    severity: Severity,
    message: str,
    figures: Iterable[Figure],
    expected: Decimal | str | None = None,
    actual: Decimal | str | None = None,
    difference: Decimal | str | None = None,
    places: int = 2,
) -> Finding:
    """A finding with Decimal fields rendered as strings and one evidence per figure."""

    def text(value: Decimal | str | None) -> str:
        if value is None:
            return ""
        return fmt(value, places) if isinstance(value, Decimal) else value

    evidence: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for figure in figures:
        if (figure.start, figure.end) not in seen:
            seen.add((figure.start, figure.end))
            evidence.append(Evidence.of(figure))
    return Finding(
        rule=rule_id,
        family=family,
        severity=severity,
        message=message,
        expected=text(expected),
        actual=text(actual),
        difference=text(difference),
        evidence=evidence,
    )


def judged(
    rule_id: str,
    family: str,
    stated: Interval,
    computed: Interval,
    decimals: int,
    message: str,
    figures: Iterable[Figure],
    stated_value: Decimal,
    places: int = 2,
    severity: Severity = "error",
    point: Decimal | None = None,
) -> Finding | None:
    """None when `stated` and `computed` agree within rounding; else an error (or, off by one
    unit of the last digit, an info finding of family 'rounding'). `point` is the value
    computed from the printed figures (default: the middle of `computed`)."""
    outcome = verdict(stated, computed, decimals)
    if outcome == "ok":
        return None
    expected = computed.mid if point is None else point
    difference = stated_value - expected
    if outcome == "rounding":
        return make_finding(
            rule_id,
            "rounding",
            "info",
            message.rstrip("。") + "（仅差最后一位的舍入，或系舍入方向有误）。",
            figures,
            expected,
            stated_value,
            difference,
            places=max(places, decimals + 2),
        )
    return make_finding(
        rule_id, family, severity, message, figures, expected, stated_value, difference, places=places
    )


def total_of(figures: Iterable[Figure]) -> Interval:
    """Interval of the sum of money figures, in 万元."""
    total = Interval.exact(ZERO)
    for figure in figures:
        total = total + wan(figure)
    return total


def shares_complete(ctx: RuleContext, parts: list[Figure]) -> bool:
    """True when every part carries a 占X% in its sentence and those shares add up to 100."""
    total = Interval.exact(ZERO)
    for part in parts:
        mates = sentence_mates(ctx, part)
        share = next(
            (f for f in mates if f.role == "share" and f.metric == part.metric and f.start > part.start), None
        )
        if share is None:
            return False
        total = total + Interval.of(share)
    return total.widen(Decimal("0.01")).overlaps(Interval.exact(HUNDRED))


# ---------------------------------------------------------------------------------------------
# Part-whole relations of the template
# ---------------------------------------------------------------------------------------------

FAMILY = "sums"


class Relation:
    """A total and the parts it is the sum of, as canonical metrics."""

    def __init__(
        self,
        rule_id: str,
        totals: tuple[str, ...],
        parts: tuple[str, ...],
        required: tuple[str, ...] | None,
        name: str,
    ) -> None:
        self.rule_id = rule_id
        self.totals = totals
        self.parts = parts
        self.required = parts if required is None else required  # all present => exhaustive
        self.name = name


INCOME_SOURCES = (
    "一般公共预算财政拨款收入",
    "政府性基金预算财政拨款收入",
    "国有资本经营预算财政拨款收入",
    "财政拨款收入",
    "上级补助收入",
    "事业收入",
    "经营收入",
    "附属单位上缴收入",
    "其他收入",
)
FUND_INCOMES = INCOME_SOURCES[:3]

RELATIONS: dict[str, Relation] = {
    r.rule_id: r
    for r in (
        Relation(
            "sums.sangong_parts",
            ("三公经费",),
            ("因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"),
            None,
            "“三公”经费",
        ),
        Relation(
            "sums.vehicle_parts",
            ("公务用车购置及运行维护费",),
            ("公务用车购置费", "公务用车运行维护费"),
            None,
            "公务用车购置及运行维护费",
        ),
        Relation(
            "sums.reception_parts", ("公务接待费",), ("国内公务接待费", "外事接待费"), None, "公务接待费"
        ),
        Relation(
            "sums.procurement_parts",
            ("政府采购支出总额",),
            ("政府采购货物支出", "政府采购工程支出", "政府采购服务支出"),
            None,
            "政府采购支出总额",
        ),
        Relation(
            "sums.expenditure_parts",
            ("本年支出合计", "支出决算总额", "财政拨款支出"),
            ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"),
            ("基本支出", "项目支出"),
            "本年支出合计",
        ),
        Relation(
            "sums.basic_parts",
            ("一般公共预算财政拨款基本支出", "基本支出"),
            ("人员经费", "公用经费"),
            None,
            "基本支出",
        ),
        Relation("sums.income_parts", ("本年收入合计",), INCOME_SOURCES, (), "本年收入合计"),
    )
}


def _part_groups(ctx: RuleContext, relation: Relation) -> list[tuple[list[Figure], Figure | None]]:
    """Where the report breaks the relation's total down, with the total when the same
    sentence states it: each sentence naming the total and then one or more of its parts, or
    two or more parts; else each section stating two or more parts in separate sentences."""
    parts = [f for f in narrative_amounts(ctx) if f.metric in relation.parts]
    groups: list[tuple[list[Figure], Figure | None]] = []
    by_section: dict[str, list[Figure]] = defaultdict(list)
    for figure in parts:
        by_section[figure.section].append(figure)
    for section_parts in by_section.values():
        found = False
        for sentence in sentences(ctx, section_parts):
            first = sentence[0]
            before = [
                f
                for f in sentence_mates(ctx, first)
                if f.start < first.start and f.role == "amount" and is_money(f)
            ]
            heads = [f for f in before if f.metric in relation.totals]
            if heads:
                groups.append((sentence, heads[-1]))
                found = True
            elif before and any(f.metric not in relation.parts for f in before):
                found = True  # the breakdown of another total (the generic 其中 rule's case)
            elif len({f.metric for f in sentence}) >= 2:
                groups.append((sentence, None))
                found = True
        if not found and len({f.metric for f in section_parts}) >= 2:
            groups.append((section_parts, None))
    return groups


def _bind_total(ctx: RuleContext, relation: Relation, first: Figure) -> Figure | None:
    """The stated total a breakdown refers to (Ambiguous when unclear)."""
    for metric in relation.totals:
        found = bind_amount(ctx, metric, first)
        if found is not None:
            return found
    return None


def _one_per_metric(group: list[Figure]) -> dict[str, Figure] | None:
    """One figure per part metric; None when a part is stated twice with different values."""
    chosen: dict[str, Figure] = {}
    for figure in group:
        if figure.metric in chosen:
            if not same_value([chosen[figure.metric], figure]):
                return None
            continue
        chosen[figure.metric] = figure
    return chosen


def _drop_nested(relation: Relation, chosen: dict[str, Figure]) -> dict[str, Figure]:
    """For income: 财政拨款收入 already contains the three fund-type incomes."""
    if relation.rule_id == "sums.income_parts" and "财政拨款收入" in chosen:
        return {m: f for m, f in chosen.items() if m not in FUND_INCOMES}
    return chosen


def bound_breakdowns(ctx: RuleContext, relation: Relation) -> list[tuple[Figure, list[Figure]]]:
    """Every (total, parts) instance of a relation the narrative states; unbindable ones are
    counted as insufficient for the relation's rule."""
    out: list[tuple[Figure, list[Figure]]] = []
    seen: set[tuple[int, tuple[int, ...]]] = set()
    for group, head in _part_groups(ctx, relation):
        chosen = _one_per_metric(group)
        if chosen is None:
            ctx.insufficient(relation.rule_id)
            continue
        chosen = _drop_nested(relation, chosen)
        first = min(chosen.values(), key=lambda f: f.start)
        try:
            total = head or _bind_total(ctx, relation, first)
        except Ambiguous:
            ctx.insufficient(relation.rule_id)
            continue
        if total is None:
            ctx.insufficient(relation.rule_id)
            continue
        parts = sorted(chosen.values(), key=lambda f: f.start)
        key = (total.start, tuple(p.start for p in parts))
        if key not in seen:
            seen.add(key)
            out.append((total, parts))
    return out


def check_relation(ctx: RuleContext, relation: Relation) -> list[Finding]:
    """Σ parts = total for each bound breakdown of a relation (only when the parts are the
    whole list; a listed-parts sum above the total is an error whatever is missing)."""
    findings: list[Finding] = []
    for total, parts in bound_breakdowns(ctx, relation):
        computed = total_of(parts)
        stated = wan(total)
        metrics = {p.metric for p in parts}
        exhaustive = (bool(relation.required) and set(relation.required) <= metrics) or shares_complete(
            ctx, parts
        )
        if not exhaustive and computed.lo <= stated.hi:
            ctx.insufficient(relation.rule_id)  # parts missing: only "sum above total" could be shown
            continue
        listing = "＋".join(f"{p.label}{shown(p)}" for p in parts)
        message = f"{total.label}{shown(total)}与其组成部分之和不符：{listing}＝{fmt(computed.mid)}万元。"
        finding = judged(
            relation.rule_id,
            FAMILY,
            stated,
            computed,
            wan_decimals(total),
            message,
            [total, *parts],
            wan_value(total),
        )
        if finding:
            findings.append(finding)
    return findings


@rule(
    "sums.sangong_parts",
    family=FAMILY,
    severity="error",
    zh="“三公”经费＝因公出国（境）费＋公务用车购置及运行维护费＋公务接待费",
    en="三公 total = overseas trips + official vehicles + official receptions",
)
def sangong_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.sangong_parts"])


@rule(
    "sums.vehicle_parts",
    family=FAMILY,
    severity="error",
    zh="公务用车购置及运行维护费＝公务用车购置费＋公务用车运行维护费",
    en="official vehicles = purchase + running and maintenance",
)
def vehicle_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.vehicle_parts"])


@rule(
    "sums.reception_parts",
    family=FAMILY,
    severity="error",
    zh="公务接待费＝国内公务接待费＋外事接待费",
    en="official receptions = domestic + foreign-affairs receptions",
)
def reception_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.reception_parts"])


@rule(
    "sums.procurement_parts",
    family=FAMILY,
    severity="error",
    zh="政府采购支出总额＝货物＋工程＋服务",
    en="government procurement total = goods + works + services",
)
def procurement_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.procurement_parts"])


@rule(
    "sums.expenditure_parts",
    family=FAMILY,
    severity="error",
    zh="本年支出合计＝基本支出＋项目支出（＋上缴上级、经营、对附属单位补助支出）",
    en="total expenditure = basic + project (+ remittances, business, subsidies to affiliates)",
)
def expenditure_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.expenditure_parts"])


@rule(
    "sums.basic_parts",
    family=FAMILY,
    severity="error",
    zh="基本支出＝人员经费＋公用经费",
    en="basic expenditure = personnel + operating costs",
)
def basic_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.basic_parts"])


@rule(
    "sums.income_parts",
    family=FAMILY,
    severity="error",
    zh="本年收入合计＝各项收入来源之和",
    en="total income = sum of its sources",
)
def income_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.income_parts"])


# ---------------------------------------------------------------------------------------------
# 收支总计
# ---------------------------------------------------------------------------------------------


def _unique(ctx: RuleContext, rule_id: str, figures: list[Figure]) -> Figure | None:
    """The one value stated for a metric (insufficient when two differ)."""
    if not figures:
        return None
    if not same_value(figures):
        ctx.insufficient(rule_id)
        return None
    return figures[0]


def _t1_amount(ctx: RuleContext, metric: str) -> Figure | None:
    """An amount of the 收入支出决算总表 (T1) by metric, when stated once."""
    tables = {t.id for t in ctx.report.tables if t.kind == "收入支出决算总表"}
    found = [
        f
        for f in ctx.report.figures
        if f.source == "table"
        and f.table_id in tables
        and f.metric == metric
        and is_money(f)
        and is_current(ctx, f)
    ]
    return found[0] if found and same_value(found) else None


@rule(
    "sums.grand_totals",
    family=FAMILY,
    severity="error",
    zh="收支总计＝本年收入合计＋年初结转和结余＝本年支出合计＋年末结转和结余",
    en="grand total = income + opening balances = expenditure + closing balances",
)
def grand_totals(ctx: RuleContext) -> list[Finding]:
    rid = "sums.grand_totals"
    findings: list[Finding] = []
    grand = _unique(ctx, rid, narrative_amounts(ctx, "收支总计"))
    if grand is None:
        return findings
    sides = (("本年收入合计", "年初结转和结余", "收入"), ("本年支出合计", "年末结转和结余", "支出"))
    for year_total, balance_metric, side in sides:
        total = _unique(ctx, rid, narrative_amounts(ctx, year_total))
        if total is None:
            continue
        balance = _unique(ctx, rid, narrative_amounts(ctx, balance_metric)) or _t1_amount(ctx, balance_metric)
        if balance is None:
            # Balances not stated: only "a part never exceeds its whole" can be shown.
            if wan(total).lo > wan(grand).hi:
                findings.append(
                    make_finding(
                        rid,
                        FAMILY,
                        "error",
                        f"{total.label}{shown(total)}大于收支总计{shown(grand)}。",
                        [grand, total],
                        wan_value(grand),
                        wan_value(total),
                        wan_value(total) - wan_value(grand),
                    )
                )
            elif not wan(total).overlaps(wan(grand)):
                ctx.insufficient(rid)
            continue
        computed = wan(total) + wan(balance)
        message = (
            f"收支总计{shown(grand)}不等于{side}方{total.label}{shown(total)}＋{balance.label}{shown(balance)}"
            f"＝{fmt(computed.mid)}万元。"
        )
        finding = judged(
            rid,
            FAMILY,
            wan(grand),
            computed,
            wan_decimals(grand),
            message,
            [grand, total, balance],
            wan_value(grand),
        )
        if finding:
            findings.append(finding)
    return findings


# ---------------------------------------------------------------------------------------------
# 功能分类: 类 = Σ 项, Σ 类 = total
# ---------------------------------------------------------------------------------------------

_CLASS_LABEL = re.compile(r"^(.*?)（\d*类）")


def class_code(figure: Figure) -> str | None:
    """The 功能分类 类 code a narrative figure belongs to: from its code, else from a label
    such as '社会保障和就业支出（类）…（项）'."""
    if figure.code:
        return figure.code[:3]
    match = _CLASS_LABEL.match(clean_metric_text(figure.label))
    if match:
        _, code = canonical_metric(match.group(1))
        return code
    return None


def _is_item(figure: Figure) -> bool:
    """A 款 or 项 line of the 具体情况 (a longer code, or a label naming 类 and 款/项)."""
    if figure.code:
        return len(figure.code) in (5, 7)
    label = clean_metric_text(figure.label)
    return "（类）" in label and ("（项）" in label or "（款）" in label)


def _is_budget(figure: Figure) -> bool:
    """A budget amount stated beside an item's spending (metric '行政运行 年初预算')."""
    if " " not in figure.metric:
        return False
    qualifier = figure.metric.rsplit(" ", 1)[1]
    return "预算" in qualifier and "执行" not in qualifier and "决算" not in qualifier


def _class_sentence(ctx: RuleContext) -> list[list[Figure]]:
    """Sentences stating two or more 类 amounts (the 结构 sentence)."""
    classes = [
        f for f in narrative_amounts(ctx) if f.metric in FUNCTIONAL_CLASSES.values() and not _is_item(f)
    ]
    return [s for s in sentences(ctx, classes) if len({f.metric for f in s}) >= 2]


@rule(
    "sums.functional_classes",
    family=FAMILY,
    severity="error",
    zh="一般公共预算财政拨款支出＝各功能分类（类）之和；每个类＝其下各项之和",
    en="general-budget expenditure = sum of its functional classes; each class = sum of its items",
)
def functional_classes(ctx: RuleContext) -> list[Finding]:
    rid = "sums.functional_classes"
    findings: list[Finding] = []
    items: dict[str, dict[str, list[Figure]]] = defaultdict(lambda: defaultdict(list))
    for figure in narrative_amounts(ctx):
        if _is_budget(figure):
            continue  # "年初预算为X万元，支出决算为Y万元": the item's amount is Y
        if _is_item(figure) and (code := class_code(figure)):
            key = figure.code if figure.code and len(figure.code) == 7 else clean_metric_text(figure.label)
            if figure.code and len(figure.code) == 5:
                continue  # 款 subtotals: the 项 lines carry the amounts
            items[code][key].append(figure)
    for group in _class_sentence(ctx):
        classes = [f for f in group if f.metric in FUNCTIONAL_CLASSES.values()]
        # Σ 类 = the sentence's total
        head = next(
            (
                f
                for f in sentence_mates(ctx, classes[0])
                if f.role == "amount"
                and is_money(f)
                and f.metric not in FUNCTIONAL_CLASSES.values()
                and f.start < classes[0].start
            ),
            None,
        )
        if head is not None and (shares_complete(ctx, classes) or total_of(classes).lo > wan(head).hi):
            computed = total_of(classes)
            listing = "＋".join(f"{c.metric}{shown(c)}" for c in classes)
            message = (
                f"{head.label}{shown(head)}与各功能分类（类）之和不符：{listing}＝{fmt(computed.mid)}万元。"
            )
            finding = judged(
                rid,
                FAMILY,
                wan(head),
                computed,
                wan_decimals(head),
                message,
                [head, *classes],
                wan_value(head),
            )
            if finding:
                findings.append(finding)
        elif head is not None:
            ctx.insufficient(rid)
        # each 类 = Σ its 项
        for klass in classes:
            code = class_code(klass)
            lines = items.get(code or "", {})
            if not lines:
                continue
            if any(not same_value(v) for v in lines.values()):
                ctx.insufficient(rid)
                continue
            parts = [v[0] for v in lines.values()]
            computed = total_of(parts)
            listing = "＋".join(shown(p) for p in parts)
            short = (
                computed.hi < wan(klass).lo and verdict(wan(klass), computed, wan_decimals(klass)) == "error"
            )
            if short:
                # the items fall short of the class: an item may be left out of the 具体情况
                message = (
                    f"{klass.metric}（{code}类）{shown(klass)}大于具体情况所列各项之和{fmt(computed.mid)}万元"
                    f"（{listing}），或有项目未列出、或金额有误。"
                )
            else:
                message = f"{klass.metric}（{code}类）{shown(klass)}与其下各项支出之和{fmt(computed.mid)}万元不符（{listing}）。"
            finding = judged(
                rid,
                FAMILY,
                wan(klass),
                computed,
                wan_decimals(klass),
                message,
                [klass, *parts],
                wan_value(klass),
                severity="warning" if short else "error",
            )
            if finding:
                findings.append(finding)
    return findings


# ---------------------------------------------------------------------------------------------
# Generic "X总额/合计…，其中 a、b、c" breakdowns
# ---------------------------------------------------------------------------------------------

_TOTAL_WORD = re.compile(r"(总额|合计|总计)$")
_SPECIFIC_TOTALS = {m for r in RELATIONS.values() for m in r.totals} | {"收支总计", "财政拨款收支总计"}


@rule(
    "sums.qizhong_breakdown",
    family=FAMILY,
    severity="error",
    zh="“X总额/合计……，其中a、b”所列各部分之和等于总额",
    en="a stated total equals the parts its 其中 clause lists",
)
def qizhong_breakdown(ctx: RuleContext) -> list[Finding]:
    rid = "sums.qizhong_breakdown"
    findings: list[Finding] = []
    for group in sentences(ctx, narrative_amounts(ctx)):
        head = group[0]
        label = clean_metric_text(head.label)
        if head.metric in _SPECIFIC_TOTALS or not _TOTAL_WORD.search(label.removesuffix("为")):
            continue
        quote = head.quote
        rel_head = head.start - _sentence_start(ctx, head)
        qizhong = quote.find("其中", max(rel_head, 0))
        if qizhong < 0 or quote.count("其中") > 1:
            continue
        parts = [f for f in group[1:] if f.start - _sentence_start(ctx, head) > qizhong]
        if len(parts) < 2 or len({p.metric for p in parts}) < len(parts):
            continue
        computed = total_of(parts)
        listing = "＋".join(f"{p.label}{shown(p)}" for p in parts)
        message = f"{head.label}{shown(head)}与其中所列各部分之和不符：{listing}＝{fmt(computed.mid)}万元。"
        finding = judged(
            rid, FAMILY, wan(head), computed, wan_decimals(head), message, [head, *parts], wan_value(head)
        )
        if finding:
            findings.append(finding)
    return findings


def _sentence_start(ctx: RuleContext, figure: Figure) -> int:
    """Offset of the figure's sentence in Report.text (its quote found around the figure)."""
    text = ctx.report.report.text
    lo = max(0, figure.start - len(figure.quote))
    pos = text.find(figure.quote, lo, figure.end + len(figure.quote))
    return pos if pos >= 0 else figure.start


# ---------------------------------------------------------------------------------------------
# A part never exceeds its whole
# ---------------------------------------------------------------------------------------------

EXTRA_PAIRS = (("政府采购支出总额", "授予中小企业合同金额"), ("授予中小企业合同金额", "授予小微企业合同金额"))
# Wholes stated once for the whole report (a section of their own), and parts stated elsewhere:
# appropriations are part of all income and spending; the general budget's income and spending
# are part of the appropriations (total = appropriation income + opening balances = spending +
# closing balances, so a part never exceeds it, whatever the balances); the general budget's
# basic spending is part of all basic spending.
REPORT_PAIRS = (
    ("收支总计", "财政拨款收支总计"),
    ("财政拨款收支总计", "一般公共预算财政拨款收入"),
    ("财政拨款收支总计", "一般公共预算财政拨款支出"),
    ("基本支出", "一般公共预算财政拨款基本支出"),
)


@rule(
    "sums.part_exceeds_whole",
    family=FAMILY,
    severity="error",
    zh="任何组成部分不得大于其总额",
    en="a part never exceeds its whole",
)
def part_exceeds_whole(ctx: RuleContext) -> list[Finding]:
    rid = "sums.part_exceeds_whole"
    findings: list[Finding] = []
    seen: set[tuple[int, int]] = set()
    pairs: list[tuple[Figure, Figure]] = []
    for relation in RELATIONS.values():
        for part in narrative_amounts(ctx):
            if part.metric not in relation.parts:
                continue
            for metric in relation.totals:
                try:
                    total = bind_amount(ctx, metric, part)
                except Ambiguous:
                    ctx.insufficient(rid)
                    break
                if total is not None:
                    pairs.append((total, part))
                    break
    for whole_metric, part_metric in EXTRA_PAIRS:
        for part in narrative_amounts(ctx, part_metric):
            try:
                total = bind_amount(ctx, whole_metric, part, walk_up=False)
            except Ambiguous:
                continue
            if total is not None:
                pairs.append((total, part))
    for whole_metric, part_metric in REPORT_PAIRS:
        wholes = [f for f in narrative_amounts(ctx, whole_metric) if f.subject is None]
        parts = [f for f in narrative_amounts(ctx, part_metric) if f.subject is None]
        if not wholes or not parts:
            continue
        if not same_value(wholes):
            ctx.insufficient(rid)
            continue
        pairs.extend((wholes[0], part) for part in parts)
    for total, part in pairs:
        if (total.start, part.start) in seen:
            continue
        seen.add((total.start, part.start))
        if wan(part).lo > wan(total).hi:
            findings.append(
                make_finding(
                    rid,
                    FAMILY,
                    "error",
                    f"{part.label}{shown(part)}大于其总额{total.label}{shown(total)}。",
                    [total, part],
                    wan_value(total),
                    wan_value(part),
                    wan_value(part) - wan_value(total),
                )
            )
    return findings


# The nine standard tables' own sums (T1 balance, row columns, the 三公 table) are checked by
# the nine_tables family, which covers everything these rules did and more.


# ---------------------------------------------------------------------------------------------
# Funding sources of a project's budget (绩效自评表 预算执行 part, 资金计划 tables)
# ---------------------------------------------------------------------------------------------

_PROJECT_FUND_TABLES = ("绩效自评表-预算执行", "资金计划")
_TOTAL_LABELS = ("总额", "合计", "资金总额", "项目总额", "年度资金总额")
# The sources the national template and its local variants list under 总额 (年度资金总额).
_SOURCE_LABELS = (
    "财政资金", "财政拨款", "当年财政拨款", "财政专户管理资金", "单位资金", "其他资金", "上年结转资金", "自有资金",
    "自筹资金",
)
_MONEY_COLUMNS = (
    ("年初预算", "年初预算"), ("调整后预算", "调整后预算数"), ("全年预算", "全年预算数"), ("执行数", "预算执行数"),
)


def _label(text: str) -> str:
    return re.sub(r"^其中[:：]?", "", re.sub(r"\s+", "", text))


def _money_column(table: Table, word: str) -> int | None:
    width = max((len(r) for r in table.rows), default=0)
    return next(
        (c for c in range(width) if word in (h := table.header_text(c).replace(" ", "")) and "执行率" not in h), None
    )


def _cell_figure(ctx: RuleContext, table: Table, row: int, col: int) -> tuple[Decimal, int, Evidence | None] | None:
    """(value, decimals, evidence) of a money cell; value 0 (exact) for an empty or '/' cell;
    None when the cell holds text that is no number."""
    cells = table.rows[row]
    text = cells[col].text.strip() if col < len(cells) else ""
    if text in ("", "/", "-", "—", "－"):
        return ZERO, None, None
    parsed = cell_value(text)
    if parsed is None:
        return None
    figure = figure_at(ctx.report, table.id, row, col)
    evidence = Evidence.of(figure) if figure else table_evidence(table, row, col)
    return parsed[0], parsed[1], evidence


@rule(
    "sums.funding_sources",
    family=FAMILY,
    severity="error",
    zh="绩效自评表、资金计划表：总额＝财政资金＋财政专户管理资金＋单位资金＋其他资金（年初预算、调整后预算数、预算执行数各栏）",
    en="performance / fund-plan tables: 总额 = the funding sources, in each of the 年初预算, 调整后预算 and 执行数 columns",
    needs="tables",
)
def funding_sources(ctx: RuleContext) -> list[Finding]:
    rid = "sums.funding_sources"
    findings: list[Finding] = []
    for table in ctx.report.tables:
        if table.kind not in _PROJECT_FUND_TABLES:
            continue
        labelled: list[tuple[int, str]] = []
        for r in range(table.header_rows, len(table.rows)):
            label = next((_label(c.text) for c in table.rows[r][:3] if _label(c.text)
                          and not re.fullmatch(r"[\d.,%％/]+", _label(c.text))), "")
            labelled.append((r, label))
        totals = [r for r, label in labelled if label in _TOTAL_LABELS]
        if len(totals) != 1:
            ctx.insufficient(rid)
            continue
        total_row = totals[0]
        sources = [(r, label) for r, label in labelled if r > total_row and label in _SOURCE_LABELS]
        unknown = [label for r, label in labelled if r > total_row and label and label not in _SOURCE_LABELS]
        if not sources or unknown:
            ctx.insufficient(rid)  # a breakdown the rule cannot read as the whole list of sources
            continue
        failing: list[tuple[str, str, list[str], Decimal, list[Evidence]]] = []
        worst = "ok"
        for word, name in _MONEY_COLUMNS:
            col = _money_column(table, word)
            if col is None:
                continue
            total = _cell_figure(ctx, table, total_row, col)
            parts = [(label, _cell_figure(ctx, table, r, col)) for r, label in sources]
            if total is None or total[2] is None or any(p is None for _, p in parts):
                ctx.insufficient(rid)
                continue
            if all(p[2] is None for _, p in parts):
                continue  # no source stated in this column
            stated = Interval.displayed(total[0], total[1])
            computed = Interval.exact(ZERO)
            for _, (value, decimals, evidence) in parts:
                computed = computed + (Interval.displayed(value, decimals) if evidence else Interval.exact(ZERO))
            outcome = verdict(stated, computed, total[1])
            if outcome == "ok":
                continue
            worst = "error" if "error" in (worst, outcome) else "rounding"
            listing = [f"{label}{fmt(value, decimals) if evidence else '（空）'}" for label, (value, decimals, evidence) in parts]
            point = sum((value for _, (value, _, _) in parts), ZERO)
            failing.append((name, fmt(total[0], total[1]), listing, point,
                            [total[2], *[e for _, (_, _, e) in parts if e is not None]]))
        if not failing:
            continue
        where = "绩效自评表" if table.kind.startswith("绩效") else "资金计划表"
        described = "；".join(f"{name}总额{stated}万元，而{'＋'.join(listing)}＝{fmt(point)}万元"
                             for name, stated, listing, point, _ in failing)
        message = f"“{table.subject or ''}”{where}各资金来源之和与总额不符：{described}。"
        evidence = [e for *_, evs in failing for e in evs]
        first = failing[0]
        expected = "；".join(f"{name}={fmt(point)}" for name, _, _, point, _ in failing)
        actual = "；".join(f"{name}={stated}" for name, stated, _, _, _ in failing)
        difference = fmt(Decimal(first[1]) - first[3])
        if worst == "rounding":
            findings.append(Finding(rule=rid, family="rounding", severity="info",
                                    message=message.rstrip("。") + "（仅差最后一位的舍入，或系舍入方向有误）。",
                                    expected=expected, actual=actual, difference=difference, evidence=evidence))
        else:
            findings.append(Finding(rule=rid, family=FAMILY, severity="error", message=message, expected=expected,
                                    actual=actual, difference=difference, evidence=evidence))
    return findings
