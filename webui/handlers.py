"""The handlers of the page (`JuesuanApp`): what each button, upload and tab does.

Over one library shared by all sessions: scopes limited to what a session may read, streamed
answers from rag/, uploads ingested by index/, rule findings and their downloads from evals/,
chart data, and the session's model settings. The Gradio layout and wiring are in app.py.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from pydantic import SecretStr

from index.ingest import Library
from index.loaders import SUPPORTED_SUFFIXES
from rag.models import Answer
from rag.retrieve import HybridRetriever
from webui.render import (
    SEVERITY_ZH,
    _display_name,
    _label,
    _lines,
    _status,
    answer_html,
    findings_html,
    model_label,
)
from webui.sessions import Visibility, new_session

log = logging.getLogger("app")  # the name it logged under when this code was in app.py

SANGONG_PARTS = ("因公出国（境）费", "公务用车购置及运行维护费", "公务接待费")
TREND_METRICS = ("三公经费", "基本支出", "项目支出")
STATED, IMPLIED = "报告所载决算数", "上年数（由所载变动额推算）"


class JuesuanApp:
    """The handlers of the page, over one library shared by all sessions."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.visibility = Visibility(library.data_dir)
        self.ingest_lock = threading.Lock()
        self._checks: dict[str, Any] = {}
        self._chains: dict[tuple, Any] = {}
        self._chains_lock = threading.Lock()
        self.retriever = HybridRetriever(library)
        self._warmup: threading.Thread | None = None
        self._download_dirs: list[Path] = []

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
        provider = llm.get("provider") or base.llm.provider
        key = llm.get("api_key") or ""
        cache_key = (
            provider,
            llm.get("endpoint", ""),
            llm.get("model", ""),
            hashlib.sha256(key.encode()).hexdigest(),
            passages,
        )
        with self._chains_lock:
            if cache_key not in self._chains:
                update: dict[str, Any] = {"provider": provider, "context_passages": passages}
                if llm.get("endpoint"):
                    update["base_url"] = llm["endpoint"]
                if llm.get("model"):
                    update["model"] = llm["model"]
                if key:
                    update["api_key"] = SecretStr(key)
                settings = base.model_copy(update={"llm": base.llm.model_copy(update=update)})
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
                r["source_name"],
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
            key = session["llm"].get("api_key", "")
            message = (
                f"{type(exc).__name__}: {exc}".replace(key, "***") if key else f"{type(exc).__name__}: {exc}"
            )
            # With a key set, no traceback: a client library's error may quote its request.
            log.error("answering failed: %s", message, exc_info=not key)
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
                    result = self.library.ingest_file(safe, source_name=name, embed=self._dense_on())
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
        status = "".join(lines) or "没有收到文件。"
        return (
            session,
            f'<div class="js-upload-status">{status}</div>',
            None,
            *self.refresh(session, scope, review_report),
        )

    # review --------------------------------------------------------------------------------

    def check_result(self, session: dict, report_id: str):
        """The rule findings of a stored report, checked against last year's report of the same
        department when this session can read one (cached: a report id is its content's hash)."""
        from evals.check import run_rules

        rows = self.visible_reports(session)
        row = next((r for r in rows if r["id"] == report_id), None)
        if row is None:
            return None
        previous = next(
            (
                r
                for r in rows
                if r["department"]
                and r["department"] == row["department"]
                and row["year"]
                and r["year"] == row["year"] - 1
            ),
            None,
        )
        key = (report_id, previous["id"] if previous else None)
        if key not in self._checks:
            parsed = self.library.store.load_parsed(report_id)
            last_year = self.library.store.load_parsed(previous["id"]) if previous else None
            if parsed is None:
                return None
            result = run_rules(parsed, previous=last_year, path=parsed.report.source_name)
            result.previous = previous["source_name"] if previous and last_year else None
            self._checks[key] = result
        return self._checks[key]

    def review(self, session: dict, report_id: str | None, families: list[str], severities: list[str]):
        """The findings of one report, filtered by family and severity, and their downloads."""
        none = (gr.update(value=None, interactive=False),) * 4
        if not report_id or report_id not in self.scope_ids(session, f"report:{report_id}"):
            return "<p>请选择一份报告。</p>", *none
        result = self.check_result(session, report_id)
        if result is None:
            return "<p>这份报告已不在库中。</p>", *none
        wanted_sev = {k for k, v in SEVERITY_ZH.items() if v in severities}
        shown = [
            f for f in result.findings if f.severity in wanted_sev and (not families or f.family in families)
        ]
        filtered = result.model_copy(update={"findings": shown})
        return findings_html(filtered, len(result.findings)), *self.downloads(filtered)

    def downloads(self, result) -> tuple:
        """The shown findings as Markdown, HTML, XLSX and JSON files in a fresh temporary folder."""
        from evals import report_formats

        folder = Path(tempfile.mkdtemp(prefix="juesuan-check-"))
        self._download_dirs.append(folder)
        while len(self._download_dirs) > 50:  # Gradio serves its own cached copy of each file
            shutil.rmtree(self._download_dirs.pop(0), ignore_errors=True)
        stem = f"juesuan-check-{result.report_id[:12]}"
        files = {
            "md": report_formats.to_markdown([result]),
            "html": report_formats.to_html([result]),
            "xlsx": report_formats.to_xlsx([result]),
            "json": json.dumps(report_formats.to_json([result]), ensure_ascii=False, indent=1),
        }
        paths = []
        for ext, data in files.items():
            path = folder / f"{stem}.{ext}"
            path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
            paths.append(gr.update(value=str(path), interactive=True))
        return tuple(paths)

    # charts --------------------------------------------------------------------------------

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

    # settings ------------------------------------------------------------------------------

    def save_settings(
        self, session: dict, provider: str, endpoint: str, model: str, api_key: str, top_k: float
    ):
        llm = {
            "provider": provider,
            "endpoint": endpoint.strip(),
            "model": model.strip(),
            "api_key": api_key.strip() or session["llm"].get("api_key", ""),
        }
        session = {**session, "llm": llm, "top_k": int(top_k)}
        key = "已设置（不显示）" if llm["api_key"] else "未设置"
        note = f"已保存：{html.escape(provider)}，端点 {html.escape(llm['endpoint'] or '默认')}，密钥{key}，检索 {int(top_k)} 段。仅对本会话有效。"
        return session, note, ""  # the key box is emptied: the key is never sent back to the page
