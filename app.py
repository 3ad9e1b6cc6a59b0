"""The browser app (Gradio). UI wiring only: answers come from `rag/`, findings from `evals/`,
reports, figures and charts from `index/`.

Tabs: 问答 (streamed answers, every number marked ✓/✗/?, [n] citations that open their quote),
报告 (upload reports, see what this session can read), 审查 (the rule findings of one report,
filtered, downloadable), 图表 (三公, 基本/项目, trends), 设置 (model provider and endpoint).

Sessions and scopes (docs/ui.md): the store is shared, but what a session may read is the shared
reports (the sample, anything ingested with `juesuan ingest`, uploads marked 共享) plus the
reports this session uploaded. Every question, check and chart is limited to that set.

Run with `juesuan serve` or `python app.py`; binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import logging
import os
import threading

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr

from index.ingest import Library
from index.loaders import SUPPORTED_SUFFIXES
from index.settings import Settings
from webui.handlers import IMPLIED, SANGONG_PARTS, STATED, TREND_METRICS, JuesuanApp  # noqa: F401
from webui.render import (  # noqa: F401  (re-exported: tests and callers use app.<name>)
    CSS,
    SEVERITY_ZH,
    VERDICT_MARK,
    _display_name,
    _families,
    _label,
    _lines,
    _status,
    answer_html,
    findings_html,
    model_label,
    render_marked,
)
from webui.sessions import Visibility, new_session  # noqa: F401

log = logging.getLogger(__name__)

EXAMPLE_QUESTIONS = (
    "公务接待费为何下降？",
    "三公经费比上年少了多少？",
    "项目支出占多少？",
    "有几辆公务用车？",
)
REPORT_COLUMNS = ["单位", "年度", "文件", "可见范围", "章节", "表格", "数字", "片段"]
PROVIDERS = ("auto", "extractive", "llamacpp", "ollama", "openai")


def build_app(library: Library) -> gr.Blocks:
    """The Gradio page over an opened library."""
    ui = JuesuanApp(library)
    ui.start_warmup()
    families = _families()
    with gr.Blocks(title="决算 juesuan") as page:
        session = gr.State(new_session(library.settings))
        gr.Markdown(
            "# 决算 juesuan\n读部门决算：问问题，看原文出处；每个数字都对照报告核验（✓ 一致，✗ 不符，? 未找到）。"
        )
        with gr.Row():
            scope = gr.Dropdown(
                label="问题范围", choices=[("全部报告", "all")], value="all", scale=4, elem_id="scope"
            )
            refresh_btn = gr.Button("刷新", scale=1)
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                chat = gr.Chatbot(
                    label="对话",
                    height=480,
                    elem_id="chat",
                    buttons=["copy"],
                    feedback_options=None,
                    latex_delimiters=[],
                )
                with gr.Row():
                    question = gr.Textbox(
                        label="问题", placeholder="例如：公务接待费为何下降？", scale=5, elem_id="question"
                    )
                    send = gr.Button("提问", variant="primary", scale=1, elem_id="send")
                with gr.Row():
                    examples = [
                        gr.Button(q, size="sm", elem_classes=["js-example"]) for q in EXAMPLE_QUESTIONS
                    ]
            with gr.Tab("报告", id="reports"):
                uploads = gr.File(
                    label=f"上传报告（PDF、DOCX、TXT/MD、XLSX/XLS；单个不超过 {library.settings.max_upload_mb:g} MB）",
                    file_count="multiple",
                    file_types=list(SUPPORTED_SUFFIXES),
                    elem_id="upload",
                )
                shared = gr.Checkbox(label="加入共享库（其他用户也能看到；默认仅本会话可见）", value=False)
                upload_status = gr.HTML(elem_id="upload-status")
                reports = gr.Dataframe(headers=REPORT_COLUMNS, interactive=False, elem_id="reports")
            with gr.Tab("审查", id="review"):
                with gr.Row():
                    review_report = gr.Dropdown(label="报告", choices=[], scale=3, elem_id="review-report")
                    family = gr.CheckboxGroup(label="类别（不选即全部）", choices=families, scale=4)
                    severity = gr.CheckboxGroup(
                        label="严重程度",
                        choices=list(SEVERITY_ZH.values()),
                        value=list(SEVERITY_ZH.values()),
                        scale=2,
                    )
                run_check = gr.Button("检查", variant="primary", elem_id="run-check")
                with gr.Row():
                    dl = [
                        gr.DownloadButton(f"下载 {fmt}", interactive=False, elem_id=f"dl-{fmt.lower()}")
                        for fmt in ("Markdown", "HTML", "XLSX", "JSON")
                    ]
                findings = gr.HTML(elem_id="findings")
            with gr.Tab("图表", id="charts"):
                chart_note = gr.Markdown()
                sangong_plot = gr.BarPlot(
                    elem_id="sangong-plot",
                    x="项目",
                    y="万元",
                    color="来源",
                    title="“三公”经费及上年对比（万元）",
                    x_label_angle=-20,
                    color_map={STATED: "#4c78a8", IMPLIED: "#f58518"},
                )
                split_plot = gr.BarPlot(
                    elem_id="split-plot",
                    x="报告",
                    y="万元",
                    color="类别",
                    title="基本支出 / 项目支出（万元）",
                )
                trend_plot = gr.LinePlot(
                    elem_id="trend-plot",
                    x="年度",
                    y="万元",
                    color="系列",
                    title="年度趋势（万元）",
                    visible=False,
                )
                draw = gr.Button("按当前范围重画")
            with gr.Tab("设置", id="settings"):
                provider = gr.Dropdown(
                    label="模型提供方（auto：先试配置的端点、ollama、GGUF，否则 extractive 不用模型）",
                    choices=list(PROVIDERS),
                    value=library.settings.llm.provider,
                    elem_id="provider",
                )
                endpoint = gr.Textbox(
                    label="端点（如 http://127.0.0.1:8080/v1）", value="", elem_id="endpoint"
                )
                model = gr.Textbox(label="模型名", value="")
                api_key = gr.Textbox(
                    label="API 密钥（只保存在本会话，不写日志、不回显）",
                    type="password",
                    value="",
                    elem_id="api-key",
                )
                top_k = gr.Slider(
                    label="放进提示的段落数（检索范围在页面顶部选择）",
                    minimum=1,
                    maximum=20,
                    step=1,
                    value=library.settings.llm.context_passages,
                )
                save = gr.Button("保存设置", variant="primary")
                settings_note = gr.Markdown(elem_id="settings-note")

        refresh_outputs = [scope, reports, review_report]
        page.load(ui.refresh, [session, scope, review_report], refresh_outputs, api_visibility="private")
        refresh_btn.click(
            ui.refresh, [session, scope, review_report], refresh_outputs, api_visibility="private"
        )
        ask_args = {
            "fn": ui.chat_turn,
            "inputs": [question, chat, session, scope],
            "outputs": [chat, question],
            "api_visibility": "private",
        }
        send.click(**ask_args)
        question.submit(**ask_args)
        for button in examples:
            button.click(lambda q: q, button, question, api_visibility="private").then(**ask_args)
        review_args = {
            "fn": ui.review,
            "inputs": [session, review_report, family, severity],
            "outputs": [findings, *dl],
            "api_visibility": "private",
        }
        # After an upload the review is redone: the new report may be last year's of the one shown.
        uploads.upload(
            ui.upload,
            [uploads, shared, session, scope, review_report],
            [session, upload_status, uploads, *refresh_outputs],
            api_visibility="private",
        ).then(**review_args)
        run_check.click(**review_args)
        review_report.change(**review_args)
        family.change(**review_args)
        severity.change(**review_args)
        chart_args = {
            "fn": ui.charts,
            "inputs": [session, scope],
            "outputs": [sangong_plot, split_plot, trend_plot, chart_note],
            "api_visibility": "private",
        }
        draw.click(**chart_args)
        scope.change(**chart_args)
        page.load(**chart_args)
        save.click(
            ui.save_settings,
            [session, provider, endpoint, model, api_key, top_k],
            [session, settings_note, api_key],
            api_visibility="private",
        )
        gr.api(ui.api_ask, api_name="ask")
    return page


def launch(
    settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860, with_sample: bool = True
) -> None:
    """Open the stores (ingesting the sample on first start) and serve the page."""
    settings = settings or Settings()
    library = Library(settings)
    if with_sample:
        ensure_sample(library)
    build_app(library).queue(default_concurrency_limit=4).launch(
        server_name=host,
        server_port=port,
        show_error=True,
        css=CSS,
        footer_links=["api"],
        max_file_size=settings.max_upload_bytes,
    )


def ensure_sample(library: Library) -> None:
    """Ingest the bundled sample report when the store is empty (first start).

    The sample is stored and searchable (SQLite, BM25, figures) before the page opens; its
    embeddings — the slow part, with the model load — are filled in by a background thread
    when dense retrieval is on, so the first start does not wait for them.
    """
    from juesuan_cli import SAMPLE_REPORT

    if not library.store.report_ids():
        for result in library.ingest([SAMPLE_REPORT], progress=False, embed=False):
            if result.status == "failed":
                log.error("bundled sample could not be ingested: %s", result.message)
    threading.Thread(target=_backfill, args=(library,), name="juesuan-backfill", daemon=True).start()


def _backfill(library: Library) -> None:
    from rag.retrieve import HybridRetriever

    try:
        if HybridRetriever(library).weights()["dense"] > 0:  # only dense retrieval reads vectors
            library.backfill_vectors()
    except Exception:  # dense search stays unavailable for those reports; the rest works
        log.exception("could not compute the embeddings of stored reports")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    launch()
