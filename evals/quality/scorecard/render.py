"""The scorecard for people: rich tables, Markdown (the docs' generated section), a
self-contained HTML page with a bar chart per suite, and the comparison of two runs."""

from __future__ import annotations

import re
from html import escape

from rich.table import Table

from evals.quality.scorecard.model import SUITES, Change, Metric, Scorecard

__all__ = ["BEGIN", "END", "compare_table", "html_page", "markdown", "parse_markdown", "replace_section",
           "rich_tables", "summary_markdown"]

BEGIN = "<!-- scorecard:begin -->"
END = "<!-- scorecard:end -->"
TITLES = {
    "retrieval": "Retrieval: does a passage that answers come first?",
    "qa": "Answers: gold figures stated, numbers verified, refusals",
    "verify": "Verifier: wrong numbers caught, right ones left alone",
    "rules": "Rules: inconsistencies found, false alarms, mutations detected",
}
_MARK = {"better": "[green]▲ better[/]", "worse": "[red]▼ worse[/]", "same": "=", "new": "new", "gone": "gone",
         "n/a": "n/a"}


def _heading(card: Scorecard) -> str:
    load = " / ".join(f"{x:.1f}" for x in card.load_average)
    total = card.seconds.get("total")
    took = f", {total:.0f} s" if total is not None else ""
    if card.cpu_seconds is not None:
        took += f" ({card.cpu_seconds:.0f} s of CPU)"
    return (f"{card.date[:10]} · commit {card.code()} · {card.cores} cores, load average {load} at the start"
            f"{took}")


def rich_tables(card: Scorecard) -> list[Table]:
    """One rich table per suite."""
    out = []
    for suite in SUITES:
        metrics = card.of(suite)
        if not metrics:
            continue
        seconds = card.seconds.get(suite)
        table = Table(title=f"{TITLES[suite]}" + (f" ({seconds:.0f} s)" if seconds is not None else ""),
                      title_justify="left")
        providers = any(m.provider for m in metrics)
        table.add_column("dataset")
        if providers:
            table.add_column("provider")
        table.add_column("metric (↑ higher is better, ↓ lower)")
        table.add_column("value", justify="right")
        for m in metrics:
            name = ("↑ " if m.better == "higher" else "↓ ") + m.name
            table.add_row(*([m.dataset] + ([m.provider] if providers else []) + [name, m.shown()]))
        out.append(table)
    return out


def markdown(card: Scorecard) -> str:
    """The scorecard as Markdown: a heading line, then a table per suite."""
    lines = [f"Measured {_heading(card)}; `juesuan eval --suite {'all' if len(card.suites) == 4 else ','.join(card.suites)}`.",
             ""]
    lines += [f"- {note}" for note in card.notes]
    if card.notes:
        lines.append("")
    for suite in SUITES:
        metrics = card.of(suite)
        if not metrics:
            continue
        lines += [f"**{TITLES[suite]}**", "", "| dataset | provider | metric | value | better |",
                  "|---|---|---|---:|---|"]
        lines += [f"| {_cell(m.dataset)} | {_cell(m.provider)} | {_cell(m.name)} | {m.shown()} | "
                  f"{'higher' if m.better == 'higher' else 'lower'} |" for m in metrics]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary_markdown(card: Scorecard) -> str:
    """A short form for the README: one row per suite and dataset, its figures side by side."""
    lines = [f"Measured {_heading(card)}.", "", "| suite | dataset | figures |", "|---|---|---|"]
    groups: dict[tuple[str, str, str], list[Metric]] = {}
    for m in card.metrics:
        if ": " not in m.name:  # per-family breakdowns are in docs/benchmarks.md
            groups.setdefault((m.suite, m.dataset, m.provider), []).append(m)
    for (suite, dataset, provider), metrics in groups.items():
        figures = " · ".join(f"{m.name} {_short(m)}" for m in metrics if m.value is not None)
        lines.append(f"| {suite} | {_cell(dataset + (f' ({provider})' if provider else ''))} | {_cell(figures)} |")
    return "\n".join(lines) + "\n"


