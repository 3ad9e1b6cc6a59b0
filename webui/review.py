"""The 审查 tab and the 原文页面 panel: a report's rule findings, their downloads, the figures
export, and the printed page of a citation or a finding.

A mixin of `webui.handlers.JuesuanApp`: it reads the library, the session's scope, the cached
checks and the page views from it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import gradio as gr

from webui.page_view import parse_pick
from webui.render import SEVERITY_ZH, findings_html


class ReviewMixin:
    """Findings, downloads and printed pages for what a session may read."""

    def page_view(self, session: dict, pick: str | None) -> str:
        """The printed page of a citation's passage (webui.page_view): only of a report this
        session may read, so a private upload's original is shown to its own session alone."""
        chosen = parse_pick(pick)
        if chosen is None:
            return '<div class="js-page-view js-error">无法识别要查看的位置。</div>'
        if chosen.report_id not in self.scope_ids(session, f"report:{chosen.report_id}"):
            return '<div class="js-page-view js-error">这份报告不在本会话可读的范围内。</div>'
        return self.pages.view(chosen.report_id, chosen.start, chosen.end)

    def finding_page_view(self, session: dict, pick: str | None) -> str:
        """The printed page of a finding's quote; a 跨年对照 finding also quotes last year's
        report, so the quote is looked up in the report checked and in the one it was checked against."""
        chosen = parse_pick(pick)
        if chosen is not None and chosen.report_id in self.scope_ids(session, f"report:{chosen.report_id}"):
            owner = self._quote_owner(session, chosen.report_id, chosen.start, chosen.end)
            pick = f"{owner}:{chosen.start}:{chosen.end}"
        return self.page_view(session, pick)

    def _quote_owner(self, session: dict, report_id: str, start: int, end: int) -> str:
        from evals.audit.pairing import stored_previous

        result = self.check_result(session, report_id)
        quotes = {ev.quote for f in (result.findings if result else []) for ev in f.evidence
                  if (ev.start, ev.end) == (start, end)}
        previous = stored_previous(self.visible_reports(session), report_id) if self._checks.pair else None
        for rid in [report_id] + ([previous["id"]] if previous else []):
            if any(f.start == start and f.end == end and f.quote in quotes for f in self.library.store.figures([rid])):
                return rid
        return report_id

    def check_result(self, session: dict, report_id: str):
        """The rule findings of a stored report, checked against last year's report of the same
        department when this session can read one (evals.audit.check.StoredChecks, cached)."""
        return self._checks.result(self.library.store, report_id, self.visible_reports(session))

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
        from evals.audit.report_formats import SUFFIX, render

        folder = self._download_folder("juesuan-check-")
        stem = f"juesuan-check-{result.report_id[:12]}"
        paths = []
        for fmt in ("markdown", "html", "xlsx", "json"):  # the order of the page's download buttons
            data = render(fmt, [result])
            path = folder / f"{stem}{SUFFIX[fmt]}"
            path.write_bytes(data) if isinstance(data, bytes) else path.write_text(data, encoding="utf-8")
            paths.append(gr.update(value=str(path), interactive=True))
        return tuple(paths)

    def figures_file(self, session: dict, scope: str | None, fmt: str) -> str | None:
        """Every stated figure of the reports in the scope, one row per figure, as a file of
        `fmt` (index.export: json, csv, xlsx or parquet), for the 报告 tab's download."""
        from index.export import EXPORT_FORMATS, SUFFIX, figure_row, render_figures

        fmt = fmt if fmt in EXPORT_FORMATS else "xlsx"
        ids = self.scope_ids(session, scope)
        if not ids:
            return None
        rows = []
        for rid in ids:
            report = self.library.store.get_report(rid)
            if report is not None:
                rows += [figure_row(f, report.source_name, report) for f in self.library.store.figures([rid])]
        folder = self._download_folder("juesuan-figures-")
        path = folder / f"juesuan-figures-{len(ids)}{SUFFIX[fmt]}"
        path.write_bytes(render_figures(rows, fmt))
        return str(path)

    def _download_folder(self, prefix: str) -> Path:
        """A new temp folder for a download; only the latest 50 are kept (Gradio serves its own
        cached copy of each file)."""
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        self._download_dirs.append(folder)
        while len(self._download_dirs) > 50:
            shutil.rmtree(self._download_dirs.pop(0), ignore_errors=True)
        return folder
