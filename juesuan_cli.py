"""The `juesuan` command: one subcommand per job.

    juesuan serve              the browser app (ingests the bundled sample on first start)
    juesuan ingest PATH...     parse and store reports
    juesuan figures PATH       the stated figures of one file (no store needed)
    juesuan reports            what is stored
    juesuan check PATH...      run the consistency rules over files, folders or stored reports
    juesuan ask QUESTION       answer a question from the stored reports, every number checked
    juesuan verify TEXT --report R   check every number of an answer against one report

Exit codes: 0 success, 2 when an input could not be read (each named, with the reason);
`check` exits 1 when a report has an error finding (and no input was unreadable).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    help="juesuan 决算: read 部门决算 reports, answer with checked numbers, audit consistency.",
    no_args_is_help=True,
    add_completion=False,
)
# Wide consoles: a line per file, not wrapped at 80 columns when piped.
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="where the stores live (JUESUAN_DATA_DIR)")]

SAMPLE_REPORT = Path(__file__).resolve().parent / "index" / "samples" / "2023年度米易县人民政府办公室部门决算.txt"


def _settings(data_dir: Path | None):
    from index.settings import Settings

    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir.expanduser()})
    return settings


def _logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="report files or folders")],
    data_dir: DataDir = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Parse reports and store their sections, tables, figures and chunks."""
    from index.ingest import Library

    _logging()
    library = Library(_settings(data_dir))
    try:
        results = library.ingest(paths, progress=not quiet and sys.stderr.isatty())
    finally:
        library.close()
    failed = 0
    for result in results:
        if result.status == "failed":
            failed += 1
            err.print(f"[red]✗[/red] {result.message}", highlight=False)
        elif result.status == "unchanged":
            out.print(f"= {result.path.name}  {result.report_id}  已入库，未变", highlight=False)
        else:
            c = result.counts
            out.print(
                f"✓ {result.path.name}  {result.report_id}  章节 {c['sections']} 表格 {c['tables']} "
                f"数字 {c['figures']} 片段 {c['chunks']}",
                highlight=False,
            )
    raise typer.Exit(2 if failed else 0)


