"""Plain text and Markdown reports (pasted from a web page or converted from Word).

The bytes' encoding is detected without being told: a BOM wins; then strict UTF-8; then
GB18030 (a superset of GBK and GB2312, the encodings Chinese government sites use); then
charset-normalizer's best guess. Each line becomes one text block: Word-to-text conversion
puts one paragraph per line, and flattened tables (one cell per line, tab-indented) are
rebuilt later from these lines by `index.tables`.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from charset_normalizer import from_bytes

from index.loaders.base import Block, LoadedDocument, LoadError

# Word-to-text converters leave "[image: image5]" where a chart stood: not report text.
_IMAGE_PLACEHOLDER = re.compile(r"\[image:[^\]]*\]")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MARKDOWN_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def decode_report_bytes(data: bytes) -> str:
    """Decode report text in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(encoding)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise LoadError("不是文本文件（无法识别编码，既不是 UTF-8 也不是 GB18030/GBK）")
    return str(best)


def _looks_binary(text: str) -> bool:
    """True when decoded 'text' is mostly control characters, i.e. the file was not text."""
    if not text:
        return False
    control = sum(1 for ch in text[:4000] if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control > 0.02 * min(len(text), 4000) or "\x00" in text[:4000]


def load_text(path: Path, markdown: bool = False) -> LoadedDocument:
    """Read a .txt or .md report into one text block per line (blank lines kept as '')."""
    data = path.read_bytes()
    text = decode_report_bytes(data)
    if _looks_binary(text):
        raise LoadError("不是文本文件（内容含大量二进制字符）")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u3000", " ")
    if not text.strip():
        raise LoadError("文件内容为空")
    blocks = []
    for line in text.split("\n"):
        if markdown:
            line = _MARKDOWN_HEADING.sub("", line)
            line = _MARKDOWN_EMPHASIS.sub(r"\2", line)
        line = _IMAGE_PLACEHOLDER.sub("", line)
        # Keep a lone tab: in a flattened table it is an empty cell, not a blank line.
        blocks.append(Block(kind="text", text=line.rstrip(" ")))
    return LoadedDocument(source_name=path.name, format="md" if markdown else "txt", blocks=blocks)
