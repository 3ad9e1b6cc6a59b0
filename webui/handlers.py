"""The handlers of the page (`JuesuanApp`): what each button, upload and tab does.

Over one library shared by all sessions: scopes limited to what a session may read, streamed
answers from rag/, uploads ingested by index/, rule findings and their downloads from evals/,
chart data, and the session's model settings. The Gradio layout and wiring are in app.py.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import gradio as gr

from evals.audit.check import StoredChecks
from index.ingest import Library
from index.loaders import SUPPORTED_SUFFIXES
from index.settings import Settings
from rag.models import Answer
from rag.providers import EndpointPolicy, ProviderError, redact_keys, session_llm_settings
from rag.retrieve import HybridSearch
from webui.charts import ChartsMixin
from webui.page_view import PageViews
from webui.render import (
    _display_name,
    _label,
    _lines,
    _status,
    answer_html,
    model_label,
)
from webui.review import ReviewMixin
from webui.sessions import Visibility, new_session
from webui.uploads import discard_upload_copy

log = logging.getLogger("app")  # the name it logged under when this code was in app.py



def endpoint_policy(settings: Settings, host: str) -> EndpointPolicy:
    """The operator's rule for session endpoints: JUESUAN_UI__ALLOW_SESSION_ENDPOINTS, or when
    unset, allowed only when the app listens on localhost (one user on their own machine)."""
    allow = settings.ui.allow_session_endpoints
    if allow is None:
        allow = is_loopback(host)
    return EndpointPolicy(allow, settings.ui.hosts)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.1, ::1, localhost: an address only this machine can reach."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class JuesuanApp(ReviewMixin, ChartsMixin):
    """The handlers of the page, over one library shared by all sessions (the review tab and the
    page panel in `webui.review`, the charts in `webui.charts`)."""

    def __init__(self, library: Library, host: str = "127.0.0.1") -> None:
        self.library = library
        self.policy = endpoint_policy(library.settings, host)
        self.visibility = Visibility(library.data_dir)
        self.ingest_lock = threading.Lock()
        self._checks = StoredChecks(library.settings.check)  # the review tab's, and `juesuan ask`'s
        self._chains: dict[tuple, Any] = {}
        self._chains_lock = threading.Lock()
        self.retriever = HybridSearch(library)
        self._warmup: threading.Thread | None = None
        self._download_dirs: list[Path] = []
        self.pages = PageViews(library)  # 原文页面: a citation's or a finding's printed page

    def start_warmup(self) -> None:
        """Load the embedding model (seconds) while the page opens, not at the first question,
        when dense retrieval is on; with it off the model is never loaded."""
        self._warmup = threading.Thread(target=self._warm, name="embedder-warmup", daemon=True)
        self._warmup.start()

    def _warm(self) -> None:
        if self._dense_on():
            _ = self.library.embedder

    def _dense_on(self) -> bool:
        return self.retriever.weights()["dense"] > 0

    def _ready(self) -> None:
        if self._warmup is not None:
            self._warmup.join()

    def chain(self, llm: dict, passages: int):
        """The answering chain for a session's model settings (built once per distinct choice)."""
        from rag.chain import AnswerChain

        base = self.library.settings
        key = llm.get("api_key") or ""
        # The server's key goes only to the server's endpoint; a session's endpoint gets the
        # session's key or none, and only when the operator allows session endpoints.
        llm_settings = session_llm_settings(
            base.llm, self.policy, llm.get("provider", ""), llm.get("endpoint", ""), llm.get("model", ""),
            key, passages,
        )
        cache_key = (
            llm_settings.provider,
            llm_settings.base_url,
            llm_settings.model,
            hashlib.sha256(key.encode()).hexdigest(),
            passages,
        )
        with self._chains_lock:
            if cache_key not in self._chains:
                settings = base.model_copy(update={"llm": llm_settings})
                self._chains[cache_key] = AnswerChain(
                    self.library, settings=settings, retriever=self.retriever
                )
            return self._chains[cache_key]

    def answer_stream(
        self, question: str, report_ids: list[str], llm: dict, passages: int
    ) -> Iterator[str | Answer]:
        """Text deltas, then the verified Answer (rag.chain.AnswerChain.stream)."""
        self._ready()
        yield from self.chain(llm, passages).stream(question, report_ids)

    # scopes --------------------------------------------------------------------------------

    def visible_reports(self, session: dict) -> list[dict]:
        """The store's report rows this session may read: the shared ones and its own uploads."""
        rows = self.library.store.reports()
        ids = self.visibility.visible({r["id"] for r in rows}, session["uploads"])
        return [r for r in rows if r["id"] in ids]

    def scope_choices(self, session: dict) -> list[tuple[str, str]]:
        """(label, value) pairs of the scope selector: all, each report, each department, each year."""
        rows = self.visible_reports(session)
        choices = [(f"全部报告（{len(rows)} 份）", "all")]
        choices += [(f"报告：{_label(r)}", f"report:{r['id']}") for r in rows]
        choices += [
            (f"单位：{d}", f"dept:{d}") for d in sorted({r["department"] for r in rows if r["department"]})
        ]
        choices += [(f"年度：{y}", f"year:{y}") for y in sorted({r["year"] for r in rows if r["year"]})]
        return choices

    def scope_ids(self, session: dict, scope: str | None) -> list[str]:
        """The report ids a scope value stands for, never outside what the session may read."""
        rows = self.visible_reports(session)
        kind, _, value = (scope or "all").partition(":")
        if kind == "report":
            rows = [r for r in rows if r["id"] == value]
        elif kind == "dept":
            rows = [r for r in rows if r["department"] == value]
        elif kind == "year":
            rows = [r for r in rows if str(r["year"]) == value]
        return [r["id"] for r in rows]

    def report_rows(self, session: dict) -> list[list]:
        """Rows of the report table, with whether each is shared or this session's own."""
        mine = set(session["uploads"]) & self.visibility.private
        return [
            [
                r["department"] or "",
                r["year"] or "",
                r["source_name"] + (f"（扫描件：{len(r['ocr_pages'])} 页由 OCR 识别）" if r.get("ocr_pages") else ""),
                "仅本会话" if r["id"] in mine else "共享",
                r["sections"],
                r["tables"],
                r["figures"],
                r["chunks"],
            ]
            for r in self.visible_reports(session)
        ]

    def refresh(self, session: dict, scope: str | None, review_report: str | None):
        """The scope list, the report table and the review list, keeping the current choices."""
        choices = self.scope_choices(session)
        values = [v for _, v in choices]
        reports = [(label[3:], value[7:]) for label, value in choices if value.startswith("report:")]
        report_values = [v for _, v in reports]
        return (
            gr.update(choices=choices, value=scope if scope in values else "all"),
            self.report_rows(session),
            gr.update(
                choices=reports,
                value=review_report
                if review_report in report_values
                else (report_values[0] if report_values else None),
            ),
        )

    # chat ----------------------------------------------------------------------------------

    def chat_turn(self, question: str, history: list, session: dict, scope: str | None):
        """One question: stream the model's text, then replace it with the verified, marked answer."""
        question = (question or "").strip()
        if not question:
            yield history, ""
            return
        history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": "…"}]
        yield history, ""
        ids = self.scope_ids(session, scope)
        if not ids:
            history[-1]["content"] = "所选范围内没有报告。请先上传报告，或选择“全部报告”。"
            yield history, ""
            return
        text = ""
        try:
            chain = self.chain(session["llm"], session["top_k"])
            label = model_label(chain.provider, chain.choice.label)
            for item in self.answer_stream(question, ids, session["llm"], session["top_k"]):
                if isinstance(item, Answer):
                    labels = {r["id"]: _label(r, with_file=False) for r in self.library.store.reports()}
                    findings = self.answer_findings(chain, item, session, ids)
                    history[-1]["content"] = answer_html(item, label, labels, findings)
                else:
                    text += item
                    history[-1]["content"] = f'<div class="js-answer">{_lines(text)}</div>'
                yield history, ""
        except Exception as exc:
            keys = (session["llm"].get("api_key", ""), self.library.settings.llm.api_key)
            message = redact_keys(f"{type(exc).__name__}: {exc}", *keys)
            # With any key set, no traceback: a client library's error may quote its request.
            log.error("answering failed: %s", message, exc_info=not any(keys))
            history[-1]["content"] = f'<div class="js-error">回答失败：{html.escape(message[:300])}</div>'
            yield history, ""

    def answer_findings(self, chain, answer: Answer, session: dict, report_ids: list[str]) -> list:
        """The review tab's findings on the figures the answer's numbers were checked against
        (the same cached check the review tab shows, so the links find their entries)."""
        return chain.findings(answer, lambda rid: self.check_result(session, rid), report_ids)

    def api_ask(self, question: str, scope: str = "all") -> dict:
        """The `ask` API: answer over the shared reports, with every number's verdict, as JSON."""
        session = new_session(self.library.settings)
        answer, ids = None, self.scope_ids(session, scope)
        for item in self.answer_stream(question, ids, session["llm"], session["top_k"]) if ids else ():
            if isinstance(item, Answer):
                answer = item
        if answer is None:
            return {"question": question, "answer": "", "claims": [], "citations": [], "provider": "",
                    "findings": []}
        chain = self.chain(session["llm"], session["top_k"])
        findings = self.answer_findings(chain, answer, session, ids)
        return {**answer.model_dump(mode="json"), "findings": [asdict(f) for f in findings]}

    # uploads -------------------------------------------------------------------------------

    def upload(
        self,
        files: list | None,
        shared: bool,
        session: dict,
        scope: str | None,
        review_report: str | None,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 - how Gradio injects a progress bar
    ):
        """Ingest uploaded files under safe temporary names; the original name is only displayed."""
        files = files or []
        lines: list[str] = []
        session = {**session, "uploads": list(session["uploads"])}
        limit = self.library.settings.max_upload_bytes
        workdir = Path(tempfile.mkdtemp(prefix="juesuan-upload-"))
        ingested = False
        try:
            for i, file in enumerate(files):
                src = Path(file if isinstance(file, str) else file.name)
                name = _display_name(src.name)
                progress((i, len(files)), desc=f"入库 {name}")
                suffix = Path(name).suffix.lower()
                size = src.stat().st_size if src.exists() else 0
                if suffix not in SUPPORTED_SUFFIXES:
                    lines.append(
                        _status(False, f"{name}: 不支持的文件类型（支持 {', '.join(SUPPORTED_SUFFIXES)}）")
                    )
                    continue
                if size > limit:
                    lines.append(
                        _status(False, f"{name}: 文件过大（{size / 1e6:.1f} MB，上限 {limit / 1e6:.0f} MB）")
                    )
                    continue
                safe = workdir / f"upload-{i}{suffix}"
                shutil.copyfile(src, safe)
                self._ready()
                with self.ingest_lock:
                    result = self.library.ingest_file(
                        safe, source_name=name, embed=self._dense_on(), private=not shared
                    )
                if result.status == "failed":
                    lines.append(_status(False, result.message))
                    continue
                ingested |= result.status == "ingested"
                if shared or result.status == "ingested":  # re-uploading a shared report keeps it shared
                    self.visibility.mark(result.report_id, shared)
                if result.report_id not in session["uploads"]:
                    session["uploads"].append(result.report_id)
                what = "已入库" if result.status == "ingested" else "已在库中，内容未变"
                seen_by = "仅本会话可见" if result.report_id in self.visibility.private else "共享"
                lines.append(_status(True, f"{name}: {what}（{seen_by}）"))
            if ingested:
                progress((len(files), len(files)), desc="更新检索索引")
                with self.ingest_lock:
                    _ = self.library.bm25
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            for file in files:  # Gradio's own copy would be kept, and served by path, until a restart
                discard_upload_copy(Path(file if isinstance(file, str) else file.name))
        status = "".join(lines) or "没有收到文件。"
        return (
            session,
            f'<div class="js-upload-status">{status}</div>',
            None,
            *self.refresh(session, scope, review_report),
        )

    def own_uploads(self, session: dict) -> list[tuple[str, str]]:
        """(label, id) of the reports this session uploaded that are private to it: the ones it
        may remove (a shared report is the team's: the operator removes it with `juesuan remove`)."""
        private = self.library.store.private_ids()
        return [(_label(r), r["id"]) for r in self.visible_reports(session)
                if r["id"] in private and r["id"] in session["uploads"]]

    def own_choices(self, session: dict):
        """The 我的上传 list, refreshed (after an upload or a removal)."""
        return gr.update(choices=self.own_uploads(session), value=None)

    def remove_upload(self, session: dict, report_id: str | None, scope: str | None, review_report: str | None):
        """Remove one of this session's private uploads from every store."""
        own = {rid: label for label, rid in self.own_uploads(session)}
        if not report_id or report_id not in own:
            message = _status(False, "只能删除本会话上传、仅本会话可见的报告。")
        else:
            with self.ingest_lock:
                removed = self.library.remove_report(report_id)
            self._checks.forget(report_id)
            self.pages.forget(report_id)
            message = _status(removed, f"{own[report_id]}: {'已从库中删除' if removed else '已不在库中'}")
        session = {**session, "uploads": [rid for rid in session["uploads"] if rid != report_id]}
        return (
            session,
            f'<div class="js-upload-status">{message}</div>',
            self.own_choices(session),
            *self.refresh(session, scope, review_report),
        )

    # 原文页面 -----------------------------------------------------------------------------------

    # review --------------------------------------------------------------------------------

    # charts --------------------------------------------------------------------------------

    # settings ------------------------------------------------------------------------------

    def save_settings(
        self, session: dict, provider: str, endpoint: str, model: str, api_key: str, top_k: float
    ):
        """Keep the session's model choice; an endpoint the operator does not allow is refused
        (the note says why) and the session keeps its previous choice."""
        endpoint = (endpoint or "").strip()
        before = session["llm"]
        # A remembered key stays with the endpoint it was typed for, never follows a new one.
        kept = before.get("api_key", "") if endpoint == before.get("endpoint", "") else ""
        llm = {"provider": provider, "endpoint": endpoint, "model": (model or "").strip(),
               "api_key": (api_key or "").strip() or kept}
        try:
            session_llm_settings(self.library.settings.llm, self.policy, provider, endpoint, llm["model"],
                                 llm["api_key"])
        except ProviderError as exc:
            return session, f"未保存：{html.escape(str(exc))}", ""
        session = {**session, "llm": llm, "top_k": int(top_k)}
        key = "已设置（不显示）" if llm["api_key"] else "未设置"
        note = f"已保存：{html.escape(provider)}，端点 {html.escape(llm['endpoint'] or '默认')}，密钥{key}，检索 {int(top_k)} 段。仅对本会话有效。"
        return session, note, ""  # the key box is emptied: the key is never sent back to the page
