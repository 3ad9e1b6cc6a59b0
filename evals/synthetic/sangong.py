"""Writing 第二部分 七、“三公”经费 (totals, parts, vehicles and receptions, year-on-year changes)
and 十、其他重要事项 (机关运行经费, 政府采购, 国有资产 — the vehicles again), with their facts
and relations.

`_SanGong` is mixed into `evals.synthetic._Generator`, which supplies `fact`, `rel`, `self.w`,
`self.rng`, the amounts of `_Amounts` and, for 十、（四）, `_performance` of `_Tables`.
"""

from __future__ import annotations

from decimal import Decimal

from evals.synthetic.amounts import HUNDRED, ZERO, _split, q2, ratio
from evals.synthetic.truth import Fact
from evals.synthetic.vocab import _CAR_BODIES, _CAR_USES


class _SanGong:
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
