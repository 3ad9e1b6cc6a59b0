"""What `juesuan eval` does, behind its options (juesuan_cli/serving.py only forwards them)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from rich.console import Console

from evals.quality.dataset import BUNDLED, Dataset, DatasetError, bundled, load_dataset
from evals.quality.scorecard import (
    REPO,
    Options,
    Scorecard,
    ScorecardError,
    compare,
    load_scorecard,
    run_scorecard,
)
from evals.quality.scorecard.model import SUITES
from evals.quality.scorecard.render import (
    compare_table,
    html_page,
    markdown,
    replace_section,
    rich_tables,
    summary_markdown,
)

__all__ = ["DOCS_JSON", "eval_command", "write_docs"]

#: The scorecard the docs show (docs/benchmarks.md's generated section and the README's).
DOCS_JSON = REPO / "docs" / "scorecard.json"
DEFAULT_MUTATION_SAMPLE = 25


def _suites(suite: str) -> list[str]:
    names = [s.strip() for s in suite.split(",") if s.strip()]
    if names == ["all"]:
        return list(SUITES)
    unknown = [s for s in names if s not in SUITES]
    if unknown or not names:
        raise ValueError(f"--suite: unknown suite {', '.join(unknown) or repr(suite)}: "
                         f"one of {', '.join(SUITES)} or all")
    return [s for s in SUITES if s in names]


def _datasets(names: list[str], workdir: Path) -> list[Dataset]:
    """Bundled datasets by name, and dataset folders (DatasetError listing every problem)."""
    out, problems = [], []
    for name in names or list(BUNDLED):
        try:
            out.append(bundled(name, workdir / name) if name in BUNDLED and not Path(name).is_dir()
                       else load_dataset(Path(name)))
        except DatasetError as exc:
            problems += exc.problems
    if problems:
        raise DatasetError(problems)
    return out


def write_docs(card: Scorecard, repo: Path = REPO) -> list[Path]:
    """Save the scorecard as docs/scorecard.json and write the generated sections of
    docs/benchmarks.md (every figure) and README.md (a summary) from it."""
    written = []
    json_path = repo / "docs" / "scorecard.json"
    json_path.write_text(card.model_dump_json(indent=1) + "\n", encoding="utf-8")
    written.append(json_path)
    for path, section in ((repo / "docs" / "benchmarks.md", markdown(card)), (repo / "README.md", summary_markdown(card))):
        path.write_text(replace_section(path.read_text(encoding="utf-8"), section), encoding="utf-8")
        written.append(path)
    return written


def _write_output(card: Scorecard, output: Path) -> None:
    suffix = output.suffix.lower()
    if suffix == ".json":
        output.write_text(card.model_dump_json(indent=1) + "\n", encoding="utf-8")
    elif suffix in (".html", ".htm"):
        output.write_text(html_page(card), encoding="utf-8")
    elif suffix == ".md":
        before = output.read_text(encoding="utf-8") if output.is_file() else ""
        output.write_text(replace_section(before, markdown(card)).lstrip(), encoding="utf-8")
    else:
        raise ValueError(f"--output {output}: write .json, .html or .md")


def eval_command(out: Console, err: Console, suite: str = "all", datasets: list[str] | None = None,
                 providers: list[str] | None = None, as_json: bool = False, output: Path | None = None,
                 compare_files: list[Path] | None = None, from_file: Path | None = None, docs: bool = False,
                 mutation_sample: int | None = DEFAULT_MUTATION_SAMPLE) -> int:
    """Run (or load, or compare) scorecards and print them; the exit code."""
    try:
        if compare_files:
            if len(compare_files) != 2:
                raise ValueError("--compare takes two scorecard files: OLD.json NEW.json")
            changes = compare(load_scorecard(compare_files[0]), load_scorecard(compare_files[1]))
            if as_json:
                out.print_json(json.dumps([c.model_dump() for c in changes], ensure_ascii=False))
            else:
                out.print(compare_table(changes))
                counts = {v: sum(c.verdict == v for c in changes) for v in ("better", "worse", "same", "new", "gone")}
                out.print(", ".join(f"{n} {v}" for v, n in counts.items() if n))
            return 0
        if output is not None and output.suffix.lower() not in (".json", ".html", ".htm", ".md"):
            raise ValueError(f"--output {output}: write .json, .html or .md")
        from index.settings import PROVIDERS

        unknown = [p for p in providers or [] if p not in PROVIDERS]
        if unknown:
            raise ValueError(f"--provider: unknown provider {', '.join(unknown)}: one of {', '.join(PROVIDERS)}")
        if from_file is not None:
            card = load_scorecard(from_file)
        else:
            card = _run(err, _suites(suite), datasets or [], providers or ["extractive"], mutation_sample)
    except DatasetError as exc:
        for problem in exc.problems:
            err.print(problem, markup=False, highlight=False)
        return 2
    except (ScorecardError, ValueError) as exc:
        err.print(str(exc), markup=False, highlight=False)
        return 2
    if output is not None:
        _write_output(card, output)
        err.print(f"wrote {output}", markup=False, highlight=False)
    if docs:
        for path in write_docs(card):
            err.print(f"wrote {path}", markup=False, highlight=False)
    if as_json:
        print(card.model_dump_json(indent=1))
    else:
        out.print(f"juesuan scorecard · {card.date[:10]} · commit {card.code()} · "
                  f"{card.seconds.get('total', 0):.0f} s", markup=False, highlight=False)
        for note in card.notes:
            out.print(f"note: {note}", markup=False, highlight=False)
        for table in rich_tables(card):
            out.print(table)
    return 0


def _run(err: Console, suites: list[str], names: list[str], providers: list[str],
         mutation_sample: int | None) -> Scorecard:
    with tempfile.TemporaryDirectory(prefix="juesuan-eval-") as tmp:
        datasets = _datasets(names, Path(tmp))
        options = Options(suites, datasets, providers, mutation_per_report=mutation_sample or None)

        def progress(line: str) -> None:
            err.print(f"[eval] {line}", style="dim", markup=False, highlight=False)

        return run_scorecard(options, progress)
