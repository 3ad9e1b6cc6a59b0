"""Sums: stated totals against their parts in the narrative's amounts (收支总计, 收入, 支出,
基本支出, 三公, 公务用车, 接待, 政府采购).

Every relation is bound inside one sentence, one section or one table row; when a part or a
total cannot be bound to a single stated value, the case is counted as insufficient data.
The rest of the family: 功能分类 类/款/项 in sums_classes, funding sources, 其中 breakdowns and
"a part never exceeds its whole" in sums_funding. The shared helpers (binding figures to
sentences and sections, money intervals in 万元, building findings) are in _arith; the shares,
yoy and completion families import them from here.
"""

from __future__ import annotations

from collections import defaultdict

from evals.findings import Finding
from evals.registry import RuleContext, rule
from evals.rules._arith import (
    Ambiguous,
    bind_amount,
    fmt,
    is_current,
    is_money,
    judged,
    make_finding,
    narrative_amounts,
    same_value,
    sentence_mates,
    sentences,
    shares_complete,
    shown,
    total_of,
    wan,
    wan_decimals,
    wan_value,
)
from index.models import Figure

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

