"""The auditors' suite: `check` and its outputs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table as RichTable

# One list of providers for settings, `ask --provider`, the app and rag.providers.
from index.settings import CheckFormat
from juesuan_cli.common import (
    DataDir,
    RayAddress,
    UseRay,
    _logging,
    _ray,
    _ray_errors,
    _settings,
    app,
    err,
    out,
)


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
        typer.Option("--format", "-f", help="json, markdown, html, xlsx or pdf (the PDF annotated; one PDF file) "
                     "(default: from --output's suffix, else JUESUAN_CHECK__FORMAT, markdown)"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
    data_dir: DataDir = None,
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule", "-r", metavar="ID", help="run only this rule id or family (repeatable, or comma-separated)",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="processes checking files side by side (default: every core; "
                     "1: no extra process). The output is the same whatever the number"),
    ] = None,
    use_ray: UseRay = False,
    ray_address: RayAddress = None,
) -> None:
    """Check reports against the consistency rules; exit 1 when any has an error finding."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evals.audit.check import check_sources, exit_code, select_rules
    from evals.audit.inputs import ReportInputs
    from evals.audit.report_formats import format_for
    from index.loaders import LoadError

    _logging()
    settings = _settings(data_dir)
    on_ray = _ray(use_ray, ray_address)
    try:
        rule_ids = select_rules(rule or [settings.check.rules])
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rule" if rule else "JUESUAN_CHECK__RULES") from None
    if fmt is None:
        fmt = format_for(output, settings.check.format)
    if fmt in ("xlsx", "pdf") and output is None and sys.stdout.isatty():
        raise typer.BadParameter(f"{fmt} 需要 --output 文件（或重定向到文件）", param_hint="--format")

    checker = ReportInputs(settings.data_dir, settings.max_upload_bytes, settings.chunk_chars)
    failures: list[str] = []

    def fail(message: str) -> None:
        failures.append(message)
        err.print(f"[red]✗[/red] {escape(message)}", highlight=False)

    results = []
    originals: dict = {}
    try:
        last_year = []
        if previous:
            prev_sources, missing = checker.resolve(previous)
            for message in missing:
                fail(message)
            for source in prev_sources:
                try:
                    last_year.append((source, checker.load(source)))
                except LoadError as exc:
                    fail(str(exc))
        sources, missing = checker.resolve(paths)
        for message in missing:
            fail(message)
        columns = (TextColumn("[bold]检查[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        show = sys.stderr.isatty() and len(sources) > 1
        with _ray_errors(), Progress(*columns, console=err, disable=not show, transient=False) as bar:
            task = bar.add_task("", total=len(sources))
            checked = check_sources(
                checker, sources, rule_ids=rule_ids, last_year=last_year if previous else None,
                pair_from_store=settings.check.previous_from_store, limits=settings.limits, jobs=jobs,
                use_ray=on_ray, ray_address=ray_address,
            )
            for source, outcome in checked:  # in the order of `sources`, whatever `jobs` is
                bar.update(task, description=escape(Path(source.label).name[:40]))
                if isinstance(outcome, str):
                    fail(outcome)  # the line saying why it could not be read
                else:
                    results.append(outcome)
                    if fmt in ("html", "pdf"):  # the full text / the annotated file show the report itself
                        originals[outcome.report_id] = _original(checker, source, printed=fmt == "pdf")
                bar.advance(task)
    finally:
        checker.close()
    used = {r.previous for r in results}
    for prev_source, parsed in last_year:
        if prev_source.label not in used:
            report = parsed.report
            err.print(
                f"[yellow]![/yellow] 上年报告 {escape(prev_source.label)}（{escape(report.department or '单位未识别')}，"
                f"{report.year or '年度未识别'}）"
                "没有同单位的下一年度报告可对照，未使用",
                highlight=False,
            )

    if fmt == "pdf" and not (len(results) == 1 and (one := originals.get(results[0].report_id)) is not None
                             and one.path is not None and one.parsed.report.format == "pdf"):
        err.print("✗ --format pdf 标注的是一份 PDF 文件本身：请只给一个 .pdf 文件，或一份保存了原文件的已入库 PDF 报告的 id"
                  "（不是文件夹；较早入库的 PDF 重新入库即保存原文件）", markup=False, highlight=False)
        raise typer.Exit(2)
    _write_check_output(results, failures, fmt, output, originals)
    if len(results) + len(failures) > 1:
        to_terminal = fmt == "markdown" and output is None and sys.stdout.isatty()
        console = out if to_terminal else err
        console.print()
        console.print(_check_summary_table(results, failures))
    raise typer.Exit(exit_code(results, failures))


def _original(checker, source, printed: bool = False):
    """The report itself, for the formats that show it (the HTML full text; with `printed`, the
    annotated PDF, which needs where its text was printed): parsed again here, as the checks
    ran in worker processes."""
    from evals.audit.report_formats import Original

    parsed = checker.load(source)
    return Original(*checker.printed(source, parsed)) if printed else Original(parsed, source.path)


def _write_check_output(results, failures: list[str], fmt: CheckFormat, output: Path | None,
                        originals: dict | None = None) -> None:
    """Render the results and write them to --output or stdout (markdown rendered on a terminal)."""
    from evals.audit.report_formats import render

    terminal = output is None and sys.stdout.isatty()
    data = render(fmt, results, failures, overview=not terminal, originals=originals)
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
    elif fmt == "markdown" and sys.stdout.isatty():
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
