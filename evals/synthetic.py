"""Synthetic 部门决算 reports with known figures, for testing the parser and the rule suite.

`generate(seed)` writes a realistic report (the national template as the bundled sample
follows it: 第一部分 部门概况, 第二部分 sections 一、 to 十、 with their formulaic sentences,
第三部分 名词解释, 第四部分 附件 with one flattened 项目支出绩效自评表 per project) and returns
it with its ground truth: every figure stated, with metric, role, value, year, its span in
the text, and the relations it takes part in (which part sums to which total, which share
has which base, …).

The figures are made as a careful author makes them: money exact in 元 (four decimals of
万元), parts rounded half-up to the two decimals printed, totals the sum of the rounded parts,
shares / rates / completion rates rounded from the unrounded values. So a generated report
is consistent within display rounding, and any rule that flags it raises a false alarm.
Everything is `decimal.Decimal`; randomness comes only from `random.Random(seed)`.

`plant(text, family, rng, truth)` edits one figure or phrase so the report breaks one
relation of the given rule family, and records what it planted.

    python -m evals.synthetic --seed 3 > report.txt    # print one report
    python -m evals.synthetic --seed 3 --truth         # and its ground truth as JSON lines
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)

FAMILIES = ("sums", "shares", "yoy", "completion", "counts", "performance", "repeated", "hygiene")


def q2(value: Decimal) -> Decimal:
    """Round half-up to two decimals, as published."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def q0(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def ratio(part: Decimal, whole: Decimal) -> Decimal:
    """part / whole in percent, rounded to two decimals (0 when the whole is 0)."""
    return q2(HUNDRED * part / whole) if whole else ZERO


# --------------------------------------------------------------------------------------------
# Ground truth
# --------------------------------------------------------------------------------------------


@dataclass
class Fact:
    """One figure the generator printed."""

    key: str  # unique within the report
    metric: str  # the metric as the template names it (canonical where the lexicon has it)
    role: str
    value: Decimal
    text: str  # as printed
    unit: str
    year: int
    source: str = "text"  # "text" (narrative) or "table" (a cell of a 绩效自评表)
    compared_to: int | None = None
    direction: str | None = None
    base: str | None = None
    code: str | None = None
    subject: str | None = None
    column: str | None = None
    start: int = -1
    end: int = -1
    relations: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        data = asdict(self)
        data["value"] = str(self.value)
        return data


@dataclass
class Relation:
    """A relation among stated figures that a consistent report satisfies."""

    id: str
    family: str  # sums, shares, yoy, completion, counts, performance, repeated
    statement: str
    members: list[str]  # fact keys
    strict: bool = True  # an equality (a changed figure breaks it); False for inequalities only


@dataclass
class Project:
    """A project with its 绩效自评表 as printed (cells as text)."""

    name: str
    code: str
    budget_rows: list[list[str]]  # 预算执行 part, header row first
    indicator_rows: list[list[str]]  # 绩效指标 part, header row first, 合计 row last


@dataclass
class GroundTruth:
    seed: int
    department: str
    year: int
    facts: list[Fact]
    relations: list[Relation]
    projects: list[Project]

    def fact(self, key: str) -> Fact:
        return next(f for f in self.facts if f.key == key)

    def constrained(self) -> list[Fact]:
        """Facts that take part in at least one equality (the ones a rule could catch)."""
        strict = {r.id for r in self.relations if r.strict}
        return [f for f in self.facts if any(r in strict for r in f.relations)]

    def weakly_constrained(self) -> list[Fact]:
        """Facts bound only by inequalities (人次 ≥ 批次, 小微 ≤ 中小): most changes keep them true."""
        strict = {r.id for r in self.relations if r.strict}
        return [f for f in self.facts if f.relations and not any(r in strict for r in f.relations)]

    def unconstrained(self) -> list[Fact]:
        return [f for f in self.facts if not f.relations]


@dataclass
class Planted:
    """An error planted by `plant`."""

    family: str
    description: str
    start: int
    end: int  # span of the edited text in the new report
    before: str
    after: str
    fact: str | None = None  # key of the edited fact, when one was edited
    relations: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

PLACES = (
    "米易县", "盐边县", "仁和区", "东区", "西区", "青川县", "苍溪县", "剑阁县", "旺苍县", "平昌县",
    "南江县", "通江县", "昭化区", "朝天区", "恩阳区", "广元市", "巴中市", "攀枝花市",
)

# 功能分类 款/项 used below: (类 code, 类 name as printed in （三）, 款 code, 款 name, [(项 code, 项 name)]).
_KUAN = {
    "政府办": ("201", "一般公共服务", "03", "政府办公厅（室）及相关机构事务",
               [("01", "行政运行"), ("02", "一般行政管理事务"), ("50", "事业运行"),
                ("99", "其他政府办公厅（室）及相关机构事务支出")]),
    "发改": ("201", "一般公共服务", "04", "发展与改革事务", [("01", "行政运行"), ("02", "一般行政管理事务"), ("08", "物价管理")]),
    "统计": ("201", "一般公共服务", "05", "统计信息事务", [("01", "行政运行"), ("07", "专项普查活动"), ("08", "统计抽样调查")]),
    "财政": ("201", "一般公共服务", "06", "财政事务", [("01", "行政运行"), ("02", "一般行政管理事务"), ("50", "事业运行")]),
    "审计": ("201", "一般公共服务", "08", "审计事务", [("01", "行政运行"), ("04", "审计业务")]),
    "市场监管": ("201", "一般公共服务", "38", "市场监督管理事务", [("01", "行政运行"), ("04", "市场主体管理"), ("10", "食品安全监管")]),
    "教育": ("205", "教育", "01", "教育管理事务", [("01", "行政运行"), ("02", "一般行政管理事务")]),
    "普教": ("205", "教育", "02", "普通教育", [("02", "小学教育"), ("03", "初中教育"), ("04", "高中教育")]),
    "文旅": ("207", "文化旅游体育与传媒", "01", "文化和旅游", [("01", "行政运行"), ("09", "群众文化"), ("12", "文化和旅游市场管理")]),
    "民政": ("208", "社会保障和就业", "02", "民政管理事务", [("01", "行政运行"), ("06", "社会组织管理"), ("08", "基层政权建设和社区治理")]),
    "卫健": ("210", "卫生健康", "01", "卫生健康管理事务", [("01", "行政运行"), ("02", "一般行政管理事务")]),
    "公卫": ("210", "卫生健康", "04", "公共卫生", [("08", "基本公共卫生服务"), ("09", "重大公共卫生服务")]),
    "环保": ("211", "节能环保", "01", "环境保护管理事务", [("01", "行政运行"), ("04", "生态环境保护宣传")]),
    "住建": ("212", "城乡社区", "01", "城乡社区管理事务", [("01", "行政运行"), ("02", "一般行政管理事务")]),
    "农业": ("213", "农林水", "01", "农业农村", [("01", "行政运行"), ("04", "事业运行"), ("08", "病虫害控制")]),
    "水利": ("213", "农林水", "03", "水利", [("01", "行政运行"), ("06", "水利工程运行与维护"), ("14", "防汛")]),
    "交通": ("214", "交通运输", "01", "公路水路运输", [("01", "行政运行"), ("12", "公路和运输安全")]),
    "应急": ("224", "灾害防治及应急管理", "01", "应急管理事务", [("01", "行政运行"), ("04", "灾害风险防治")]),
}
_COMMON_KUAN = [
    ("208", "社会保障和就业", "05", "行政事业单位养老支出",
     [("01", "行政单位离退休"), ("02", "事业单位离退休"), ("05", "机关事业单位基本养老保险缴费支出"),
      ("06", "机关事业单位职业年金缴费支出")]),
    ("208", "社会保障和就业", "08", "抚恤", [("01", "死亡抚恤")]),
    ("210", "卫生健康", "11", "行政事业单位医疗", [("01", "行政单位医疗"), ("02", "事业单位医疗"), ("03", "公务员医疗补助")]),
    ("221", "住房保障", "02", "住房改革支出", [("01", "住房公积金")]),
]
_CLASS_NAMES = {"201": "一般公共服务支出", "205": "教育支出", "207": "文化旅游体育与传媒支出",
                "208": "社会保障和就业支出", "210": "卫生健康支出", "211": "节能环保支出", "212": "城乡社区支出",
                "213": "农林水支出", "214": "交通运输支出", "221": "住房保障支出", "224": "灾害防治及应急管理支出"}

