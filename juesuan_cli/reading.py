"""Reading reports: `ingest`, `figures`, `reports`, `remove`, `doctor`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

# One list of providers for settings, `ask --provider`, the app and rag.providers.
from index.export import ExportFormat
from juesuan_cli.common import (
    ChromaUrl,
    DataDir,
    RayAddress,
    UseRay,
    _logging,
    _ray,
    _ray_errors,
    _settings,
    _store_errors,
    app,
    err,
    out,
)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="report files or folders")],
    data_dir: DataDir = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
    chroma_url: ChromaUrl = None,
    use_ray: UseRay = False,
    ray_address: RayAddress = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="processes parsing files side by side (default: every core; "
                     "1: no extra process); one process writes"),
    ] = None,
) -> None:
    """Parse reports and store their sections, tables, figures and chunks."""
    from rich.markup import escape  # a message may hold brackets: "pip install '.[ocr]'"

    from index.ingest import Library

    _logging()
    settings = _settings(data_dir, chroma_url)
    on_ray = _ray(use_ray, ray_address)
    with _store_errors(settings), _ray_errors():
        library = Library(settings)
        try:
            results = library.ingest(
                paths, progress=not quiet and sys.stderr.isatty(), use_ray=on_ray, ray_address=ray_address, jobs=jobs
            )
        finally:
            library.close()
    failed = 0
    for result in results:
        if result.status == "failed":
            failed += 1
            err.print(f"[red]✗[/red] {escape(result.message)}", highlight=False)
        elif result.status == "unchanged":
            out.print(f"= {escape(result.path.name)}  {result.report_id}  已入库，未变", highlight=False)
        else:
            c = result.counts
            out.print(
                f"✓ {escape(result.path.name)}  {result.report_id}  章节 {c['sections']} 表格 {c['tables']} "
                f"数字 {c['figures']} 片段 {c['chunks']}",
                highlight=False,
            )
    raise typer.Exit(2 if failed else 0)


@app.command()
def figures(
    paths: Annotated[list[str], typer.Argument(
        help="report files, folders (read recursively) or ids of ingested reports", metavar="PATH",
    )],
    fmt: Annotated[
        ExportFormat | None,
        typer.Option("--format", "-f", help="json, csv, xlsx or parquet: one row per figure (default: from "
                     "--output's suffix, else a table on the terminal)"),
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the same as --format json")] = False,
    data_dir: DataDir = None,
    use_ray: UseRay = False,
    ray_address: RayAddress = None,
) -> None:
    """Every stated figure of report files, folders or stored reports, one row per figure
    (nothing is stored); exit 2 when an input could not be read."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from evals.audit.inputs import ReportInputs
    from index.export import EXPORT_FORMATS, SUFFIX, figure_rows, render_figures

    if as_json:
        fmt = "json"
    if fmt is None and output is not None:
        fmt = next((f for f in EXPORT_FORMATS if SUFFIX[f] == output.suffix.lower()), None)
        if fmt is None:
            raise typer.BadParameter(f"无法从文件名 {output.name} 判断格式：请用 --format json|csv|xlsx|parquet",
                                     param_hint="--output")
    if fmt in ("xlsx", "parquet") and output is None and sys.stdout.isatty():
        raise typer.BadParameter(f"{fmt} 需要 --output 文件（或重定向到文件）", param_hint="--format")
    settings = _settings(data_dir)
    on_ray = _ray(use_ray, ray_address)
    inputs = ReportInputs(settings.data_dir, settings.max_upload_bytes, settings.chunk_chars)
    failures: list[str] = []
    rows: list[dict] = []
    tables: list[RichTable] = []
    try:
        sources, missing = inputs.resolve(paths)
        failures += missing
        for message in missing:
            err.print(f"✗ {message}", markup=False, highlight=False)
        columns = (TextColumn("[bold]读取[/bold] {task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        show = sys.stderr.isatty() and len(sources) > 1
        with _ray_errors(), Progress(*columns, console=err, disable=not show) as bar:
            task = bar.add_task("", total=len(sources))
            for source, parsed in zip(sources, _read_sources(inputs, sources, on_ray, ray_address), strict=True):
                bar.update(task, description=escape(Path(source.label).name[:40]))
                if isinstance(parsed, str):  # the line saying why it could not be read
                    failures.append(parsed)
                    err.print(f"✗ {parsed}", markup=False, highlight=False)
                else:
                    if fmt is None:
                        tables.append(_figures_table(parsed, source.label))
                    else:
                        rows += figure_rows(parsed, source.label)
                bar.advance(task)
    finally:
        inputs.close()
    if fmt is None:
        for table in tables:
            out.print(table)
        raise typer.Exit(2 if failures else 0)
    try:
        data = render_figures(rows, fmt)
    except RuntimeError as exc:  # parquet without pyarrow
        err.print(f"✗ {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    if output is not None:
        try:
            output.write_bytes(data)
        except OSError as exc:
            err.print(f"✗ {output}: 无法写入（{exc.strerror or exc}）", markup=False, highlight=False)
            raise typer.Exit(2) from None
        err.print(f"已写入 {output}（{len(rows)} 个数字）", markup=False, highlight=False)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    raise typer.Exit(2 if failures else 0)


def _read_sources(inputs, sources: list, on_ray: bool, ray_address: str | None) -> Iterator:
    """Each source's parsed report, or the line saying why it could not be read, in order: read
    here, or by a Ray cluster's workers (--ray)."""
    from index.loaders import LoadError

    if on_ray:
        from index.parallel import map_ordered

        jobs = [(source, inputs.data_dir, inputs.max_bytes, inputs.chunk_chars) for source in sources]
        yield from map_ordered(_read_source, jobs, use_ray=True, ray_address=ray_address)
        return
    for source in sources:
        try:
            yield inputs.load(source)
        except LoadError as exc:
            yield str(exc)


def _read_source(job: tuple) -> object:
    """On a Ray worker: one source's parsed report, or the line saying why it could not be read."""
    from evals.audit.inputs import ReportInputs
    from index.loaders import LoadError

    source, data_dir, max_bytes, chunk_chars = job
    with ReportInputs(data_dir, max_bytes, chunk_chars) as inputs:
        try:
            return inputs.load(source)
        except LoadError as exc:
            return str(exc)


def _figures_table(parsed, label: str) -> RichTable:
    """The figures of one report as a table for the terminal."""
    from rich.markup import escape

    table = RichTable(title=f"{escape(parsed.report.title or Path(label).name)}（{len(parsed.figures)} 个数字）")
    for column in ("指标", "数值", "单位", "年度", "角色", "章节", "页"):
        table.add_column(column)
    for f in parsed.figures:
        table.add_row(*map(escape, (f.metric, f.text, f.unit, str(f.year or ""), f.role, f.section, str(f.page or ""))))
    return table


@app.command()
def remove(
    report_ids: Annotated[
        list[str], typer.Argument(help="report ids from `juesuan reports` (or a unique prefix of 8+ characters)")
    ],
    data_dir: DataDir = None,
) -> None:
    """Remove reports from every store (SQLite, vectors, BM25); exit 2 when one is not found."""
    from rich.markup import escape

    from index.ingest import Library

    _logging()
    library = Library(_settings(data_dir))
    failed = removed = 0
    try:
        rows = library.store.reports()
        for given in report_ids:
            row, problem = _one_report(rows, given.strip())
            if row is None:
                failed += 1
                err.print(f"[red]✗[/red] {escape(given)}: {problem}", highlight=False)
            elif library.remove_report(row["id"]):
                removed += 1
                out.print(f"✓ 已删除 {row['id']}  {escape(row['source_name'])}", highlight=False)
            else:  # removed by another process meanwhile
                out.print(f"= {row['id']}  已不在库中", highlight=False)
        if removed:
            _ = library.bm25  # rebuilt now, not at the next question
    finally:
        library.close()
    raise typer.Exit(2 if failed else 0)


def _one_report(rows: list[dict], given: str) -> tuple[dict | None, str]:
    """The stored report an id or id prefix names, or None and why (deleting is never by name)."""
    exact = [r for r in rows if r["id"] == given]
    if exact:
        return exact[0], ""
    if len(given) < 8:
        return None, "没有这个报告 id（用 juesuan reports 查看；前缀至少 8 个字符）"
    matches = [r for r in rows if r["id"].startswith(given)]
    if len(matches) == 1:
        return matches[0], ""
    return None, "没有这个报告 id（用 juesuan reports 查看）" if not matches else f"前缀对应 {len(matches)} 份报告，请写完整的 id"


@app.command()
def reports(
    data_dir: DataDir = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List what is ingested: id, department, year, file and counts."""
    from rich.markup import escape

    from index.store import Store

    settings = _settings(data_dir)
    with _store_errors(settings):
        store = Store(settings.data_dir)
        try:
            rows = store.reports()
        finally:
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
            r["id"], escape(r["department"] or ""), str(r["year"] or ""),
            escape(r["source_name"] + (f"（扫描件：{len(r['ocr_pages'])} 页由 OCR 识别）" if r["ocr_pages"] else "")),
            str(r["sections"]),
            str(r["tables"]), str(r["figures"]), str(r["chunks"]),
        )
    out.print(table)


@app.command()
def doctor(
    data_dir: DataDir = None,
    repair: Annotated[bool, typer.Option("--repair", help="rebuild from SQLite what the other stores lack")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object: consistent, missing, extra")] = False,
    chroma_url: ChromaUrl = None,
) -> None:
    """Check that the vectors and the BM25 index hold what SQLite holds; exit 0 when consistent, 1 when not
    (2 when DIR is not a data directory or the Chroma server does not answer)."""
    from index.doctor import diagnose
    from index.doctor import repair as repair_stores
    from index.ingest import Library

    _logging()
    settings = _settings(data_dir, chroma_url)
    if not (settings.data_dir / "juesuan.sqlite").is_file():
        err.print(f"[red]✗[/red] {settings.data_dir}: 没有数据库（juesuan.sqlite），不是 juesuan 的数据目录", highlight=False)
        raise typer.Exit(2)
    library = Library(settings)
    try:
        with _store_errors(settings):
            found = repair_stores(library) if repair else diagnose(library)
    finally:
        library.close()
    if as_json:
        sys.stdout.write(json.dumps({**found.to_json(), "repaired": repair}, ensure_ascii=False, indent=1) + "\n")
    else:
        out.print(("after repair: " if repair else "") + found.summary(), highlight=False)
        for kind, table in (("lacks", found.missing), ("has extra", found.extra)):
            for store, per_report in table.items():
                for report_id, count in per_report.items():
                    out.print(f"  {store} {kind} {count} chunk(s) of report {report_id}", highlight=False)
        for note in found.notes:
            out.print(f"  {note}", highlight=False)
        if found.leftovers:
            out.print(f"  leftovers of an interrupted write: {', '.join(found.leftovers)}", highlight=False)
    raise typer.Exit(0 if found.consistent else 1)
