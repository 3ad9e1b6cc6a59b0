"""Figures of the seed report (米易县人民政府办公室 2023): what a reader would point to.

Each expected figure is written down from the report's text by hand: metric, the number as
printed, unit, role, and where needed direction, prior year, base, code and section. The
structural tests then check every figure: exact spans, quotes, section paths, and that no
year, date, code, list number or threshold was taken for a figure.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from index.models import Figure, ParsedReport
from tests.builders import parse_seed

S2 = "第二部分"


@pytest.fixture(scope="module")
def seed() -> ParsedReport:
    return parse_seed()


def _find(seed: ParsedReport, metric: str, text: str, role: str, section: str | None = None,
          source: str = "text") -> list[Figure]:
    return [
        f for f in seed.figures
        if f.metric == metric and f.text == text and f.role == role and f.source == source
        and (section is None or f.section == section)
    ]


# (section, metric, number as printed, unit, role, extra attributes)
NARRATIVE = [
    # 一、 收入支出决算总体情况
    (f"{S2} > 一、", "收支总计", "1054.82", "万元", "amount", {}),
    (f"{S2} > 一、", "收支总计", "46.73", "万元", "change_amount", {"direction": "increase", "compared_to": 2022}),
    (f"{S2} > 一、", "收支总计", "4.63", "%", "change_rate", {"direction": "increase", "compared_to": 2022}),
    # 二、 收入
    (f"{S2} > 二、", "本年收入合计", "1054.82", "万元", "amount", {}),
    (f"{S2} > 二、", "一般公共预算财政拨款收入", "1054.82", "万元", "amount", {}),
    (f"{S2} > 二、", "一般公共预算财政拨款收入", "100", "%", "share", {"base": "本年收入合计"}),
    # 三、 支出
    (f"{S2} > 三、", "本年支出合计", "1054.82", "万元", "amount", {}),
    (f"{S2} > 三、", "基本支出", "927.45", "万元", "amount", {}),
    (f"{S2} > 三、", "基本支出", "87.93", "%", "share", {"base": "本年支出合计"}),
    (f"{S2} > 三、", "项目支出", "127.37", "万元", "amount", {}),
    (f"{S2} > 三、", "项目支出", "12.07", "%", "share", {"base": "本年支出合计"}),
    # 四、 财政拨款收支
    (f"{S2} > 四、", "财政拨款收支总计", "1054.82", "万元", "amount", {}),
    (f"{S2} > 四、", "财政拨款收支总计", "46.73", "万元", "change_amount", {"direction": "increase", "compared_to": 2022}),
    (f"{S2} > 四、", "财政拨款收支总计", "4.63", "%", "change_rate", {"direction": "increase"}),
    # 五、 一般公共预算财政拨款支出
    (f"{S2} > 五、 > （一）", "一般公共预算财政拨款支出", "1054.82", "万元", "amount", {}),
    (f"{S2} > 五、 > （一）", "一般公共预算财政拨款支出", "100", "%", "share", {"base": "本年支出合计"}),
    (f"{S2} > 五、 > （一）", "一般公共预算财政拨款支出", "46.73", "万元", "change_amount", {"direction": "increase"}),
    (f"{S2} > 五、 > （一）", "一般公共预算财政拨款支出", "4.63", "%", "change_rate", {"direction": "increase"}),
    (f"{S2} > 五、 > （二）", "一般公共服务支出", "794.82", "万元", "amount", {"code": "201"}),
    (f"{S2} > 五、 > （二）", "一般公共服务支出", "75.35", "%", "share", {"base": "一般公共预算财政拨款支出"}),
    (f"{S2} > 五、 > （二）", "社会保障和就业支出", "139.32", "万元", "amount", {"code": "208"}),
    (f"{S2} > 五、 > （二）", "社会保障和就业支出", "13.21", "%", "share", {"base": "一般公共预算财政拨款支出"}),
    (f"{S2} > 五、 > （二）", "卫生健康支出", "62.46", "万元", "amount", {"code": "210"}),
    (f"{S2} > 五、 > （二）", "卫生健康支出", "5.92", "%", "share", {}),
    (f"{S2} > 五、 > （二）", "住房保障支出", "58.22", "万元", "amount", {"code": "221"}),
    (f"{S2} > 五、 > （二）", "住房保障支出", "5.52", "%", "share", {}),
    (f"{S2} > 五、 > （三）", "一般公共预算财政拨款支出", "1054.82", "万元", "amount", {}),
    (f"{S2} > 五、 > （三）", "一般公共预算财政拨款支出", "100", "%", "completion_rate", {"base": "预算"}),
    # 六、 基本支出
    (f"{S2} > 六、", "一般公共预算财政拨款基本支出", "927.45", "万元", "amount", {}),
    (f"{S2} > 六、", "人员经费", "841.35", "万元", "amount", {}),
    (f"{S2} > 六、", "公用经费", "86.10", "万元", "amount", {"decimals": 2}),
    # 七、 三公经费
    (f"{S2} > 七、 > （一）", "三公经费", "14.71", "万元", "amount", {}),
    (f"{S2} > 七、 > （一）", "三公经费", "100", "%", "completion_rate", {}),
    (f"{S2} > 七、 > （一）", "三公经费", "2.66", "万元", "change_amount", {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （一）", "三公经费", "15.31", "%", "change_rate", {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （二）", "因公出国（境）费", "0", "万元", "amount", {}),
    (f"{S2} > 七、 > （二）", "因公出国（境）费", "0", "%", "share", {"base": "三公经费"}),
    (f"{S2} > 七、 > （二）", "公务用车购置及运行维护费", "10.16", "万元", "amount", {}),
    (f"{S2} > 七、 > （二）", "公务用车购置及运行维护费", "69.07", "%", "share", {"base": "三公经费"}),
    (f"{S2} > 七、 > （二）", "公务接待费", "4.55", "万元", "amount", {}),
    (f"{S2} > 七、 > （二）", "公务接待费", "30.93", "%", "share", {"base": "三公经费"}),
    (f"{S2} > 七、 > （二） > 1.", "因公出国（境）费", "0", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 1.", "因公出国（境）费", "0", "%", "completion_rate", {}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车购置及运行维护费", "10.16", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车购置及运行维护费", "100", "%", "completion_rate", {}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车购置及运行维护费", "1.61", "万元", "change_amount",
     {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车购置及运行维护费", "13.68", "%", "change_rate",
     {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车购置费", "0", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车", "3", "辆", "count", {}),
    (f"{S2} > 七、 > （二） > 2.", "越野车", "3", "辆", "count", {}),
    (f"{S2} > 七、 > （二） > 2.", "公务用车运行维护费", "10.16", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 3.", "公务接待费", "4.55", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 3.", "公务接待费", "100", "%", "completion_rate", {}),
    (f"{S2} > 七、 > （二） > 3.", "公务接待费", "1.05", "万元", "change_amount",
     {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （二） > 3.", "公务接待费", "18.75", "%", "change_rate",
     {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 七、 > （二） > 3.", "国内公务接待费", "4.55", "万元", "amount", {}),
    (f"{S2} > 七、 > （二） > 3.", "国内公务接待费", "80", "批次", "count", {}),
    (f"{S2} > 七、 > （二） > 3.", "国内公务接待费", "612", "人次", "count", {}),
    (f"{S2} > 七、 > （二） > 3.", "外事接待费", "0", "万元", "amount", {}),
    # 八、九、 政府性基金 / 国有资本经营
    (f"{S2} > 八、", "政府性基金预算财政拨款支出", "0", "万元", "amount", {}),
    (f"{S2} > 九、", "国有资本经营预算财政拨款支出", "0", "万元", "amount", {}),
    # 十、 机关运行经费, 政府采购, 国有资产
    (f"{S2} > 十、 > （一）", "机关运行经费", "86.10", "万元", "amount", {}),
    (f"{S2} > 十、 > （一）", "机关运行经费", "5.33", "万元", "change_amount", {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 十、 > （一）", "机关运行经费", "5.83", "%", "change_rate", {"direction": "decrease", "compared_to": 2022}),
    (f"{S2} > 十、 > （二）", "政府采购支出总额", "2.0", "万元", "amount", {"decimals": 1}),
    (f"{S2} > 十、 > （二）", "政府采购货物支出", "2.0", "万元", "amount", {}),
    (f"{S2} > 十、 > （二）", "授予中小企业合同金额", "0", "万元", "amount", {}),
    (f"{S2} > 十、 > （二）", "授予中小企业合同金额", "0", "%", "share", {"base": "政府采购支出总额"}),
    (f"{S2} > 十、 > （二）", "授予小微企业合同金额", "0", "万元", "amount", {}),
    (f"{S2} > 十、 > （二）", "授予小微企业合同金额", "0", "%", "share", {"base": "政府采购支出总额"}),
    (f"{S2} > 十、 > （三）", "车辆", "3", "辆", "count", {}),
    (f"{S2} > 十、 > （三）", "主要领导干部用车", "0", "辆", "count", {}),
    (f"{S2} > 十、 > （三）", "机要通信用车", "0", "辆", "count", {}),
    (f"{S2} > 十、 > （三）", "应急保障用车", "1", "辆", "count", {}),
    (f"{S2} > 十、 > （三）", "特种专业技术用车", "1", "辆", "count", {}),
    (f"{S2} > 十、 > （三）", "其他用车", "1", "辆", "count", {}),
]

# 五、（三）: every 项 with its full code, its amount and 完成预算100%.
CLASS_ITEMS = [
    ("1.", "行政运行", "2010301", "455.65"),
    ("1.", "一般行政管理事务", "2010302", "123.74"),
    ("1.", "事业运行", "2010350", "211.80"),
    ("1.", "其他政府办公厅（室）及相关机构事务支出", "2010399", "3.64"),
    ("2.", "行政单位离退休", "2080501", "14.89"),
    ("2.", "机关事业单位基本养老保险缴费支出", "2080505", "86.6"),
    ("2.", "机关事业单位职业年金缴费支出", "2080506", "19.45"),
    ("2.", "死亡抚恤", "2080801", "18.38"),
    ("3.", "行政单位医疗", "2101101", "28.7"),
    ("3.", "事业单位医疗", "2101102", "8.78"),
    ("3.", "公务员医疗补助", "2101103", "24.98"),
    ("4.", "住房公积金", "2210201", "58.22"),
]


@pytest.mark.parametrize(("section", "metric", "text", "unit", "role", "extra"), NARRATIVE,
                         ids=[f"{m}-{t}{u}-{r}" for _, m, t, u, r, _ in NARRATIVE])
def test_narrative_figure(seed: ParsedReport, section, metric, text, unit, role, extra) -> None:
    found = _find(seed, metric, text, role, section)
    assert found, f"{metric} {text}{unit} ({role}) not found in {section}"
    figure = found[0]
    assert figure.unit == unit and figure.year == 2023 and figure.value == Decimal(text)
    for name, value in extra.items():
        assert getattr(figure, name) == value, (name, getattr(figure, name))
    if role in ("change_amount", "change_rate"):
        assert figure.compared_to == 2022 and figure.direction is not None
    else:
        assert figure.compared_to is None


@pytest.mark.parametrize(("item", "metric", "code", "amount"), CLASS_ITEMS, ids=[c for _, _, c, _ in CLASS_ITEMS])
def test_functional_class_items(seed: ParsedReport, item, metric, code, amount) -> None:
    section = f"{S2} > 五、 > （三） > {item}"
    amounts = [f for f in _find(seed, metric, amount, "amount", section) if f.code == code]
    rates = [f for f in _find(seed, metric, "100", "completion_rate", section) if f.code == code]
    assert len(amounts) == 1 and amounts[0].unit == "万元" and amounts[0].year == 2023
    assert len(rates) == 1 and rates[0].unit == "%" and rates[0].base == "预算"
    assert rates[0].quote == amounts[0].quote  # the same sentence states both


def test_three_public_shares_add_up(seed: ParsedReport) -> None:
    """The three shares of 三公经费 are all found, with base 三公经费, and add to 100%."""
    shares = [f for f in seed.figures if f.role == "share" and f.base == "三公经费"]
    assert sorted(str(f.value) for f in shares) == ["0", "30.93", "69.07"]
    assert sum(f.value for f in shares) == Decimal("100.00")


# ----------------------------------------------------------------- tables

# (project, metric row, column header, number as printed, unit, role)
SELF_EVAL = [
    ("政府工作专项经费", "总额", "年初预算", "100.00", "万元", "amount"),
    ("政府工作专项经费", "总额", "调整后预算数", "95.83", "万元", "amount"),
    ("政府工作专项经费", "总额", "预算执行数", "95.83", "万元", "amount"),
    ("政府工作专项经费", "总额", "预算执行率", "96.96", "%", "completion_rate"),
    ("政府工作专项经费", "总额", "权重", "10", "分", "weight"),
    ("政府工作专项经费", "总额", "得分", "10", "分", "score"),
    ("政府工作专项经费", "财政资金", "年初预算", "2.04", "万元", "amount"),
    ("政府工作专项经费", "财政专户管理资金", "预算执行率", "0.00", "%", "completion_rate"),
    ("政府工作专项经费", "召开会议及出差次数", "指标值", "100", "次", "target"),
    ("政府工作专项经费", "召开会议及出差次数", "权重", "20", "分", "weight"),
    ("政府工作专项经费", "资金投入", "指标值", "200000", "元", "target"),
    ("政府工作专项经费", "完成时间", "指标值", "2023", "年", "target"),
    ("政府工作专项经费", "服务对象满意度", "指标值", "98", "%", "target"),
    ("政府工作专项经费", "合计", "权重", "100", "分", "weight"),
    ("政府工作专项经费", "合计", "得分", "100", "分", "score"),
    ("2022年度政府工作经费", "总额", "年初预算", "2.04", "万元", "amount"),
    ("2022年度政府工作经费", "总额", "预算执行数", "2.00", "万元", "amount"),
    ("2022年度政府工作经费", "合计", "得分", "100", "分", "score"),
    ("党政网络、网站运行维护经费", "总额", "年初预算", "36.12", "万元", "amount"),
    ("党政网络、网站运行维护经费", "总额", "调整后预算数", "25.91", "万元", "amount"),
    ("党政网络、网站运行维护经费", "总额", "预算执行率", "100.00", "%", "completion_rate"),
    ("党政网络、网站运行维护经费", "政府门户网站、协同办公平台、电子政务外网", "指标值", "22", "个（套）", "target"),
    ("党政网络、网站运行维护经费", "运行维护和安全服务次数", "指标值", "100", "批次", "target"),
    ("党政网络、网站运行维护经费", "完成时间", "指标值", "12", "月", "target"),
    ("党政网络、网站运行维护经费", "网络租赁费用和平台运行维护费", "指标值", "361200", "元/户", "target"),
    ("党政网络、网站运行维护经费", "每年度网络安全事故", "指标值", "1", "起", "target"),
    ("党政网络、网站运行维护经费", "满意度", "指标值", "98", "期", "target"),  # 度量单位 as printed
    ("党政网络、网站运行维护经费", "合计", "权重", "100", "分", "weight"),
    ("援藏援彝等其他", "总额", "年初预算", "0.79", "万元", "amount"),
    ("援藏援彝等其他", "总额", "调整后预算数", "3.64", "万元", "amount"),
    ("援藏援彝等其他", "驻村期限", "指标值", "1", "年", "target"),
    ("援藏援彝等其他", "驻村天数", "指标值", "128", "天", "target"),
    ("援藏援彝等其他", "驻村天数", "得分", "20", "分", "score"),
    ("援藏援彝等其他", "生活补助金额", "指标值", "3840", "元", "target"),
    ("援藏援彝等其他", "帮扶对象及群众满意度", "指标值", "98", "%", "target"),
]

# 附件2 资金计划 tables. The one of 政府工作专项经费 prints 预算执行率 100% where its 绩效自评表
# prints 96.96%: the report's own inconsistency, kept as printed.
FUNDING_PLAN = [
    ("党政网站、网络运行维护经费", "总额", "年初预算", "36.12", "万元", "amount"),
    ("党政网站、网络运行维护经费", "总额", "调整后预算数", "25.91", "万元", "amount"),
    ("党政网站、网络运行维护经费", "总额", "预算执行数", "25.91", "万元", "amount"),
    ("党政网站、网络运行维护经费", "总额", "预算执行率", "100.00", "%", "completion_rate"),
    ("政府工作专项经费", "总额", "年初预算", "100.00", "万元", "amount"),
    ("政府工作专项经费", "总额", "调整后预算数", "95.83", "万元", "amount"),
    ("政府工作专项经费", "总额", "预算执行数", "95.83", "万元", "amount"),
    ("政府工作专项经费", "总额", "预算执行率", "100", "%", "completion_rate"),
    ("政府工作专项经费", "财政资金", "年初预算", "100.00", "万元", "amount"),
]


def _cell_figures(seed: ParsedReport, kinds: tuple[str, ...], project: str, row: str, column: str) -> list[Figure]:
    tables = {t.id for t in seed.tables if t.kind in kinds and t.subject == project}
    return [
        f for f in seed.figures
        if f.table_id in tables and f.metric == f"{project} {row}" and f.column == column
    ]


@pytest.mark.parametrize(("project", "row", "column", "text", "unit", "role"), SELF_EVAL,
                         ids=[f"{p[:6]}-{r[:8]}-{c}" for p, r, c, *_ in SELF_EVAL])
def test_self_evaluation_cells(seed: ParsedReport, project, row, column, text, unit, role) -> None:
    found = _cell_figures(seed, ("绩效自评表-预算执行", "绩效自评表-绩效指标"), project, row, column)
    assert len(found) == 1, found
    figure = found[0]
    assert (figure.text, figure.unit, figure.role, figure.year) == (text, unit, role, 2023)
    assert figure.subject == project and figure.source == "table" and figure.code is None
    assert figure.section.startswith(f"{S2} > 十、 > （四） > ")


@pytest.mark.parametrize(("project", "row", "column", "text", "unit", "role"), FUNDING_PLAN,
                         ids=[f"{p[:6]}-{r}-{c}" for p, r, c, *_ in FUNDING_PLAN])
def test_funding_plan_cells(seed: ParsedReport, project, row, column, text, unit, role) -> None:
    found = _cell_figures(seed, ("资金计划",), project, row, column)
    assert len(found) == 1, found
    assert (found[0].text, found[0].unit, found[0].role) == (text, unit, role)
    assert found[0].section.startswith("第四部分 > 附件2 > 二、")


def test_every_numeric_cell_is_a_figure(seed: ParsedReport) -> None:
    """Each number in a 预算执行 / 绩效指标 / 资金计划 table is exactly one figure of its cell,
    under its own column header."""
    by_cell = {(f.table_id, f.row, f.col): f for f in seed.figures if f.source == "table"}
    kinds = {t.kind for t in seed.tables}
    assert {"绩效自评表-预算执行", "绩效自评表-绩效指标", "资金计划"} <= kinds
    assert sum(t.kind == "绩效自评表-预算执行" for t in seed.tables) == 4
    assert sum(t.kind == "资金计划" for t in seed.tables) == 2
    count = 0
    for table in seed.tables:
        if table.kind == "绩效自评表-基本情况":
            continue
        for row in table.rows[table.header_rows:]:
            for cell in row:
                if re.fullmatch(r"\d+(\.\d+)?%?", cell.text):
                    figure = by_cell[(table.id, cell.row, cell.col)]
                    assert figure.text == cell.text.rstrip("%")
                    assert figure.column and table.rows[0][cell.col].text in figure.column or table.rows[0][cell.col].text == ""
                    count += 1
    assert count == sum(1 for f in seed.figures if f.source == "table")


def test_self_evaluation_weights_add_to_total(seed: ParsedReport) -> None:
    """Budget weight 10 + indicator weights = the 合计 100 in every project."""
    for project in ("政府工作专项经费", "2022年度政府工作经费", "党政网络、网站运行维护经费", "援藏援彝等其他"):
        weights = [f for f in seed.figures if f.subject == project and f.role == "weight" and f.source == "table"]
        total = [f.value for f in weights if f.metric.endswith(" 合计")]
        assert total == [Decimal(100)]
        assert sum(f.value for f in weights if not f.metric.endswith(" 合计")) == Decimal(100)


# ----------------------------------------------------------------- structure


def test_identity(seed: ParsedReport) -> None:
    assert seed.report.department == "米易县人民政府办公室"
    assert seed.report.year == 2023
    assert seed.report.format == "txt"


def test_spans_and_quotes_are_exact(seed: ParsedReport) -> None:
    text = seed.report.text
    for figure in seed.figures:
        assert text[figure.start: figure.end] == figure.text, figure
        assert figure.text in figure.quote, figure
        if figure.source == "text":
            assert figure.quote in text


def test_section_paths(seed: ParsedReport) -> None:
    paths = {s.path for s in seed.sections}
    for path in ("第一部分", "第二部分", "第三部分", "第四部分", f"{S2} > 七、 > （二） > 3.", f"{S2} > 十、 > （四）"):
        assert path in paths
    pattern = re.compile(r"^(第[一二三四五六七八九十]+部分)( > \S+)*$")
    for figure in seed.figures:
        assert pattern.match(figure.section), figure.section
    # Narrative figures of 第二部分 stand in the 一、…十、 of the template.
    assert all(
        re.match(rf"{S2} > [一二三四五六七八九十]+、", f.section)
        for f in seed.figures if f.section.startswith(S2) and f.source == "text"
    )


def test_no_figure_from_years_dates_codes_numbering_or_thresholds(seed: ParsedReport) -> None:
    text = seed.report.text
    for figure in seed.figures:
        after = text[figure.end: figure.end + 3]
        before = text[max(0, figure.start - 3): figure.start]
        assert not re.match(r"\s*[类款项][）)]", after), figure
        assert not re.search(r"单价$", before), figure
        if figure.source == "text":
            # A 完成时间 target of 2023 年 in a 绩效指标 table is a figure; in the narrative a
            # number followed by 年/月/日 is a date.
            assert not re.match(r"\s*年|\s*月|\s*日", after), figure
            line_start = text.rfind("\n", 0, figure.start) + 1
            assert not re.fullmatch(r"\s*", text[line_start: figure.start]) or not re.match(r"[.．、]", after), figure
    assert not [f for f in seed.figures if f.source == "text" and f.value in (2022, 2023)]
    assert not [f for f in seed.figures if f.text == "100" and f.unit == "万元"]  # 单价100万元以上


def test_sections_cover_the_report(seed: ParsedReport) -> None:
    for section in seed.sections:
        assert 0 <= section.start < section.end <= len(seed.report.text)
        if section.parent is not None:
            parent = seed.sections[section.parent]
            assert parent.start <= section.start and section.end <= parent.end
            assert section.path.startswith(parent.path + " > ")
    assert [s.marker for s in seed.sections if s.level == 1] == ["第一部分", "第二部分", "第三部分", "第四部分"]


def test_chunks_keep_sentences_and_rows_whole(seed: ParsedReport) -> None:
    text = seed.report.text
    row_ends = {max(c.end for c in row if c.end is not None) for t in seed.tables for row in t.rows
                if any(c.end is not None for c in row)}
    assert seed.chunks
    first_section = seed.sections[0].start
    for chunk in seed.chunks:
        # The title line stands before 第一部分: no section, the report's title as heading.
        assert chunk.section or chunk.end <= first_section, chunk
        assert chunk.heading and " >  > " not in chunk.heading, chunk
        if not chunk.section:
            continue
        if chunk.kind == "table":
            assert chunk.end in row_ends, chunk
        else:
            ends_sentence = text[chunk.end - 1] in "。！？!?" or text[chunk.end: chunk.end + 1] in ("\n", "")
            assert ends_sentence or not text[chunk.end:].split("\n", 1)[0].strip(), chunk
            assert chunk.start == 0 or text[chunk.start - 1] in "。！？!?\n" or not text[:chunk.start].split("\n")[-1].strip()
        # A chunk's section is the one it stands in (paths repeat: 附件2 holds two reports).
        assert any(s.start <= chunk.start < s.end for s in seed.sections if s.path == chunk.section), chunk
