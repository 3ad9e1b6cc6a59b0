"""The vocabulary of 部门决算: canonical metric names, their aliases, 功能分类 类 codes and
fiscal terms that segmentation must never split.

One place for these words, so that figure extraction, BM25 segmentation and answer
verification agree on what "三公经费" or "公务接待费" means.
"""

from __future__ import annotations

import re
from functools import lru_cache

from opencc import OpenCC

# Canonical metric -> aliases as they appear in reports (after `clean_metric_text`).
METRIC_ALIASES: dict[str, tuple[str, ...]] = {
    "收支总计": ("收、支总计", "收支总计", "收入支出总计", "收入、支出总计", "收支", "收、支"),
    "财政拨款收支总计": ("财政拨款收、支总计", "财政拨款收支总计", "财政拨款收入支出总计"),
    "收入总计": ("收入总计",),
    "支出总计": ("支出总计",),
    "本年收入合计": ("本年收入合计", "本年收入", "收入合计"),
    "本年支出合计": ("本年支出合计", "本年支出", "支出合计"),
    "一般公共预算财政拨款收入": ("一般公共预算财政拨款收入", "一般公共预算财政拨款"),
    "政府性基金预算财政拨款收入": ("政府性基金预算财政拨款收入",),
    "国有资本经营预算财政拨款收入": ("国有资本经营预算财政拨款收入",),
    "上级补助收入": ("上级补助收入",),
    "事业收入": ("事业收入",),
    "经营收入": ("经营收入",),
    "附属单位上缴收入": ("附属单位上缴收入",),
    "其他收入": ("其他收入",),
    "年初结转和结余": ("年初结转和结余", "年初结转结余", "年初结转", "上年结转和结余"),
    "年末结转和结余": ("年末结转和结余", "年末结转结余", "年末结转"),
    "使用非财政拨款结余": ("使用非财政拨款结余", "使用非财政拨款结余和专用结余"),
    "基本支出": ("基本支出",),
    "项目支出": ("项目支出",),
    "上缴上级支出": ("上缴上级支出",),
    "经营支出": ("经营支出",),
    "对附属单位补助支出": ("对附属单位补助支出",),
    "财政拨款收入": ("财政拨款收入", "财政拨款收入决算总额"),
    "财政拨款支出": ("财政拨款支出", "财政拨款支出决算总额"),
    "一般公共预算财政拨款支出": ("一般公共预算财政拨款支出", "一般公共预算支出", "一般公共预算财政拨款支出决算"),
    "一般公共预算财政拨款基本支出": ("一般公共预算财政拨款基本支出",),
    "人员经费": ("人员经费",),
    "公用经费": ("公用经费",),
    "三公经费": (
        "三公经费", "三公经费财政拨款", "三公经费财政拨款支出", "财政拨款三公经费", "总三公经费",
        "三公经费合计", "三公经费决算数", "三公经费决算总额", "三公经费总支出",
    ),
    "因公出国（境）费": ("因公出国（境）费", "因公出国（境）经费", "因公出国境费", "因公出国（境）"),
    "公务用车购置及运行维护费": (
        "公务用车购置及运行维护费", "公务用车购置及运行费", "公务用车购置及运维费", "公车购置及运行费",
        "公车购置及运行维护费", "公务车购置及运行维护费", "公务车购置及运行费", "购置及运行维护费",
    ),
    "公务用车购置费": ("公务用车购置费", "公务用车购置", "公车购置费"),
    "公务用车运行维护费": (
        "公务用车运行维护费", "公务用车运行费", "公务用车运维费", "公车运行费", "公车运行维护费",
        "公务用车运行费维护费",
    ),
    "公务接待费": ("公务接待费", "公务接待", "公务接待经费"),
    "国内公务接待费": ("国内公务接待费", "国内公务接待"),
    "外事接待费": ("外事接待费", "外事接待", "外宾接待费", "外宾接待"),
    "政府性基金预算财政拨款支出": ("政府性基金预算财政拨款支出", "政府性基金预算支出"),
    "国有资本经营预算财政拨款支出": ("国有资本经营预算财政拨款支出", "国有资本经营预算支出"),
    "机关运行经费": ("机关运行经费",),
    "政府采购支出总额": ("政府采购支出总额", "政府采购总额", "政府采购支出", "政府采购金额"),
    "政府采购货物支出": ("政府采购货物支出", "政府采购货物", "货物采购金额"),
    "政府采购工程支出": ("政府采购工程支出", "政府采购工程", "工程采购金额"),
    "政府采购服务支出": ("政府采购服务支出", "政府采购服务", "服务采购金额"),
    "授予中小企业合同金额": ("授予中小企业合同金额",),
    "授予小微企业合同金额": ("授予小微企业合同金额",),
    "公务用车": ("公务用车", "公务用车保有量"),
    # Government-level accounts (政府决算): revenue = tax + non-tax.
    "一般公共预算收入": ("一般公共预算收入", "一般公共预算本级收入", "本级收入"),
    "税收收入": ("税收收入", "税收"),
    "非税收入": ("非税收入", "非税"),
    "车辆": ("车辆",),
}

