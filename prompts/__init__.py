"""Prompt templates live here as files, loaded and checked at start-up.

A template file is UTF-8 text. Its first line declares the variables it uses:

    # variables: question, passages, figures

Further lines starting with '#' right after it are comments (why the prompt says what it
says); the body starts after them. Placeholders are `{name}`; a literal brace is `{{` or `}}`
(Python `str.format` / LangChain f-string syntax). Loading fails with a `PromptError` naming
the file when a placeholder is not declared, a declared variable is not used, or a
placeholder is anything but a plain name. This module imports nothing of the project, so any
layer may use it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["PROMPTS_DIR", "PromptError", "PromptTemplate", "load_prompt", "load_prompts"]

PROMPTS_DIR = Path(__file__).resolve().parent
_HEADER = re.compile(r"^#\s*variables\s*:(?P<names>.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PromptError(ValueError):
    """A prompt template that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class PromptTemplate:
    """One checked template: its name (file stem), file, declared variables and body."""

    name: str
    path: Path
    variables: tuple[str, ...]
    text: str

    def format(self, **values: object) -> str:
        """The template filled in; every declared variable must be given, and nothing else."""
        missing = set(self.variables) - set(values)
        unknown = set(values) - set(self.variables)
        if missing or unknown:
            raise PromptError(
                f"{self.path.name}: "
                + "; ".join(
                    part for part in (
                        f"missing value for {', '.join(sorted(missing))}" if missing else "",
                        f"unknown variable {', '.join(sorted(unknown))}" if unknown else "",
                    ) if part
                )
            )
        return self.text.format(**values)


def _placeholders(path: Path, body: str) -> set[str]:
    """The names used as {placeholders} in a template body."""
    try:
        specs = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(body) if f is not None]
    except ValueError as exc:  # an unmatched brace
        raise PromptError(f"{path.name}: {exc} (write a literal brace as {{{{ or }}}})") from None
    for name, spec, conv in specs:
        if not _NAME.match(name) or spec or conv:
            shown = name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "")
            raise PromptError(f"{path.name}: placeholder {{{shown}}} is not a plain variable name")
    return {name for name, _, _ in specs}


def load_prompt(path: Path | str) -> PromptTemplate:
    """Read and check one template file (a path, or the stem of a file in prompts/)."""
    path = Path(path)
    if not path.suffix:
        path = PROMPTS_DIR / f"{path}.txt"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PromptError(f"{path.name}: cannot read the template ({exc.strerror or exc})") from None
    lines = raw.splitlines()
    header = _HEADER.match(lines[0].strip()) if lines else None
    if header is None:
        raise PromptError(f"{path.name}: the first line must declare the variables, e.g. '# variables: question'")
    declared = [n.strip() for n in header["names"].split(",") if n.strip()]
    for name in declared:
        if not _NAME.match(name):
            raise PromptError(f"{path.name}: declared variable {name!r} is not a plain name")
    i = 1
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    body = "\n".join(lines[i:]).strip("\n") + "\n"
    used = _placeholders(path, body)
    unknown = used - set(declared)
    missing = set(declared) - used
    if unknown:
        raise PromptError(f"{path.name}: unknown variable {', '.join(sorted(unknown))} "
                          "(used in the template but not declared on its first line)")
    if missing:
        raise PromptError(f"{path.name}: missing variable {', '.join(sorted(missing))} "
                          "(declared on its first line but never used)")
    return PromptTemplate(path.stem, path, tuple(declared), body)


@lru_cache(maxsize=4)
def load_prompts(folder: Path = PROMPTS_DIR) -> dict[str, PromptTemplate]:
    """Every template of a folder, by name; the first bad file raises `PromptError`."""
    return {p.stem: load_prompt(p) for p in sorted(folder.glob("*.txt"))}
