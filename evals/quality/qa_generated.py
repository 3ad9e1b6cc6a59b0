"""Labelled questions about generated reports (evals.synthetic), made from their ground truth.

For each of K generated reports (fixed seeds, default 1..5) `make_items` asks 8–10 questions as
readers ask them — 公务接待费是多少？ / 三公经费比上年减少了多少？ / 项目支出占多少？ / 有几辆公务用车？
/ 机关运行经费是多少？ / 政府采购支出总额是多少？ / X项目的预算执行率是多少？ / 一般公共服务支出是多少？
… — with templated but varied wording (the wording is drawn from `random.Random(seed)`), skipping
the ones the report does not support (no 201 class, no change stated, no project, …).

Each question is an `evals.quality.qa_items.QAItem` in the format of evals/data/qa_seed.jsonl, with
`source="synthetic"` and the generator `seed`, so that evals.quality.qa can write the report text to a
temporary directory and ingest it. Gold figures and gold sections come from the parser, not
from the generator's own words: the generated text is parsed (`index.parse`, as an uploaded
.txt is), each ground-truth fact the question asks for is matched to the parsed figure at its
span (same role, value and unit), and

- gold_figures are those parsed figures as {metric, value, unit, role, year};
- gold_sections are the section paths of every parsed text figure stating the same metric,
  role, value and unit (公务接待费 is stated in 七、（二） and again in 七、（二） > 3.); for a
  project's figure, every figure of that project with the same role, value and unit (the
  execution rate is stated in 十、（四） and in the project's 绩效自评表 in 第四部分 > 附件N).

    python -m evals.quality.qa_generated                 # print the questions as JSON lines
    python -m evals.quality.qa_generated --seeds 1 2     # of these reports
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from evals.quality.qa_items import QAItem
from evals.synthetic import Fact, GroundTruth, generate, parse_text
from index.models import Figure, ParsedReport

DEFAULT_SEEDS = (1, 2, 3, 4, 5)


def report_name(seed: int) -> str:
    """The file name a generated report is ingested under."""
    return f"synthetic-{seed}.txt"


@dataclass
class _Ask:
    """One question kind: the fact keys it asks for, its wordings and its reference answer."""

    kind: str
    keys: list[str]
    wordings: list[str]
    answer: Callable[[dict[str, Fact], GroundTruth], str]


def _amount(metric: str, key: str, wordings: list[str], verb: str = "") -> _Ask:
    return _Ask(f"amount:{metric}", [key], wordings,
                lambda f, t: f"{t.year}年度{metric}{verb}{f[key].text}{f[key].unit}。")


def _change(metric: str, key: str, change: str, rate: str, down: list[str], up: list[str]) -> Callable:
    def build(facts: dict[str, Fact]) -> _Ask | None:
        if change not in facts or rate not in facts or key not in facts:
            return None
        direction = facts[change].direction
        if direction not in ("increase", "decrease"):
            return None
        more, rise = ("增加", "增长") if direction == "increase" else ("减少", "下降")
        return _Ask(f"change:{metric}", [change, rate], up if direction == "increase" else down,
                    lambda f, t: f"{t.year}年度{metric}{f[key].text}万元，比上年{more}{f[change].text}万元，"
                                 f"{rise}{f[rate].text}%。")
    return build


def _asks(facts: dict[str, Fact], truth: GroundTruth) -> list[_Ask]:
    """Every question the report supports, in a fixed order."""
    asks: list[_Ask | None] = []

    def amount(metric: str, key: str, wordings: list[str], verb: str = "") -> None:
        asks.append(_amount(metric, key, wordings, verb) if key in facts else None)

    amount("公务接待费", "三公.公务接待费.2", ["公务接待费是多少？", "公务接待费花了多少钱？", "{year}年公务接待费支出多少？"],
           "支出")
    asks.append(_change("三公经费", "三公经费", "三公经费.change", "三公经费.rate",
                        down=["三公经费比上年减少了多少？", "“三公”经费较上年度少了多少？", "三公经费比去年降了多少？"],
                        up=["三公经费比上年增加了多少？", "“三公”经费较上年度多了多少？", "三公经费比去年涨了多少？"])(facts))
    if "项目支出.share" in facts:
        asks.append(_Ask("share:项目支出", ["项目支出.share"],
                         ["项目支出占多少？", "项目支出占本年支出的比例是多少？", "项目支出占比多少？"],
                         lambda f, t: f"{t.year}年度项目支出{f['项目支出'].text}万元，占本年支出合计的"
                                      f"{f['项目支出.share'].text}%。"))
    if "车.公务用车" in facts:
        asks.append(_Ask("count:公务用车", ["车.公务用车"],
                         ["有几辆公务用车？", "单位共有多少辆公务用车？", "公务用车有多少辆？"],
                         lambda f, t: f"截至{t.year}年12月31日，单位共有公务用车{f['车.公务用车'].text}辆。"))
    amount("机关运行经费", "机关运行经费", ["机关运行经费是多少？", "机关运行经费支出了多少？", "{year}年度机关运行经费多少？"],
           "支出")
    amount("政府采购支出总额", "政府采购支出总额", ["政府采购支出总额是多少？", "政府采购总共花了多少？", "政府采购支出总额多少万元？"])
    project = next((f for f in truth.facts if f.key == "项目1.完成率" and f.subject), None)
    if project is not None:
        name = project.subject
        asks.append(_Ask("completion:project", ["项目1.完成率"],
                         [f"{name}项目的预算执行率是多少？", f"{name}执行了多少？", f"{name}的预算完成率是多少？"],
                         lambda f, t: f"{name}全年预算数{f['项目1.全年预算数'].text}万元，执行数"
                                      f"{f['项目1.执行数'].text}万元，预算执行率{f['项目1.完成率'].text}%。"))
    # 一般公共服务支出 when the report has class 201; otherwise its largest class.
    classes = [f for f in truth.facts if f.key.startswith("类.") and f.role == "amount"]
    if classes:
        cls = next((f for f in classes if f.key == "类.201"), max(classes, key=lambda f: f.value))
        amount(cls.metric, cls.key, [f"{cls.metric}是多少？", f"{cls.metric}花了多少钱？",
                                     f"一般公共预算财政拨款中{cls.metric}多少？"])
    amount("人员经费", "人员经费", ["人员经费是多少？", "基本支出中人员经费有多少？", "人员经费花了多少？"])
    if "绩效.部门整体" in facts:
        asks.append(_Ask("score:部门整体", ["绩效.部门整体"],
                         ["部门整体绩效自评得了多少分？", "部门整体绩效自评得分是多少？", "整体绩效自评多少分？"],
                         lambda f, t: f"{t.department}部门整体绩效自评得分为{f['绩效.部门整体'].text}分。"))
    return [a for a in asks if a is not None]


def _parsed_at(parsed: ParsedReport, fact: Fact) -> Figure | None:
    """The parsed figure at the fact's span stating the same role, value and unit."""
    for fig in parsed.figures:
        if fig.start == fact.start and fig.role == fact.role and fig.unit == fact.unit and fig.value == fact.value:
            return fig
    return None