def _short(m: Metric) -> str:
    if m.kind == "share" and m.whole is not None:
        return f"{m.part}/{m.whole}"
    return m.shown()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


_ROW = re.compile(r"^\| (?P<dataset>.*?) \| (?P<provider>.*?) \| (?P<name>.*?) \| (?P<value>.*?) \| (?P<better>higher|lower) \|$")


def parse_markdown(text: str) -> list[dict[str, str]]:
    """The metric rows of a generated section (dataset, provider, name, value, better), to check
    it against the scorecard it was made from."""
    rows = []
    for line in text.splitlines():
        match = _ROW.match(line)
        if match and match["dataset"] != "dataset":
            rows.append({k: v.replace("\\|", "|") for k, v in match.groupdict().items()})
    return rows


def replace_section(document: str, section: str) -> str:
    """The document with the text between its scorecard markers replaced (appended at the end,
    with markers, when it has none)."""
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in document and END in document:
        head, rest = document.split(BEGIN, 1)
        return head + block + rest.split(END, 1)[1]
    return document.rstrip() + "\n\n" + block + "\n"


def compare_table(changes: list[Change], only_changed: bool = False) -> Table:
    """Old → new per figure, better or worse marked."""
    table = Table(title="Scorecard comparison (old → new)", title_justify="left")
    for col in ("suite", "dataset", "provider", "metric", "old", "new", ""):
        table.add_column(col)
    for c in changes:
        if only_changed and c.verdict == "same":
            continue
        table.add_row(c.suite, c.dataset, c.provider, c.name, c.old, c.new, _MARK[c.verdict])
    return table


# --- HTML ---------------------------------------------------------------------------------

_CSS = """body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;max-width:60em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}
td.v{text-align:right;font-variant-numeric:tabular-nums}h2{margin-top:1.5em}.meta{color:#555}
svg text{font-size:12px;font-family:inherit}"""


def _chart(metrics: list[Metric]) -> str:
    """An inline SVG bar chart of the suite's shares (0 to 1); counts are in the table only."""
    bars = [m for m in metrics if m.kind in ("share", "mean") and m.value is not None]
    if not bars:
        return ""
    label_w, bar_w, row_h = 330, 300, 20
    height = row_h * len(bars) + 10
    parts = [f'<svg width="{label_w + bar_w + 60}" height="{height}" role="img" aria-label="bar chart">']
    for i, m in enumerate(bars):
        y = 5 + i * row_h
        label = " · ".join(x for x in (m.dataset, m.provider, m.name) if x)
        width = max(0.0, min(1.0, float(m.value or 0))) * bar_w
        colour = "#4a7" if m.better == "higher" else "#c64"
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" fill="{colour}"/>'
                     f'<text x="{label_w + width + 4:.1f}" y="{y + 14}">{float(m.value or 0):.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_page(card: Scorecard) -> str:
    """One self-contained page: no scripts, no external resources, every text escaped."""
    body = [f"<h1>juesuan scorecard</h1><p class=meta>{escape(_heading(card))}</p>"]
    if card.notes:
        body.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in card.notes) + "</ul>")
    for suite in SUITES:
        metrics = card.of(suite)
        if not metrics:
            continue
        body.append(f"<h2>{escape(TITLES[suite])}</h2>")
        body.append(_chart(metrics))
        rows = "".join(
            f"<tr><td>{escape(m.dataset)}</td><td>{escape(m.provider)}</td><td>{escape(m.name)}</td>"
            f"<td class=v>{escape(m.shown())}</td><td>{'higher' if m.better == 'higher' else 'lower'}</td></tr>"
            for m in metrics)
        body.append("<table><tr><th>dataset</th><th>provider</th><th>metric</th><th>value</th>"
                    f"<th>better</th></tr>{rows}</table>")
    return ("<!DOCTYPE html><html lang=zh><head><meta charset=utf-8><title>juesuan scorecard</title>"
            f"<style>{_CSS}</style></head><body>{''.join(body)}</body></html>\n")
