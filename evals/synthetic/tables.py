"""The projects of a report: 十、（四）预算绩效管理 (one paragraph per monitored project), the
values of each project's 绩效自评表 (funding sources, indicators, weights and scores), and
第四部分 附件: the tables flattened as the sample prints them (one cell per line, with a
leading tab), each cell a `Fact` with its relations.

`_Tables` is mixed into `evals.synthetic._Generator`, which supplies `fact`, `rel`, `self.w`,
`self.rng`, `self.projects` and the amounts of `_Amounts`.
"""

from __future__ import annotations

import random
from decimal import Decimal

from evals.synthetic.amounts import HUNDRED, ZERO, _split, q0, q2, ratio
from evals.synthetic.truth import Fact, Project

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


class _Tables:
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


def _weights(rng: random.Random, n: int, total: int) -> list[int]:
    """n weights, multiples of 5 (at least 5 each), adding to `total`."""
    units = total // 5
    split = [1 + s for s in _split(rng, units - n, n)]
    return [5 * s for s in split]
