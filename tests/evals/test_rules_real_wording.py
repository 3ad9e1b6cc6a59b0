"""The rules on the wording of real reports (sentences adapted from evals/data/corpus/): each
relation checked once it holds, once it does not, and the traps that must stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.audit.check import run_rules
from tests.evals.rule_helpers import parse_text, run, severities


def _serious(parsed, *rules: str) -> list[tuple[str, str, str]]:
    findings, _ = run(parsed, *rules)
    return [s for s in severities(findings) if s[2] != "info"]


@pytest.mark.parametrize(("prior", "expected"), [("2.08", []), ("2.18", [("yoy.direction", "yoy", "error")])])
def test_rate_on_last_years_amount_in_the_sentence(tmp_path: Path, prior: str, expected: list) -> None:
    body = f"一、“三公”经费\n2023年度本部门“三公”经费支出2.05万元,较上年{prior}减少0.03万元,减少了1.44%。"
    assert _serious(parse_text(tmp_path, body), "yoy") == expected


def test_rate_of_a_table_from_its_own_rows(tmp_path: Path) -> None:
    """003: the 2016 row 37, the 2015 row 73 and the rate row −47.95% of one table."""
    rows = "年度\n|\n合计\n|\n公务接待费\n|\n车辆购置\n2015年\n|\n90\n|\n17\n|\n73\n2023年\n|\n50\n|\n13\n|\n37\n"
    body = f"2023年决算数与2015年决算数对比情况\n{rows}2023年比2015年增减%\n|\n-44.44\n|\n-23.53\n|\n{{rate}}\n"
    assert _serious(parse_text(tmp_path, body.format(rate="-49.32")), "yoy") == []
    findings, _ = run(parse_text(tmp_path, body.format(rate="-47.95")), "yoy")
    assert severities(findings) == [("yoy.rate", "yoy", "error")]
    assert findings[0].actual == "-47.95" and findings[0].expected == "49.32"


DIFFERENCE = "二、对比\n本部门“三公”经费支出2.05万元,年初预算为2.95万元,差值为{diff}万元。"


def test_difference_from_the_budget(tmp_path: Path) -> None:
    assert _serious(parse_text(tmp_path, DIFFERENCE.format(diff="0.9")), "completion") == []
    findings, _ = run(parse_text(tmp_path, DIFFERENCE.format(diff="0.8")), "completion")
    assert severities(findings) == [("completion.difference", "rounding", "info")]  # one unit of 0.9
    findings, _ = run(parse_text(tmp_path, DIFFERENCE.format(diff="0.7")), "completion")
    assert severities(findings) == [("completion.difference", "completion", "error")]
    assert findings[0].actual == "0.7" and findings[0].expected == "0.90"


def test_a_completion_rate_against_the_budget_the_text_implies(tmp_path: Path) -> None:
    body = "三、支出\n一般公共预算财政拨款支出1741.75万元,完成年初预算100%,决算数大于预算数{diff}万元。"
    findings, _ = run(parse_text(tmp_path, body.format(diff="55.93")), "completion")
    assert severities(findings) == [("completion.rate", "completion", "warning")]
    assert "103.32%" in findings[0].message and "55.93" in findings[0].message
    assert _serious(parse_text(tmp_path, body.format(diff="0")), "completion") == []


def test_hundred_percent_beside_above_the_budget(tmp_path: Path) -> None:
    body = "三、支出\n1.教育支出1595.95万元,完成年初预算100%,决算数大于预算数,主要原因是人员增加。"
    assert severities(run(parse_text(tmp_path, body), "completion")[0]) == [
        ("completion.wording", "completion", "warning")]


ADDITION = ("(一)一般公共预算\n全县一般公共预算本级收入238965万元,加上:上年结转4550万元、上级补助收入{aid}万元,"
            "收入总计561101万元。")


def test_an_addition_the_text_states(tmp_path: Path) -> None:
    assert _serious(parse_text(tmp_path, ADDITION.format(aid="317586")), "sums") == []
    findings, _ = run(parse_text(tmp_path, ADDITION.format(aid="318586")), "sums")
    assert severities(findings) == [("sums.stated_addition", "sums", "error")]
    assert findings[0].actual == "561101" and findings[0].expected == "562101.00"


GRAND = ("(一)收入支出决算总体情况\n1.总体情况。2023年度收入总计{income}万元,支出总计3,345.01万元。"
         "2.收入情况。2023年度收入合计3,315.32万元。此外,年初结转和结余29.69万元。")


def test_grand_totals_balance_and_add_up(tmp_path: Path) -> None:
    assert _serious(parse_text(tmp_path, GRAND.format(income="3,345.01")), "sums") == []
    findings, _ = run(parse_text(tmp_path, GRAND.format(income="3,355.01")), "sums")
    # 3,355.01 is not 3,345.01 (支出总计) and not 3,315.32 + 29.69: one wrong number, one finding.
    assert severities(findings) == [("sums.grand_totals", "sums", "error")]
    assert "另使1项关系不成立" in findings[0].message


def test_total_and_parts_joined_across_sentences(tmp_path: Path) -> None:
    body = ("(一)“三公”经费\n“三公”经费支出14.71万元。\n1.因公出国（境）经费支出0万元。\n2.公务用车购置及运行维护费支出10.16万元。\n"
            "3.公务接待费支出{reception}万元。")
    assert _serious(parse_text(tmp_path, body.format(reception="4.55")), "sums") == []
    assert _serious(parse_text(tmp_path, body.format(reception="5.55")), "sums") == [
        ("sums.sangong_parts", "sums", "error")]


def test_revenue_and_appropriation_breakdowns(tmp_path: Path) -> None:
    body = "(三)财政拨款收入\n财政拨款收入总计1516.64万元。其中:一般公共预算财政拨款收入1486.64万元,政府性基金预算财政拨款收入{fund}万元。"
    assert _serious(parse_text(tmp_path, body.format(fund="30")), "sums") == []
    assert _serious(parse_text(tmp_path, body.format(fund="40")), "sums") == [
        ("sums.appropriation_parts", "sums", "error")]
    tax = "(一)收入\n全镇本级一般公共预算收入实现111.11万元,其中税收收入{tax}万元;非税收入1.2万元。"
    assert _serious(parse_text(tmp_path, tax.format(tax="109.91")), "sums") == []
    assert _serious(parse_text(tmp_path, tax.format(tax="119.91")), "sums") == [("sums.revenue_parts", "sums", "error")]


RATES = ("“三公”经费决算总额2771万元,比上年下降{total}%。分项情况是:因公出国(境)经费决算120万元,比上年增长79.1%;"
         "公务接待费决算1033万元,与上年下降7.6%;公务用车购置及运行费决算1618万元,比上年下降1.2%。")


def test_prior_years_implied_by_rates_add_up(tmp_path: Path) -> None:
    assert _serious(parse_text(tmp_path, RATES.format(total="1.8")), "yoy") == []
    findings, _ = run(parse_text(tmp_path, RATES.format(total="2.8")), "yoy")
    assert severities(findings) == [("yoy.implied_priors", "yoy", "error")]
    assert findings[0].actual == "2.8"


def test_changes_of_the_vehicle_parts_add_up(tmp_path: Path) -> None:
    body = ("公务用车购置及运行维护费10.16万元,比上年减少{total}万元。其中:公务用车购置费0万元,比上年减少1.00万元;"
            "公务用车运行维护费10.16万元,比上年减少0.61万元。")
    assert _serious(parse_text(tmp_path, body.format(total="1.61")), "yoy.sangong_changes") == []
    assert _serious(parse_text(tmp_path, body.format(total="2.61")), "yoy.sangong_changes") == [
        ("yoy.sangong_changes", "yoy", "error")]


@pytest.mark.parametrize(
    "body",
    [
        # staff by title and grade and the retired: not a partition of the 62
        ("核定人员编制71人,实际正式教职工62人,其中副高级职称4人,中级职称25人,初级职称23人,管理人员3人,技师3人,高级工3人,中级工1人,"
        "退休职工28人。"),
        # 编制 posts under a count of people
        "街道共有工作人员73人,其中行政编制25人、参公编制20人、事业编制26人。",
        # a list the end of the text cuts off
        "行政事业总编制为249个,其中行政编13个、全额事业编45个、差额",
    ],
)
def test_lists_that_are_not_partitions_are_not_summed(tmp_path: Path, body: str) -> None:
    findings, _ = run(parse_text(tmp_path, "(二)人员\n" + body), "counts")
    assert findings == []


@pytest.mark.parametrize(("count", "expected"), [("8", []), ("9", [("counts.stated_vs_listed", "counts", "error")])])
def test_a_count_against_the_names_it_lists(tmp_path: Path, count: str, expected: list) -> None:
    body = f"二、机构\n招商服务中心设{count}个内设机构,分别为:办公室、投资促进股、区域协作股、招商股、信息统计股、政工人事股、政策法规股、项目服务股。"
    assert _serious(parse_text(tmp_path, body), "counts") == expected


def test_names_joined_by_he_may_be_one_or_two(tmp_path: Path) -> None:
    body = "一、机构\n下属单位2个:信息中心、宣传和投诉举报事务中心。\n分设中心医院、南院和北院、西院2个医疗区。"
    assert _serious(parse_text(tmp_path, body), "counts") == [("counts.stated_vs_listed", "counts", "error")]


@pytest.mark.parametrize(("posts", "expected"), [("8", []), ("9", [("counts.breakdown", "counts", "error")])])
def test_posts_split_into_principal_and_deputy(tmp_path: Path, posts: str, expected: list) -> None:
    body = f"一、机构\n核定事业编制14名。科级领导职数{posts}名(5正3副)。"
    assert _serious(parse_text(tmp_path, body), "counts") == expected


def test_blank_and_damaged_numbers(tmp_path: Path) -> None:
    body = "其中:因公出国(境)费 0 万元,占 %,比上年减少 万元;公务接待费30万元,占 %。\n(一)财力\n支出总计,867.48万元。"
    findings, _ = run(parse_text(tmp_path, body), "hygiene.blank_value")
    # one finding per clause, naming each gap in it
    assert severities(findings) == [("hygiene.blank_value", "hygiene", "warning")] * 3
    assert "2处" in findings[0].message and "867.48" in findings[2].message


def test_a_leftover_sentence_of_last_years_report(tmp_path: Path) -> None:
    body = "一、说明\n现将测试局2022年度部门决算信息公开如下。"
    findings, _ = run(parse_text(tmp_path, body), "hygiene.fiscal_year")
    assert severities(findings) == [("hygiene.fiscal_year", "hygiene", "warning")]
    assert findings[0].actual == "2022" and findings[0].expected == "2023"


def test_figures_of_different_funds_are_not_one_quantity(tmp_path: Path) -> None:
    body = "(一)一般公共预算收支情况\n收入总计1,867.48万元。\n(二)政府性基金预算收支情况\n收入总计0万元。"
    assert _serious(parse_text(tmp_path, body), "repeated") == []


def test_one_wrong_number_is_one_finding(tmp_path: Path) -> None:
    """A 三公 total that its parts, its share and its printing in a table all contradict."""
    body = ("七、“三公”经费\n“三公”经费支出决算中,因公出国(境)费支出决算0万元,占0%;公务接待费支出决算1.52万元,占100%;"
            "公务用车购置及运行维护费支出决算0万元,占0%。\n“三公”经费支出决算为2.52万元。")
    result = run_rules(parse_text(tmp_path, body))
    serious = [f for f in result.findings if f.severity != "info"]
    assert len(serious) == 1 and serious[0].actual == "2.52"
    assert "另使1项关系不成立" in serious[0].message and "60.32%" in serious[0].message
    text = result.findings and parse_text(tmp_path, body).report.text
    assert {text[e.start: e.end] for e in serious[0].evidence} >= {"2.52", "1.52", "100"}
