"""The shares family: every 占X% recomputed against its base."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evals.rule_helpers import parse_text, run, severities

ONE = "三、支出决算情况说明\n2023年度本年支出合计100.00万元，其中：基本支出33.33万元，占{share}%；项目支出66.67万元，占66.67%。"


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("33.33", []),  # holds
        ("33.34", []),  # 33.33/100.00 lies in [33.3233, 33.3367]: overlaps [33.335, 33.345]
        ("33.35", [("shares.recompute", "rounding", "info")]),  # one unit outside
        ("33.40", [("shares.recompute", "shares", "error")]),  # further
    ],
)
def test_share_against_base_in_the_same_sentence(tmp_path: Path, share: str, expected: list) -> None:
    findings, insufficient = run(parse_text(tmp_path, ONE.format(share=share)), "shares.recompute")
    assert severities(findings) == expected
    assert insufficient == {}


SANGONG = """七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2023年度“三公”经费财政拨款支出决算为14.71万元，完成预算100%。
（二）“三公”经费财政拨款支出决算具体情况说明
2023年度“三公”经费财政拨款支出决算中，因公出国（境）费支出决算0万元，占0%；公务用车购置及运行维护费支出决算10.16万元，占{car}%；公务接待费支出决算4.55万元，占30.93%。"""


def test_share_base_from_the_enclosing_section(tmp_path: Path) -> None:
    assert run(parse_text(tmp_path, SANGONG.format(car="69.07")), "shares.recompute")[0] == []
    findings, _ = run(parse_text(tmp_path, SANGONG.format(car="59.07")), "shares.recompute")
    assert severities(findings) == [("shares.recompute", "shares", "error")]
    assert findings[0].actual == "59.07" and "14.71万元" in findings[0].message


def test_ambiguous_base_is_insufficient(tmp_path: Path) -> None:
    body = SANGONG.format(car="59.07").replace(
        "完成预算100%。", "完成预算100%。\n2023年度“三公”经费财政拨款支出决算为15.71万元。"
    )
    findings, insufficient = run(parse_text(tmp_path, body), "shares.recompute")
    assert findings == []
    assert insufficient["shares.recompute"] == 3


def test_shares_of_one_breakdown_never_exceed_100(tmp_path: Path) -> None:
    body = "三、支出决算情况说明\n2023年度本年支出合计100.00万元，其中：基本支出60.00万元，占{a}%；项目支出40.00万元，占50.00%。"
    assert run(parse_text(tmp_path, body.format(a="50.00")), "shares.sum_to_whole")[0] == []
    findings, _ = run(parse_text(tmp_path, body.format(a="60.00")), "shares.sum_to_whole")
    assert severities(findings) == [("shares.sum_to_whole", "shares", "error")]
