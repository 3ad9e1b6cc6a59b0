"""What the page shows, as HTML and labels: pure functions of the data, no Gradio.

The marked answer with its citations (`answer_html`, `render_marked`), its 核对 line and
the rule findings behind its numbers (each linking to its entry on the review tab), the
findings of a report (`findings_html`), the names shown for models, reports and uploads, and
the page's CSS.
"""

from __future__ import annotations

import html

from evals.audit.findings import SEVERITY_ZH
from rag.marks import CORRECTIONS_PREFIX
from rag.models import Answer, Claim
from rag.output import AnswerFinding, finding_anchor

VERDICT_MARK = {
    "supported": ("ok", "✓", "与报告一致"),
    "contradicted": ("bad", "✗", "与报告不符"),
    "unsupported": ("unk", "?", "报告中未找到"),
}

CSS = """
.claim { padding: 0 2px; border-radius: 3px; font-weight: 600; }
.claim.ok { background: #dcfce7; color: #14532d; }
.claim.bad { background: #fee2e2; color: #7f1d1d; text-decoration: underline wavy; }
.claim.unk { background: #fef3c7; color: #78350f; }
.js-provider, .js-legend { font-size: 0.85em; color: #555; margin-top: 6px; }
.js-ocr-mark { font-size: 0.7em; color: #7c2d12; background: #ffedd5; border: 1px solid #fdba74;
  border-radius: 3px; padding: 0 3px; margin-left: 2px; font-weight: 600; }
details.js-cite { margin: 4px 0; border-left: 3px solid #94a3b8; padding-left: 8px; }
details.js-cite summary { cursor: pointer; }
.js-quote { white-space: pre-wrap; background: #f8fafc; padding: 6px; font-size: 0.9em; }
.js-error { color: #7f1d1d; } .js-ok { color: #14532d; }
.js-corrections { margin-top: 6px; color: #7f1d1d; font-weight: 600; }
.js-findings { margin-top: 6px; border-left: 3px solid #b45309; padding-left: 8px; font-size: 0.9em; }
.sev-error { color: #7f1d1d; } .sev-warning { color: #78350f; } .sev-info { color: #1e3a8a; }
.js-pv { cursor: pointer; }
.js-quote.js-pv:hover { outline: 1px solid #94a3b8; }
.js-page-hint { font-size: 0.8em; color: #2563eb; margin-left: 4px; }
.js-page-view img { max-width: 100%; height: auto; border: 1px solid #cbd5e1; cursor: zoom-in; display: block; }
.js-page-view img.js-page-full { max-width: none; cursor: zoom-out; }
.js-page-zoom { margin-bottom: 6px; }
.js-page-view figure { margin: 0 0 8px 0; } .js-page-view figcaption { font-size: 0.85em; color: #555; }
.js-page-note { font-size: 0.85em; color: #78350f; margin: 4px 0; }
.js-page-quote, .js-page-passage { white-space: pre-wrap; background: #f8fafc; padding: 6px; font-size: 0.9em; }
.js-page-mark { background: #fde68a; outline: 2px solid #dc2626; }
#chat-page-view, #review-page-view { max-height: 760px; overflow-y: auto; }
#review-page-view { position: sticky; top: 8px; align-self: flex-start; }  /* beside a long list */
"""

PAGE_HINT = '<span class="js-page-hint">查看原文页面</span>'

# A click on an element of class `js-pv` (a citation, a finding's quote) asks the server for the
# page of the span its `pv-<report id>-<start>-<end>` class names (webui.page_view; a class, since
# the chat's sanitiser drops data- attributes): the value goes into a hidden box and the hidden
# button of the tab it was clicked on is pressed. Installed once, when the page loads (app.py).
PAGE_VIEW_JS = """
() => {
  if (window.juesuanPageView) return;
  window.juesuanPageView = true;
  document.addEventListener('click', (event) => {
    if (event.target.matches('.js-page-view img')) {  // a click shows the page at its own size
      event.target.classList.toggle('js-page-full');
      return;
    }
    const el = event.target.closest('.js-pv');
    const token = el && [...el.classList].find((c) => c.startsWith('pv-'));
    if (!token) return;
    const details = el.tagName === 'SUMMARY' ? el.parentElement : null;
    if (details && details.open) return;  // closing a citation: nothing to fetch
    const tab = el.closest('#findings') ? 'review' : 'chat';
    const box = document.querySelector('#page-pick textarea, #page-pick input');
    const go = document.querySelector('#' + tab + '-page-go');
    if (!box || !go) return;
    box.value = token.slice(3).split('-').join(':');
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 30);
  });
}
"""


