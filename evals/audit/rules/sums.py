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

from evals.audit.findings import Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._arith import (
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
from evals.audit.rules._facts import Facts, Key, key_of, split_metric
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
        Relation(
            "sums.appropriation_parts", ("财政拨款收入", "财政拨款收入总计"), FUND_INCOMES, None, "财政拨款收入"
        ),
        Relation("sums.revenue_parts", ("一般公共预算收入",), ("税收收入", "非税收入"), None, "一般公共预算收入"),
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
    local_gaps = ctx.insufficient_counts[relation.rule_id]
    return out + _joined_breakdowns(ctx, relation, {key_of(t) for t, _ in out}, count_gaps=not local_gaps)


def _joined_breakdowns(
    ctx: RuleContext, relation: Relation, done: set[Key], count_gaps: bool = True
) -> list[tuple[Figure, list[Figure]]]:
    """Breakdowns whose total and parts stand in different sentences, paragraphs or a table,
    joined by key (year, basis, project, funds): only when every part the relation requires is
    stated, each with one value, and the total too."""
    facts = Facts(ctx)
    out: list[tuple[Figure, list[Figure]]] = []
    combos = {(k.year, k.basis, k.subject, k.scope) for k in facts.quantities() if k.metric in relation.parts}
    for year, basis, subject, scope in sorted(combos, key=str):
        if ctx.year is not None and year not in (None, ctx.year):
            continue
        parts: list[Figure] = []
        # Bind inside one table first (a table states its own consistent set), then anywhere.
        anchor = next((f for m in relation.parts for f in facts.statements(Key(m, year, basis, subject, scope))
                       if f.placed == "table"), None)
        try:
            for metric in relation.parts:
                found = facts.find(Key(metric, year, basis, subject, scope), anchor)
                if found is not None:
                    parts.append(found)
            totals = [facts.find(Key(m, year, basis, subject, scope), anchor) for m in relation.totals]
        except Ambiguous:
            if count_gaps:  # a case the sentence-level pass already counted is not counted twice
                ctx.insufficient(relation.rule_id)
            continue
        total = next((t for t in totals if t is not None), None)
        metrics = {p.metric if basis == "actual" else split_metric(p)[0] for p in parts}
        if total is None or key_of(total) in done or not relation.required or not set(relation.required) <= metrics:
            continue
        if relation.rule_id == "sums.income_parts":
            continue  # income sources are only a whole when the shares say so (the sentence's own list)
        out.append((total, sorted(parts, key=lambda f: f.start)))
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
    "sums.appropriation_parts",
    family=FAMILY,
    severity="error",
    zh="财政拨款收入＝一般公共预算、政府性基金预算、国有资本经营预算财政拨款收入之和",
    en="appropriation income = general budget + government funds + state capital appropriations",
)
def appropriation_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.appropriation_parts"])


@rule(
    "sums.revenue_parts",
    family=FAMILY,
    severity="error",
    zh="（政府决算）一般公共预算收入＝税收收入＋非税收入",
    en="(government accounts) general budget revenue = tax revenue + non-tax revenue",
)
def revenue_parts(ctx: RuleContext) -> list[Finding]:
    return check_relation(ctx, RELATIONS["sums.revenue_parts"])


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
        if f.placed == "table"
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
    zh="收入总计＝本年收入合计＋使用非财政拨款结余＋年初结转和结余；支出总计＝本年支出合计＋结余分配＋年末结转和结余；收入总计＝支出总计",
    en="income grand total = income + non-appropriation balances used + opening balances; spending grand total = "
       "spending + distribution + closing balances; the two grand totals are equal",
)
def grand_totals(ctx: RuleContext) -> list[Finding]:
    rid = "sums.grand_totals"
    findings: list[Finding] = []
    facts = Facts(ctx)
    for basis in ("budget", "initial_budget", "adjusted_budget", "executed"):
        findings.extend(_balanced_columns(ctx, rid, facts, basis))
    scopes = {(k.year, k.scope) for k in facts.quantities() if k.metric in _GRAND and k.basis == "actual" and k.subject is None}
    for year, scope in sorted(scopes, key=str):
        if ctx.year is not None and year not in (None, ctx.year):
            continue
        try:
            found = {m: facts.find(Key(m, year, "actual", None, scope)) for m in _GRAND + _SIDES}
        except Ambiguous:
            ctx.insufficient(rid)
            continue
        both = found["收支总计"]
        income, spending = found["收入总计"] or both, found["支出总计"] or both
        if found["收入总计"] and found["支出总计"] and _near(found["收入总计"], found["支出总计"]):
            findings.extend(_balance(rid, found["收入总计"], found["支出总计"]))
        for grand, side, year_total, balances in (
            (income, "收入", found["本年收入合计"], ("使用非财政拨款结余", "年初结转和结余")),
            (spending, "支出", found["本年支出合计"], ("结余分配", "年末结转和结余")),
        ):
            if grand is None or year_total is None:
                continue
            stated = [found[m] for m in balances if found[m] is not None]
            if balances[1] not in {f.metric for f in stated}:
                # Balances not stated: only "a part never exceeds its whole" can be shown.
                if wan(year_total).lo > wan(grand).hi:
                    findings.append(make_finding(
                        rid, FAMILY, "error", f"{year_total.label}{shown(year_total)}大于{grand.label}{shown(grand)}。",
                        [grand, year_total], wan_value(year_total), wan_value(grand),
                        wan_value(grand) - wan_value(year_total),
                    ))
                continue
            computed = total_of([year_total, *stated])
            listing = "＋".join(f"{f.label}{shown(f)}" for f in [year_total, *stated])
            message = f"{grand.label}{shown(grand)}不等于{side}方{listing}＝{fmt(computed.mid)}万元。"
            finding = judged(rid, FAMILY, wan(grand), computed, wan_decimals(grand), message,
                             [grand, year_total, *stated], wan_value(grand))
            if finding:
                findings.append(finding)
    return findings


_GRAND = ("收支总计", "收入总计", "支出总计")
_SIDES = ("本年收入合计", "本年支出合计", "使用非财政拨款结余", "年初结转和结余", "结余分配", "年末结转和结余")


def _balanced_columns(ctx: RuleContext, rid: str, facts: Facts, basis: str) -> list[Finding]:
    """A 收支平衡表 prints its budget and execution columns balanced too: 收入总计 = 支出总计."""
    findings: list[Finding] = []
    for key in facts.quantities("收入总计"):
        if key.basis != basis or key.subject is not None:
            continue
        try:
            income = facts.find(key)
            spending = facts.find(Key("支出总计", key.year, basis, None, key.scope))
        except Ambiguous:
            ctx.insufficient(rid)
            continue
        if income is not None and spending is not None and income.table_id == spending.table_id:
            findings.extend(_balance(rid, income, spending))
    return findings


def _near(a: Figure, b: Figure) -> bool:
    """Two statements of one section (the usual "收入总计X万元，支出总计Y万元")."""
    return a.placed == b.placed == "text" and a.section == b.section


def _balance(rid: str, income: Figure, spending: Figure) -> list[Finding]:
    """收入总计 and 支出总计 are one number (the 收入支出决算总表 balances)."""
    message = f"{income.label}{shown(income)}与{spending.label}{shown(spending)}不等：收支总表的两个总计应相等。"
    finding = judged(rid, FAMILY, wan(income), wan(spending), wan_decimals(income), message, [income, spending],
                     wan_value(income), point=wan_value(spending))
    return [finding] if finding else []
