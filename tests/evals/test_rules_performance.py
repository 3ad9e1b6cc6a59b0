"""The performance family: 绩效自评表 weights, scores, totals, narrative and cost targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.parse import parse_file
from tests.evals.rule_helpers import parse_text, run, severities


def _cells(*rows: list[str]) -> str:
    """Rows of a table flattened the way Word-to-text does: one tab-indented cell per line."""
    return "\n".join("\n".join(f"\t{c}" for c in row) + "\n" for row in rows)


def perf(
    *, budget=("2.04", "2.00", "2.00"), bw="10", bs="10", weights=("20", "70"), scores=("20", "70"),
    total=("100", "100"), cost=("20000", "元"), narrative_score="100", plan="2.00", spent="2.00", name="甲项目经费",
) -> str:
    narrative = (
        f"1.{name}项目绩效自评得分为{narrative_score}分。绩效自评综述：项目全年预算数{plan}万元，执行数为{spent}万元，完成预算的100%。\n"
    )
    table = _cells(
        ["部门预算项目支出绩效自评表（2023年度）"],
        ["项目名称", f"51042123T000008813910-{name}"],
        ["预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"],
        ["", "总额", *budget, "98.04%", bw, bs],
        ["", "其中：财政资金", *budget, "98.04%", "/", "/"],
        ["绩效指标（90分）", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"],
        ["", "产出指标", "成本指标", "资金投入", "＝", cost[0], cost[1], "已全部完成", weights[0], scores[0]],
        ["", "满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "98", "%", "已全部完成", weights[1], scores[1]],
        ["合计", *total],
    )
    return "十、其他重要事项的情况说明\n（四）预算绩效管理情况\n" + narrative + table


def test_the_table_is_read_as_two_parts(tmp_path: Path) -> None:
    parsed = parse_text(tmp_path, perf())
    assert [t.kind for t in parsed.tables] == ["绩效自评表-基本情况", "绩效自评表-预算执行", "绩效自评表-绩效指标"]
    assert run(parsed, "performance")[0] == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, []),
        ({"weights": ("20", "60"), "total": ("90", "90"), "scores": ("20", "60")},
         [("performance.weights_total", "performance", "error")]),
        ({"bw": "20", "total": ("110", "110"), "bs": "20"}, [("performance.weights_total", "performance", "error")]),
        ({"weights": ("20", "69.5"), "scores": ("20", "69.5"), "total": ("99.5", "99.5")},
         [("performance.weights_total", "performance", "error")]),
    ],
)
def test_weights_total(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.weights_total")
    assert severities(findings) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # whole-number weights are set, not rounded: one point off is an error, not 'rounding'
        ({"weights": ("20", "71"), "scores": ("20", "70")}, [("performance.weights_total", "performance", "error")]),
        # the budget weight disagrees with the split the headers state (10 / 90)
        ({"bw": "11", "bs": "10", "weights": ("20", "69"), "scores": ("20", "69"), "total": ("100", "99")},
         [("performance.weights_total", "performance", "error")]),
    ],
)
def test_weights_total_exact_and_headers(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.weights_total")
    assert severities(findings) == expected


def test_a_changed_weight_is_pointed_at(tmp_path: Path) -> None:
    """长效管理机制 15 → 25 in a table whose 合计 still says 100: the weights no longer add up,
    and both rules point at every weight (the changed one among them), not only the first few."""
    text = perf(weights=("30", "70"), scores=("20", "70"))
    parsed = parse_text(tmp_path, text)
    changed = parsed.report.text.index("\t30\n")
    for rule_id in ("performance.weights_total", "performance.total_row"):
        findings, _ = run(parsed, rule_id)
        assert severities(findings) == [(rule_id, "performance", "error")], rule_id
        assert "权重" in findings[0].message
        assert any(e.start is not None and e.start <= changed + 1 < e.end for e in findings[0].evidence), rule_id


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"scores": ("20", "70")}, []),
        ({"scores": ("21", "69")}, [("performance.score_within_weight", "performance", "error")]),
        ({"bs": "11", "scores": ("20", "69")}, [("performance.score_within_weight", "performance", "error")]),
    ],
)
def test_score_within_weight(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.score_within_weight")
    assert severities(findings) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"scores": ("18", "70"), "total": ("100", "98")}, []),
        ({"scores": ("18", "70"), "total": ("100", "100")}, [("performance.total_row", "performance", "error")]),
        ({"total": ("90", "90")}, []),  # a 合计 of the indicators alone is a convention, not an error
        # 18.5 stands for [18.45, 18.55]; the sum 98.5 for [98.45, 98.55]
        ({"scores": ("18.5", "70"), "total": ("100", "98.5")}, []),
        ({"scores": ("18.5", "70"), "total": ("100", "98.6")}, []),  # [98.55, 98.65] touches the sum
        ({"scores": ("18.5", "70"), "total": ("100", "98.7")}, [("performance.total_row", "rounding", "info")]),
        ({"scores": ("18.5", "70"), "total": ("100", "98.8")}, [("performance.total_row", "performance", "error")]),
    ],
)
def test_total_row(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.total_row")
    assert severities(findings) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, []),
        ({"narrative_score": "95"}, [("performance.narrative_score", "performance", "error")]),
    ],
)
def test_narrative_score(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.narrative_score")
    assert severities(findings) == expected


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, []),
        ({"plan": "2.04"}, []),  # the 年初预算 matches too
        ({"spent": "1.90"}, [("performance.narrative_execution", "performance", "error")]),
        ({"plan": "2.50"}, [("performance.narrative_execution", "performance", "error")]),
        # two printings of one amount with the same decimals: a cent apart is rounding against
        # truncation (a note), two cents an error
        ({"spent": "2.01"}, [("performance.narrative_execution", "rounding", "info")]),
        ({"spent": "2.02"}, [("performance.narrative_execution", "performance", "error")]),
    ],
)
def test_narrative_execution(tmp_path: Path, kwargs: dict, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(**kwargs)), "performance.narrative_execution")
    assert severities(findings) == expected


def test_narrative_names_the_project_differently(tmp_path: Path) -> None:
    """党政网站、网络… in the narrative is the 党政网络、网站… of the table: same characters."""
    body = perf(name="党政网络、网站运行维护经费", narrative_score="90").replace(
        "1.党政网络、网站运行维护经费项目", "1.党政网站、网络运行维护经费项目"
    )
    findings, insufficient = run(parse_text(tmp_path, body), "performance.narrative_score")
    assert severities(findings) == [("performance.narrative_score", "performance", "error")]
    other = perf(name="甲项目经费", narrative_score="90").replace("1.甲项目经费项目", "1.乙项目经费项目")
    findings, insufficient = run(parse_text(tmp_path, other), "performance.narrative_score")
    assert findings == [] and insufficient.get("performance.narrative_score") == 1


@pytest.mark.parametrize(
    ("cost", "expected"),
    [
        (("20000", "元"), []),  # 2万元 ≤ 2.04
        (("20400", "元"), []),  # exactly the 年初预算
        (("20500", "元"), [("performance.cost_target_within_budget", "performance", "warning")]),
        (("200000", "元"), [("performance.cost_target_within_budget", "performance", "warning")]),
        (("3", "万元"), [("performance.cost_target_within_budget", "performance", "warning")]),
        (("361200", "元/户"), []),  # a unit cost, not a total
    ],
)
def test_cost_target_within_budget(tmp_path: Path, cost: tuple, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, perf(cost=cost)), "performance.cost_target_within_budget")
    assert severities(findings) == expected


def test_seed_cost_target(seed_path: Path) -> None:
    findings, insufficient = run(parse_file(seed_path), "performance")
    assert severities(findings) == [("performance.cost_target_within_budget", "performance", "warning")]
    assert "2022年度政府工作经费" in findings[0].message and "200000元" in findings[0].message
    assert not insufficient  # every narrative project was bound to its table (党政网站/网络 included)