# Beside a number or a citation that rests on text OCR read from a scanned page.
OCR_MARK = "OCR"
OCR_TIP = "这一页是扫描件，报告里的数字由 OCR 识别，个别数字可能误读：请打开原页核对"


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
        ocr = bool(claim.evidence and claim.evidence.ocr)
        if claim.evidence:
            tip += f"；{claim.evidence.section} {claim.evidence.quote[:80]}"
        if ocr:
            tip += f"；{OCR_TIP}"
        out.append(html.escape(text[pos : claim.start]))
        out.append(
            f'<span class="claim {css}{" js-ocr" if ocr else ""}" title="{html.escape(tip)}">'
            f"{html.escape(text[claim.start : claim.end])} {html.escape(mark_for(claim))}"
            + (f'<sup class="js-ocr-mark">{OCR_MARK}</sup>' if ocr else "") + "</span>"
        )
        pos = claim.end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def answer_html(
    answer: Answer,
    model_label: str = "",
    report_labels: dict[str, str] | None = None,
    findings: list[AnswerFinding] | tuple[AnswerFinding, ...] = (),
) -> str:
    """One chat message: marked answer, its 核对 line, a legend, the rule findings behind its
    numbers (each linking to the review tab's entry), the citations (each opens its quote), the
    model."""
    body, corrections = answer.answer, ""
    head, sep, last = body.rpartition("\n")
    if sep and last.startswith(CORRECTIONS_PREFIX):  # rag.chain appends it after the verified text
        body, corrections = head, last
    parts = [f'<div class="js-answer">{render_marked(body, answer.claims)}</div>']
    if corrections:
        parts.append(f'<div class="js-corrections">{html.escape(corrections)}</div>')
    if answer.claims:
        counts = {v: sum(1 for c in answer.claims if c.verdict == v) for v in VERDICT_MARK}
        parts.append(
            '<div class="js-legend">'
            + " · ".join(f"{VERDICT_MARK[v][1]} {VERDICT_MARK[v][2]} {n}" for v, n in counts.items())
            + (f" · {OCR_MARK} 核对所依据的数字由扫描页 OCR 识别 {scanned}"
               if (scanned := sum(1 for c in answer.claims if c.evidence and c.evidence.ocr)) else "")
            + "</div>"
        )
    if findings:
        notes = "".join(
            f'<div class="js-finding-note sev-{html.escape(f.severity)}">⚠ 报告自身的问题'
            f"（{html.escape('、'.join(f.numbers))}，{SEVERITY_ZH.get(f.severity, f.severity)}）：{html.escape(f.message)} "
            f'<a class="js-finding-link" href="#{html.escape(f.anchor)}">在“审查”页查看（规则 {html.escape(f.rule)}）</a>'
            "</div>"
            for f in findings
        )
        parts.append(f'<div class="js-findings">{notes}</div>')
    for c in answer.citations:
        where = " · ".join(
            x for x in ((report_labels or {}).get(c.report_id, ""), c.section or "（未识别章节）") if x
        )
        where = html.escape(where + (f"，第 {c.page} 页" if c.page else ""))
        if c.ocr:
            where += f' <span class="js-ocr-mark" title="{html.escape(OCR_TIP)}">扫描页 · {OCR_MARK}</span>'

        # Opening a citation shows its passage on the printed page (原文页面, webui.page_view).
        pick = _page_pick(c.report_id, c.start, c.end)
        summary = f'<summary class="{pick}">' if pick else "<summary>"
        parts.append(
            f'<details class="js-cite">{summary}[{c.n}] {where}</summary>'
            f'<div class="js-quote{" " + pick if pick else ""}">{_lines(c.quote)}</div></details>'
        )
    parts.append(f'<div class="js-provider">回答模型：{html.escape(model_label or answer.provider)}</div>')
    # One HTML block without a line break: Markdown leaves it alone.
    return "".join(parts)


def pick_value(report_id: str, start: int, end: int) -> str:
    """What a clickable citation or quote sends for its page (webui.page_view.parse_pick reads it)."""
    return f"{report_id}:{start}:{end}"


def _page_pick(report_id: str, start: int | None, end: int | None) -> str:
    """The classes of a clickable citation or quote: `js-pv pv-<report id>-<start>-<end>` (the
    page's script turns it into `pick_value`), '' without a span."""
    if start is None or end is None or start >= end:
        return ""
    return html.escape(f"js-pv pv-{pick_value(report_id, start, end).replace(':', '-')}")


def _lines(text: str) -> str:
    """Report text as inert HTML on one source line (line breaks as <br>)."""
    return html.escape(text).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def model_label(provider: str, label: str) -> str:
    """Which model answered, for the page: 'openai（deepseek-chat）', 'extractive（不用模型…）'."""
    if provider == "extractive":
        return "extractive（不调用模型：由报告原句和数字组成）"
    return f"{provider}（{label}）" if label and label != provider else provider


def findings_html(result, total: int) -> str:
    """The findings grouped by severity, each with its numbers, quotes and places (escaped)."""
    from evals.audit.report_formats import by_severity, location, numbers, one_line

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
            places: dict[tuple[str, str], str] = {}
            for ev in f.evidence:  # a click on a quote shows the quoted number on its page
                places.setdefault((one_line(ev.quote), location(ev)), _page_pick(result.report_id, ev.start, ev.end))
            quotes = "".join(
                f'<div class="js-quote{" " + pick if pick else ""}">{e(q)}<br><small>{e(where)}</small>'
                f"{PAGE_HINT if pick else ''}</div>"
                for (q, where), pick in places.items()
            )
            family = family_names.get(f.family, f.family)
            anchor = finding_anchor(result.report_id, f)  # what an answer citing it links to
            body.append(
                f'<details class="js-finding sev-{severity}" id="{e(anchor)}" open>'
                f"<summary>[{e(family)}] {e(f.message)}</summary>"
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
    from evals.audit.catalogue import FAMILIES
    from evals.audit.registry import RULES

    present = sorted(
        {spec.family for spec in RULES.values()},
        key=lambda f: (list(FAMILIES).index(f) if f in FAMILIES else 99, f),
    )
    return [(FAMILIES[f][0] if f in FAMILIES else f, f) for f in present]
