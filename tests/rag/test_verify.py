"""The number verifier against the bundled sample report (米易县人民政府办公室, 2023).

Each row: an answer, the number in it under test (as written), the verdict, and for a
contradicted number the report's value the verifier must show.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from index import SAMPLE_REPORT
from index.parse import parse_file
from rag.models import CANNOT_ANSWER
from rag.verify import find_numbers, render_marked, rounds_to, verify, verify_against_report

ROOT = Path(__file__).resolve().parents[2]
SEED = SAMPLE_REPORT


@pytest.fixture(scope="module")
def parsed():
    return parse_file(SEED)


S, C, U = "supported", "contradicted", "unsupported"

CASES = [
    # right numbers, as stated
    ("2023年度公务接待费支出4.55万元。", "4.55万元", S, None),
    ("“三公”经费财政拨款支出决算为14.71万元，完成预算100%。", "14.71万元", S, None),
    ("“三公”经费财政拨款支出决算为14.71万元，完成预算100%。", "100%", S, None),
    ("基本支出927.45万元，占87.93%；项目支出127.37万元，占12.07%。", "12.07%", S, None),
    ("公务接待费占三公经费的30.93%。", "30.93%", S, None),
    ("国内公务接待80批次，612人次。", "612人次", S, None),
    ("部门整体绩效自评得分为96分。", "96分", S, None),
    ("政府工作专项经费项目执行数为95.83万元。", "95.83万元", S, None),
    ("政府工作专项经费年初预算100.00万元，调整后预算95.83万元。", "95.83万元", S, None),
    # wrong numbers
    ("2023年度公务接待费支出4.65万元。", "4.65万元", C, "4.55万元"),
    ("三公经费14.17万元。", "14.17万元", C, "14.71万元"),
    ("项目支出127.37万元，占本年支出合计的12.7%。", "12.7%", C, "12.07%"),
    ("国内公务接待81批次。", "81批次", C, "80批次"),
    ("政府工作专项经费项目执行数为59.83万元。", "59.83万元", C, "95.83万元"),
    # rounded numbers: correct roundings are supported, wrong or too coarse ones are not
    ("公务接待费约4.6万元。", "4.6万元", S, None),
    ("公务接待费下降18.8%。", "下降18.8%", S, None),
    ("三公经费中公务接待费占比约31%。", "31%", S, None),
    ("公务接待费约4.5万元。", "4.5万元", C, "4.55万元"),
    ("公务接待费约5万元。", "5万元", C, "4.55万元"),
    ("公务用车购置及运行维护费约10万元。", "10万元", S, None),
    ("收支总计约1055万元。", "1055万元", S, None),
    # unit conversions
    ("公务接待费45500元。", "45500元", S, None),
    ("公务接待费4.55元。", "4.55元", C, "4.55万元（即 45500元）"),
    ("公务接待费约46000元。", "46000元", S, None),
    ("收支总计0.105482亿元。", "0.105482亿元", S, None),
    # derived numbers
    ("国内接待4.24万元和0.31万元，合计4.55万元。", "合计4.55万元", S, None),
    ("人员经费841.35万元，公用经费86.10万元，合计927.45万元。", "927.45万元", S, None),
    ("2022年公务接待费5.60万元。", "5.60万元", S, None),
    ("上年公务接待费约5.6万元。", "5.6万元", S, None),
    ("基本支出927.45万元，项目支出127.37万元，两者合计1054.82万元。", "1054.82万元", S, None),
    ("人员经费841.35万元，公用经费86.10万元，合计937.45万元。", "937.45万元", U, None),
    # wrong metric or wrong year
    ("公务用车运行维护费4.55万元。", "4.55万元", C, "10.16万元"),
    ("2022年公务接待费4.55万元。", "4.55万元", C, "5.60万元（由报告推算）"),
    ("2021年公务接待费4.55万元。", "4.55万元", U, None),
    ("公务接待费占本年支出合计的30.93%。", "30.93%", C, "0.43%（由报告推算）"),
    # Chinese numerals
    ("截至2023年底，单位共有公务用车三辆。", "三辆", S, None),
    ("单位共有公务用车四辆。", "四辆", C, "3辆"),
    ("国内公务接待八十批次。", "八十批次", S, None),
    # changes: the direction word must agree
    ("公务接待费比2022年度减少1.05万元，下降18.75%。", "减少1.05万元", S, None),
    ("公务接待费比2022年度减少1.05万元，下降18.75%。", "下降18.75%", S, None),
    ("公务接待费比2022年度增加1.05万元。", "增加1.05万元", C, "减少1.05万元"),
    ("三公经费比上年增长15.31%。", "增长15.31%", C, "下降15.31%"),
    ("三公经费比上年少2.66万元。", "少2.66万元", S, None),
    ("机关运行经费比上年减少5.33万元，下降5.83%。", "下降5.83%", S, None),
    ("收支总计比上年增加46.73万元，增长4.63%。", "增长4.63%", S, None),
    # citation markers are not numbers
    ("公务接待费4.55万元[1]，比上年减少1.05万元[2]。", "4.55万元", S, None),
    # a number nothing states
    ("公务接待费中餐费3.2万元。", "3.2万元", U, None),
]


@pytest.mark.parametrize(("answer", "number", "verdict", "expected"), CASES)
def test_verdicts(parsed, answer, number, verdict, expected):
    claims = verify_against_report(answer, parsed)
    claim = next((c for c in claims if number in c.text or c.text in number), None)
    assert claim is not None, [c.text for c in claims]
    assert claim.verdict == verdict, claim
    if verdict == C:
        assert claim.expected == expected
        assert claim.evidence is not None and claim.evidence.quote
    if verdict == S:
        assert claim.how


def test_cannot_answer_has_no_claims(parsed):
    assert verify_against_report(CANNOT_ANSWER, parsed) == []


def test_citations_years_dates_and_codes_are_not_claims(parsed):
    answer = "截至2023年12月31日，行政运行（2010301项）支出455.65万元[1][2]，见第二部分七、（二）3.。"
    claims = verify_against_report(answer, parsed)
    assert [c.text for c in claims] == ["455.65万元"]
    assert claims[0].verdict == S


def test_claim_spans_and_values(parsed):
    answer = "三公经费比上年减少2.66万元，共有公务用车三辆。"
    claims = verify_against_report(answer, parsed)
    assert [(c.text, c.value, c.unit) for c in claims] == [("减少2.66万元", "2.66", "万元"), ("三辆", "三", "辆")]
    for c in claims:
        assert answer[c.start:c.end] == c.text


def test_derived_number_says_how(parsed):
    claims = verify_against_report("国内接待4.24万元和0.31万元，合计4.55万元。", parsed)
    total = claims[-1]
    assert total.verdict == S
    claims = verify_against_report("2022年公务接待费5.60万元。", parsed)
    assert "4.55 + 1.05" in claims[0].how


def test_derivations_need_named_or_cited_figures(parsed):
    # 4.24 + 0.31 = 4.55, but nothing in this answer names or cites those figures
    claims = verify_against_report("一般公共服务支出4.55万元。", parsed)
    assert claims[0].verdict == C
    claims = verify_against_report("公务用车约4.55万元的支出。", parsed, passages=None)
    assert claims[0].verdict != S


def test_passages_support_numbers_the_figures_miss(parsed):
    passage = "2023年度，米易县人民政府办公室机关运行经费支出86.10万元，比2022年度减少5.33万元。"
    claims = verify("机关运行经费86.10万元[1]。", parsed.figures, [passage], 2023)
    assert claims[0].verdict == S


def test_rounding_rule():
    D = Decimal
    assert rounds_to(D("4.6"), 1, D("4.55"), 2)
    assert not rounds_to(D("4.5"), 1, D("4.55"), 2)
    assert not rounds_to(D("5"), 0, D("4.55"), 2)  # one significant digit: too coarse
    assert rounds_to(D("4.550"), 3, D("4.55"), 2)
    assert not rounds_to(D("14.70"), 2, D("14.71"), 2)
    assert rounds_to(D("46000"), 0, D("45500"), -2, zeros=3)


def test_find_numbers_units():
    found = find_numbers("支出4.55万元，占30.93%，共3辆、八十批次，1,054.82万元[3]")
    assert [(n.value_text, n.unit) for n in found] == [
        ("4.55", "万元"), ("30.93", "%"), ("3", "辆"), ("八十", "批次"), ("1,054.82", "万元")]


def test_render_marked(parsed):
    answer = "公务接待费4.65万元[1]，比上年减少1.05万元，公务接待中餐费3.2万元。"
    claims = verify_against_report(answer, parsed)
    marked = render_marked(answer, claims)
    assert "4.65万元[1] ✗[报告为 4.55万元]" in marked
    assert "减少1.05万元 ✓" in marked
    assert "3.2万元 ?[未核实]" in marked


def test_cli_verify_json_and_text(parsed, tmp_path):
    from juesuan_cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["verify", "公务接待费4.65万元，共有公务用车三辆。", "--report", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    verdicts = [(c["text"], c["verdict"], c["expected"]) for c in data["claims"]]
    assert verdicts == [("4.65万元", C, "4.55万元"), ("三辆", S, None)]
    assert data["claims"][0]["evidence"]["section"] == "第二部分 > 七、 > （二）"
    result = runner.invoke(app, ["verify", "公务接待费4.65万元。", "--report", str(SEED)])
    assert result.exit_code == 0
    assert "✗[报告为 4.55万元]" in result.stdout
    result = runner.invoke(app, ["verify", "x", "--report", str(tmp_path / "missing.txt"), "--data-dir", str(tmp_path)])
    assert result.exit_code == 2


def test_cli_verify_ingested_report_by_id(tmp_path):
    from index.ingest import Library
    from index.settings import Settings
    from juesuan_cli import app

    settings = Settings().model_copy(update={"data_dir": tmp_path})
    library = Library(settings)
    try:
        [res] = library.ingest([SEED], progress=False)
    finally:
        library.close()
    result = CliRunner().invoke(app, ["verify", "三公经费14.71万元。", "--report", res.report_id[:8],
                                      "--data-dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["claims"][0]["verdict"] == S


def test_verify_eval_meets_floor():
    """The measured catch and false-alarm rates (docs/verification.md) do not regress."""
    from evals.quality.verify_eval import evaluate, load_questions

    questions = load_questions()
    with_passages = evaluate(questions, use_passages=True)
    assert with_passages.caught_rate >= 0.99
    assert with_passages.flagged_rate <= 0.01
    figures_only = evaluate(questions, use_passages=False)
    assert figures_only.caught_rate >= 0.99
    assert figures_only.flagged_rate <= 0.02


def test_qa_seed_is_well_formed(parsed):
    """Gold sections exist in the parsed sample; gold figures are stated (or derivable)."""
    from evals.quality.verify_eval import load_questions

    questions = load_questions()
    assert len(questions) >= 40
    paths = {s.path for s in parsed.sections}
    stated = {(f.metric, f.text, f.unit, f.role, f.year) for f in parsed.figures}
    for q in questions:
        assert set(q) >= {"id", "question", "answerable", "gold_sections", "gold_figures", "reference_answer"}
        assert all(s in paths for s in q["gold_sections"]), (q["id"], q["gold_sections"])
        if not q["answerable"]:
            assert q["gold_figures"] == [] and q["reference_answer"] == CANNOT_ANSWER
        for g in q["gold_figures"]:
            key = (g["metric"], g["value"], g["unit"], g["role"], g["year"])
            if g["year"] == parsed.report.year:
                assert key in stated, (q["id"], key)
            claims = verify_against_report(f"{g['value']}{g['unit']}", parsed)
            assert claims, key  # the number is readable
    assert sum(not q["answerable"] for q in questions) >= 3


def test_runs_as_module():
    result = subprocess.run([sys.executable, "-m", "evals.quality.verify_eval", "--json"], cwd=ROOT, capture_output=True,
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["numbers"] > 100 and data["altered"] > 400