# Department kinds: (suffix, 款 keys, duties, sub-units, projects)
_DEPARTMENTS = [
    ("人民政府办公室", ["政府办"],
     ["协助政府领导组织起草或审核以政府、政府办公室名义发布的公文", "负责政府会议的准备工作，协助政府领导组织实施及跟踪督办会议决定事项",
      "督促检查政府决定事项及政府领导指示的贯彻落实情况", "负责政府值班工作，及时报告重要情况", "做好政府信息公开工作，并指导、监督政府信息公开工作",
      "承办政府和政府领导交办的其他事项"],
     ["机关效能建设事务中心", "政务服务中心"],
     ["政府工作专项经费", "党政网络、网站运行维护经费", "援藏援彝等其他", "政务信息化建设经费", "应急值守保障经费"]),
    ("财政局", ["财政"],
     ["贯彻执行国家财税政策，拟订本级财政发展规划", "承担本级各项财政收支管理的责任，负责编制年度预决算草案并组织执行",
      "负责政府非税收入管理，负责政府性基金管理", "负责政府采购监督管理", "负责管理本级国有资本经营预算", "承办本级政府交办的其他事项"],
     ["财政国库支付中心", "非税收入征收管理中心", "财政投资评审中心"],
     ["财政信息化运行维护经费", "预算绩效评价工作经费", "国库集中支付代理银行手续费", "政府采购监管工作经费", "非税收入征管经费"]),
    ("发展和改革局", ["发改"],
     ["拟订并组织实施国民经济和社会发展战略、中长期规划和年度计划", "负责汇总分析经济运行形势，提出宏观调控建议",
      "负责投资综合管理，安排政府投资项目", "推进经济体制改革", "负责价格管理和监督工作", "承办本级政府交办的其他事项"],
     ["价格认证中心", "重点项目服务中心"],
     ["重点项目前期工作经费", "价格监测工作经费", "粮食安全保障经费", "以工代赈项目管理经费"]),
    ("教育和体育局", ["教育", "普教"],
     ["贯彻执行国家教育方针、政策和法律法规", "统筹规划和管理全县各级各类教育", "负责义务教育均衡发展和教育督导工作",
      "负责教师队伍建设和管理", "统筹推进学校体育、卫生与艺术教育工作", "承办本级政府交办的其他事项"],
     ["教师发展中心", "学生资助管理中心", "第一中学", "实验小学"],
     ["学生资助工作经费", "教师培训专项经费", "义务教育薄弱环节改善经费", "学校安全保障经费", "教育质量监测经费"]),
    ("卫生健康局", ["卫健", "公卫"],
     ["贯彻执行国民健康政策，拟订卫生健康事业发展规划", "协调推进深化医药卫生体制改革", "负责疾病预防控制和公共卫生应急工作",
      "组织实施基本公共卫生服务项目", "负责人口监测和计划生育服务管理", "承办本级政府交办的其他事项"],
     ["疾病预防控制中心", "妇幼保健院", "卫生健康综合执法大队"],
     ["基本公共卫生服务经费", "重大传染病防控经费", "家庭医生签约服务经费", "计划生育奖励扶助经费", "卫生监督执法经费"]),
    ("民政局", ["民政"],
     ["贯彻执行民政工作的方针政策和法律法规", "负责社会组织登记和监督管理", "负责城乡最低生活保障和特困人员救助供养工作",
      "负责养老服务体系建设", "负责行政区划、地名和殡葬管理工作", "承办本级政府交办的其他事项"],
     ["社会福利院", "救助管理站", "殡仪馆"],
     ["城乡低保工作经费", "社会组织管理经费", "养老服务体系建设经费", "困难群众救助工作经费"]),
    ("农业农村局", ["农业"],
     ["贯彻执行农业农村工作的方针政策", "统筹推进乡村振兴战略实施", "负责种植业、畜牧业、渔业等农业各产业的监督管理",
      "负责农产品质量安全监督管理", "负责农业防灾减灾和动植物疫病防控", "承办本级政府交办的其他事项"],
     ["农业技术推广中心", "畜牧兽医服务中心", "农业综合执法大队"],
     ["动物疫病防控经费", "农作物病虫害防治经费", "高标准农田建设管理经费", "农产品质量安全监测经费", "乡村振兴工作经费"]),
    ("水利局", ["水利"],
     ["负责保障水资源的合理开发利用", "组织实施水利工程建设与运行管理", "负责水旱灾害防御工作",
      "负责河湖长制日常工作", "负责农村饮水安全工程管理", "承办本级政府交办的其他事项"],
     ["水利工程管理站", "河道管理所"],
     ["防汛抗旱工作经费", "河湖长制工作经费", "农村饮水安全维修养护经费", "水资源管理工作经费"]),
    ("交通运输局", ["交通"],
     ["贯彻执行交通运输行业的方针政策和法律法规", "负责公路、水路交通运输行业管理", "负责农村公路建设和养护管理",
      "负责道路运输和交通安全监督管理", "承办本级政府交办的其他事项"],
     ["公路养护管理段", "交通运输综合行政执法大队"],
     ["农村公路养护经费", "道路运输安全监管经费", "交通运输执法经费", "公路安全生命防护工程经费"]),
    ("生态环境局", ["环保"],
     ["负责建立健全生态环境基本制度", "负责重大生态环境问题的统筹协调和监督管理", "负责大气、水、土壤等污染防治的监督管理",
      "负责生态环境监测工作", "组织开展生态环境保护宣传教育", "承办本级政府交办的其他事项"],
     ["生态环境监测站", "生态环境保护综合行政执法大队"],
     ["大气污染防治经费", "环境监测运行经费", "生态环境执法经费", "饮用水水源地保护经费"]),
    ("住房和城乡建设局", ["住建"],
     ["贯彻执行住房和城乡建设的方针政策和法律法规", "负责住房保障和房地产市场监督管理", "负责建筑市场和工程质量安全监督管理",
      "负责城市管理和市政公用事业", "承办本级政府交办的其他事项"],
     ["建设工程质量安全监督站", "房地产服务中心"],
     ["城市管理维护经费", "工程质量安全监督经费", "农村危房改造工作经费", "老旧小区改造工作经费"]),
    ("应急管理局", ["应急"],
     ["负责应急管理工作，指导应对安全生产类、自然灾害类等突发事件", "组织编制应急体系建设规划", "负责安全生产综合监督管理",
      "负责自然灾害防治和救灾工作", "承办本级政府交办的其他事项"],
     ["应急救援指挥中心", "安全生产执法大队"],
     ["安全生产监管经费", "森林草原防灭火经费", "应急救援物资储备经费", "自然灾害防治经费"]),
    ("文化广播电视和旅游局", ["文旅"],
     ["贯彻执行文化、广播电视和旅游工作的方针政策", "统筹规划文化事业、文化产业和旅游业发展", "负责公共文化服务体系建设",
      "负责文化和旅游市场监督管理", "负责文物保护和非物质文化遗产保护", "承办本级政府交办的其他事项"],
     ["文化馆", "图书馆", "文物管理所"],
     ["公共文化服务体系建设经费", "旅游宣传推广经费", "文物保护工作经费", "文化市场综合执法经费"]),
    ("审计局", ["审计"],
     ["主管本级审计工作，拟订审计项目计划", "对本级预算执行情况、决算草案以及其他财政收支情况进行审计监督",
      "负责政府投资项目审计", "组织实施经济责任审计", "承办本级政府交办的其他事项"],
     ["政府投资审计中心"],
     ["审计业务工作经费", "政府投资项目审计经费", "审计信息化建设经费"]),
    ("统计局", ["统计"],
     ["组织实施统计调查，收集、汇总和管理统计数据", "负责国民经济核算工作", "组织实施各项普查",
      "开展统计分析和统计监督", "承办本级政府交办的其他事项"],
     ["普查中心"],
     ["统计调查工作经费", "经济普查工作经费", "统计执法检查经费"]),
    ("市场监督管理局", ["市场监管"],
     ["负责市场综合监督管理", "负责市场主体统一登记注册", "负责食品安全监督管理", "负责特种设备安全监督管理",
      "负责计量、标准化和质量监督工作", "承办本级政府交办的其他事项"],
     ["食品药品检验所", "市场监管综合执法大队"],
     ["食品安全抽检经费", "特种设备安全监管经费", "市场主体登记管理经费", "知识产权保护经费"]),
]

_CAR_BODIES = ("轿车", "越野车", "商务车")
_CAR_USES = ("主要领导干部用车", "机要通信用车", "应急保障用车", "执法执勤用车", "特种专业技术用车", "其他用车")
_REASON_UP = ("业务工作量增加", "人员增加及工资调整", "项目支出增加", "基本支出人员经费增加")
_REASON_DOWN = ("严格落实过紧日子要求，压减一般性支出", "项目支出减少", "部分项目完工，支出减少", "严控公用经费支出")

_INDICATORS = [
    # (一级, 二级, 三级, 性质, 指标值, 单位, 完成值)
    ("产出指标", "数量指标", "完成工作任务数", "≥", "{n}", "项", "{n}"),
    ("产出指标", "数量指标", "召开会议及出差次数", "≥", "{n}", "次", "已全部完成"),
    ("产出指标", "数量指标", "覆盖乡镇数", "＝", "{n}", "个", "{n}"),
    ("产出指标", "质量指标", "工作完成合格率", "≥", "95", "%", "100"),
    ("产出指标", "质量指标", "各项工作完成度", "定性", "优良中低差", "", "已全部完成"),
    ("产出指标", "时效指标", "完成时间", "＝", "12", "月", "已全部完成"),
    ("产出指标", "时效指标", "资金支付及时率", "≥", "90", "%", "100"),
    ("产出指标", "成本指标", "资金投入", "≤", "{cost}", "元", "已全部完成"),
    ("效益指标", "社会效益指标", "促进经济社会发展", "定性", "优良中低差", "", "已全部完成"),
    ("效益指标", "社会效益指标", "群众办事便利度", "定性", "有效提升", "", "有效提升"),
    ("效益指标", "可持续影响指标", "长效管理机制", "定性", "健全", "", "健全"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "{sat}", "%", "{sat2}"),
]


