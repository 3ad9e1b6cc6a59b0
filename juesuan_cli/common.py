"""What every command shares: the typer app, the consoles, option types, settings and the
one-line error handling (exit code 2)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

# One list of providers for settings, `ask --provider`, the app and rag.providers.

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
# Beyond one machine (docs/scale.md): the work as Ray tasks, the vectors on a Chroma server.
UseRay = Annotated[bool, typer.Option(
    "--ray", help="run the work as Ray tasks: on a local Ray started for the run, or on --ray-address's cluster "
    "(pip install -e '.[scale]'). The output is the same")]
RayAddress = Annotated[str | None, typer.Option(
    "--ray-address", metavar="HOST:PORT", help="a running Ray cluster (implies --ray); its workers must see the "
    "same file paths")]
ChromaUrl = Annotated[str | None, typer.Option(
    "--chroma-url", metavar="http://HOST:PORT", help="keep the vectors on this Chroma server instead of the "
    "embedded one (JUESUAN_CHROMA_URL)")]




def _settings(data_dir: Path | None, chroma_url: str | None = None):
    from index.settings import Settings

    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir.expanduser()})
    if chroma_url is not None:
        from index.vectors import parse_chroma_url

        try:
            parse_chroma_url(chroma_url)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--chroma-url") from None
        settings = settings.model_copy(update={"chroma_url": chroma_url.strip()})
    return settings


def _ray(use_ray: bool, ray_address: str | None) -> bool:
    """Whether to run on Ray (--ray, or --ray-address); exits 2 with one line when ray is not installed."""
    if not (use_ray or ray_address):
        return False
    from index.ray_backend import RayBackendError, require_ray

    try:
        require_ray()
    except RayBackendError as exc:
        err.print(f"✗ {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    return True


@contextmanager
def _ray_errors() -> Iterator[None]:
    """A Ray cluster that does not answer, or a worker lost: one line and exit 2, no Ray traceback."""
    from index.ray_backend import RayBackendError

    try:
        yield
    except RayBackendError as exc:
        err.print(f"✗ {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def _store_errors(settings) -> Iterator[None]:
    """A damaged database (not SQLite, truncated) ends the command with one line and exit 2.

    Nothing is written to it: the user can move it away or restore it from a backup.
    """
    import sqlite3

    from index.vectors import VectorStoreUnavailable

    try:
        yield
    except VectorStoreUnavailable as exc:  # --chroma-url's server does not answer
        err.print(f"✗ {exc}", markup=False, highlight=False)
        raise typer.Exit(2) from None
    except sqlite3.DatabaseError as exc:
        err.print(
            f"✗ {settings.data_dir / 'juesuan.sqlite'}: 数据库文件已损坏或不是 juesuan 的数据库（{exc}），"
            "未作改动；请把它移走或从备份恢复后重试",
            markup=False, highlight=False,
        )
        raise typer.Exit(2) from None


def _logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
