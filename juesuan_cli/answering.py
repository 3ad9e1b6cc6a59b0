"""Answers: `ask`, `verify`, and the JSON shape of an answer."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

# One list of providers for settings, `ask --provider`, the app and rag.providers.
from index.settings import LLMProvider
from juesuan_cli.common import (
    ChromaUrl,
    DataDir,
    _logging,
    _settings,
    _store_errors,
    app,
    err,
    out,
)


@app.command()
def verify(
    answer: Annotated[str, typer.Argument(help="the answer text whose numbers are checked")],
    report: Annotated[str, typer.Option("--report", help="a report file, or the id (or id prefix) of an ingested report")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help='print {"claims": [...]}')] = False,
) -> None:
    """Check every number of an answer against one report (no model: the verifier alone)."""
    from rich.markup import escape

    from evals.audit.inputs import ReportInputs
    from index.loaders import LoadError
    from rag.verify import render_marked, verify_against_report

    _logging()
    settings = _settings(data_dir)
    # The resolver of `juesuan check`: a file, or an ingested report's id, id prefix or name.
    with ReportInputs(settings.data_dir, settings.max_upload_bytes, settings.chunk_chars) as inputs:
        sources, missing = inputs.resolve([report])
        if missing or len(sources) != 1:
            names = ", ".join(s.report_id or s.label for s in sources[:5])
            problem = missing[0] if missing else f"{report}: 匹配到多份报告（{names}），请给出更长的 id 或一个文件"
            err.print(f"✗ {problem}", markup=False, highlight=False)
            raise typer.Exit(2)
        try:
            parsed = inputs.load(sources[0])
        except LoadError as exc:
            err.print(f"✗ {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from None
    claims = verify_against_report(answer, parsed)
    if as_json:
        data = {"report_id": parsed.report.id, "claims": [c.model_dump(mode="json") for c in claims]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(escape(render_marked(answer, claims)), highlight=False)
    if not claims:
        out.print("（答案中没有需要核对的数字）", highlight=False)
        return
    table = RichTable(title=f"核对 {len(claims)} 个数字：{parsed.report.title or parsed.report.id}")
    for column in ("数字", "结论", "指标", "报告为", "依据", "章节", "页"):
        table.add_column(column)
    names = {"supported": "✓ 相符", "contradicted": "✗ 不符", "unsupported": "? 未核实"}
    for c in claims:
        ev = c.evidence
        table.add_row(
            escape(c.text), names[c.verdict], escape(c.metric or ""), escape(c.expected or ""),
            escape(c.how if not c.how.startswith("stated") else (ev.quote[:60] if ev else c.how)),
            escape(ev.section if ev else ""), str(ev.page or "") if ev else "",
        )
    out.print(table)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question, e.g. 公务接待费为何下降？")],
    report: Annotated[
        str | None,
        typer.Option("--report", help="a report file (ingested first) or an ingested id, id prefix or department"),
    ] = None,
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
    provider: Annotated[
        LLMProvider | None, typer.Option("--provider", help="who answers (default: JUESUAN_LLM__PROVIDER, auto)")
    ] = None,
    chroma_url: ChromaUrl = None,
) -> None:
    """Answer a question from the ingested reports, with citations and every number checked."""
    from rich.markup import escape

    from index.ingest import Library
    from prompts import PromptError
    from rag.chain import AnswerChain
    from rag.local_model import LocalModelError
    from rag.providers import ProviderError
    from rag.verify import render_marked

    _logging()
    settings = _settings(data_dir, chroma_url)
    with _store_errors(settings):
        library = Library(settings)
        try:
            report_ids = _ask_scope(library, report)
            try:
                chain = AnswerChain(library, settings, provider=provider)
            except (ProviderError, LocalModelError, PromptError, FileNotFoundError) as exc:
                err.print(f"✗ {exc}", markup=False, highlight=False)
                raise typer.Exit(2) from None
            answer = chain.invoke(question, report_ids)
            findings = chain.findings(answer, _report_check(library), report_ids)
        finally:
            library.close()
    if as_json:
        data = {**answer_json(answer), "findings": [asdict(f) for f in findings]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    out.print(escape(render_marked(answer.answer, answer.claims)), highlight=False)
    if findings:
        out.print("\n[bold]报告自身的问题[/bold]（juesuan check 的发现，回答引用了其中的数字）", highlight=False)
        for f in findings:
            out.print(f"⚠ {escape('、'.join(f.numbers))}：{escape(f.message)}（规则 {escape(f.rule)}；"
                      f"juesuan check {f.report_id[:12]}）", highlight=False)
    if answer.citations:
        out.print("\n[bold]出处[/bold]", highlight=False)
        for c in answer.citations:
            page = f" 第{c.page}页" if c.page else ""
            out.print(f"[{c.n}] {escape(c.section)}{page}：{escape(c.quote)}", highlight=False)
    counts = {v: sum(c.verdict == v for c in answer.claims) for v in ("supported", "contradicted", "unsupported")}
    note = f"（{chain.choice.note}）" if chain.choice.note else ""
    err.print(
        f"回答：{chain.provider}（{chain.choice.label}）{note}；数字核对：{counts['supported']} 个有据、"
        f"{counts['contradicted']} 个与报告不符、{counts['unsupported']} 个未能核实",
        markup=False, highlight=False,
    )


def _report_check(library):
    """The rule findings of a stored report as the app's 审查 tab has them (with last year's
    report among the stored ones), run once per report."""
    from evals.audit.check import StoredChecks

    try:
        checks = StoredChecks(library.settings.check)
    except ValueError as exc:
        err.print(f"✗ {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    return lambda report_id: checks.result(library.store, report_id, library.store.reports())


def _ask_scope(library, report: str | None) -> list[str] | None:
    """The report ids `ask` is limited to (None: all stored), ingesting a file first; exits 2 when unusable."""
    if report is not None and Path(report).expanduser().is_file():
        from rag.retrieve import HybridSearch

        # Vectors are only read by dense retrieval: with it off, the embedding model stays unloaded.
        embed = HybridSearch(library).weights()["dense"] > 0
        result = library.ingest([Path(report).expanduser()], progress=False, embed=embed)[0]
        if result.status == "failed":
            err.print(f"✗ {result.message}", markup=False, highlight=False)
            raise typer.Exit(2)
        return [result.report_id]
    if report is not None:
        ids = library.store.find_reports(report)
        if not ids:
            err.print(f"✗ 没有找到报告 {report}：给出文件路径，或 juesuan reports 列出的 id、id 前缀或单位名称",
                      markup=False, highlight=False)
            raise typer.Exit(2)
        return ids
    if not library.store.report_ids():
        err.print(
            f"✗ {library.data_dir} 中还没有入库的报告：用 --report 文件 提问，或先 juesuan ingest 文件",
            markup=False, highlight=False,
        )
        raise typer.Exit(2)
    return None


def answer_json(answer) -> dict:
    """The public JSON shape of an answer (other tools rely on these keys)."""
    return {
        "answer": answer.answer,
        "provider": answer.provider,
        "citations": [
            {"n": c.n, "report_id": c.report_id, "section": c.section, "page": c.page, "quote": c.quote}
            for c in answer.citations
        ],
        "claims": [
            {
                "text": c.text, "value": c.value, "unit": c.unit, "verdict": c.verdict,
                "evidence": c.evidence.model_dump() if c.evidence else None,
                "expected": c.expected, "metric": c.metric, "how": c.how, "start": c.start, "end": c.end,
            }
            for c in answer.claims
        ],
    }