# --------------------------------------------------------------------------------------------
# Writer: text with spans
# --------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def line(self, *pieces: str | Fact) -> None:
        for piece in pieces:
            if isinstance(piece, Fact):
                piece.start, piece.end = self.pos, self.pos + len(piece.text)
                text = piece.text
            else:
                text = piece
            assert "\n" not in text, text
            self.parts.append(text)
            self.pos += len(text)
        self.parts.append("\n")
        self.pos += 1

    def blank(self) -> None:
        self.line("")

    @property
    def text(self) -> str:
        return "".join(self.parts)


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        rng = self.rng
        self.year = rng.randint(2019, 2024)
        self.prior = self.year - 1
        self.place = rng.choice(PLACES)
        kind = rng.choice(_DEPARTMENTS)
        self.kind = kind
        self.dept = self.place + kind[0]
        self.strip_zeros = rng.random() < 0.25  # some authors print 86.6 for 86.60
        self.facts: list[Fact] = []
        self.relations: list[Relation] = []
        self.projects: list[Project] = []
        self.w = _Writer()

    # ---- facts and relations ------------------------------------------------------------

    def _fmt_amount(self, v: Decimal) -> str:
        if v == 0:
            return "0"
        text = f"{v:.2f}"
        if self.strip_zeros:
            text = text.rstrip("0").rstrip(".")
        return text

    def _fmt_pct(self, v: Decimal) -> str:
        if v in (ZERO, HUNDRED):
            return str(int(v))
        text = f"{v:.2f}"
        if self.strip_zeros:
            text = text.rstrip("0").rstrip(".")
        return text

    def fact(self, key: str, metric: str, role: str, value: Decimal, unit: str = "万元", *, text: str | None = None,
             source: str = "text", **kw) -> Fact:
        if text is None:
            if unit == "%":
                text = self._fmt_pct(value)
            elif unit in ("万元", "元") and role in ("amount", "change_amount"):
                text = self._fmt_amount(value)
            else:
                text = str(value)
        if any(f.key == key for f in self.facts):
            raise ValueError(f"duplicate fact key {key}")
        f = Fact(key=key, metric=metric, role=role, value=value, text=text, unit=unit, year=kw.pop("year", self.year),
                 source=source, **kw)
        self.facts.append(f)
        return f

    def rel(self, family: str, statement: str, *members: Fact, strict: bool = True) -> None:
        rid = f"{family}:{len(self.relations)}"
        self.relations.append(Relation(rid, family, statement, [m.key for m in members], strict))
        for m in members:
            m.relations.append(rid)

    def money(self, lo: float, hi: float) -> Decimal:
        """An exact amount in 万元 (whole 元, i.e. four decimals), log-uniform in [lo, hi]."""
        value = self.rng.uniform(0, 1)
        amount = Decimal(str(lo)) * (Decimal(str(hi)) / Decimal(str(lo))) ** Decimal(str(value))
        return Decimal(int(amount * 10000)) / 10000

    def prior_of(self, current: Decimal, flat_ok: bool = False) -> Decimal:
        """A plausible prior-year figure (two decimals), different from `current` unless flat."""
        r = self.rng.random()
        if flat_ok and r < 0.1:
            return current
        while True:
            factor = Decimal(str(round(self.rng.uniform(0.7, 1.35), 4)))
            prior = q2(current * factor)
            if prior != current and prior > 0:
                return prior

    def yoy(self, key: str, metric: str, current: Decimal, prior: Decimal, cur_fact: Fact, *, lead: str,
            rate: bool = True) -> list[str | Fact]:
        """The change phrase pieces ('增加X万元，增长Y%') and their facts and relations.

        `lead` is the wording before the direction word (e.g. '与2022年度相比，收、支总计各').
        """
        change = current - prior
        if change == 0:
            return [f"与{self.prior}年度持平"]
        up = change > 0
        amount = self.fact(f"{key}.change", metric, "change_amount", abs(change), compared_to=self.prior,
                           direction="increase" if up else "decrease")
        pieces: list[str | Fact] = [lead, "增加" if up else "减少", amount, "万元"]
        if rate and prior > 0:
            pct = self.fact(f"{key}.rate", metric, "change_rate", ratio(abs(change), prior), "%",
                            compared_to=self.prior, direction="increase" if up else "decrease")
            pieces += ["，", "增长" if up else "下降", pct, "%"]
            self.rel("yoy", f"{metric}: 增减率 = 增减额 / (本年 − 增减额)", cur_fact, amount, pct)
        else:
            self.rel("yoy", f"{metric}: 上年 = 本年 − 增减额 ≥ 0", cur_fact, amount)
        return pieces

    # ---- the report ---------------------------------------------------------------------

    def build(self) -> tuple[str, GroundTruth]:
        self._figures()
        self._part_one()
        self._part_two()
        self._part_three()
        self._part_four()
        text = self.w.text
        for f in self.facts:
            assert text[f.start:f.end] == f.text, (f.key, f.text, text[f.start:f.end])
        truth = GroundTruth(self.seed, self.dept, self.year, self.facts, self.relations, self.projects)
        return text, truth

    def _figures(self) -> None:
        """Draw all the amounts first (parts exact, then rounded; totals sum the rounded parts)."""
        rng = self.rng
        scale = self.money(80, 30000)  # size of the department's budget, 万元
        items: list[tuple[str, str, str, str, str, str, Decimal]] = []  # 类code, 类name, 款code, 款name, 项code, 项name, amount
        for key in self.kind[1]:
            c, cname, k, kname, xiangs = _KUAN[key]
            chosen = [xiangs[0]] + [x for x in xiangs[1:] if rng.random() < 0.6]
            for xc, xname in chosen:
                share = Decimal(str(rng.uniform(0.04, 0.5)))
                items.append((c, cname, k, kname, xc, xname, q2(scale * share * Decimal(str(rng.uniform(0.5, 1))))))
        for c, cname, k, kname, xiangs in _COMMON_KUAN:
            if k == "08" and rng.random() < 0.6:
                continue
            for xc, xname in xiangs:
                if xc == "02" and c == "208" and rng.random() < 0.5:
                    continue
                if xc == "02" and c == "210" and rng.random() < 0.4:
                    continue
                items.append((c, cname, k, kname, xc, xname, q2(scale * Decimal(str(rng.uniform(0.005, 0.08))))))
        items = [i for i in items if i[6] > 0]
        # keep the template order: by 类 code, then 款, then 项
        items.sort(key=lambda i: (i[0], i[2], i[4]))
        self.items = items
        self.G = sum((i[6] for i in items), ZERO)  # 一般公共预算财政拨款支出
        personnel = q2(self.G * Decimal(str(rng.uniform(0.45, 0.8))))
        public = q2(self.G * Decimal(str(rng.uniform(0.04, 0.15))))
        self.personnel, self.public = personnel, public
        self.Gb = personnel + public
        self.Gp = self.G - self.Gb
        # Income other than appropriations (事业收入, 其他收入), for some departments
        self.other_income: list[tuple[str, Decimal]] = []
        if rng.random() < 0.35:
            if rng.random() < 0.6:
                self.other_income.append(("事业收入", q2(self.G * Decimal(str(rng.uniform(0.02, 0.3))))))
            self.other_income.append(("其他收入", q2(self.G * Decimal(str(rng.uniform(0.002, 0.05))))))
        self.O = sum((a for _, a in self.other_income), ZERO)
        ob = q2(self.O * Decimal(str(rng.uniform(0, 1)))) if self.O else ZERO
        self.B = self.Gb + ob
        self.P = self.Gp + (self.O - ob)
        self.E = self.B + self.P
        assert self.E == self.G + self.O
        self.T = self.E
        self.T0 = self.prior_of(self.T)
        self.G0 = self.prior_of(self.G) if self.O else self.T0
        # 三公
        self.cars = rng.choice([0, 1, 2, 3, 3, 4, 5, 6, 8, 12])
        zero_sg = rng.random() < 0.08
        base = min(scale, Decimal(3000))
        self.abroad = ZERO if zero_sg or rng.random() < 0.85 else q2(base * Decimal(str(rng.uniform(0.001, 0.01))))
        buys = 0 if zero_sg or self.cars == 0 or rng.random() < 0.8 else rng.randint(1, min(2, self.cars))
        self.car_buys = buys
        self.car_buy = q2(Decimal(str(rng.uniform(12, 28))) * buys) if buys else ZERO
        self.car_run = ZERO if zero_sg or self.cars == 0 else q2(Decimal(self.cars) * Decimal(str(rng.uniform(0.8, 4.5))))
        self.car = self.car_buy + self.car_run
        self.domestic = ZERO if zero_sg or rng.random() < 0.05 else q2(base * Decimal(str(rng.uniform(0.0005, 0.008))))
        self.foreign = ZERO if zero_sg or rng.random() < 0.9 else q2(Decimal(str(rng.uniform(0.1, 2))))
        self.reception = self.domestic + self.foreign
        self.S = self.abroad + self.car + self.reception
        self.abroad0 = ZERO if self.abroad == 0 and rng.random() < 0.8 else self.prior_of(self.abroad or Decimal("3.2"))
        self.car0 = self.prior_of(self.car, flat_ok=True) if self.car else (ZERO if rng.random() < 0.5 else self.prior_of(Decimal("4.5")))
        self.reception0 = self.prior_of(self.reception, flat_ok=True) if self.reception else ZERO
        self.S0 = self.abroad0 + self.car0 + self.reception0

    # ---- 第一部分 -------------------------------------------------------------------------

    def _part_one(self) -> None:
        w, rng = self.w, self.rng
        w.line(f"{self.year}年度{self.dept}部门决算")
        w.line(" 第一部分 部门概况")
        w.line("一、部门职责")
        for n, duty in enumerate(self.kind[2], 1):
            w.line(f"（{_cn(n)}）{duty}。")
            w.blank()
        w.line("二、机构设置")
        subs = [u for u in self.kind[3] if rng.random() < 0.5]
        units = [self.dept] + [self.place + u for u in subs]
        admin = 1
        civil = sum(1 for u in subs if u.endswith(("大队", "中心")) and rng.random() < 0.5)
        other = len(units) - admin - civil
        total_f = self.fact("units.total", "部门下属二级预算单位", "count", Decimal(len(units)), "个")
        a = self.fact("units.admin", "行政单位", "count", Decimal(admin), "个")
        b = self.fact("units.civil", "参照公务员法管理的事业单位", "count", Decimal(civil), "个")
        c = self.fact("units.other", "其他事业单位", "count", Decimal(other), "个")
        w.line(f"{self.dept}部门下属二级预算单位", total_f, "个。其中行政单位", a, "个，参照公务员法管理的事业单位", b,
               "个，其他事业单位", c, "个。")
        self.rel("counts", "二级预算单位 = 行政 + 参公 + 其他事业单位", total_f, a, b, c)
        w.blank()
        w.line(f"纳入{self.dept}部门{self.year}年度部门决算编制范围的二级预算单位包括：{'、'.join(units)}。")

    # ---- 第二部分 -------------------------------------------------------------------------

    def _part_two(self) -> None:
        w, Y, P0 = self.w, self.year, self.prior
        w.line(f"第二部分 {Y}年度部门决算情况说明")
        # 一、
        w.line("一、收入支出决算总体情况说明")
        t = self.fact("收支总计", "收支总计", "amount", self.T)
        change = self.yoy("收支总计", "收支总计", self.T, self.T0, t, lead=f"与{P0}年度相比，收、支总计各")
        reason = self._reason(self.T > self.T0)
        w.line(f"{Y}年度收、支总计均为", t, "万元。", *change, f"。主要变动原因是{reason}。")
        w.line(" （图1：收、支决算总计变动情况图）")
        # 二、
        w.line("二、收入决算情况说明")
        income = self.fact("本年收入合计", "本年收入合计", "amount", self.T)
        self.rel("repeated", "本年收入合计 = 收支总计（无年初结转和结余）", t, income)
        sources = [("一般公共预算财政拨款收入", self.G)] + self.other_income
        pieces: list[str | Fact] = [f"{Y}年度本年收入合计", income, "万元，其中："]
        parts = []
        for n, (name, amount) in enumerate(sources):
            a = self.fact(f"收入.{name}", name, "amount", amount)
            s = self.fact(f"收入.{name}.share", name, "share", ratio(amount, self.T), "%", base="本年收入合计")
            self.rel("shares", f"{name}占本年收入合计", a, s, income)
            parts.append(a)
            pieces += [name, a, "万元，占", s, "%", "；" if n < len(sources) - 1 else "。"]
        self.rel("sums", "本年收入合计 = Σ 收入来源", income, *parts)
        w.line(*pieces)
        self.income_gpb = parts[0]
        w.line(" （图2：收入决算结构图）")
        # 三、
        w.line("三、支出决算情况说明")
        spend = self.fact("本年支出合计", "本年支出合计", "amount", self.E)
        self.rel("repeated", "本年支出合计 = 本年收入合计（收支平衡，无结转）", income, spend)
        basic = self.fact("基本支出", "基本支出", "amount", self.B)
        bs = self.fact("基本支出.share", "基本支出", "share", ratio(self.B, self.E), "%", base="本年支出合计")
        proj = self.fact("项目支出", "项目支出", "amount", self.P)
        ps = self.fact("项目支出.share", "项目支出", "share", ratio(self.P, self.E), "%", base="本年支出合计")
        self.rel("sums", "本年支出合计 = 基本支出 + 项目支出", spend, basic, proj)
        self.rel("shares", "基本支出占本年支出合计", basic, bs, spend)
        self.rel("shares", "项目支出占本年支出合计", proj, ps, spend)
        w.line(f"{Y}年度本年支出合计", spend, "万元，其中：基本支出", basic, "万元，占", bs, "%；项目支出", proj, "万元，占", ps, "%。")
        w.line(" （图3：支出决算结构图）")
        # 四、
        w.line("四、财政拨款收入支出决算总体情况说明")
        f_total = self.fact("财政拨款收支总计", "财政拨款收支总计", "amount", self.G)
        self.rel("repeated", "财政拨款收支总计 = 一般公共预算财政拨款收入（政府性基金、国有资本经营为0）", f_total, self.income_gpb)
        change = self.yoy("财政拨款收支总计", "财政拨款收支总计", self.G, self.G0, f_total,
                          lead=f"与{P0}年度相比，财政拨款收、支总计各")
        w.line(f"{Y}年度财政拨款收、支总计均为", f_total, "万元。", *change, f"。主要变动原因是{self._reason(self.G > self.G0)}。")
        w.blank()
        w.line("（图4：财政拨款收、支决算总计变动情况）")
        # 五、
        w.line("五、一般公共预算财政拨款支出决算情况说明")
        w.line("（一）一般公共预算财政拨款支出决算总体情况")
        g1 = self.fact("一般公共预算财政拨款支出.1", "一般公共预算财政拨款支出", "amount", self.G)
        g1s = self.fact("一般公共预算财政拨款支出.share", "一般公共预算财政拨款支出", "share", ratio(self.G, self.E), "%",
                        base="本年支出合计")
        self.rel("shares", "一般公共预算财政拨款支出占本年支出合计", g1, g1s, spend)
        self.rel("repeated", "一般公共预算财政拨款支出 = 财政拨款收支总计", g1, f_total)
        change = self.yoy("一般公共预算财政拨款支出", "一般公共预算财政拨款支出", self.G, self.G0, g1,
                          lead=f"与{P0}年度相比，一般公共预算财政拨款支出")
        w.line(f"{Y}年度一般公共预算财政拨款支出", g1, "万元，占本年支出合计的", g1s, "%。", *change,
               f"。主要变动原因是{self._reason(self.G > self.G0)}。")
        w.line("（图5：一般公共预算财政拨款支出决算变动情况）")
        w.line("（二）一般公共预算财政拨款支出决算结构情况")
        g2 = self.fact("一般公共预算财政拨款支出.2", "一般公共预算财政拨款支出", "amount", self.G)
        self.rel("repeated", "一般公共预算财政拨款支出（结构）= 总体", g1, g2)
        classes: dict[str, Decimal] = {}
        for item in self.items:
            classes[item[0]] = classes.get(item[0], ZERO) + item[6]
        pieces = [f"{Y}年度一般公共预算财政拨款支出", g2, "万元，主要用于以下方面:"]
        class_facts: dict[str, Fact] = {}
        for n, (code, amount) in enumerate(classes.items()):
            name = _CLASS_NAMES[code]
            a = self.fact(f"类.{code}", name, "amount", amount, code=code)
            s = self.fact(f"类.{code}.share", name, "share", ratio(amount, self.G), "%", code=code,
                          base="一般公共预算财政拨款支出")
            self.rel("shares", f"{name}占一般公共预算财政拨款支出", a, s, g2)
            class_facts[code] = a
            pieces += [name, a, "万元，占", s, "%", "；" if n < len(classes) - 1 else "。"]
        self.rel("sums", "一般公共预算财政拨款支出 = Σ 类", g2, *class_facts.values())
        w.line(*pieces)
        w.line(" （图6：一般公共预算财政拨款支出决算结构）")
        w.line("（三）一般公共预算财政拨款支出决算具体情况")
        g3 = self.fact("一般公共预算财政拨款支出.3", "一般公共预算财政拨款支出", "amount", self.G)
        self.rel("repeated", "一般公共预算财政拨款支出（具体）= 总体", g1, g3)
        with_budget = self.rng.random() < 0.4
        if with_budget:
            budget = q2(self.G * Decimal(str(self.rng.uniform(1.0, 1.08))))
            gb = self.fact("一般公共预算财政拨款支出.年初预算", "一般公共预算财政拨款支出 年初预算", "amount", budget)
            gr = self.fact("一般公共预算财政拨款支出.completion", "一般公共预算财政拨款支出", "completion_rate",
                           ratio(self.G, budget), "%", base="年初预算")
            self.rel("completion", "一般公共预算财政拨款支出完成率 = 决算 / 年初预算", g3, gb, gr)
            w.line(f"{Y}年度一般公共预算财政拨款支出年初预算为", gb, "万元，支出决算为", g3, "万元，完成年初预算的", gr, "%。其中：")
        else:
            gr = self.fact("一般公共预算财政拨款支出.completion", "一般公共预算财政拨款支出", "completion_rate", HUNDRED, "%",
                           base="预算")
            w.line(f"{Y}年度一般公共预算支出决算数为", g3, "万元，完成预算", gr, "%。其中：")
        by_class: dict[str, list[Fact]] = {}
        for n_item, item in enumerate(self.items):
            c, cname, k, kname, xc, xname, amount = item
            code = c + k + xc
            head = ""
            if c not in by_class:
                by_class[c] = []
                head = f"{len(by_class)}."
            a = self.fact(f"项.{code}", xname, "amount", amount, code=code)
            by_class[c].append(a)
            label = f"{cname}（{c}类）{kname}（{k}款）{xname}（{xc}项）"
            last = n_item == len(self.items) - 1
            if with_budget:
                budget = q2(amount * Decimal(str(self.rng.choice([1, 1, 1.02, 1.05, 1.1]))))
                b = self.fact(f"项.{code}.年初预算", f"{xname} 年初预算", "amount", budget, code=code)
                r = self.fact(f"项.{code}.completion", xname, "completion_rate", ratio(amount, budget), "%",
                              code=code, base="年初预算")
                self.rel("completion", f"{xname}完成率 = 决算 / 年初预算", a, b, r)
                w.line(f"{head}{label}：年初预算为", b, "万元，支出决算为", a, "万元，完成年初预算的", r, "%" + ("。" if last else "；"))
            else:
                r = self.fact(f"项.{code}.completion", xname, "completion_rate", HUNDRED, "%", code=code, base="预算")
                w.line(f"{head}{label}：支出决算为", a, "万元，完成预算", r, "%" + ("。" if last else "；"))
            if not last:
                w.blank()
        for c, members in by_class.items():
            self.rel("sums", f"{_CLASS_NAMES[c]} = Σ 项", class_facts[c], *members)
        # 六、
        w.line("六、一般公共预算财政拨款基本支出决算情况说明")
        w.blank()
        gb_f = self.fact("一般公共预算财政拨款基本支出", "一般公共预算财政拨款基本支出", "amount", self.Gb)
        pe = self.fact("人员经费", "人员经费", "amount", self.personnel)
        pu = self.fact("公用经费", "公用经费", "amount", self.public)
        self.rel("sums", "一般公共预算财政拨款基本支出 = 人员经费 + 公用经费", gb_f, pe, pu)
        if not self.O:
            self.rel("repeated", "一般公共预算财政拨款基本支出 = 基本支出（无其他收入）", gb_f, basic)
        w.line(f"{Y}年度一般公共预算财政拨款基本支出", gb_f, "万元，其中：")
        w.line("人员经费", pe, "万元，主要包括：基本工资、津贴补贴、奖金、绩效工资、机关事业单位基本养老保险缴费、职业年金缴费、"
               "职工基本医疗保险缴费、公务员医疗补助缴费、其他社会保障缴费、住房公积金、其他工资福利支出、抚恤金、生活补助、医疗费补助、奖励金等。")
        w.line("公用经费", pu, "万元，主要包括：办公费、邮电费、差旅费、会议费、公务接待费、福利费、公务用车运行维护费、其他交通费、"
               "其他商品和服务支出等。")
        self._sangong()
        # 八、九、
        w.line("八、政府性基金预算支出决算情况说明")
        fund = self.fact("政府性基金预算财政拨款支出", "政府性基金预算财政拨款支出", "amount", ZERO)
        w.line(f"{Y}年度政府性基金预算财政拨款支出", fund, "万元。")
        w.line("九、国有资本经营预算支出决算情况说明")
        soe = self.fact("国有资本经营预算财政拨款支出", "国有资本经营预算财政拨款支出", "amount", ZERO)
        w.line(f"{Y}年度国有资本经营预算财政拨款支出", soe, "万元。")
        self._other_matters()

    def _reason(self, up: bool) -> str:
        return self.rng.choice(_REASON_UP if up else _REASON_DOWN)

    def _sangong(self) -> None:
        w, Y, P0, rng = self.w, self.year, self.prior, self.rng
        w.line("七、财政拨款“三公”经费支出决算情况说明")
        w.line("（一）“三公”经费财政拨款支出决算总体情况说明")
        s = self.fact("三公经费", "三公经费", "amount", self.S)
        pieces: list[str | Fact] = []
        with_budget = self.S > 0 and rng.random() < 0.4
        if with_budget:
            budget = q2(self.S * Decimal(str(rng.choice([1, 1.05, 1.1, 1.2, 1.35]))))
            sb = self.fact("三公经费.年初预算", "三公经费 年初预算", "amount", budget)
            sr = self.fact("三公经费.completion", "三公经费", "completion_rate", ratio(self.S, budget), "%", base="年初预算")
            self.rel("completion", "三公经费完成率 = 决算 / 年初预算", s, sb, sr)
            pieces = [f"{Y}年度“三公”经费财政拨款支出年初预算为", sb, "万元，支出决算为", s, "万元，完成年初预算的", sr, "%，"]
        elif self.S > 0:
            sr = self.fact("三公经费.completion", "三公经费", "completion_rate", HUNDRED, "%", base="预算")
            pieces = [f"{Y}年度“三公”经费财政拨款支出决算为", s, "万元，完成预算", sr, "%，"]
        else:
            pieces = [f"{Y}年度“三公”经费财政拨款支出决算为", s, "万元，"]
        change = self.S - self.S0
        if change == 0:
            pieces.append("与上年度持平。")
        else:
            up = change > 0
            ca = self.fact("三公经费.change", "三公经费", "change_amount", abs(change), compared_to=P0,
                           direction="increase" if up else "decrease")
            pieces += ["较上年度", "增加" if up else "减少", ca, "万元"]
            if self.S0 > 0:
                cr = self.fact("三公经费.rate", "三公经费", "change_rate", ratio(abs(change), self.S0), "%", compared_to=P0,
                               direction="increase" if up else "decrease")
                pieces += ["，", "增长" if up else "下降", cr, "%"]
                self.rel("yoy", "三公经费: 增减率 = 增减额 / 上年", s, ca, cr)
            else:
                self.rel("yoy", "三公经费: 上年 = 本年 − 增减额 ≥ 0", s, ca)
            pieces.append("。主要原因是" + ("公务活动增加。" if up else "认真落实中央八项规定精神，厉行节约，严控“三公”经费支出。"))
        w.line(*pieces)
        w.line("（二）“三公”经费财政拨款支出决算具体情况说明")
        parts = [("因公出国（境）费", self.abroad), ("公务用车购置及运行维护费", self.car), ("公务接待费", self.reception)]
        pieces = [f"{Y}年度“三公”经费财政拨款支出决算中，"]
        first: dict[str, Fact] = {}
        for n, (name, amount) in enumerate(parts):
            a = self.fact(f"三公.{name}", name, "amount", amount)
            first[name] = a
            pieces += [f"{name}支出决算", a, "万元"]
            if self.S > 0:
                sh = self.fact(f"三公.{name}.share", name, "share", ratio(amount, self.S), "%", base="三公经费")
                self.rel("shares", f"{name}占三公经费", a, sh, s)
                pieces += ["，占", sh, "%"]
            pieces.append("；" if n < 2 else "。具体情况如下：")
        self.rel("sums", "三公经费 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费", s, *first.values())
        w.line(*pieces)
        w.line(" （图7：“三公”经费财政拨款支出结构）")
        # 1. 因公出国（境）
        a = self.fact("三公.因公出国（境）费.2", "因公出国（境）费", "amount", self.abroad)
        self.rel("repeated", "因公出国（境）费两处一致", first["因公出国（境）费"], a)
        groups = 0 if self.abroad == 0 else rng.randint(1, 2)
        people = 0 if self.abroad == 0 else groups * rng.randint(1, 4)
        g = self.fact("出国.团组", "安排因公出国（境）团组", "count", Decimal(groups), "次")
        p = self.fact("出国.人数", "出国（境）", "count", Decimal(people), "人")
        self.rel("counts", "因公出国（境）: 团组为0当且仅当支出为0, 人数 ≥ 团组", a, g, p, strict=False)
        pieces = ["1.因公出国（境）经费支出", a, "万元"]
        if self.abroad > 0:
            r = self.fact("三公.因公出国（境）费.completion", "因公出国（境）费", "completion_rate", HUNDRED, "%", base="预算")
            pieces += ["，完成预算", r, "%"]
        pieces += ["。全年安排因公出国（境）团组", g, "次，出国（境）", p, "人。"]
        pieces += ["因公出国（境）支出决算", *self._part_change("出国", "因公出国（境）费", self.abroad, self.abroad0, a), "。"]
        w.line(*pieces)
        # 2. 公务用车
        a = self.fact("三公.公务用车购置及运行维护费.2", "公务用车购置及运行维护费", "amount", self.car)
        self.rel("repeated", "公务用车购置及运行维护费两处一致", first["公务用车购置及运行维护费"], a)
        pieces = ["2.公务用车购置及运行维护费支出", a, "万元"]
        if self.car > 0:
            r = self.fact("三公.公务用车购置及运行维护费.completion", "公务用车购置及运行维护费", "completion_rate", HUNDRED, "%",
                          base="预算")
            pieces += [",完成预算", r, "%"]
        pieces += ["。公务用车购置及运行维护费支出决算", *self._part_change("车", "公务用车购置及运行维护费", self.car, self.car0, a)]
        if self.car != self.car0:
            pieces.append("。主要原因是" + ("公务用车燃料费、维修维护费用增加" if self.car > self.car0 else "公务用车燃料费、维修维护费用减少"))
        pieces.append("。")
        w.line(*pieces)
        buy = self.fact("三公.公务用车购置费", "公务用车购置费", "amount", self.car_buy)
        nb = self.fact("车.购置数", "按规定更新购置公务用车", "count", Decimal(self.car_buys), "辆")
        self.rel("counts", "购置费为0当且仅当购置0辆", buy, nb, strict=False)
        n_cars = self.fact("车.公务用车", "公务用车", "count", Decimal(self.cars), "辆")
        pieces = ["其中：公务用车购置支出", buy, "万元。全年按规定更新购置公务用车", nb, f"辆。截至{Y}年12月31日，单位共有公务用车", n_cars, "辆"]
        body_facts = []
        if self.cars:
            split = _split(rng, self.cars, len(_CAR_BODIES))
            listed = [(name, k) for name, k in zip(_CAR_BODIES, split) if k]
            pieces.append("，其中：")
            for n, (name, k) in enumerate(listed):
                f = self.fact(f"车.车型.{name}", name, "count", Decimal(k), "辆")
                body_facts.append(f)
                pieces += [name, f, "辆", "、" if n < len(listed) - 1 else ""]
            self.rel("counts", "公务用车 = Σ 车型", n_cars, *body_facts)
        pieces.append("。")
        w.line(*pieces)
        self.n_cars_fact = n_cars
        run = self.fact("三公.公务用车运行维护费", "公务用车运行维护费", "amount", self.car_run)
        self.rel("sums", "公务用车购置及运行维护费 = 购置费 + 运行维护费", a, buy, run)
        w.line("公务用车运行维护费支出", run, "万元。主要用于开展工作所需的公务用车燃料费、维修费、过路过桥费、保险费等支出。")
        # 3. 公务接待
        a = self.fact("三公.公务接待费.2", "公务接待费", "amount", self.reception)
        self.rel("repeated", "公务接待费两处一致", first["公务接待费"], a)
        pieces = ["3.公务接待费支出", a, "万元"]
        if self.reception > 0:
            r = self.fact("三公.公务接待费.completion", "公务接待费", "completion_rate", HUNDRED, "%", base="预算")
            pieces += ["，完成预算", r, "%"]
        pieces += ["。公务接待费支出决算", *self._part_change("接待", "公务接待费", self.reception, self.reception0, a)]
        if self.reception != self.reception0:
            pieces.append("。主要原因是" + ("公务接待批次和人次较上年有所增加" if self.reception > self.reception0 else "公务接待批次和人次较上年有所减少"))
        pieces.append("。其中：")
        w.line(*pieces)
        dom = self.fact("三公.国内公务接待费", "国内公务接待费", "amount", self.domestic)
        batches = 0 if self.domestic == 0 else max(1, int(self.domestic * rng.randint(8, 25)))
        persons = batches * rng.randint(3, 9)
        bt = self.fact("接待.批次", "国内公务接待费", "count", Decimal(batches), "批次")
        ps = self.fact("接待.人次", "国内公务接待费", "count", Decimal(persons), "人次")
        dom2 = self.fact("三公.国内公务接待费.2", "国内公务接待费", "amount", self.domestic)
        self.rel("repeated", "国内公务接待费两处一致", dom, dom2)
        self.rel("counts", "国内公务接待: 批次为0当且仅当支出为0, 人次 ≥ 批次", dom, bt, ps, strict=False)
        w.line("国内公务接待支出", dom, "万元，主要用于执行公务、开展业务活动开支的用餐费等。国内公务接待", bt, "批次，", ps,
               "人次（不包括陪同人员），共计支出", dom2, "万元，具体内容包括：上级部门到我单位调研、检查督导工作等接待费用。")
        fo = self.fact("三公.外事接待费", "外事接待费", "amount", self.foreign)
        self.rel("sums", "公务接待费 = 国内公务接待费 + 外事接待费", a, dom, fo)
        if self.foreign:
            fb = self.fact("外事.批次", "外事接待费", "count", Decimal(1), "批次")
            w.line("外事接待支出", fo, "万元，外事接待", fb, "批次。")
        else:
            w.line("外事接待支出", fo, "万元。")

    def _part_change(self, key: str, metric: str, current: Decimal, prior: Decimal, cur: Fact) -> list[str | Fact]:
        P0 = self.prior
        if current == prior:
            return [f"与{P0}年度持平"]
        up = current > prior
        ca = self.fact(f"{key}.change", metric, "change_amount", abs(current - prior), compared_to=P0,
                       direction="increase" if up else "decrease")
        pieces: list[str | Fact] = [f"比{P0}年度", "增加" if up else "减少", ca, "万元"]
        if prior > 0:
            cr = self.fact(f"{key}.rate", metric, "change_rate", ratio(abs(current - prior), prior), "%", compared_to=P0,
                           direction="increase" if up else "decrease")
            pieces += ["，", "增长" if up else "下降", cr, "%"]
            self.rel("yoy", f"{metric}: 增减率 = 增减额 / 上年", cur, ca, cr)
        else:
            self.rel("yoy", f"{metric}: 上年 = 本年 − 增减额 ≥ 0", cur, ca)
        return pieces

    def _other_matters(self) -> None:
        w, Y, _P0, rng = self.w, self.year, self.prior, self.rng
        w.line("十、其他重要事项的情况说明")
        w.blank()
        w.line("（一）机关运行经费支出情况")
        run = self.public if rng.random() < 0.6 else q2(self.public * Decimal(str(rng.uniform(0.6, 1.0))))
        run0 = self.prior_of(run)
        r = self.fact("机关运行经费", "机关运行经费", "amount", run)
        change = self._part_change("机关运行经费", "机关运行经费", run, run0, r)
        w.line(f"{Y}年度，{self.dept}机关运行经费支出", r, "万元，", *change, "。主要原因是" +
               ("办公费、差旅费等较上年有所增加。" if run > run0 else "办公费、公务接待费、公务用车运行维护费等较上年有所减少。"))
        w.blank()
        w.line("（二）政府采购支出情况")
        goods = q2(self.money(0.5, float(max(2, self.G * Decimal("0.05"))))) if rng.random() < 0.85 else ZERO
        works = q2(self.money(5, float(max(10, self.G * Decimal("0.1"))))) if rng.random() < 0.2 else ZERO
        services = q2(self.money(1, float(max(3, self.G * Decimal("0.05"))))) if rng.random() < 0.6 else ZERO
        total = goods + works + services
        tf = self.fact("政府采购支出总额", "政府采购支出总额", "amount", total)
        gf = self.fact("政府采购货物支出", "政府采购货物支出", "amount", goods)
        wf = self.fact("政府采购工程支出", "政府采购工程支出", "amount", works)
        sf = self.fact("政府采购服务支出", "政府采购服务支出", "amount", services)
        self.rel("sums", "政府采购支出总额 = 货物 + 工程 + 服务", tf, gf, wf, sf)
        sme = q2(total * Decimal(str(rng.uniform(0.3, 1)))) if total and rng.random() < 0.8 else ZERO
        small = q2(sme * Decimal(str(rng.uniform(0.4, 1)))) if sme else ZERO
        mf = self.fact("授予中小企业合同金额", "授予中小企业合同金额", "amount", sme)
        xf = self.fact("授予小微企业合同金额", "授予小微企业合同金额", "amount", small)
        self.rel("sums", "授予小微企业合同金额 ≤ 授予中小企业合同金额 ≤ 政府采购支出总额", tf, mf, xf,
                 strict=False)
        pieces: list[str | Fact] = [f"{Y}年度，{self.dept}政府采购支出总额", tf, "万元，其中：政府采购货物支出", gf, "万元、政府采购工程支出",
                                    wf, "万元、政府采购服务支出", sf, "万元。"]
        if total:
            ms = self.fact("授予中小企业合同金额.share", "授予中小企业合同金额", "share", ratio(sme, total), "%", base="政府采购支出总额")
            xs = self.fact("授予小微企业合同金额.share", "授予小微企业合同金额", "share", ratio(small, total), "%", base="政府采购支出总额")
            self.rel("shares", "中小企业合同占政府采购支出总额", mf, ms, tf)
            self.rel("shares", "小微企业合同占政府采购支出总额", xf, xs, tf)
            pieces += ["授予中小企业合同金额", mf, "万元，占政府采购支出总额的", ms, "%，其中：授予小微企业合同金额", xf,
                       "万元，占政府采购支出总额的", xs, "%。"]
        else:
            pieces += ["授予中小企业合同金额", mf, "万元，其中：授予小微企业合同金额", xf, "万元。"]
        w.line(*pieces)
        w.line("（三）国有资产占有使用情况")
        nf = self.fact("车.车辆", "车辆", "count", Decimal(self.cars), "辆")
        self.rel("repeated", "国有资产车辆数 = 公务用车数", self.n_cars_fact, nf)
        pieces = [f"截至{Y}年12月31日，{self.dept}共有车辆", nf, "辆"]
        if self.cars:
            split = _split(rng, self.cars, len(_CAR_USES))
            pieces.append("，其中：")
            uses = []
            for n, (name, k) in enumerate(zip(_CAR_USES, split)):
                f = self.fact(f"车.用途.{name}", name, "count", Decimal(k), "辆")
                uses.append(f)
                pieces += [name, f, "辆", "、" if n < len(_CAR_USES) - 1 else "，其他用车主要是用于开展下乡调研和其他工作"]
            self.rel("counts", "车辆 = Σ 用途", nf, *uses)
        equipment = rng.choice([0, 0, 0, 1, 2])
        ef = self.fact("设备", "单价100万元以上设备（不含车辆）", "count", Decimal(equipment), "台（套）")
        pieces += ["。单价100万元以上设备（不含车辆）", ef, "台（套）。"]
        w.line(*pieces)
        w.blank()
        self._performance()

    def _performance(self) -> None:
        w, Y, rng = self.w, self.year, self.rng
        w.line("（四）预算绩效管理情况")
        names = rng.sample(self.kind[4], k=rng.randint(1, min(4, len(self.kind[4]))))
        k = len(names)
        assessed = k + rng.randint(2, 30)
        targeted = k + rng.randint(0, 6)
        a1 = self.fact("绩效.事前评估", "开展预算事前绩效评估的项目", "count", Decimal(assessed), "个")
        a2 = self.fact("绩效.编制目标", "编制绩效目标的项目", "count", Decimal(targeted), "个")
        a3 = self.fact("绩效.监控", "开展绩效监控的项目", "count", Decimal(k), "个")
        w.line(f"根据预算绩效管理要求，本部门在{Y}年度预算编制阶段，组织对{'、'.join(names)}等", a1,
               "个项目开展了预算事前绩效评估，对", a2, "个项目编制了绩效目标，预算执行过程中，选取", a3, "个项目开展绩效监控。")
        w.blank()
        overall = self.fact("绩效.部门整体", "部门整体绩效自评得分", "score", Decimal(rng.randint(88, 99)), "分")
        w.line(f"组织对{Y}年度一般公共预算项目支出全面开展绩效自评，其中，{self.dept}部门整体绩效自评得分为", overall,
               "分，绩效自评综述：本部门严格按照预算管理要求执行，资金使用规范，圆满完成各项工作任务。")
        w.blank()
        a4 = self.fact("绩效.监控.2", "开展绩效监控的项目", "count", Decimal(k), "个")
        w.line("开展绩效监控的", a4, "个项目完成情况具体如下：")
        w.blank()
        # project figures
        self.project_data = []
        paragraph_facts: list[Fact] = []
        budget_total = self.Gp if self.Gp > 0 else self.G * Decimal("0.1")
        for n, name in enumerate(names, 1):
            adjusted = q2(budget_total * Decimal(str(rng.uniform(0.03, 0.25))))
            if adjusted <= 0:
                adjusted = Decimal("1.00")
            initial = q2(adjusted * Decimal(str(rng.choice([1, 1, 1, 0.8, 0.9, 1.1, 1.25]))))
            executed = adjusted if rng.random() < 0.6 else q2(adjusted * Decimal(str(rng.uniform(0.85, 1))))
            rate = ratio(executed, adjusted)
            data = self._project_table_values(name, initial, adjusted, executed, rate)
            self.project_data.append(data)
            sc = self.fact(f"项目{n}.得分", f"{name} 绩效自评得分", "score", data["total_score"], "分", subject=name)
            ad = self.fact(f"项目{n}.全年预算数", f"{name} 全年预算数", "amount", adjusted, subject=name)
            ex = self.fact(f"项目{n}.执行数", f"{name} 执行数", "amount", executed, subject=name)
            rt = self.fact(f"项目{n}.完成率", f"{name} 预算执行率", "completion_rate", rate, "%", subject=name, base="预算")
            self.rel("completion", f"{name}: 完成率 = 执行数 / 全年预算数", ad, ex, rt)
            data.update(narrative_score=sc, narrative_adjusted=ad, narrative_executed=ex, narrative_rate=rt)
            paragraph_facts.append(sc)
            w.line(f"{n}.{name}项目绩效自评得分为", sc, "分。绩效自评综述：项目全年预算数", ad, "万元，执行数为", ex, "万元，完成预算的",
                   rt, "%。通过项目实施，保障了各项工作高质量完成，提高服务效率，提升服务对象满意度。")
            w.blank()
        self.rel("counts", "开展绩效监控的项目数 = 列出的项目段落数", a3, *paragraph_facts)
        self.rel("counts", "开展绩效监控的项目数（两处）= 列出的项目段落数", a4, *paragraph_facts)
        self.rel("repeated", "开展绩效监控的项目数两处一致", a3, a4)
        w.line("部门预算项目支出绩效自评表详见附件。")

    def _project_table_values(self, name: str, initial: Decimal, adjusted: Decimal, executed: Decimal,
                              rate: Decimal) -> dict:
        rng = self.rng
        # funding sources: 财政资金 (+ 单位资金 sometimes)
        unit_share = Decimal(str(rng.uniform(0.05, 0.3))) if rng.random() < 0.25 else ZERO
        rows = []
        own = [q2(initial * unit_share), q2(adjusted * unit_share), q2(executed * unit_share)]
        fiscal = [initial - own[0], adjusted - own[1], executed - own[2]]
        budget_score = min(Decimal(10), q0(Decimal(10) * rate / HUNDRED))
        rows.append(("总额", [initial, adjusted, executed], ratio(executed, adjusted)))
        rows.append(("其中：财政资金", fiscal, ratio(fiscal[2], fiscal[1])))
        rows.append(("财政专户管理资金", [ZERO, ZERO, ZERO], ZERO))
        rows.append(("单位资金", own, ratio(own[2], own[1])))
        # indicators: weights sum to 90
        n_ind = rng.randint(4, 7)
        pool = list(_INDICATORS)
        rng.shuffle(pool)
        chosen = sorted(pool[:n_ind], key=lambda i: ("产出指标", "效益指标", "满意度指标").index(i[0]))
        weights = _weights(rng, n_ind, 90)
        indicators = []
        for ind, weight in zip(chosen, weights):
            first, second, third, nature, target, unit, actual = ind
            n = rng.randint(2, 60)
            sat = rng.choice([85, 90, 95, 98])
            fill = {"n": n, "cost": int(initial * 10000), "sat": sat, "sat2": min(100, sat + rng.randint(0, 5))}
            score = weight if rng.random() < 0.8 else max(0, weight - rng.randint(1, 3))
            indicators.append([first, second, third, nature, target.format(**fill), unit, actual.format(**fill),
                               Decimal(weight), Decimal(score)])
        total_score = budget_score + sum((i[8] for i in indicators), ZERO)
        return {"name": name, "rows": rows, "budget_score": budget_score, "indicators": indicators, "total_score": total_score,
                    "code": f"51{rng.randint(1000, 9999)}{self.year % 100:02d}{rng.choice('TY')}{rng.randint(10**11, 10**12 - 1):012d}"}

    # ---- 第三部分、第四部分 ------------------------------------------------------------------

    def _part_three(self) -> None:
        w = self.w
        w.line("第三部分 名词解释")
        w.blank()
        entries = [
            ("财政拨款收入", "指单位从同级财政部门取得的财政预算资金。"),
            ("事业收入", "指事业单位开展专业业务活动及辅助活动所取得的收入。"),
            ("其他收入", "指单位取得的除上述收入以外的各项收入。"),
        ]
        seen = set()
        for c, cname, k, kname, xc, xname, _ in self.items:
            if (c, k, xc) in seen:
                continue
            seen.add((c, k, xc))
            entries.append((f"{_CLASS_NAMES[c]}（类）{kname}（款）{xname}（项）", f"反映{xname}方面的支出。"))
        entries += [
            ("基本支出", "指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。"),
            ("项目支出", "指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"),
            ("“三公”经费", "指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。"),
            ("机关运行经费", "为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金。"),
        ]
        for n, (term, meaning) in enumerate(entries, 1):
            w.line(f"{n}.{term}：{meaning}")
            w.blank()

    def _part_four(self) -> None:
        w, Y = self.w, self.year
        w.line("第四部分 附件")
        merged = self.rng.random() < 0.4  # 一级指标 printed once per group, as merged cells
        for n, data in enumerate(self.project_data, 1):
            name = data["name"]
            w.line(f"附件{n}：{name}项目支出绩效自评表")
            w.line(f"\t部门预算项目支出绩效自评表（{Y}年度）")
            w.blank()
            self._row(["项目名称", f"{data['code']}-{name}"])
            self._row(["主管部门", f"{self.dept}部门", "实施单位 （盖章）", self.dept])
            self._row(["项目基本情况", "1.项目年度目标完成情况", "项目年度目标", "年度目标完成情况"])
            self._row(["", "", "保障各项工作顺利开展，按时完成上级安排的工作任务，提升服务能力。", "按时完成上级安排的工作任务，提升了服务能力。"])
            self._row(["", "2.项目实施内容及过程概述", f"按照年度计划组织实施{name}项目，严格资金管理，按进度支付。"])
            header = ["预算执行情况（10分）", "年度预算数（万元）", "年初预算", "调整后预算数", "预算执行数", "预算执行率", "权重", "得分"]
            self._row(header)
            budget_rows = [header[1:]]
            row_facts: dict[str, list[Fact]] = {}
            for label, values, rate in data["rows"]:
                key = f"表{n}.{label.removeprefix('其中：')}"
                metric_label = label.removeprefix("其中：")
                facts = [self.fact(f"{key}.{col}", f"{name} {metric_label}", "amount", v, text=f"{v:.2f}", source="table",
                                   subject=name, column=col)
                         for v, col in zip(values, ("年初预算", "调整后预算数", "预算执行数"))]
                rf = self.fact(f"{key}.预算执行率", f"{name} {metric_label}", "completion_rate", rate, "%", text=f"{rate:.2f}",
                               source="table", subject=name, column="预算执行率")
                if values[1]:
                    self.rel("completion", f"{name} {metric_label}: 预算执行率 = 执行数 / 调整后预算数", facts[1], facts[2], rf)
                cells: list[str | Fact] = ["", label, *facts, rf]
                if label == "总额":
                    wt = self.fact(f"{key}.权重", f"{name} 总额", "weight", Decimal(10), "分", source="table", subject=name,
                                   column="权重")
                    sc = self.fact(f"{key}.得分", f"{name} 总额", "score", data["budget_score"], "分", source="table",
                                   subject=name, column="得分")
                    cells += [wt, sc]
                    data["budget_weight_fact"], data["budget_score_fact"] = wt, sc
                    self.rel("performance", f"{name}: 预算执行得分 ≤ 权重", wt, sc)
                    data["adjusted_cell"], data["executed_cell"], data["rate_cell"] = facts[1], facts[2], rf
                else:
                    cells += ["/", "/"]
                row_facts[label] = facts + [rf]
                self._row(cells, rate_cell=rf)
                budget_rows.append([label, *(f"{v:.2f}" for v in values), f"{rate:.2f}%", *(
                    ["10", str(data["budget_score"])] if label == "总额" else ["/", "/"])])
            self._row(["", "其他资金", "", "", "", "", "/", "/"])
            budget_rows.append(["其他资金", "", "", "", "", "/", "/"])
            # sums: 总额 = Σ sources, per column
            total_facts = row_facts["总额"]
            for col in range(3):
                self.rel("sums", f"{name}: 总额 = Σ 资金来源（{('年初预算', '调整后预算数', '预算执行数')[col]}）", total_facts[col],
                         *(row_facts[lbl][col] for lbl in ("其中：财政资金", "财政专户管理资金", "单位资金")))
            # narrative ↔ table
            self.rel("repeated", f"{name}: 全年预算数 = 调整后预算数", data["narrative_adjusted"], data["adjusted_cell"])
            self.rel("repeated", f"{name}: 执行数 = 预算执行数", data["narrative_executed"], data["executed_cell"])
            ind_header = ["绩效指标（90分）", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "得分"]
            self._row(ind_header)
            indicator_rows = [ind_header[1:]]
            weights, scores = [data["budget_weight_fact"]], [data["budget_score_fact"]]
            previous_first = None
            for i, ind in enumerate(data["indicators"]):
                first, second, third, nature, target, unit, actual, weight, score = ind
                wt = self.fact(f"表{n}.指标{i}.权重", f"{name} {third}", "weight", weight, "分", source="table", subject=name,
                               column="权重")
                sc = self.fact(f"表{n}.指标{i}.得分", f"{name} {third}", "score", score, "分", source="table", subject=name,
                               column="得分")
                self.rel("performance", f"{name} {third}: 得分 ≤ 权重", wt, sc)
                weights.append(wt)
                scores.append(sc)
                shown_first = "" if merged and first == previous_first else first
                previous_first = first
                cells: list[str | Fact] = [target, actual]
                for j, (value, role, col) in enumerate(((target, "target", "指标值"), (actual, "actual", "完成值"))):
                    if value.isdigit():
                        cells[j] = self.fact(f"表{n}.指标{i}.{col}", f"{name} {third}", role, Decimal(value), unit,
                                             text=value, source="table", subject=name, column=col)
                self._row(["", shown_first, second, third, nature, cells[0], unit, cells[1], wt, sc])
                indicator_rows.append([shown_first, second, third, nature, target, unit, actual, str(weight), str(score)])
            tw = self.fact(f"表{n}.合计.权重", f"{name} 合计", "weight", Decimal(100), "分", source="table", subject=name,
                           column="权重")
            ts = self.fact(f"表{n}.合计.得分", f"{name} 合计", "score", data["total_score"], "分", source="table",
                           subject=name, column="得分")
            self.rel("performance", f"{name}: 权重合计 = 预算执行权重 + Σ 指标权重 = 100", tw, *weights)
            self.rel("performance", f"{name}: 得分合计 = Σ 得分", ts, *scores)
            self.rel("repeated", f"{name}: 自评得分（正文）= 合计得分（附件）", data["narrative_score"], ts)
            self._row(["合计", tw, ts])
            indicator_rows.append(["合计", "100", str(data["total_score"])])
            w.blank()
            self.projects.append(Project(name, data["code"], budget_rows, indicator_rows))

    def _row(self, cells: list[str | Fact], rate_cell: Fact | None = None) -> None:
        """One row of a flattened table: one cell per line with a leading tab, then a blank line."""
        for cell in cells:
            if isinstance(cell, Fact) and cell is rate_cell:
                self.w.line("\t", cell, "%")
            elif isinstance(cell, Fact):
                self.w.line("\t", cell)
            else:
                self.w.line("\t" + cell)
        self.w.blank()


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return "十" + digits[n - 10] if n < 20 else digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative integers."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _weights(rng: random.Random, n: int, total: int) -> list[int]:
    """n weights, multiples of 5 (at least 5 each), adding to `total`."""
    units = total // 5
    split = [1 + s for s in _split(rng, units - n, n)]
    return [5 * s for s in split]


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def generate(seed: int) -> tuple[str, GroundTruth]:
    """A consistent synthetic report and its ground truth, determined by `seed`."""
    return _Generator(seed).build()


