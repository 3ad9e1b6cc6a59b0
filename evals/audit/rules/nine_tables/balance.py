"""nine_tables.balance: the two 总表 (收入支出决算总表, 财政拨款收入支出决算总表) balance: 本年收入合计 =
Σ income lines, 本年支出合计 = Σ 类 lines, 总计 = 本年合计 + 结转结余 on each side, the two 总计 equal."""

from __future__ import annotations

from evals.audit.findings import Finding
from evals.audit.registry import RuleContext, rule
from evals.audit.rules._audit import compare_values, fmt, make
from evals.audit.rules.nine_tables.cells import (
    FAMILY,
    T1,
    T4,
    _check_sum,
    _norm,
    _side,
    _tables,
    _title,
    _val,
)


@rule(
    "nine_tables.balance",
    family=FAMILY,
    severity="error",
    zh="收入支出决算总表和财政拨款收入支出决算总表中：本年收入合计 = Σ各项收入，本年支出合计 = Σ各类支出，总计 = 本年合计 + 结转结余，收支总计相等。",
    en="In the two 总表: 本年 totals = Σ lines, 总计 = 本年合计 + carry-overs, and income 总计 = expenditure 总计.",
    needs="nine tables",
)
def balance(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    tables = _tables(ctx.report)
    for kind in (T1, T4):
        t = tables.get(kind)
        if t is None or len(t.rows[0]) < 4:
            continue
        income, spend = _side(t, 0, "本年收入合计"), _side(t, 2, "本年支出合计")
        if income.year_total is None or spend.year_total is None:
            ctx.insufficient("nine_tables.balance")
            continue
        spend_cols = [3] if kind == T1 else [c for c in range(3, len(t.rows[0]))]
        checks = [(income, 1, "收入")] + [(spend, c, "支出") for c in spend_cols]
        for side, c, word in checks:
            header = _norm(t.header_text(c))
            suffix = f"（{header}）" if kind == T4 and word == "支出" else ""
            f = _check_sum(ctx, "nine_tables.balance", _val(t, side.year_total, c), [_val(t, r, c) for r in side.lines],
                           f"“{_title(t)}”本年{word}合计{suffix}")
            if f:
                findings.append(f)
            if side.grand_total is not None:
                f = _check_sum(ctx, "nine_tables.balance", _val(t, side.grand_total, c),
                               [_val(t, side.year_total, c), *[_val(t, r, c) for r in side.carry]],
                               f"“{_title(t)}”{word}总计{suffix}")
                if f:
                    findings.append(f)
        if income.grand_total is not None and spend.grand_total is not None:
            a, b = _val(t, income.grand_total, 1), _val(t, spend.grand_total, 3)
            if a and b and not (a.empty and b.empty):
                outcome = compare_values(a.value, a.decimals, b.value, b.decimals, summed=True)
                if outcome != "ok":
                    findings.append(make(
                        "nine_tables.balance", outcome, f"“{_title(t)}”收入总计{a.text}与支出总计{b.text}不相等。",
                        expected=a.text, actual=b.text, difference=fmt(b.value - a.value),
                        evidence=[a.evidence(ctx.report), b.evidence(ctx.report)],
                    ))
    return findings
