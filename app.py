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
from index.settings import PROVIDERS, Settings
from webui.charts import IMPLIED, SANGONG_PARTS, STATED, TREND_METRICS  # noqa: F401
from webui.handlers import JuesuanApp
from webui.render import (  # noqa: F401  (re-exported: tests and callers use app.<name>)
    CSS,
    PAGE_VIEW_JS,
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
from webui.uploads import remove_expired_uploads

log = logging.getLogger(__name__)

EXAMPLE_QUESTIONS = (
    "公务接待费为何下降？",
    "三公经费比上年少了多少？",
    "项目支出占多少？",
    "有几辆公务用车？",
)
PAGE_VIEW_HINT = '<div class="js-page-hint">点击回答的引文 [n] 或审查问题下的引文，这里显示它在原报告中的位置：PDF 显示原页并标出，其他格式标出原文。</div>'
REPORT_COLUMNS = ["单位", "年度", "文件", "可见范围", "章节", "表格", "数字", "片段"]


def build_app(library: Library, host: str = "127.0.0.1") -> gr.Blocks:
    """The Gradio page over an opened library; `host` is the address it will listen on (a
    session may name its own model endpoint only when the operator allows it: docs/security.md)."""
    ui = JuesuanApp(library, host)
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
                with gr.Row():
                    chat = gr.Chatbot(
                        label="对话",
                        height=480,
                        elem_id="chat",
                        buttons=["copy"],
                        feedback_options=None,
                        latex_delimiters=[],
                        scale=1,
                    )
                    # 原文页面: the printed page of the citation opened last (webui.page_view)
                    chat_page = gr.HTML(PAGE_VIEW_HINT, label="原文页面", elem_id="chat-page-view", scale=1)
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
                with gr.Row():
                    own_uploads = gr.Dropdown(
                        label="我的上传（仅本会话可见的报告，可从库中删除）", choices=[], scale=4, elem_id="own-uploads"
                    )
                    remove_upload = gr.Button("删除所选报告", variant="stop", scale=1, elem_id="remove-upload")
                reports = gr.Dataframe(headers=REPORT_COLUMNS, interactive=False, elem_id="reports")
                with gr.Row():  # every stated figure of the reports in 问题范围, one row per figure
                    figures_format = gr.Radio(["xlsx", "csv", "json", "parquet"], value="xlsx", scale=2,
                                              label="导出所选范围内报告的全部数字（每个数字一行）", elem_id="figures-format")
                    export_figures = gr.Button("导出数字", scale=1, elem_id="export-figures")
                    figures_file = gr.File(label="数字表", interactive=False, scale=2, elem_id="figures-file")
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
                with gr.Row():
                    findings = gr.HTML(elem_id="findings", scale=1)
                    review_page = gr.HTML(PAGE_VIEW_HINT, label="原文页面", elem_id="review-page-view", scale=1)
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
                    label="端点（如 http://127.0.0.1:8080/v1）"
                    if ui.policy.allow_session_endpoints
                    else "端点（本服务器由管理员配置，会话不能自选）",
                    value="",
                    elem_id="endpoint",
                    interactive=ui.policy.allow_session_endpoints,
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
        ).then(ui.own_choices, session, own_uploads, api_visibility="private").then(**review_args)
        remove_upload.click(
            ui.remove_upload,
            [session, own_uploads, scope, review_report],
            [session, upload_status, own_uploads, *refresh_outputs],
            api_visibility="private",
        ).then(**review_args)
        run_check.click(**review_args)
        export_figures.click(ui.figures_file, [session, scope, figures_format], figures_file, api_visibility="private")
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
        # A click on a citation or a finding's quote fills the hidden box and presses its tab's
        # hidden button (render.PAGE_VIEW_JS); only the session's own readable reports are shown.
        page_pick = gr.Textbox(visible="hidden", elem_id="page-pick")
        chat_page_go = gr.Button(visible="hidden", elem_id="chat-page-go")
        review_page_go = gr.Button(visible="hidden", elem_id="review-page-go")
        chat_page_go.click(ui.page_view, [session, page_pick], chat_page, api_visibility="private")
        review_page_go.click(ui.finding_page_view, [session, page_pick], review_page, api_visibility="private")
        page.load(None, js=PAGE_VIEW_JS)
        gr.api(ui.api_ask, api_name="ask")
    return page


def launch(
    settings: Settings | None = None, host: str = "127.0.0.1", port: int = 7860, with_sample: bool = True
) -> None:
    """Open the stores (ingesting the sample on first start) and serve the page."""
    settings = settings or Settings()
    library = Library(settings)
    remove_expired_uploads(library, settings.ui.upload_retention_days)  # 0 (the default): keep all
    if with_sample:
        ensure_sample(library)
    else:
        threading.Thread(target=_backfill, args=(library,), name="juesuan-backfill", daemon=True).start()
    build_app(library, host).queue(default_concurrency_limit=4).launch(
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
    from index import SAMPLE_REPORT

    if not library.store.report_ids():
        for result in library.ingest([SAMPLE_REPORT], progress=False, embed=False):
            if result.status == "failed":
                log.error("bundled sample could not be ingested: %s", result.message)
    threading.Thread(target=_backfill, args=(library,), name="juesuan-backfill", daemon=True).start()


def _backfill(library: Library) -> None:
    from index.doctor import startup_check
    from rag.retrieve import HybridSearch

    try:
        dense = HybridSearch(library).weights()["dense"] > 0  # only dense retrieval reads vectors
        # After a crash or a deleted folder the stores may disagree: repair at once (docs/security.md).
        startup_check(library, "app", repair_now=True, embed=dense)
        if dense:
            library.backfill_vectors()
    except Exception:  # dense search stays unavailable for those reports; the rest works
        log.exception("could not compute the embeddings of stored reports")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    launch()
