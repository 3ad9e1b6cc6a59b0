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

import hashlib
import html
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import gradio as gr
import pandas as pd
from pydantic import SecretStr

from index.ingest import Library
from index.loaders import SUPPORTED_SUFFIXES
from index.settings import Settings
from rag.models import Answer, Claim
from rag.retrieve import HybridRetriever

log = logging.getLogger(__name__)

EXAMPLE_QUESTIONS = (
    "公务接待费为何下降？",
    "三公经费比上年少了多少？",
    "项目支出占多少？",
    "有几辆公务用车？",
)
REPORT_COLUMNS = ["单位", "年度", "文件", "可见范围", "章节", "表格", "数字", "片段"]
SANGONG_PARTS = ("因公出国（境）费", "公务用车购置及运行维护费", "公务接待费")
TREND_METRICS = ("三公经费", "基本支出", "项目支出")
PROVIDERS = ("auto", "extractive", "llamacpp", "ollama", "openai")
VERDICT_MARK = {
    "supported": ("ok", "✓", "与报告一致"),
    "contradicted": ("bad", "✗", "与报告不符"),
    "unsupported": ("unk", "?", "报告中未找到"),
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
STATED, IMPLIED = "报告所载决算数", "上年数（由所载变动额推算）"

CSS = """
.claim { padding: 0 2px; border-radius: 3px; font-weight: 600; }
.claim.ok { background: #dcfce7; color: #14532d; }
.claim.bad { background: #fee2e2; color: #7f1d1d; text-decoration: underline wavy; }
.claim.unk { background: #fef3c7; color: #78350f; }
.js-provider, .js-legend { font-size: 0.85em; color: #555; margin-top: 6px; }
details.js-cite { margin: 4px 0; border-left: 3px solid #94a3b8; padding-left: 8px; }
details.js-cite summary { cursor: pointer; }
.js-quote { white-space: pre-wrap; background: #f8fafc; padding: 6px; font-size: 0.9em; }
.js-error { color: #7f1d1d; } .js-ok { color: #14532d; }
.sev-error { color: #7f1d1d; } .sev-warning { color: #78350f; } .sev-info { color: #1e3a8a; }
"""


def new_session(settings: Settings | None = None) -> dict[str, Any]:
    """What one browser session holds: its uploads and its model settings (never shared).
    The model starts as the server's (JUESUAN_LLM__*); the server's key is never copied here."""
    llm = settings.llm if settings else None
    return {
        "uploads": [],
        "top_k": llm.context_passages if llm else 5,
        "llm": {"provider": llm.provider if llm else "auto", "endpoint": "", "model": "", "api_key": ""},
    }


class Visibility:
    """Which stored reports are private to the session that uploaded them.

    Private ids are kept in `data_dir/ui_private.json` so that a restart does not turn an
    upload into a shared report; after a restart nobody owns them until they are uploaded again.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "ui_private.json"
        self.lock = threading.Lock()
        try:
            self.private: set[str] = set(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            self.private = set()

    def mark(self, report_id: str, shared: bool) -> None:
        """Record an upload as private (or shared, which also lifts an earlier private mark)."""
        with self.lock:
            (self.private.discard if shared else self.private.add)(report_id)
            self.path.write_text(json.dumps(sorted(self.private)), encoding="utf-8")

    def visible(self, all_ids: set[str], uploads: list[str]) -> set[str]:
        """The shared reports plus this session's own uploads."""
        return (all_ids - self.private) | (set(uploads) & all_ids)


# --- answering: rendering what rag/ returns ---------------------------------------------------------


def render_marked(text: str, claims: list[Claim]) -> str:
    """The answer as HTML (report text escaped), each checked number wrapped in its verdict:
    a colour and the symbol of rag.verify.mark_for (✓, ✓[推算], ✗[报告为 …], ?[未核实]),
    so it reads without colour too."""
    from rag.verify import mark_for

    out, pos = [], 0
    for claim in sorted(claims, key=lambda c: c.start):
        if claim.start < pos or claim.end > len(text):
            continue
        css, _, meaning = VERDICT_MARK[claim.verdict]
        tip = meaning + (f"；{claim.how}" if claim.how else "")
        if claim.evidence:
            tip += f"；{claim.evidence.section} {claim.evidence.quote[:80]}"
        out.append(html.escape(text[pos : claim.start]))
        out.append(
            f'<span class="claim {css}" title="{html.escape(tip)}">{html.escape(text[claim.start : claim.end])}'
            f" {html.escape(mark_for(claim))}</span>"
        )
        pos = claim.end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def answer_html(answer: Answer, model_label: str = "", report_labels: dict[str, str] | None = None) -> str:
    """One chat message: marked answer, a legend, the citations (each opens its quote), the model."""
    parts = [f'<div class="js-answer">{render_marked(answer.answer, answer.claims)}</div>']
    if answer.claims:
        counts = {v: sum(1 for c in answer.claims if c.verdict == v) for v in VERDICT_MARK}
        parts.append(
            '<div class="js-legend">'
            + " · ".join(f"{VERDICT_MARK[v][1]} {VERDICT_MARK[v][2]} {n}" for v, n in counts.items())
            + "</div>"
        )
    for c in answer.citations:
        where = " · ".join(
            x for x in ((report_labels or {}).get(c.report_id, ""), c.section or "（未识别章节）") if x
        )
        where = html.escape(where + (f"，第 {c.page} 页" if c.page else ""))
        parts.append(
            f'<details class="js-cite"><summary>[{c.n}] {where}</summary>'
            f'<div class="js-quote">{_lines(c.quote)}</div></details>'
        )
    parts.append(f'<div class="js-provider">回答模型：{html.escape(model_label or answer.provider)}</div>')
    # One HTML block without a line break: Markdown leaves it alone.
    return "".join(parts)


def _lines(text: str) -> str:
    """Report text as inert HTML on one source line (line breaks as <br>)."""
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


# --- the page --------------------------------------------------------------------------------------


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
        """Load the embedding model (seconds) while the page opens, not at the first question."""
        self._warmup = threading.Thread(
            target=lambda: self.library.embedder, name="embedder-warmup", daemon=True
        )
        self._warmup.start()

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
                    history[-1]["content"] = answer_html(item, label, labels)
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

    def api_ask(self, question: str, scope: str = "all") -> dict:
        """The `ask` API: answer over the shared reports, with every number's verdict, as JSON."""
        session = new_session(self.library.settings)
        answer, ids = None, self.scope_ids(session, scope)
        for item in self.answer_stream(question, ids, session["llm"], session["top_k"]) if ids else ():
            if isinstance(item, Answer):
                answer = item
        if answer is None:
            return {"question": question, "answer": "", "claims": [], "citations": [], "provider": ""}
        return answer.model_dump(mode="json")

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
                    result = self.library.ingest_file(safe, source_name=name)
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


def model_label(provider: str, label: str) -> str:
    """Which model answered, for the page: 'openai（deepseek-chat）', 'extractive（不用模型…）'."""
    if provider == "extractive":
        return "extractive（不调用模型：由报告原句和数字组成）"
    return f"{provider}（{label}）" if label and label != provider else provider


def findings_html(result, total: int) -> str:
    """The findings grouped by severity, each with its numbers, quotes and places (escaped)."""
    from evals.report_formats import by_severity, location, numbers, one_line

    e = html.escape
    family_names = {value: label for label, value in _families()}
    head = (
        f"<h3>{e(result.title or result.path or result.report_id)}</h3>"
        f"<p>显示 {len(result.findings)} / {total} 个问题；数据不足 {result.summary.insufficient_data} 处。"
        + (
            f"对照上年报告：{e(result.previous)}。"
            if result.previous
            else "未载入同单位上年报告，跨年规则未运行。"
        )
        + "</p>"
    )
    if not result.findings:
        return head + "<p>没有符合筛选条件的问题。</p>"
    body = []
    for severity, group in by_severity(result.findings):
        body.append(f'<h4 class="sev-{severity}">{SEVERITY_ZH[severity]}（{len(group)}）</h4>')
        for f in group:
            nums = "；".join(f"{label} {e(value)}" for label, value in numbers(f))
            # The same sentence cited twice (two figures of one sentence) is shown once.
            places = dict.fromkeys((one_line(ev.quote), location(ev)) for ev in f.evidence)
            quotes = "".join(
                f'<div class="js-quote">{e(q)}<br><small>{e(where)}</small></div>' for q, where in places
            )
            family = family_names.get(f.family, f.family)
            body.append(
                f'<details class="js-finding sev-{severity}" open><summary>[{e(family)}] {e(f.message)}</summary>'
                f"<div>{nums}</div>{quotes}<small>规则 {e(f.rule)}</small></details>"
            )
    return head + "".join(body)


def _label(row: dict, with_file: bool = True) -> str:
    text = f"{row['department'] or '未识别单位'} {row['year'] or ''}".strip()
    return f"{text}（{row['source_name']}）" if with_file else text


def _display_name(name: str) -> str:
    """An upload's own name, for display only: no folders, no control characters, bounded length."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "未命名文件"
    return name[-120:]


def _status(ok: bool, message: str) -> str:
    return f'<div class="{"js-ok" if ok else "js-error"}">{"✓" if ok else "✗"} {html.escape(message)}</div>'


def _families() -> list[tuple[str, str]]:
    from evals.catalogue import FAMILIES
    from evals.registry import RULES

    present = sorted(
        {spec.family for spec in RULES.values()},
        key=lambda f: (list(FAMILIES).index(f) if f in FAMILIES else 99, f),
    )
    return [(FAMILIES[f][0] if f in FAMILIES else f, f) for f in present]


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
    """Ingest the bundled sample report when the store is empty (first start)."""
    from juesuan_cli import SAMPLE_REPORT

    if not library.store.report_ids():
        for result in library.ingest([SAMPLE_REPORT], progress=False):
            if result.status == "failed":
                log.error("bundled sample could not be ingested: %s", result.message)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    launch()
