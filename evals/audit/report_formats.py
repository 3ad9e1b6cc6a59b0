"""The output formats of `juesuan check`: JSON for tools, Markdown and HTML for people, XLSX for
auditors' spreadsheets.

The JSON shape is a contract other tools rely on (see docs/rules.md and the README): exactly the
keys written by `result_json`, nothing more. The human formats show, per report, a header
(title, department, year, file, counts) and the findings grouped by severity (错误 / 警告 / 提示),
each with its message, expected / actual / difference and its quotes with section and page.

Report text is data: everything that comes from a report (titles, quotes, section names, file
names) is escaped — `html.escape` in HTML, backslash escapes of the characters Markdown would
interpret in Markdown, and in XLSX never a formula and never an illegal control character.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evals.audit.check import CheckResult
from evals.audit.findings import SEVERITY_ZH, Evidence, Finding
from evals.audit.fulltext import mark_spans, marked_html
from index.models import ParsedReport
from index.settings import CHECK_FORMATS, CheckFormat

SEVERITIES = ("error", "warning", "info")

FINDING_KEYS = ("rule", "family", "severity", "message", "expected", "actual", "difference", "evidence")
EVIDENCE_KEYS = ("quote", "section", "page", "start", "end", "ocr")
SUMMARY_KEYS = ("rules_run", "findings", "errors", "warnings", "infos", "insufficient_data")

XLSX_COLUMNS = ("文件", "单位", "年度", "规则", "类别", "严重程度", "说明", "应为", "实为", "差额", "原文", "章节", "页码")
XLSX_SUMMARY_COLUMNS = (
    "文件", "单位", "年度", "报告 id", "标题", "上年报告", "规则数", "问题数", "错误", "警告", "提示", "数据不足",
)


# --- JSON ----------------------------------------------------------------------------------------


def evidence_json(evidence: Evidence) -> dict:
    """One quote and where it stands."""
    return {key: getattr(evidence, key) for key in EVIDENCE_KEYS}


def finding_json(finding: Finding) -> dict:
    """One finding, with exactly the contract's keys."""
    data = {key: getattr(finding, key) for key in FINDING_KEYS[:-1]}
    data["evidence"] = [evidence_json(e) for e in finding.evidence]
    return data


def result_json(result: CheckResult) -> dict:
    """One report's entry of `{"reports": [...]}`."""
    return {
        "path": result.path,
        "report_id": result.report_id,
        "title": result.title,
        "department": result.department,
        "year": result.year,
        "summary": {key: getattr(result.summary, key) for key in SUMMARY_KEYS},
        "findings": [finding_json(f) for f in result.findings],
    }


def to_json(results: Iterable[CheckResult]) -> dict:
    """The whole JSON document (serialise with ensure_ascii=False)."""
    return {"reports": [result_json(r) for r in results]}


# --- shared helpers for the human formats --------------------------------------------------------


def one_line(text: str) -> str:
    """A quote on one line: table cells (tab-separated) shown as ' ｜ ', line breaks as spaces."""
    text = text.replace("\t", " ｜ ")
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


def location(evidence: Evidence) -> str:
    """'第二部分 > 七、，第 3 页' (either part may be missing)."""
    parts = [evidence.section] if evidence.section else []
    if evidence.page is not None:
        parts.append(f"第 {evidence.page} 页" + ("（扫描页，OCR 识别）" if evidence.ocr else ""))
    elif evidence.ocr:
        parts.append("扫描页，OCR 识别")
    return "，".join(parts)


def counts_line(result: CheckResult) -> str:
    """运行规则 N 条；问题 N 个（错误 N，警告 N，提示 N）；数据不足 N 处"""
    s = result.summary
    return (
        f"运行规则 {s.rules_run} 条；问题 {s.findings} 个（错误 {s.errors}，警告 {s.warnings}，提示 {s.infos}）；"
        f"数据不足 {s.insufficient_data} 处"
    )


