"""The browser app (Gradio). UI wiring only: everything it shows comes from `index/`.

This first version lists the ingested reports and lets a user look up the figures extracted
from them (metric, value, unit, year, role, section, page, quote). Questions and answers, the
review tab and charts come with the later parts of the project.

Run with `juesuan serve` or `python app.py`; binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr

from index.ingest import Library
from index.settings import Settings

log = logging.getLogger(__name__)

FIGURE_COLUMNS = ["指标", "数值", "单位", "年度", "角色", "章节", "页", "原文"]
REPORT_COLUMNS = ["id", "单位", "年度", "文件", "章节", "表格", "数字", "片段"]


def ensure_sample(library: Library) -> None:
    """Ingest the bundled sample report when the store is empty (first start)."""
    from juesuan_cli import SAMPLE_REPORT

    if not library.store.report_ids():
        for result in library.ingest([SAMPLE_REPORT], progress=False):
            if result.status == "failed":
                log.error("bundled sample could not be ingested: %s", result.message)


def build_app(library: Library) -> gr.Blocks:
    """The Gradio page over an opened library."""

    def report_rows() -> list[list]:
        return [
            [r["id"], r["department"] or "", r["year"] or "", r["source_name"], r["sections"], r["tables"],
             r["figures"], r["chunks"]]
            for r in library.store.reports()
        ]

    def figure_rows(metric: str, year: str) -> list[list]:
        year_value = int(year) if year.strip().isdigit() else None
        figures = library.store.figures(metric=metric.strip() or None, year=year_value)
        return [[f.metric, f.text, f.unit, f.year or "", f.role, f.section, f.page or "", f.quote[:80]] for f in figures[:500]]

    with gr.Blocks(title="决算 juesuan") as page:
        gr.Markdown("# 决算 juesuan\n读部门决算：每个数字都能找到出处。")
        with gr.Tab("报告"):
            reports = gr.Dataframe(headers=REPORT_COLUMNS, value=report_rows, interactive=False)
            gr.Button("刷新").click(report_rows, outputs=reports)
        with gr.Tab("数字"):
            with gr.Row():
                metric = gr.Textbox(label="指标（如 公务接待费）", value="公务接待费")
                year = gr.Textbox(label="年度", value="")
            figures = gr.Dataframe(headers=FIGURE_COLUMNS, value=lambda: figure_rows("公务接待费", ""), interactive=False)
            metric.submit(figure_rows, [metric, year], figures)
            year.submit(figure_rows, [metric, year], figures)
            gr.Button("查找").click(figure_rows, [metric, year], figures)
    return page


def launch(settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860, with_sample: bool = True) -> None:
    """Open the stores (ingesting the sample on first start) and serve the page."""
    library = Library(settings or Settings())
    if with_sample:
        ensure_sample(library)
    build_app(library).queue().launch(server_name=host, server_port=port, show_error=True)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    launch()
