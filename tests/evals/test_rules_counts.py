"""The counts family: stated counts agree with what is listed and broken down beside them."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.parse import parse_file
from tests.evals.rule_helpers import parse_text, run, severities

MONITORING = (
    "十、其他重要事项的情况说明\n（四）预算绩效管理情况\n预算执行过程中，选取{chosen}个项目开展绩效监控。\n"
    "开展绩效监控的{announced}个项目完成情况具体如下：\n"
    "1.甲项目绩效自评得分为100分。\n2.乙项目绩效自评得分为100分。\n"
)


@pytest.mark.parametrize(
    ("chosen", "announced", "expected"),
    [
        ("2", "2", []),
        ("2", "3", [("counts.stated_vs_listed", "counts", "error")]),  # 3 announced, 2 listed
        ("3", "3", [("counts.stated_vs_listed", "counts", "error")]),  # both say 3, only 2 listed
        ("4", "2", [("counts.stated_vs_listed", "counts", "error")]),  # stated twice, two values
    ],
)
def test_stated_vs_listed(tmp_path: Path, chosen: str, announced: str, expected: list) -> None:
    findings, _ = run(parse_text(tmp_path, MONITORING.format(chosen=chosen, announced=announced)), "counts.stated_vs_listed")
    assert severities(findings) == expected
    if findings:
        assert findings[0].expected == "2个" and findings[0].evidence


def test_two_counts_in_one_sentence_are_an_enumeration(tmp_path: Path) -> None:
    body = "四、项目绩效情况\n以县政府、县政府办公室名义分别印发文件64份、57份。"
    findings, insufficient = run(parse_text(tmp_path, body), "counts.stated_vs_listed")
    assert findings == [] and insufficient.get("counts.stated_vs_listed") == 1


@pytest.mark.parametrize(
    ("total", "expected"),
    [("3", []), ("4", [("counts.breakdown", "counts", "error")]), ("2", [("counts.breakdown", "counts", "error")])],
)
def test_vehicle_breakdown(tmp_path: Path, total: str, expected: list) -> None:
    body = f"（三）国有资产占有使用情况\n截至2023年12月31日，测试局共有车辆{total}辆，其中：主要领导干部用车0辆、应急保障用车1辆、其他用车2辆。"
    findings, _ = run(parse_text(tmp_path, body), "counts.breakdown")
    assert severities(findings) == expected


@pytest.mark.parametrize(("part", "expected"), [("2", []), ("3", []), ("4", [("counts.breakdown", "counts", "error")])])
def test_single_part_never_exceeds_its_total(tmp_path: Path, part: str, expected: list) -> None:
    body = f"2.公务用车\n截至2023年12月31日，单位共有公务用车3辆，其中：越野车{part}辆。"
    findings, _ = run(parse_text(tmp_path, body), "counts.breakdown")
    assert severities(findings) == expected


def test_staff_breakdown_and_units_kept_apart(tmp_path: Path) -> None:
    ok = "（三）人员概况\n总编制数44名，其中行政编制24名，事业编制14名，机关后勤事业编制6名。\n公务接待2批次、26人次，其中：接待外宾0批次、0人次。"
    assert run(parse_text(tmp_path, ok), "counts.breakdown")[0] == []
    bad = "（三）人员概况\n2023年编制内在岗人数34人，其中公务员18人，事业人员11人，机关工勤人员6人。"
    findings, _ = run(parse_text(tmp_path, bad), "counts.breakdown")
    assert severities(findings) == [("counts.breakdown", "counts", "error")]
    # actual: the total as printed; expected: what its parts add up to.
    assert findings[0].actual == "34人" and findings[0].expected == "35人"


def test_seed_monitoring_count(seed_path: Path) -> None:
    findings, _ = run(parse_file(seed_path), "counts")
    assert severities(findings) == [("counts.stated_vs_listed", "counts", "error")]
    assert "开展绩效监控的项目" in findings[0].message and "4个、7个" in findings[0].message
    assert findings[0].expected == "4个" and findings[0].actual == "7个"


def test_real_pdfs_counts_hold(samples_dir: Path) -> None:
    for name in ("2024-普陀区规划和自然资源局-部门决算.pdf", "2024-普陀区委社会工作部-部门决算.pdf"):
        assert run(parse_file(samples_dir / name), "counts")[0] == []