# 功能分类 类 (first level of the functional classification), by code.
FUNCTIONAL_CLASSES: dict[str, str] = {
    "201": "一般公共服务支出", "202": "外交支出", "203": "国防支出", "204": "公共安全支出",
    "205": "教育支出", "206": "科学技术支出", "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出", "210": "卫生健康支出", "211": "节能环保支出",
    "212": "城乡社区支出", "213": "农林水支出", "214": "交通运输支出",
    "215": "资源勘探工业信息等支出", "216": "商业服务业等支出", "217": "金融支出",
    "219": "援助其他地区支出", "220": "自然资源海洋气象等支出", "221": "住房保障支出",
    "222": "粮油物资储备支出", "223": "国有资本经营预算支出", "224": "灾害防治及应急管理支出",
    "227": "预备费", "229": "其他支出", "231": "债务还本支出", "232": "债务付息支出",
    "233": "债务发行费用支出", "234": "抗疫特别国债安排的支出",
}

# Words jieba must keep whole (BM25 and query segmentation).
FISCAL_TERMS: tuple[str, ...] = tuple(
    sorted(
        {
            "三公经费", "公务接待费", "公务接待", "公务用车", "公务用车购置", "公务用车运行维护费",
            "公务用车购置及运行维护费", "因公出国", "因公出国（境）费", "机关运行经费",
            "一般公共服务支出", "一般公共预算", "财政拨款", "财政拨款收入", "基本支出", "项目支出",
            "人员经费", "公用经费", "政府性基金", "国有资本经营", "政府采购", "中小企业",
            "绩效自评", "绩效目标", "绩效监控", "预算执行率", "调整后预算", "年初预算", "预算执行数",
            "决算数", "预算数", "收支总计", "本年收入合计", "本年支出合计", "年初结转和结余",
            "年末结转和结余", "功能分类", "经济分类", "社会保障和就业支出", "卫生健康支出",
            "住房保障支出", "住房公积金", "行政运行", "事业运行", "一般行政管理事务",
            "国有资产", "资金到位率", "部门整体支出", "名词解释", "上级补助收入", "事业收入",
            "经营收入", "其他收入", "附属单位上缴收入", "结转结余", "批次", "人次",
        }
        | set(FUNCTIONAL_CLASSES.values())
        | {alias for aliases in METRIC_ALIASES.values() for alias in aliases if len(alias) >= 3}
    )
)

