"""Prompt templates live here as files, loaded and checked at start-up.

A template file is UTF-8 text. Its first line declares the variables it uses:

    # variables: question, passages, figures

Further lines starting with '#' right after it are comments (why the prompt says what it
says); the body starts after them. Placeholders are `{name}`; a literal brace is `{{` or `}}`
(Python `str.format` / LangChain f-string syntax). Loading fails with a `PromptError` naming
the file when the first line declares nothing, a placeholder is not declared, a declared
variable is not used, or a placeholder is anything but a plain name.

A checked file becomes a LangChain `ChatPromptTemplate` of one message: a system message when
the file's name ends in `_system` (answer_system.txt), a human message otherwise
(answer_user.txt). Templates add up into a conversation (`system + user`) and fill in with
`format_messages(...)` or as a step of an LCEL chain.

This module imports nothing of the project, so any layer may use it, and it imports
langchain_core only when a template is loaded (answering without a model never loads one).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

__all__ = ["PROMPTS_DIR", "PromptError", "load_prompt", "load_prompts"]

PROMPTS_DIR = Path(__file__).resolve().parent
_HEADER = re.compile(r"^#\s*variables\s*:(?P<names>.*)$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PromptError(ValueError):
    """A prompt template that cannot be used; the message names the file and the problem."""


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


def load_prompt(path: Path | str) -> ChatPromptTemplate:
    """Read and check one template file (a path, or the stem of a file in prompts/); its
    chat prompt of one message, whose input variables are the declared ones."""
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
    from langchain_core.prompts import ChatPromptTemplate

    role = "system" if path.stem.endswith("_system") else "human"
    return ChatPromptTemplate.from_messages([(role, body)], template_format="f-string")


@lru_cache(maxsize=4)
def load_prompts(folder: Path = PROMPTS_DIR) -> dict[str, ChatPromptTemplate]:
    """Every template of a folder, by name; the first bad file raises `PromptError`."""
    return {p.stem: load_prompt(p) for p in sorted(folder.glob("*.txt"))}
