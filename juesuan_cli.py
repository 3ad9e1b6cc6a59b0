"""The `juesuan` command: one subcommand per job.

    juesuan serve              the browser app (ingests the bundled sample on first start)
    juesuan ingest PATH...     parse and store reports
    juesuan figures PATH       the stated figures of one file (no store needed)
    juesuan reports            what is stored

Exit codes: 0 success, 2 when an input could not be read (each named, with the reason).
"""

from __future__ import annotations

import json
import logging
import os
import sys
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
            "approximate", "source", "table_id", "row", "col", "decimal_value",
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
