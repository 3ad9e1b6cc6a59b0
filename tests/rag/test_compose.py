"""Figure-first answers without a model (rag.compose, the extractive provider).

What a reader relies on: each figure asked is stated and the verifier marks it supported, a
part the report has nothing for is refused by name, and a question the report does not answer
at all gets the fixed CANNOT_ANSWER phrase. Wording is checked only where it carries meaning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.chain import AnswerChain
from rag.compose.names import Names
from rag.compose.parts import split_question
from rag.context import build_context
from rag.models import CANNOT_ANSWER, Answer
from tests.builders import extractive_library

CORPUS = Path(__file__).resolve().parents[2] / "evals" / "data" / "corpus" / "reports"

# A tiny report: a budget and a final account, a completion rate, a change with last year's
# amount inside the comparison, reasons, shares, counts.
TINY = """2023年度某县文化馆部门决算
第一部分 部门概况
一、机构设置
本单位设立3个内设机构，实有人数25人。
第二部分 2023年度部门决算情况说明
一、收入支出决算总体情况说明
2023年度收入总计500.00万元，支出总计500.00万元。
三、支出决算情况说明
2023年度本年支出合计480.00万元，其中：基本支出360.00万元，占75.00%；项目支出120.00万元，占25.00%。
七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2023年度“三公”经费财政拨款支出预算为6.00万元，支出决算为4.50万元，完成预算的75.00%。决算数小于预算数的主要原因是严格控制公务接待。
（二）“三公”经费财政拨款支出与上年对比情况
“三公”经费支出4.50万元，较上年5.00减少0.50万元，下降10.00%，主要原因是落实中央八项规定精神，压减出差。
"""


_library = extractive_library


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tiny")
    path = folder / "2023年度某县文化馆部门决算.txt"
    path.write_text(TINY, encoding="utf-8")
    library = _library(folder / "data", path)
    yield AnswerChain(library, provider="extractive")
    library.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory):
    """A few real published texts: 001 (三公 with reasons), 006 (繁體), 012 (last year's amount, budgets)."""
    library = _library(tmp_path_factory.mktemp("corpus"), *(CORPUS / f"{n}.txt" for n in ("001", "006", "012")))
    ids = {row["source_name"]: row["id"] for row in library.store.reports()}
    chain = AnswerChain(library, provider="extractive")
    yield lambda report, question: chain.invoke(question, report_ids=[ids[f"{report}.txt"]])
    library.close()


def states(answer: Answer, *values: str) -> bool:
    """True when every value (number and unit as written) is a claim the verifier supports."""
    supported = {c.text.removeprefix("减少").removeprefix("下降").removeprefix("增加").removeprefix("增长")
                 for c in answer.claims if c.verdict == "supported"}
    return all(v in supported for v in values)


def all_supported(answer: Answer) -> bool:
    return bool(answer.claims) and all(c.verdict == "supported" for c in answer.claims)


# --- a question in parts ----------------------------------------------------------------------


def _parts(question: str) -> list[tuple[str, str]]:
    names = Names.of(build_context(question, [], []))  # the lexicon's names only
    return [(p.asks, p.name) for p in split_question(question, names)]


def test_a_compound_question_splits_into_its_parts() -> None:
    assert _parts("“三公”经费预算和决算各是多少？完成预算的百分之几？比上年减少多少，为什么？") == [
        ("budget", "三公经费"), ("amount", "三公经费"), ("completion", "三公经费"), ("change", "三公经费"),
        ("reason", "三公经费")]


def test_several_things_asked_together_make_one_part_each() -> None:
    parts = _parts("基本支出和项目支出各多少，各占支出合计的多少？")
    assert sorted(parts) == sorted([("amount", "基本支出"), ("amount", "项目支出"),
                                    ("share", "基本支出"), ("share", "项目支出")])


def test_a_question_without_punctuation_still_has_its_parts() -> None:
    names = Names.of(build_context("", [], []))
    parts = split_question("财政拨款收入比上年减少多少降低多少", names)
    assert [(p.asks, p.name) for p in parts] == [("change", "财政拨款收入")] * 2
    assert parts[0].want == "amount"  # 减少多少: the amount; 降低多少: the amount or the rate


def test_the_department_and_the_year_named_are_not_parts() -> None:
    names = Names.of(build_context("", [], []))
    parts = split_question("宁国市城管执法局2016年公务接待费支出多少？", names)
    assert [(p.asks, p.name, p.year) for p in parts] == [("amount", "公务接待费", 2016)]
    prior = split_question("上年“三公”经费是多少？", names)
    assert prior[0].prior and prior[0].name == "三公经费"


# --- answers from a tiny report ---------------------------------------------------------------


def test_budget_and_final_account_each_with_the_completion_rate_and_the_reason(tiny: AnswerChain) -> None:
    answer = tiny.invoke("“三公”经费预算和决算各是多少？完成预算的百分之几？为什么没花完？")
    assert states(answer, "6.00万元", "4.50万元", "75.00%") and all_supported(answer)
    assert "严格控制公务接待" in answer.answer
    assert answer.citations


def test_budget_and_final_account_are_not_confused(tiny: AnswerChain) -> None:
    budget = tiny.invoke("“三公”经费年初预算是多少？")
    assert states(budget, "6.00万元") and "4.50" not in budget.answer
    final = tiny.invoke("“三公”经费决算是多少？")
    assert states(final, "4.50万元") and "6.00" not in final.answer


def test_a_change_with_its_reason(tiny: AnswerChain) -> None:
    answer = tiny.invoke("三公经费为什么减少？")
    assert states(answer, "4.50万元", "0.50万元", "10.00%") and all_supported(answer)
    assert "落实中央八项规定精神" in answer.answer


def test_last_years_amount_stated_inside_a_comparison(tiny: AnswerChain) -> None:
    answer = tiny.invoke("上年“三公”经费是多少？")
    assert states(answer, "5.00万元") and all_supported(answer)
    assert "4.50" not in answer.answer


def test_a_part_the_report_does_not_answer_is_refused_by_name(tiny: AnswerChain) -> None:
    answer = tiny.invoke("“三公”经费决算是多少？公务接待费占三公经费的百分之几？")
    assert answer.answer != CANNOT_ANSWER
    assert states(answer, "4.50万元") and all_supported(answer)
    assert "报告未说明公务接待费占" in answer.answer


def test_traditional_characters_and_shares(tiny: AnswerChain) -> None:
    answer = tiny.invoke("基本支出和項目支出各是多少，各佔多少？")
    assert states(answer, "360.00万元", "75.00%", "120.00万元", "25.00%") and all_supported(answer)


def test_a_count_asked_without_punctuation(tiny: AnswerChain) -> None:
    answer = tiny.invoke("本单位有几个内设机构")
    assert states(answer, "3个") and all_supported(answer)


@pytest.mark.parametrize("question", ["公务用车购置费是多少？", "2021年“三公”经费是多少？", "今年的GDP增长率是多少？"])
def test_nothing_in_the_report_for_any_part_is_cannot_answer(tiny: AnswerChain, question: str) -> None:
    answer = tiny.invoke(question)
    assert answer.answer == CANNOT_ANSWER and not answer.claims and not answer.citations


def test_a_change_the_report_does_not_state_is_not_answered_with_the_amount(tiny: AnswerChain) -> None:
    assert tiny.invoke("收入总计比上年减少了多少？").answer == CANNOT_ANSWER


# --- real published texts ---------------------------------------------------------------------


def test_real_change_and_reason(corpus) -> None:
    answer = corpus("001", "宁国市城管执法局公务用车购置及运行费比上年减少多少、下降多少？为什么？")
    assert states(answer, "41.9万元", "1.1万元", "2.56%") and all_supported(answer)
    assert "公务用车制度改革" in answer.answer


def test_real_traditional_report_and_question(corpus) -> None:
    answer = corpus("006", "財政撥款收入比上年減少多少降低多少")
    assert states(answer, "58.49万元", "3.71%") and all_supported(answer)


def test_real_last_year_and_budget(corpus) -> None:
    prior = corpus("012", "上年“三公”经费是多少？")
    assert states(prior, "2.08万元") and all_supported(prior)
    both = corpus("012", "“三公”经费年初预算多少？实际支出多少？")
    assert states(both, "2.95万元", "2.05万元") and all_supported(both)