def _sections(parsed: ParsedReport, fig: Figure) -> list[str]:
    """Sections of every figure stating the same thing (role, value, unit and metric — for a project's
    figure, the same project, so its 绩效自评表 in 第四部分 counts too), in text order."""
    out: list[str] = []
    for other in parsed.figures:
        same = (other.subject == fig.subject) if fig.subject else (other.placed == "text" and other.metric == fig.metric)
        if (same and other.role == fig.role and other.unit == fig.unit and other.value == fig.value
                and other.section not in out):
            out.append(other.section)
    return out


def _gold(fig: Figure) -> dict:
    return {"metric": fig.metric, "value": str(fig.value), "unit": fig.unit, "role": fig.role, "year": fig.year}


def items_for(seed: int, text: str | None = None, truth: GroundTruth | None = None,
              parsed: ParsedReport | None = None) -> list[QAItem]:
    """The labelled questions about the report generated from `seed`."""
    if text is None or truth is None:
        text, truth = generate(seed)
    parsed = parsed or parse_text(text, report_name(seed))
    facts = {f.key: f for f in truth.facts}
    rng = random.Random(f"qa-{seed}")
    items: list[QAItem] = []
    for ask in _asks(facts, truth):
        figures = [f for f in (_parsed_at(parsed, facts[k]) for k in ask.keys) if f is not None]
        if len(figures) < len(ask.keys):
            continue  # the parser does not read it as the generator wrote it: not a fair question
        sections: list[str] = []
        for fig in figures:
            sections += [s for s in _sections(parsed, fig) if s not in sections]
        question = rng.choice(ask.wordings).format(year=truth.year)
        items.append(QAItem(
            id=f"gen{seed}-{len(items) + 1:02d}", question=question, answerable=True, report=report_name(seed),
            gold_sections=sections, gold_figures=[_gold(f) for f in figures],
            reference_answer=ask.answer(facts, truth), source="synthetic", seed=seed,
        ))
    return items


def make_items(seeds: Iterable[int] = DEFAULT_SEEDS) -> list[QAItem]:
    """The labelled questions about the reports generated from `seeds`."""
    return [item for seed in seeds for item in items_for(seed)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(DEFAULT_SEEDS))
    args = parser.parse_args(argv)
    for item in make_items(args.seeds):
        print(json.dumps(asdict(item), ensure_ascii=False))


if __name__ == "__main__":
    main()
