"""The 图表 tab: 三公 by part (stated, and last year's implied by the stated change), 基本/项目, trends.

A mixin of `webui.handlers.JuesuanApp`: it reads the library and the session's scope from it.
"""

from __future__ import annotations

from decimal import Decimal

import gradio as gr
import pandas as pd

from webui.render import _label

SANGONG_PARTS = ("因公出国（境）费", "公务用车购置及运行维护费", "公务接待费")
TREND_METRICS = ("三公经费", "基本支出", "项目支出")
STATED, IMPLIED = "报告所载决算数", "上年数（由所载变动额推算）"


class ChartsMixin:
    """Chart data over the reports a session may read."""

    def charts(self, session: dict, scope: str | None):
        """三公 by part (stated, and last year's implied by the stated change), 基本/项目, trends."""
        ids = self.scope_ids(session, scope)
        rows = {r["id"]: r for r in self.visible_reports(session) if r["id"] in ids}
        several_depts = len({r["department"] for r in rows.values()}) > 1
        sangong: dict[tuple, dict] = {}
        split, trend = [], []
        for rid, r in rows.items():
            dept, year = r["department"] or "未识别单位", r["year"]
            prefix = f"{dept} " if several_depts else ""
            for part in SANGONG_PARTS:
                now, prior = self._amount_and_prior(rid, part)
                if now is not None and year:  # a stated figure replaces one implied by a later report
                    sangong[(dept, part, year)] = {
                        "项目": f"{prefix}{part} {year}",
                        "来源": STATED,
                        "万元": float(now),
                    }
                if prior is not None and year and (dept, part, year - 1) not in sangong:
                    sangong[(dept, part, year - 1)] = {
                        "项目": f"{prefix}{part} {year - 1}",
                        "来源": IMPLIED,
                        "万元": float(prior),
                    }
            for part in ("基本支出", "项目支出"):
                now, _ = self._amount_and_prior(rid, part)
                if now is not None:
                    split.append({"报告": _label(r, with_file=False), "类别": part, "万元": float(now)})
            for metric in TREND_METRICS:
                now, _ = self._amount_and_prior(rid, metric)
                if now is not None and year:
                    trend.append({"年度": str(year), "万元": float(now), "系列": f"{dept}·{metric}"})
        many = len({(r["department"], r["year"]) for r in rows.values()}) > 1
        note = "" if many else "载入同一单位的多个年度或多个单位后，这里并排显示它们的趋势。"
        return (
            pd.DataFrame(sorted(sangong.values(), key=lambda v: v["项目"]), columns=["项目", "来源", "万元"]),
            pd.DataFrame(split, columns=["报告", "类别", "万元"]),
            gr.update(
                value=pd.DataFrame(trend if many else [], columns=["年度", "万元", "系列"]), visible=many
            ),
            note,
        )

    def _amount_and_prior(self, report_id: str, metric: str) -> tuple[Decimal | None, Decimal | None]:
        """The stated amount of a metric (万元) and, when the report states its change, last year's."""
        figures = [
            f
            for f in self.library.store.figures([report_id], metric=metric)
            if f.metric == metric and f.unit == "万元"
        ]
        amount = next((f.value for f in figures if f.role == "amount"), None)
        change = next((f for f in figures if f.role == "change_amount" and f.direction), None)
        if amount is None or change is None:
            return amount, None
        sign = {"increase": -1, "decrease": 1, "flat": 0}[change.direction]
        return amount, amount + sign * change.value
