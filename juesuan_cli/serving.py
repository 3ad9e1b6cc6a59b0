"""`serve` (the browser app) and `eval` (the scorecard)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# One list of providers for settings, `ask --provider`, the app and rag.providers.
from juesuan_cli.common import (
    ChromaUrl,
    DataDir,
    _logging,
    _settings,
    app,
    err,
    out,
)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to bind; localhost unless you mean otherwise")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 7860,
    data_dir: DataDir = None,
    no_sample: Annotated[bool, typer.Option("--no-sample", help="don't ingest the bundled sample")] = False,
    chroma_url: ChromaUrl = None,
) -> None:
    """Start the browser app (with the bundled sample report ingested on first start)."""
    from app import launch

    _logging()
    launch(_settings(data_dir, chroma_url), host=host, port=port, with_sample=not no_sample)


@app.command("eval")
def eval_(
    suite: Annotated[str, typer.Option("--suite", help="retrieval, qa, verify, rules or all (comma-separated)")] = "all",
    dataset: Annotated[list[str] | None, typer.Option(
        "--dataset", help="a dataset folder (docs/evaluation.md) or sample, generated, real; repeatable "
        "(default: the three bundled)")] = None,
    provider: Annotated[list[str] | None, typer.Option(
        "--provider", help="who answers in the qa suite; repeatable (default: extractive, offline)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the scorecard as JSON")] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="also write it: .json, .html or .md")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option(
        "--compare", help="OLD.json NEW.json: what got better or worse (runs nothing)")] = None,
    from_file: Annotated[Path | None, typer.Option("--from", help="show a saved scorecard instead of running")] = None,
    write_docs: Annotated[bool, typer.Option(
        "--write-docs", help="save docs/scorecard.json and regenerate the README's and docs/benchmarks.md's section")] = False,
    mutation_sample: Annotated[int, typer.Option(
        "--mutation-sample", help="perturb at most N figures per generated report (0: all)")] = 25,
) -> None:
    """Score juesuan: retrieval, answers, the verifier and the rules on the bundled datasets or yours."""
    from evals.quality.scorecard.cli import eval_command

    _logging()
    raise typer.Exit(eval_command(out, err, suite, dataset, provider, as_json, output,
                                  list(compare) if compare else None, from_file, write_docs, mutation_sample))
