"""The QA evaluation (evals.quality.qa): generated reports (evals.quality.qa_generated) and the real question set."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from evals.quality import qa_items
from evals.quality.qa import (
    QAItem,
    Scores,
    figure_stated,
    load_items,
    load_sets,
    part_asks,
    parts_covered,
    reason_stated,
    run,
)
from evals.quality.qa_generated import DEFAULT_SEEDS, items_for, make_items, report_name
from evals.quality.qa_items import REAL, report_path
from evals.synthetic import generate, parse_text
from index.models import ParsedReport
from rag.models import Answer, Claim

SEEDS = (1, 2)


@pytest.fixture(scope="module")
def generated() -> dict[int, tuple[list[QAItem], ParsedReport]]:
    out = {}
    for seed in DEFAULT_SEEDS:
        text, truth = generate(seed)
        parsed = parse_text(text, report_name(seed))
        out[seed] = (items_for(seed, text, truth, parsed), parsed)
    return out


def test_each_report_gets_8_to_10_questions_with_varied_wording(generated) -> None:
    questions = set()
    for seed, (items, _) in generated.items():
        assert 8 <= len(items) <= 10, seed
        assert len({i.id for i in items}) == len(items)
        questions |= {i.question for i in items}
        assert all(i.answerable and i.source == "synthetic" and i.seed == seed for i in items)
        assert all(i.report == report_name(seed) and i.reference_answer for i in items)
    # templated, but not one fixed sentence per kind
    assert any(q.startswith("三公经费比上年") for q in questions)
    assert len(questions) > 3 * 10


def test_gold_sections_exist_and_gold_figures_are_parsed_figures(generated) -> None:
    for items, parsed in generated.values():
        paths = {s.path for s in parsed.sections}
        figures = {(f.metric, f.value, f.unit, f.role, f.year) for f in parsed.figures}
        for item in items:
            assert item.gold_sections and item.gold_figures, item.id
            assert set(item.gold_sections) <= paths, (item.id, item.gold_sections)
            for gold in item.gold_figures:
                key = (gold["metric"], Decimal(gold["value"]), gold["unit"], gold["role"], gold["year"])
                assert key in figures, (item.id, gold)
            # every gold figure is stated in one of the gold sections
            for gold in item.gold_figures:
                assert any(f.section in item.gold_sections and f.metric == gold["metric"]
                           and f.value == Decimal(gold["value"]) for f in parsed.figures), (item.id, gold)


def test_reference_answers_state_the_gold_figures(generated) -> None:
    for items, _ in generated.values():
        for item in items:
            for gold in item.gold_figures:
                printed = gold["value"]
                assert any(str(v) in item.reference_answer for v in {printed, printed.rstrip("0").rstrip(".")}), \
                    (item.id, gold, item.reference_answer)


def test_make_items_is_deterministic() -> None:
    assert make_items(SEEDS) == make_items(SEEDS)


def test_load_sets_names_and_limits() -> None:
    sets = load_sets("both", reports=2, limit=3)
    assert list(sets) == ["seed", "generated"]
    assert sets["seed"] == load_items()[:3]
    assert len(sets["generated"]) == 3 and {i.seed for i in sets["generated"]} == {1}


def test_extractive_run_on_two_generated_reports(tmp_path) -> None:
    items = make_items(SEEDS)
    results = run({"generated": items}, "extractive", data_dir=tmp_path / "data")
    assert len(results) == 1
    scores = results[0]
    assert scores.label == "generated" and scores.answerable == len(items)
    shares = scores.shares()
    for name in ("hit@1", "hit@3", "gold figures stated", "numbers verified"):
        assert shares[name] is not None and 0.0 <= shares[name] <= 1.0, name
    # the extractive provider only writes figures of the report: every number it states is supported
    assert shares["numbers verified"] == 1.0
    assert scores.numbers > 0
    row = scores.row()
    assert row["set"] == "generated" and row["provider"] == "extractive"


def test_overall_row_adds_the_sets() -> None:
    a = Scores("extractive", hit1=1, hit3=2, answerable=2, numbers=3, supported=3, label="seed")
    b = Scores("extractive", hit1=0, hit3=1, answerable=1, numbers=1, supported=0, label="generated")
    total = a.merged(b)
    assert (total.label, total.hit1, total.hit3, total.answerable, total.numbers, total.supported) == \
        ("overall", 1, 3, 3, 4, 3)
    assert total.shares()["numbers verified"] == 0.75



# --- the real question set (evals/data/qa_real.jsonl) -------------------------------------------


def _answer(text: str, *claims: tuple[str, str, str, str]) -> Answer:
    """An answer whose claims are (text, value, unit, verdict)."""
    return Answer(question="q", answer=text, provider="test", claims=[
        Claim(text=t, value=v, unit=u, start=0, end=len(t), verdict=verdict) for t, v, u, verdict in claims])


def test_the_real_set_asks_about_real_reports_in_two_splits() -> None:
    items = load_items(REAL, source="real")
    assert len(items) >= 80 and len({i.report for i in items}) >= 40
    assert {i.split for i in items} == {"dev", "heldout"}
    assert 0.15 <= sum(i.split == "heldout" for i in items) / len(items) <= 0.25
    for item in items:
        assert report_path(item) is not None and report_path(item).is_file(), item.report
        assert item.answerable == bool(item.gold_figures), item.id
        assert not item.parts or item.kind == "compound" or item.reason, item.id
    styles = {s for i in items for s in i.style}
    assert {"traditional", "no_punctuation", "names_department", "bare"} <= styles
    assert sum(not i.answerable for i in items) >= 10


def test_load_sets_real_reports_dev_and_heldout_apart() -> None:
    assert list(load_sets("real")) == ["real dev", "real heldout"]
    dev = load_sets("real", split="dev")
    assert list(dev) == ["real dev"] and all(i.split == "dev" and i.source == "real" for i in dev["real dev"])
    assert list(load_sets("all", reports=1, limit=1)) == ["seed", "generated", "real dev", "real heldout"]


def test_the_item_type_lives_below_both_question_modules() -> None:
    code = "import sys, evals.quality.qa_generated; print('evals.quality.qa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert QAItem is qa_items.QAItem


def test_a_signed_change_is_stated_by_its_size_after_a_word_of_decrease() -> None:
    gold = {"metric": "三公经费", "value": "-204.61", "unit": "万元", "role": "change_amount", "year": 2016}
    assert figure_stated(_answer("", ("减少204.61万元", "204.61", "万元", "supported")), gold)
    assert not figure_stated(_answer("", ("增加204.61万元", "204.61", "万元", "supported")), gold)
    assert not figure_stated(_answer("", ("减少204.61万元", "204.61", "万元", "contradicted")), gold)
    assert not figure_stated(_answer("", ("204.61元", "204.61", "元", "supported")), gold)


def test_a_reason_is_stated_when_its_words_are_in_the_answer() -> None:
    reason = "接待費(fèi)減少的原因主要是嚴(yán)格執(zhí)行中央“八項(xiàng)規(guī)定“,嚴(yán)控公務(wù)接待開(kāi)支"
    assert reason_stated("公务接待费30万元[1]。原因主要是严格执行中央“八项规定”，严控公务接待开支[1]。", reason)
    assert not reason_stated("公务接待费30万元[1]。", reason)


def test_parts_of_a_compound_question_are_covered_one_by_one() -> None:
    item = QAItem(id="x", question="q", answerable=True, report="r", parts=["三公经费是多少", "比上年减少多少", "为什么"],
                  gold_figures=[{"value": "2.05", "unit": "万元", "role": "amount"},
                                {"value": "0.03", "unit": "万元", "role": "change_amount"}],
                  reason="原因为严格落实中央八项规定精神")
    answer = _answer("三公经费2.05万元[1]。报告未说明三公经费比上年的变化。", ("2.05万元", "2.05", "万元", "supported"))
    assert parts_covered(item, answer) == [True, False, False]
    assert [part_asks(p) for p in ("完成年初预算的百分之几", "下降百分之几", "比上年增减多少", "年初预算多少")] == \
        ["completion_rate", "change_rate", "change_amount", "budget"]


def test_extractive_run_on_real_dev_questions(tmp_path) -> None:
    items = [i for i in load_items(REAL, source="real") if i.id in ("real001", "real004", "real049")]
    scores = run({"real dev": items}, "extractive", data_dir=tmp_path / "data")[0]
    assert scores.answerable == 2 and scores.unanswerable == 1 and scores.refused_correctly == 1
    assert scores.gold_stated == scores.gold_figures and scores.supported == scores.numbers > 0
    assert scores.reasons == scores.reasons_stated == 1 and scores.parts == scores.parts_covered == 4
