"""Loaders: one per file format, each returning a `LoadedDocument` of text and table blocks."""

from __future__ import annotations

from pathlib import Path

from index.loaders.base import Block, LoadedDocument, LoadError
from index.settings import LimitSettings, default_limits

__all__ = ["SUPPORTED_SUFFIXES", "Block", "LoadError", "LoadedDocument", "load_document"]

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".docx", ".pdf", ".xlsx", ".xls")


def _sniff(data: bytes, suffix: str) -> str:
    """Pick the loader from the file's first bytes, falling back on its suffix."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "xlsx" if suffix in (".xlsx", ".xls") else "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE container: an old .xls, an old .doc, or an encrypted Office file.
        return "xls" if suffix == ".xls" else suffix.lstrip(".") or "docx"
    return {".md": "md", ".markdown": "md"}.get(suffix, suffix.lstrip("."))


def load_document(
    path: Path, max_bytes: int, source_name: str | None = None, limits: LimitSettings | None = None
) -> LoadedDocument:
    """Read any supported report file; raise LoadError (message names the file) when it can't.

    The format is decided by the file's content where the content says it (a PDF named .txt is
    read as a PDF), else by its suffix. `source_name` is the name the user knows the file by
    (an upload saved under a safe temporary name): it is only displayed and stored, never used
    as a path, and its suffix picks the loader. Defaults to `path.name`. `limits` bound what a
    file may unpack into (pages, unpacked bytes, elements, cells); default: the settings'.
    """
    limits = limits or default_limits()
    name = source_name or path.name
    suffix = Path(name).suffix.lower() if source_name else path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"{name}: 无法读取文件（{exc.strerror or exc}）") from exc
    if size == 0:
        raise LoadError(f"{name}: 文件为空")
    if size > max_bytes:
        raise LoadError(f"{name}: 文件过大（{size / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB）")
    if suffix not in SUPPORTED_SUFFIXES:
        raise LoadError(f"{name}: 不支持的文件类型 '{suffix or '无后缀'}'（支持 {', '.join(SUPPORTED_SUFFIXES)}）")
    with path.open("rb") as handle:
        head = handle.read(8)
    kind = _sniff(head, suffix)
    try:
        if kind == "pdf":
            from index.loaders.pdf import load_pdf

            doc = load_pdf(path, limits)
        elif kind == "docx":
            from index.loaders.docx import load_docx

            doc = load_docx(path, limits)
        elif kind == "xlsx":
            from index.loaders.spreadsheet import load_xlsx

            doc = load_xlsx(path, limits)
        elif kind == "xls":
            from index.loaders.spreadsheet import load_xls

            doc = load_xls(path, limits)
        else:
            from index.loaders.text import load_text

            doc = load_text(path, markdown=kind == "md")
    except LoadError as exc:
        raise LoadError(f"{name}: {exc}") from exc
    except Exception as exc:
        raise LoadError(f"{name}: 无法解析（{type(exc).__name__}: {exc}）") from exc
    doc.source_name = name
    if not any(b.text.strip() or b.rows for b in doc.blocks):
        raise LoadError(f"{name}: 没有可读取的文字内容")
    return doc