def parse_text(text: str, name: str = "synthetic.txt"):
    """Parse a report text the way an uploaded .txt file is parsed (via a temporary file)."""
    from index.parse import parse_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        return parse_file(path)


# ---- planting errors -----------------------------------------------------------------------


def _edit(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def perturb_number(printed: str, kind: str) -> str | None:
    """A different plausible number for a printed one, or None when `kind` does not apply.

    kinds: 'last' (±1 in the last digit), 'tens' (±1 in the next-to-last digit), 'swap'
    (two adjacent different digits swapped), 'x10' (decimal point moved one place right).
    """
    digits = [i for i, ch in enumerate(printed) if ch.isdigit()]
    if not digits:
        return None
    if kind in ("last", "tens"):
        if kind == "tens" and len(digits) < 2:
            return None
        pos = digits[-1] if kind == "last" else digits[-2]
        d = int(printed[pos])
        # prefer +1 unless that carries; never create a leading zero
        nd = d + 1 if d < 9 else d - 1
        out = printed[:pos] + str(nd) + printed[pos + 1:]
        if out.lstrip("0") == "" and printed.strip("0.") != "":
            return None
        if len(out) > 1 and out[0] == "0" and out[1] != ".":
            return None
        return out if out != printed else None
    if kind == "swap":
        for a, b in itertools.pairwise(digits):
            if printed[a] != printed[b]:
                out = list(printed)
                out[a], out[b] = out[b], out[a]
                s = "".join(out)
                if len(s) > 1 and s[0] == "0" and s[1] != ".":
                    continue
                return s
        return None
    if kind == "x10":
        if Decimal(printed.replace(",", "")) == 0:
            return None
        if "." in printed:
            whole, frac = printed.split(".", 1)
            whole = (whole + frac[0]).lstrip("0") or "0"
            frac = frac[1:]
            return whole + ("." + frac if frac else "")
        return printed + "0"
    raise ValueError(kind)


def plant(text: str, family: str, rng: random.Random, truth: GroundTruth | None = None) -> tuple[str, Planted]:
    """Plant one error of `family` in a generated report; returns the new text and what was planted.

    With `truth` the edited figure is one the ground truth says takes part in a relation of
    that family; without it, the text is parsed and a figure of a fitting role is chosen.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; one of {FAMILIES}")
    if family == "hygiene":
        return _plant_hygiene(text, rng)
    candidates: list[tuple[int, int, str, str | None, list[str]]] = []  # start, end, printed, fact key, relations
    roles = {"sums": {"amount"}, "shares": {"share"}, "yoy": {"change_amount", "change_rate"},
             "completion": {"completion_rate"}, "counts": {"count"}, "performance": {"weight", "score"},
             "repeated": {"amount"}}[family]
    if truth is not None:
        rel_ids = {r.id for r in truth.relations if r.family == family}
        strict = {r.id for r in truth.relations if r.strict}
        for f in truth.facts:
            mine = [r for r in f.relations if r in rel_ids]
            if any(r in strict for r in mine) and f.role in roles:
                candidates.append((f.start, f.end, f.text, f.key, mine))
    else:
        parsed = parse_text(text)
        for f in parsed.figures:
            if f.role in roles and (family != "performance" or f.source == "table"):
                candidates.append((f.start, f.end, f.text, None, []))
    if not candidates:
        raise ValueError(f"no figure of family {family} to perturb")
    rng.shuffle(candidates)
    for start, end, printed, key, rels in candidates:
        # clearly outside rounding: a change of the last decimal digit may be absorbed by it
        kinds = ["tens", "swap", "x10"] if "." in printed else ["last", "x10", "swap"]
        rng.shuffle(kinds)
        for kind in kinds:
            new = perturb_number(printed, kind)
            if new is None:
                continue
            if family in ("shares", "completion") and Decimal(new) > 100 and Decimal(printed) <= 100 and kind == "x10":
                continue
            out = _edit(text, start, end, new)
            return out, Planted(family, f"{kind}: {printed} → {new}", start, start + len(new), printed, new, key, rels)
    raise ValueError(f"could not perturb any figure of family {family}")


def _plant_hygiene(text: str, rng: random.Random) -> tuple[str, Planted]:
    """A template slip: a direction word left as the template's alternative, a placeholder,
    or a wrong fiscal year in a sentence head."""
    options = []
    for m in re.finditer(r"(增加|减少)(?=\d)", text):
        other = "减少" if m.group(1) == "增加" else "增加"
        options.append((m.start(), m.end(), m.group(1), f"{m.group(1)}（{other}）", "模板选项未删除"))
    for m in re.finditer(r"(?<=支出决算为)\d+(?:\.\d+)?(?=万元)", text):
        options.append((m.start(), m.end(), m.group(0), "XX", "数字占位符未填写"))
    for m in re.finditer(r"(?<=完成预算)(\d+)(?=%)", text):
        options.append((m.start(), m.end(), m.group(0), "X", "百分比占位符未填写"))
    start, end, before, after, why = rng.choice(options)
    return _edit(text, start, end, after), Planted("hygiene", f"{why}: {before} → {after}", start, start + len(after), before, after)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--truth", action="store_true", help="print the ground truth as JSON lines after the text")
    args = parser.parse_args(argv)
    text, truth = generate(args.seed)
    sys.stdout.write(text)
    if args.truth:
        for fact in truth.facts:
            print(json.dumps(fact.to_json(), ensure_ascii=False))
        for relation in truth.relations:
            print(json.dumps(asdict(relation), ensure_ascii=False))


if __name__ == "__main__":
    main()
