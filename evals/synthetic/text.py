"""Writing a report's text with the spans of its figures (`_Writer`), and the sections of the
template other than 七 and 十: 第一部分 部门概况, 第二部分 一、 to 六、, 八、 and 九、, and
第三部分 名词解释. Each figure is recorded as a `Fact` as it is written, with the relations it
takes part in.

`_Sections` is mixed into `evals.synthetic._Generator`, which supplies `fact`, `rel`, `self.w`,
`self.rng` and the amounts of `_Amounts`.
"""

from __future__ import annotations

from decimal import Decimal

from evals.synthetic.amounts import HUNDRED, ZERO, q2, ratio
from evals.synthetic.truth import Fact
from evals.synthetic.vocab import _CLASS_NAMES, _REASON_DOWN, _REASON_UP


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


class _Sections:
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


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n <= 10:
        return "十" if n == 10 else digits[n]
    return "十" + digits[n - 10] if n < 20 else digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
