"""The arithmetic families (sums, shares, yoy, completion) on the seed and the real PDFs:
exactly the hand audit's items of these families, and no other error or warning."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from index.models import ParsedReport
from index.parse import parse_file
from tests.builders import parse_seed
from tests.evals.rule_helpers import run

FAMILIES = ("sums", "shares", "yoy", "completion")


def _serious(parsed: ParsedReport) -> list[tuple[str, str, str]]:
    findings, _ = run(parsed, *FAMILIES)
    return sorted((f.rule, f.severity, f.evidence[0].quote[:12]) for f in findings if f.severity != "info")


def test_seed_yields_exactly_the_audited_items() -> None:
    findings, _ = run(parse_seed(), *FAMILIES)
    serious = [f for f in findings if f.severity != "info"]
    rules = sorted(f.rule for f in serious)
    assert rules == [
        "completion.rate",  # 5. 项目全年预算数100.00万元，执行数为95.83万元，完成预算的100%
        "completion.table_rate",  # 3. 政府工作专项经费 绩效自评表 96.96%
        "completion.table_rate",  # 4. 2022年度政府工作经费 绩效自评表 96.96%
        "sums.funding_sources",  # 6. 政府工作专项经费 财政资金 2.04/2.00/2.00 vs 总额 100.00/95.83/95.83
        "sums.procurement_parts",  # 1. 2.0 ≠ 2.0 + 0 + 10, and 服务 10万元 > 总额 2.0万元: one number, one finding
    ]
    assert all(f.severity == "error" for f in serious)
    by_rule = {f.rule: f for f in serious}
    assert (
        by_rule["sums.procurement_parts"].expected == "12.00"
        and by_rule["sums.procurement_parts"].actual == "2.0"  # as printed
    )
    # The part above its whole is named inside the one finding about the 总额 2.0.
    assert "政府采购服务支出10万元大于其总额" in by_rule["sums.procurement_parts"].message
    assert (
        "95.83%" in by_rule["completion.rate"].message
        and "政府工作专项经费" in by_rule["completion.rate"].message
    )
    sources = by_rule["sums.funding_sources"]
    assert "政府工作专项经费" in sources.message and "2022年度" not in sources.message
    assert sources.expected == "年初预算=2.04；调整后预算数=2.00；预算执行数=2.00"
    assert sources.actual == "年初预算=100.00；调整后预算数=95.83；预算执行数=95.83"
    tables = sorted(f.message for f in serious if f.rule == "completion.table_rate")
    assert tables[0].startswith("2022年度政府工作经费") and tables[1].startswith("政府工作专项经费")
    assert all("调整后预算数" in m and "年初预算数" in m and "96.96%" in m for m in tables)
    for finding in serious:
        assert finding.evidence and all(e.quote for e in finding.evidence)


@lru_cache(maxsize=2)
def _pdf(path: str) -> ParsedReport:
    return parse_file(Path(path))


def test_real_pdfs_have_no_false_errors(samples_dir: Path) -> None:
    social = _pdf(str(samples_dir / "2024-普陀区委社会工作部-部门决算.pdf"))
    findings, _ = run(social, *FAMILIES)
    assert not [f for f in findings if f.severity == "error"]
    # a unit founded in 2024 reports 增长100.00% on a zero base, four times; and a rate it
    # calls 完成年初预算 (年初预算 0) that is the 全年预算 one
    assert (
        sorted(f.rule for f in findings if f.severity == "warning")
        == ["completion.named_base"] + ["yoy.zero_base"] * 4
    )
    land = _pdf(str(samples_dir / "2024-普陀区规划和自然资源局-部门决算.pdf"))
    findings, _ = run(land, *FAMILIES)
    assert [f for f in findings if f.severity != "info"] == []
    # 99.86% (9746.50 / 9759.38 = 99.868%) and 95.45% (9746.50 / 10210.34 = 95.457%) are truncated
    assert sorted(f.rule for f in findings) == ["completion.rate", "shares.recompute"]
    assert all(f.family == "rounding" for f in findings)