@app.command()
def figures(
    path: Annotated[Path, typer.Argument(help="one report file")],
    as_json: Annotated[bool, typer.Option("--json", help="a JSON array, one object per figure")] = False,
) -> None:
    """Parse one file (no store needed) and print its stated figures."""
    from index.loaders import LoadError
    from index.parse import parse_file

    settings = _settings(None)
    try:
        parsed = parse_file(path, settings.max_upload_bytes, settings.chunk_chars)
    except LoadError as exc:
        err.print(f"[red]✗[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        rows = [figure_json(f) for f in parsed.figures]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    table = RichTable(title=f"{parsed.report.title or path.name}（{len(parsed.figures)} 个数字）")
    for column in ("指标", "数值", "单位", "年度", "角色", "章节", "页"):
        table.add_column(column)
    for f in parsed.figures:
        table.add_row(f.metric, f.text, f.unit, str(f.year or ""), f.role, f.section, str(f.page or ""))
    out.print(table)


def figure_json(f) -> dict:
    """The public JSON shape of a figure (other tools rely on these keys)."""
    data = f.model_dump(mode="json")
    data["value"] = f.text
    data["decimal_value"] = str(f.value)
    return {
        key: data[key]
        for key in (
            "metric", "value", "unit", "year", "role", "section", "page", "start", "end", "quote",
            "label", "subject", "code", "column", "decimals", "compared_to", "direction", "base",
            "approximate", "source", "table_id", "row", "col", "decimal_value", "basis", "against", "scope",
        )
    }


@app.command()
def reports(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List what is ingested: id, department, year, file and counts."""
    from index.store import Store

    store = Store(_settings(data_dir).data_dir)
    rows = store.reports()
    store.close()
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
        return
    if not rows:
        out.print("（还没有入库的报告。用 juesuan ingest 文件 来添加。）")
        return
    table = RichTable()
    for column in ("id", "单位", "年度", "文件", "章节", "表格", "数字", "片段"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["id"], r["department"] or "", str(r["year"] or ""), r["source_name"], str(r["sections"]),
            str(r["tables"]), str(r["figures"]), str(r["chunks"]),
        )
    out.print(table)


class CheckFormat(str, Enum):
    """Output formats of `juesuan check`."""

    json = "json"
    markdown = "markdown"
    html = "html"
    xlsx = "xlsx"


_FORMAT_BY_SUFFIX = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                     ".htm": "html", ".xlsx": "xlsx"}


@app.command()
def check(
    paths: Annotated[list[str], typer.Argument(
        help="report files, folders (checked recursively) or ids of ingested reports", metavar="PATH",
    )],
    previous: Annotated[
        list[str] | None,
        typer.Option(
            "--previous", metavar="PATH",
            help="last year's report of the same department (file, folder or id; repeatable)",
        ),
    ] = None,
    fmt: Annotated[
        CheckFormat | None,
        typer.Option("--format", "-f", help="json, markdown, html or xlsx (default: from --output's suffix, else markdown)"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
    data_dir: DataDir = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule", "-r", metavar="ID", help="run only this rule id or family (repeatable, or comma-separated)",
        ),
    ] = None,
) -> None:
    """Check reports against the consistency rules; exit 1 when any has an error finding."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evals.check import Checker, check_one, exit_code, pick_previous, select_rules
    from index.loaders import LoadError

    _logging()
    try:
        rule_ids = select_rules(rule)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rule") from None
    if fmt is None:
        fmt = CheckFormat(_FORMAT_BY_SUFFIX.get(output.suffix.lower(), "markdown") if output else "markdown")
    if fmt is CheckFormat.xlsx and output is None and sys.stdout.isatty():
        raise typer.BadParameter("xlsx 需要 --output 文件（或重定向到文件）", param_hint="--format")

    settings = _settings(data_dir)
    checker = Checker(settings.data_dir, settings.max_upload_bytes, settings.chunk_chars)
    failures: list[str] = []

    def fail(message: str) -> None:
        failures.append(message)
        err.print(f"[red]✗[/red] {escape(message)}", highlight=False)

    results = []
    try:
        last_year = []
        if previous:
            prev_sources, missing = checker.resolve(previous)
            for message in missing:
                fail(message)
            for source in prev_sources:
                try:
                    last_year.append((source.label, checker.load(source)))
                except LoadError as exc:
                    fail(str(exc))
        sources, missing = checker.resolve(paths)
        for message in missing:
            fail(message)
        columns = (TextColumn("[bold]检查[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        show = sys.stderr.isatty() and len(sources) > 1
        with Progress(*columns, console=err, disable=not show, transient=False) as bar:
            task = bar.add_task("", total=len(sources))
            for source in sources:
                bar.update(task, description=escape(Path(source.label).name[:40]))
                try:
                    parsed = checker.load(source)
                except LoadError as exc:
                    fail(str(exc))
                else:
                    paired = pick_previous(parsed, last_year, single_input=len(sources) == 1) if last_year else None
                    results.append(check_one(parsed, source.label, paired, rule_ids))
                bar.advance(task)
    finally:
        checker.close()
    used = {r.previous for r in results}
    for label, parsed in last_year:
        if label not in used:
            report = parsed.report
            err.print(
                f"[yellow]![/yellow] 上年报告 {escape(label)}（{escape(report.department or '单位未识别')}，"
                f"{report.year or '年度未识别'}）"
                "没有同单位的下一年度报告可对照，未使用",
                highlight=False,
            )

    _write_check_output(results, failures, fmt, output)
    if len(results) + len(failures) > 1:
        to_terminal = fmt is CheckFormat.markdown and output is None and sys.stdout.isatty()
        console = out if to_terminal else err
        console.print()
        console.print(_check_summary_table(results, failures))
    raise typer.Exit(exit_code(results, failures))


def _write_check_output(results, failures: list[str], fmt: CheckFormat, output: Path | None) -> None:
    """Render the results and write them to --output or stdout (markdown rendered on a terminal)."""
    from evals import report_formats

    if fmt is CheckFormat.json:
        data: str | bytes = json.dumps(report_formats.to_json(results), ensure_ascii=False, indent=1) + "\n"
    elif fmt is CheckFormat.html:
        data = report_formats.to_html(results, failures)
    elif fmt is CheckFormat.xlsx:
        data = report_formats.to_xlsx(results, failures)
    else:
        terminal = output is None and sys.stdout.isatty()
        data = report_formats.to_markdown(results, failures, overview=not terminal)
    if output is not None:
        try:
            if isinstance(data, bytes):
                output.write_bytes(data)
            else:
                output.write_text(data, encoding="utf-8")
        except OSError as exc:
            err.print(f"✗ {output}: 无法写入（{exc.strerror or exc}）", markup=False, highlight=False)
            raise typer.Exit(2) from None
        err.print(f"已写入 {output}", markup=False, highlight=False)
    elif isinstance(data, bytes):
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    elif fmt is CheckFormat.markdown and sys.stdout.isatty():
        from rich.markdown import Markdown

        Console().print(Markdown(data))  # wrapped to the terminal, unlike `out`
    else:
        sys.stdout.write(data)
        sys.stdout.flush()


def _check_summary_table(results, failures: list[str]) -> RichTable:
    """One row per report checked (and per input that could not be read)."""
    from rich.markup import escape

    table = RichTable(title="检查结果")
    for column in ("文件", "单位", "年度", "错误", "警告", "提示", "数据不足"):
        table.add_column(column, justify="right" if column in ("错误", "警告", "提示", "数据不足") else "left")
    for r in results:
        s = r.summary
        table.add_row(
            escape(r.path or r.report_id), escape(r.department or ""), str(r.year or ""),
            f"[red]{s.errors}[/red]" if s.errors else "0", str(s.warnings), str(s.infos), str(s.insufficient_data),
        )
    for message in failures:
        table.add_row(f"[red]{escape(message)}[/red]", "", "", "", "", "", "")
    total = [sum(getattr(r.summary, k) for r in results) for k in ("errors", "warnings", "infos", "insufficient_data")]
    table.add_section()
    table.add_row(f"合计 {len(results)} 份" + (f"，{len(failures)} 个未能读取" if failures else ""), "", "",
                  *(str(n) for n in total))
    return table


@app.command()
def verify(
    answer: Annotated[str, typer.Argument(help="the answer text whose numbers are checked")],
    report: Annotated[str, typer.Option("--report", help="a report file, or the id (or id prefix) of an ingested report")],
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help='print {"claims": [...]}')] = False,
) -> None:
    """Check every number of an answer against one report (no model: the verifier alone)."""
    from rich.markup import escape

    from index.loaders import LoadError
    from index.parse import parse_file
    from index.store import Store
    from rag.verify import render_marked, verify_against_report

    _logging()
    settings = _settings(data_dir)
    parsed = None
    path = Path(report).expanduser()
    if path.is_file():
        try:
            parsed = parse_file(path, settings.max_upload_bytes, settings.chunk_chars)
        except LoadError as exc:
            err.print(f"✗ {exc}", markup=False, highlight=False)
            raise typer.Exit(2) from None
    elif (settings.data_dir / "juesuan.sqlite").exists():
        store = Store(settings.data_dir)
        try:
            ids = store.find_reports(report)
            if len(ids) > 1:
                err.print(f"✗ {report}: 匹配到多份报告（{', '.join(ids[:5])}），请给出更长的 id", markup=False,
                          highlight=False)
                raise typer.Exit(2)
            parsed = store.load_parsed(ids[0]) if ids else None
        finally:
            store.close()
    if parsed is None:
        err.print(f"✗ {report}: 不是可读的报告文件，也不是已入库报告的 id", markup=False, highlight=False)
        raise typer.Exit(2)
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


class AskProvider(str, Enum):
    """Providers of `juesuan ask --provider`."""

    auto = "auto"
    extractive = "extractive"
    llamacpp = "llamacpp"
    openai = "openai"
    ollama = "ollama"


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
        AskProvider | None, typer.Option("--provider", help="who answers (default: JUESUAN_LLM__PROVIDER, auto)")
    ] = None,
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
    settings = _settings(data_dir)
    library = Library(settings)
    try:
        report_ids = _ask_scope(library, report)
        try:
            chain = AnswerChain(library, settings, provider=provider.value if provider else None)
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
    """The rule findings of a stored report (`juesuan check`), run once per report."""
    from evals.check import run_rules

    results: dict[str, object] = {}

    def check(report_id: str):
        if report_id not in results:
            parsed = library.store.load_parsed(report_id)
            results[report_id] = run_rules(parsed, path=parsed.report.source_name) if parsed else None
        return results[report_id]

    return check


def _ask_scope(library, report: str | None) -> list[str] | None:
    """The report ids `ask` is limited to (None: all stored), ingesting a file first; exits 2 when unusable."""
    if report is not None and Path(report).expanduser().is_file():
        from rag.retrieve import HybridRetriever

        # Vectors are only read by dense retrieval: with it off, the embedding model stays unloaded.
        embed = HybridRetriever(library).weights()["dense"] > 0
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind; localhost unless you mean otherwise")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 7860,
    data_dir: DataDir = None,
    no_sample: Annotated[bool, typer.Option("--no-sample", help="don't ingest the bundled sample")] = False,
) -> None:
    """Start the browser app (with the bundled sample report ingested on first start)."""
    from app import launch

    _logging()
    launch(_settings(data_dir), host=host, port=port, with_sample=not no_sample)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
