"""What the page shows, as HTML and labels: pure functions of the data, no Gradio.

The marked answer with its citations (`answer_html`, `render_marked`), its 核对 line and
the rule findings behind its numbers (each linking to its entry on the review tab), the
findings of a report (`findings_html`), the names shown for models, reports and uploads, and
the page's CSS.
"""

from __future__ import annotations

import html

from rag.marks import CORRECTIONS_PREFIX
from rag.models import Answer, Claim
from rag.output import AnswerFinding, finding_anchor

VERDICT_MARK = {
    "supported": ("ok", "✓", "与报告一致"),
    "contradicted": ("bad", "✗", "与报告不符"),
    "unsupported": ("unk", "?", "报告中未找到"),
}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

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
.js-corrections { margin-top: 6px; color: #7f1d1d; font-weight: 600; }
.js-findings { margin-top: 6px; border-left: 3px solid #b45309; padding-left: 8px; font-size: 0.9em; }
.sev-error { color: #7f1d1d; } .sev-warning { color: #78350f; } .sev-info { color: #1e3a8a; }
"""


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
    from evals.catalogue import FAMILIES
    from evals.registry import RULES

    present = sorted(
        {spec.family for spec in RULES.values()},
        key=lambda f: (list(FAMILIES).index(f) if f in FAMILIES else 99, f),
    )
    return [(FAMILIES[f][0] if f in FAMILIES else f, f) for f in present]