def by_severity(findings: list[Finding]) -> list[tuple[str, list[Finding]]]:
    """Findings grouped in the order 错误, 警告, 提示 (empty groups left out)."""
    groups = [(sev, [f for f in findings if f.severity == sev]) for sev in SEVERITIES]
    return [(sev, group) for sev, group in groups if group]


def numbers(finding: Finding) -> list[tuple[str, str]]:
    """(label, value) for expected / actual / difference, the empty ones left out."""
    pairs = (("应为", finding.expected), ("实为", finding.actual), ("差额", finding.difference))
    return [(label, value) for label, value in pairs if value]


def distinct_evidence(finding: Finding) -> list[Evidence]:
    """The finding's quotes for people: the same quote at the same place shown once."""
    seen: set[tuple[str, str, int | None]] = set()
    kept = []
    for e in finding.evidence:
        key = (e.quote, e.section, e.page)
        if key not in seen:
            seen.add(key)
            kept.append(e)
    return kept


def display_title(result: CheckResult) -> str:
    return result.title or result.path or result.report_id


# --- Markdown -------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<])")


def md_escape(text: str) -> str:
    """Text from a report made inert in Markdown: the characters Markdown would read as markup
    inside a line (emphasis, code, links, raw HTML) are backslash-escaped. Report text never
    starts a line of the output, so line-start markup (#, >, -, 1.) needs no escape."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_cell(text: str) -> str:
    """md_escape for a table cell (a '|' would end the cell)."""
    return md_escape(text).replace("|", "\\|")


def to_markdown(results: list[CheckResult], failures: list[str] | None = None, overview: bool = True) -> str:
    """A Markdown report for people (with several reports, an overview table first unless
    `overview` is False: the terminal gets a summary table after the report instead)."""
    failures = failures or []
    lines: list[str] = ["# 决算一致性检查", ""]
    if overview and len(results) > 1:
        lines += ["| 文件 | 单位 | 年度 | 错误 | 警告 | 提示 | 数据不足 |", "|---|---|---|---:|---:|---:|---:|"]
        for r in results:
            s = r.summary
            lines.append(
                f"| {md_cell(r.path or '')} | {md_cell(r.department or '')} | {r.year or ''} | {s.errors} | "
                f"{s.warnings} | {s.infos} | {s.insufficient_data} |"
            )
        lines.append("")
    if failures:
        lines += ["## 未能读取", ""] + [f"- {md_escape(line)}" for line in failures] + [""]
    for r in results:
        lines += [f"## {md_escape(display_title(r))}", ""]
        lines.append(f"- 单位：{md_escape(r.department or '（未识别）')}")
        lines.append(f"- 年度：{r.year or '（未识别）'}")
        lines.append(f"- 文件：{md_escape(r.path or '')}")
        lines.append(f"- 报告 id：{r.report_id}")
        if r.previous:
            lines.append(f"- 上年报告：{md_escape(r.previous)}")
        lines.append(f"- 结果：{counts_line(r)}")
        if r.insufficient:
            detail = "、".join(f"`{rule}`（{n}）" for rule, n in sorted(r.insufficient.items()))
            lines.append(f"- 数据不足的规则：{detail}")
        lines.append("")
        groups = by_severity(r.findings)
        if not groups:
            lines += ["未发现问题。", ""]
        for sev, group in groups:
            lines += [f"### {SEVERITY_ZH[sev]}（{len(group)}）", ""]
            for i, f in enumerate(group, 1):
                lines.append(f"{i}. **{md_escape(f.message)}** （规则 `{f.rule}`，{md_escape(f.family)}）")
                pairs = numbers(f)
                if pairs:
                    lines.append("   - " + "；".join(f"{label}：{md_escape(value)}" for label, value in pairs))
                for e in distinct_evidence(f):
                    where = location(e)
                    lines.append(f"   - 原文{f'（{md_escape(where)}）' if where else ''}：")
                    lines.append(f"     > {md_escape(one_line(e.quote))}")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"


# --- HTML -----------------------------------------------------------------------------------------

_CSS = """
body{font-family:"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1f2328;line-height:1.55}
h1{font-size:1.6rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem}
h2{font-size:1.3rem;margin-top:2.5rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
h3{font-size:1.1rem;margin-top:1.5rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}
dl.meta dt{color:#57606a}dl.meta dd{margin:0}
.counts span{display:inline-block;margin-right:.6rem;padding:.05rem .5rem;border-radius:1rem;background:#eaeef2}
.counts .error{background:#ffebe9;color:#a40e26}.counts .warning{background:#fff8c5;color:#7d4e00}
.counts .info{background:#ddf4ff;color:#0550ae}
.finding{border-left:4px solid #d0d7de;padding:.3rem .8rem;margin:.8rem 0;background:#f6f8fa}
.finding.error{border-color:#cf222e}.finding.warning{border-color:#bf8700}.finding.info{border-color:#0969da}
.finding .msg{font-weight:600;margin:.2rem 0}
.finding .rule{font-family:monospace;font-size:.85em;color:#57606a;font-weight:400}
.finding table{font-size:.95em}
blockquote{margin:.4rem 0;padding:.2rem .8rem;border-left:3px solid #afb8c1;background:#fff;white-space:pre-wrap}
blockquote cite{display:block;font-style:normal;font-size:.85em;color:#57606a}
.none{color:#1a7f37}.failures li{color:#a40e26}
.goto{margin-left:.6rem;font-size:.95em}
.fulltext{white-space:pre-wrap;tab-size:4;font-size:.92em;border:1px solid #d0d7de;padding:.6rem .9rem;
max-height:40rem;overflow:auto;background:#fff}
.fulltext mark{background:#fff0a8;border-bottom:2px solid #bf8700}.fulltext mark a{color:inherit;text-decoration:none}
.fulltext mark:target{background:#ffd8b5;outline:2px solid #cf222e}
""".strip()


def _e(value: object) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)


def to_html(
    results: list[CheckResult], failures: list[str] | None = None, originals: dict[str, Original] | None = None
) -> str:
    """A self-contained HTML page (inline CSS, no scripts, no external resources). With the
    original of a TXT/DOCX/XLSX report, its full text follows its findings, each quote marked
    and linked both ways (a PDF's is its annotated copy: `--format pdf`)."""
    failures = failures or []
    originals = originals or {}
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>决算一致性检查</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>决算一致性检查</h1>",
        f"<p>生成于 {_e(datetime.now().strftime('%Y-%m-%d %H:%M'))}，共 {len(results)} 份报告。</p>",
    ]
    if len(results) > 1:
        out.append("<table><thead><tr><th>文件</th><th>单位</th><th>年度</th><th>错误</th><th>警告</th>"
                   "<th>提示</th><th>数据不足</th></tr></thead><tbody>")
        for i, r in enumerate(results):
            s = r.summary
            out.append(
                f'<tr><td><a href="#r{i}">{_e(r.path)}</a></td><td>{_e(r.department)}</td><td>{_e(r.year)}</td>'
                f'<td class="n">{s.errors}</td><td class="n">{s.warnings}</td><td class="n">{s.infos}</td>'
                f'<td class="n">{s.insufficient_data}</td></tr>'
            )
        out.append("</tbody></table>")
    if failures:
        out.append('<h2>未能读取</h2><ul class="failures">')
        out += [f"<li>{_e(line)}</li>" for line in failures]
        out.append("</ul>")
    for i, r in enumerate(results):
        s = r.summary
        out.append(f'<section id="r{i}"><h2>{_e(display_title(r))}</h2><dl class="meta">')
        meta = [("单位", r.department or "（未识别）"), ("年度", r.year or "（未识别）"), ("文件", r.path),
                ("报告 id", r.report_id)]
        if r.previous:
            meta.append(("上年报告", r.previous))
        out += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta]
        out.append("</dl>")
        out.append(
            f'<p class="counts"><span>运行规则 {s.rules_run}</span><span class="error">错误 {s.errors}</span>'
            f'<span class="warning">警告 {s.warnings}</span><span class="info">提示 {s.infos}</span>'
            f"<span>数据不足 {s.insufficient_data}</span></p>"
        )
        if r.insufficient:
            detail = "、".join(f"{rule}（{n}）" for rule, n in sorted(r.insufficient.items()))
            out.append(f"<p>数据不足的规则：{_e(detail)}</p>")
        original = originals.get(r.report_id)
        text = original.parsed.report.text if original and original.parsed.report.format != "pdf" else None
        marks = mark_spans(text, r.findings) if text is not None else None
        number = {id(f): j for j, f in enumerate(r.findings)}
        groups = by_severity(r.findings)
        if not groups:
            out.append('<p class="none">未发现问题。</p>')
        for sev, group in groups:
            out.append(f"<h3>{SEVERITY_ZH[sev]}（{len(group)}）</h3>")
            for f in group:
                out.append(f'<article class="finding {sev}" id="r{i}-f{number[id(f)]}">')
                out.append(
                    f'<p class="msg">{_e(f.message)} <span class="rule">{_e(f.rule)} · {_e(f.family)}</span></p>'
                )
                pairs = numbers(f)
                if pairs:
                    out.append("<table><tr>" + "".join(f"<th>{_e(k)}</th>" for k, _ in pairs) + "</tr><tr>"
                               + "".join(f"<td>{_e(v)}</td>" for _, v in pairs) + "</tr></table>")
                for e in distinct_evidence(f):
                    where = location(e)
                    k = marks.of(e.start, e.end) if marks is not None else None
                    goto = f' <a class="goto" href="#r{i}-m{k}">全文中的位置</a>' if k is not None else ""
                    cite = f"<cite>{_e(where)}{goto}</cite>" if where or goto else ""
                    out.append(f"<blockquote>{cite}{_e(one_line(e.quote))}</blockquote>")
                out.append("</article>")
        if text is not None and marks is not None:
            out.append(f'<h3 id="r{i}-text">全文（标出 {len(marks.spans)} 处原文）</h3>')
            body = marked_html(
                text, marks, lambda k, i=i: f"r{i}-m{k}", lambda j, i=i: f"r{i}-f{j}",
                lambda j, r=r: f"{SEVERITY_ZH[r.findings[j].severity]}：{r.findings[j].message}",
            )
            out.append(f'<div class="fulltext">{body}</div>')
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- XLSX -----------------------------------------------------------------------------------------

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cell_text(value: object) -> object:
    """A value safe for a worksheet cell: ints stay numbers, text loses XML-illegal characters."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return _ILLEGAL_XML.sub("", str(value))


def _append(sheet, row: Iterable[object]) -> None:
    """Append a row; text is always stored as text (a quote starting with '=' is no formula)."""
    values = [_cell_text(v) for v in row]
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values):
        if isinstance(value, str):
            cell.data_type = "s"


def _pages(evidence: list[Evidence]) -> int | str | None:
    """The page of a single quote as a number; several quotes' pages one per line."""
    pages = [e.page for e in evidence]
    if len(pages) == 1:
        return pages[0]
    text = "\n".join("" if p is None else str(p) for p in pages)
    return text if text.strip() else None


def finding_rows(result: CheckResult) -> list[list[object]]:
    """One row per finding, in XLSX_COLUMNS order; several quotes go into one cell, one per line."""
    rows = []
    for f in result.findings:
        rows.append([
            result.path or "", result.department or "", result.year, f.rule, f.family, SEVERITY_ZH[f.severity],
            f.message, f.expected, f.actual, f.difference,
            "\n".join(one_line(e.quote) for e in distinct_evidence(f)),
            "\n".join(e.section for e in distinct_evidence(f)),
            _pages(distinct_evidence(f)),
        ])
    return rows


def to_xlsx(results: list[CheckResult], failures: list[str] | None = None) -> bytes:
    """A workbook: sheet 问题 (one row per finding) and sheet 汇总 (one row per report, then the
    inputs that could not be read)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "问题"
    _append(sheet, XLSX_COLUMNS)
    for r in results:
        for row in finding_rows(r):
            _append(sheet, row)
    widths = (28, 20, 6, 22, 12, 8, 50, 16, 16, 12, 60, 30, 6)
    for column, width in zip("ABCDEFGHIJKLM", widths):
        sheet.column_dimensions[column].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    summary = book.create_sheet("汇总")
    _append(summary, XLSX_SUMMARY_COLUMNS)
    for r in results:
        s = r.summary
        _append(summary, [
            r.path or "", r.department or "", r.year, r.report_id, r.title or "", r.previous or "",
            s.rules_run, s.findings, s.errors, s.warnings, s.infos, s.insufficient_data,
        ])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (40, 24, 6, 18, 40, 30)):
        summary.column_dimensions[column].width = width
    if failures:
        _append(summary, [])
        _append(summary, ["未能读取"])
        for line in failures:
            _append(summary, [line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- one entry for every format ------------------------------------------------------------------

#: The file suffix each format is written with (the app's downloads, `--output` guessing).
SUFFIX: dict[CheckFormat, str] = {
    "markdown": ".md", "html": ".html", "xlsx": ".xlsx", "json": ".json", "pdf": ".pdf",
}
_BY_SUFFIX: dict[str, CheckFormat] = {
    **{suffix: fmt for fmt, suffix in SUFFIX.items()}, ".markdown": "markdown", ".htm": "html",
}
assert set(SUFFIX) == set(CHECK_FORMATS), "a format of index.settings.CheckFormat has no renderer here"


def format_for(path: Path | None, default: CheckFormat = "markdown") -> CheckFormat:
    """The format a file name asks for by its suffix (report.xlsx → xlsx), else `default`."""
    return _BY_SUFFIX.get(path.suffix.lower(), default) if path is not None else default


@dataclass(frozen=True)
class Original:
    """What a report was checked on, for the formats that show it: the parse (its canonical
    text, and for a PDF where each character was printed) and the file, when it is one."""

    parsed: ParsedReport
    path: Path | None = None


def render(
    fmt: str, results: list[CheckResult], failures: list[str] | None = None, overview: bool = True,
    originals: dict[str, Original] | None = None,
) -> str | bytes:
    """The results in one of CHECK_FORMATS: text, or bytes for xlsx and pdf. The one renderer
    per format that `juesuan check` writes and the app's 审查 tab offers for download.

    `originals` (report id → Original) adds what only the report itself can give: in html, the
    full text of each TXT/DOCX/XLSX report with its evidence marked; pdf needs it, for exactly
    one report checked from a PDF file (the annotated copy of that file)."""
    if fmt == "json":
        return json.dumps(to_json(results), ensure_ascii=False, indent=1) + "\n"
    if fmt == "html":
        return to_html(results, failures, originals)
    if fmt == "xlsx":
        return to_xlsx(results, failures)
    if fmt == "markdown":
        return to_markdown(results, failures, overview=overview)
    if fmt == "pdf":
        return to_pdf(results, originals or {})
    raise ValueError(f"unknown format {fmt!r}: one of {', '.join(CHECK_FORMATS)}")


def to_pdf(results: list[CheckResult], originals: dict[str, Original]) -> bytes:
    """The annotated copy of the one PDF checked (evals.audit.annotated_pdf); ValueError, with a
    sentence for the user, for anything else."""
    from evals.audit.annotated_pdf import annotate_pdf

    if len(results) != 1:
        raise ValueError(f"--format pdf 一次只能标注一份 PDF 报告（这次是 {len(results)} 份）")
    original = originals.get(results[0].report_id)
    if original is None or original.path is None or original.parsed.report.format != "pdf":
        raise ValueError(f"{results[0].path}: --format pdf 只适用于 PDF 文件（原文件须可读）")
    return annotate_pdf(original.path, original.parsed, results[0])
