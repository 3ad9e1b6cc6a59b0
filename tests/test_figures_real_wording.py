"""The figure model on the wording of real reports (each sentence adapted from the corpus in
evals/data/corpus/): last year's amount inside a comparison, comparisons with the budget and with
earlier execution figures, a share's base across 其中, the funds a figure covers, blank and
damaged numbers, 繁體 reposts with inline readings."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from index.models import Figure, ParsedReport
from index.parse import parse_file


def parse(tmp_path: Path, body: str, title: str = "2018年度测试局部门决算") -> ParsedReport:
    path = tmp_path / "r.txt"
    path.write_text(f"{title}\n{body.strip()}\n", encoding="utf-8")
    return parse_file(path)


def at(parsed: ParsedReport, text: str, nth: int = 0) -> Figure:
    found = [f for f in parsed.figures if f.text == text]
    assert len(found) > nth, [(f.text, f.metric) for f in parsed.figures]
    return found[nth]


def test_last_years_amount_inside_a_comparison(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "一、“三公”经费\n2018年度本部门“三公”经费支出2.05万元,较上年2.08减少0.03万元,减少了1.44%。")
    prior = at(parsed, "2.08")
    assert (prior.metric, prior.year, prior.role, prior.unit, prior.basis) == ("三公经费", 2017, "amount", "万元", "actual")
    current, change = at(parsed, "2.05"), at(parsed, "0.03")
    assert current.year == 2018 and change.against == "prior_year" and change.compared_to == 2017


def test_last_years_amount_with_its_unit_and_a_named_year(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "(二)公务接待费\n公务接待费1356万元,比2015年度决算数1400万元下降3.14%。",
                   title="2016年度测试局部门决算")
    prior = at(parsed, "1400")
    assert (prior.metric, prior.year, prior.role) == ("公务接待费", 2015, "amount")
    assert at(parsed, "3.14").compared_to == 2015


def test_a_comparison_with_the_budget_is_not_a_change_on_last_year(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "2.公务接待费支出1.52万元, 与2021年度预算相比,减少0.28万元,下降15%。",
                   title="2021年度测试局部门决算")
    change, rate = at(parsed, "0.28"), at(parsed, "15")
    assert (change.against, change.compared_to, change.direction) == ("budget", 2021, "decrease")
    assert rate.against == "budget" and rate.role == "change_rate"


def test_a_difference_from_the_budget(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "二、对比\n本部门“三公”经费支出2.05万元,年初预算为2.95万元,差值为0.9万元。")
    budget, diff = at(parsed, "2.95"), at(parsed, "0.9")
    assert (budget.metric, budget.basis) == ("三公经费 年初预算", "initial_budget")
    assert (diff.metric, diff.role, diff.against, diff.direction) == ("三公经费", "change_amount", "budget", None)


def test_final_account_above_the_budget_by_an_amount(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "三、支出\n一般公共预算财政拨款支出1741.75万元,完成年初预算100%,决算数大于预算数55.93万元。")
    diff = at(parsed, "55.93")
    assert (diff.role, diff.against, diff.direction) == ("change_amount", "budget", "increase")
    assert at(parsed, "100").role == "completion_rate"


def test_a_comparison_stated_once_holds_for_the_sentences_after_it(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "一、收支\n与2021年执行数相比,有以下变化。一是收入增加3627万元,其中:本级收入增加365万元(税收增加146万元、"
                   "非税增加219万元)。", title="丰都县2021年决算情况的报告")
    for number in ("3627", "365", "146", "219"):
        assert at(parsed, number).against == "execution"
    assert [at(parsed, n).metric for n in ("365", "146", "219")] == ["一般公共预算收入", "税收收入", "非税收入"]


def test_a_share_of_the_total_that_opens_its_list(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "(二)支出决算情况\n2017年度,本单位支出为1942.57万元。其中:基本支出1121.09万元,占57.71%;"
                   "项目支出821.48万元,占42.29%。", title="2017年度测试幼儿园部门决算")
    assert at(parsed, "1942.57").metric == "本年支出合计"
    assert at(parsed, "57.71").base == at(parsed, "42.29").base == "本年支出合计"


def test_a_share_names_its_base(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "(一)收入\n本年收入合计8606.36万元,其中:财政拨款收入8494.50万元,占收入合计的98.70%。")
    assert at(parsed, "98.70").base == "本年收入合计"


def test_funds_from_the_headings_and_the_name(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "(一)一般公共预算收支情况\n收入总计1,867.48万元。\n(二)政府性基金预算收支情况\n收入总计0万元。\n"
                   "(三)结余\n使用非财政拨款结余0.00万元,年初结转和结余0.00万元。", title="2022年小林镇决算报告")
    assert at(parsed, "1,867.48").scope == "一般公共预算" and at(parsed, "0").scope == "政府性基金"
    assert at(parsed, "0.00").scope is None  # 非财政拨款 is not the 财政拨款


def test_a_parenthesis_of_parts_does_not_take_the_rate(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "公车购置及运行费995万元(其中公务用车购置费38万元,公务用车运行费958万元),比上年决算数下降26.24%。",
                   title="2016年度测试区部门决算")
    assert at(parsed, "26.24").metric == "公务用车购置及运行维护费"


def test_a_bare_fund_name_is_read_by_its_heading(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "五、一般公共预算财政拨款支出决算情况说明\n与2019年相比,一般公共预算财政拨款增加27.44万元,增长2.22%。",
                   title="2020年度测试院部门决算")
    assert at(parsed, "27.44").metric == "一般公共预算财政拨款支出"


def test_a_sangong_name_behind_a_department_and_funds(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "湛江市委宣传部财政预算拨款“三公”经费支出合计35万元,比上年减少2.28万元。", title="2017年湛江市委宣传部“三公”经费说明")
    assert at(parsed, "35").metric == at(parsed, "2.28").metric == "三公经费"


def test_blank_and_damaged_numbers_are_gaps_not_figures(tmp_path: Path) -> None:
    parsed = parse(tmp_path, "其中:因公出国(境)费 0 万元,占 %,比上年减少 万元。\n(一)财力\n支出总计,867.48万元,由一般公共预算支出1,867.48万元构成。")
    kinds = sorted((g.kind, g.role, g.unit) for g in parsed.gaps)
    assert kinds == [("blank", "change_amount", "万元"), ("blank", "share", "%"), ("damaged", "amount", "万元")]
    damaged = next(g for g in parsed.gaps if g.kind == "damaged")
    assert damaged.printed == ",867.48" and parsed.report.text[damaged.start: damaged.end] == ",867.48"
    assert not any(f.text == "867.48" for f in parsed.figures)


def test_a_traditional_repost_with_inline_readings(tmp_path: Path) -> None:
    body = "“三公”經(jīng)費(fèi)支出合計(jì)35萬(wàn)元,比上年減少2.28萬(wàn)元。其中:公務(wù)接待費(fèi)30萬(wàn)元。"
    parsed = parse(tmp_path, body, title="2017年湛江市委宣傳部“三公”經費增減情況說明")
    total, reception = at(parsed, "35"), at(parsed, "30")
    assert (total.metric, total.unit, reception.metric) == ("三公经费", "万元", "公务接待费")
    text = parsed.report.text
    assert text[total.start: total.end] == "35" and "經(jīng)費(fèi)" in total.quote  # shown as printed
    assert parsed.report.year == 2017 and total.value == Decimal(35)