_T2S = OpenCC("t2s")
_QUOTES = re.compile(r"[“”\"'‘’「」『』]")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _changeable() -> frozenset[str]:
    """Every character OpenCC's t2s may change: in each dictionary entry whose
    conversion differs from it, the characters that differ (all of the entry's when the lengths
    differ). Text with none of them converts to itself, so it need not be converted."""
    chars: set[str] = set()
    for group in _T2S._dict_chain_data:  # the dictionaries OpenCC("t2s") loaded and converts with
        for _max_len, _min_len, mapping in group:
            for key, value in mapping.items():
                first = value.split(" ")[0]  # what OpenCC writes: the first of several candidates
                if key == first:
                    continue
                if len(key) == len(first):
                    chars.update(a for a, b in zip(key, first, strict=True) if a != b)
                else:
                    chars.update(key)
    return frozenset(chars)


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (繁體 → 简体); other text unchanged.

    The same result as OpenCC's t2s conversion, which is slow (~0.3 s for a 40 KB report) and
    was run on every report, though most are printed in simplified characters already. OpenCC
    converts each piece between its separators (spaces, punctuation) on its own; here only the
    pieces holding a character t2s may change are handed to it, and a text with none is returned
    as it is.
    """
    changeable = _changeable()
    if changeable.isdisjoint(text):  # a set look-up per character: ~0.5 ms for a 40 KB report
        return text
    pieces = _T2S.split_chars_re.split(text)
    # Even positions are the text between separators, odd ones the separators (kept as they are).
    return "".join(
        _T2S.convert(piece) if i % 2 == 0 and not changeable.isdisjoint(piece) else piece for i, piece in enumerate(pieces)
    )


@lru_cache(maxsize=65536)
def clean_metric_text(text: str) -> str:
    """Normalise a metric as printed: no quotes or spaces, full-width parentheses, simplified."""
    text = _QUOTES.sub("", to_simplified(text))
    text = text.replace("(", "（").replace(")", "）")
    return _SPACES.sub("", text)


_ALIAS_INDEX: dict[str, str] = {}
for _canonical, _aliases in METRIC_ALIASES.items():
    for _alias in _aliases:
        _ALIAS_INDEX[clean_metric_text(_alias)] = _canonical
_CLASS_BY_NAME = {name.removesuffix("支出"): code for code, name in FUNCTIONAL_CLASSES.items()}


def is_known_metric(name: str) -> bool:
    """True for a canonical metric of the lexicon or a 功能分类 类 name."""
    return name in METRIC_ALIASES or name in FUNCTIONAL_CLASSES.values()


_COST_WORDS = re.compile(r"(?:费用|经费)(?=支出$|$)")


@lru_cache(maxsize=65536)
def canonical_metric(text: str) -> tuple[str, str | None]:
    """Map a metric as named in a report to (canonical name, 功能分类 code or None).

    Unknown metrics come back cleaned but otherwise as named: the text is the authority. The
    words a report adds to a cost's name are not part of it: "公务用车运行维护费用支出" and
    "公务接待经费" are 公务用车运行维护费 and 公务接待费 ("经费" stays in 机关运行经费 and 人员经费,
    which the lexicon names as such).
    """
    clean = clean_metric_text(text)
    found = _lookup(clean)
    if found is None and _COST_WORDS.search(clean):
        found = _lookup(_COST_WORDS.sub("费", clean))
    if found is None:
        found = _sangong_tail(clean)
    if found is not None:
        return found
    bare = clean.removesuffix("（类）").removesuffix("支出")
    if bare in _CLASS_BY_NAME:
        code = _CLASS_BY_NAME[bare]
        return FUNCTIONAL_CLASSES[code], code
    return clean, None


_SANGONG = ("三公经费", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费",
            "公务接待费", "国内公务接待费", "外事接待费")
# Bounded: an unbounded repeat before $ rescans a long run of these words from each start.
_TOTAL_TAIL = re.compile(r"(?:支出合计|支出决算|支出总额|合计|支出|决算数?|总额){1,8}$")
_NAMED_IN_PARENTHESES = re.compile(r"（(?P<name>[^（）]{2,12})）$")
# The 三公 aliases a longer phrase may end with, cleaned, longest first.
_SANGONG_ALIASES = sorted(
    ((clean_metric_text(alias), canonical) for canonical in _SANGONG for alias in METRIC_ALIASES[canonical]
     if len(alias) >= 4),
    key=lambda pair: len(pair[0]), reverse=True,
)


def _sangong_tail(clean: str) -> tuple[str, str | None] | None:
    """A 三公 name that ends a longer phrase: "湛江市委宣传部财政预算拨款三公经费支出合计" is the
    三公经费 (the words before it name the department and the funds, not another metric)."""
    bare = _TOTAL_TAIL.sub("", clean)
    if named := _NAMED_IN_PARENTHESES.search(bare):
        # "…公车运行费（“三公”经费）决算总额": the list in front is spelled out by the name in brackets.
        bare = named.group("name")
    for alias, canonical in _SANGONG_ALIASES:
        if bare.endswith(alias):
            return canonical, None
    return None


def _lookup(clean: str) -> tuple[str, str | None] | None:
    """The canonical metric a cleaned name or one of its usual variants is an alias of."""
    candidates = (
        clean, clean.removesuffix("支出"), clean.removesuffix("决算"), clean + "费", clean + "支出",
        clean.removesuffix("支出") + "费",  # "公务用车运行维护支出" is the 公务用车运行维护费
        clean.removesuffix("合计"),  # "人员经费合计" row of the 基本支出决算表
    )
    for candidate in candidates:
        if candidate in _ALIAS_INDEX:
            return _ALIAS_INDEX[candidate], None
    return None
