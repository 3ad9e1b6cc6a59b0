"""Read a .docx report into text and table blocks, in the order the reader sees them.

Approach, in plain words:

* We walk the children of the document body one by one (paragraphs ``w:p`` and tables
  ``w:tbl``, plus content controls ``w:sdt`` which may wrap either), so text and tables come
  out interleaved exactly as in the file. Headers and footers live in other parts of the
  package and are never looked at.
* Every paragraph becomes a text block. Every table becomes a table block whose
  ``rows`` follow the table's layout grid. python-docx hands back the same cell object for
  every grid position a merged cell covers (across and down); we keep the text once, in the
  first position, and write "" in the others, recognising repeats by the identity of the
  underlying ``w:tc`` element. A table nested inside a cell is flattened into that cell's text.
* The paragraphs right above a table often carry its title ("收入支出决算总表") and unit
  ("单位：万元"); we copy them onto the table block (they also stay as text blocks). Some
  reports print the title and unit as the table's own first rows instead; those rows are
  taken off ``rows`` and used the same way.
* Paragraphs are kept as the file has them, so a document written one paragraph per line
  reads like the TXT it was made from: leading tabs stay (python-docx gives ``w:tab`` as a
  tab character; a paragraph of a lone tab is an empty cell of a flattened table) and empty
  paragraphs stay as empty text blocks (the row breaks of such a table). Only trailing
  spaces go.
* DOCX has no fixed pages, so ``page`` is None everywhere and ``pages`` is None.

The small table heuristics (title, unit) live here as public functions because the
spreadsheet loader uses the same rules; the header-row detector is `index.tables`'s, shared
by every loader and re-exported here for the spreadsheet loader.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from index.settings import LimitSettings, default_limits
from index.tables import header_row_count

from .base import Block, LoadedDocument, LoadError

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _SDT = f"{{{_W_NS}}}p", f"{{{_W_NS}}}tbl", f"{{{_W_NS}}}sdt"
_SDT_CONTENT, _TR, _TC = f"{{{_W_NS}}}sdtContent", f"{{{_W_NS}}}tr", f"{{{_W_NS}}}tc"

# --------------------------------------------------------------------------------------------
# Table heuristics shared with the spreadsheet loader.
# --------------------------------------------------------------------------------------------

# "单位：万元", "金额单位：元", "（单位:万元）". 万元 must be tried before 元.
_UNIT_RE = re.compile(r"单位\s*[:：]\s*(万元|元)")
# Publication codes that stand in for a title: "表一", "表3", "公开01表", "附表2".
_TABLE_CODE_RE = re.compile(r"^(附?表\s*[一二三四五六七八九十\d]+|公开\s*\d+\s*表)")
# A title ends in 表, optionally followed by a parenthesised remark such as "（续）".
_TITLE_END_RE = re.compile(r"表\s*([（(][^（()）]*[）)])?$")
_UNIT_REMARK_RE = re.compile(r"[（(]\s*(金额)?单位\s*[:：][^（()）]*[）)]")
_PREAMBLE_RE = re.compile(r"^(编制单位|填报单位|部门|单位名称)\s*[:：]|^\d{4}\s*年度?$")


def unit_of(text: str) -> str | None:
    """Return "万元" or "元" when `text` states a unit ("单位：万元", "金额单位：元"), else None."""
    m = _UNIT_RE.search(text)
    return m.group(1) if m else None


def is_table_code(text: str) -> bool:
    """True for bare table codes that stand for a title, such as "表一" or "公开01表"."""
    return bool(_TABLE_CODE_RE.match(text.strip()))


def is_title(text: str) -> bool:
    """True when `text` reads like a table title ("收入支出决算总表", "表一 收入支出决算总表")."""
    t = _UNIT_REMARK_RE.sub("", text).strip()
    if not t or len(t) > 60 or t.startswith(("详见", "见")):
        return False
    # Sentences are prose, not titles, even when they happen to end with 表.
    if any(ch in t for ch in "。，,；;：:"):
        return bool(_TABLE_CODE_RE.match(t)) and not _UNIT_RE.search(t)
    return bool(_TITLE_END_RE.search(t) or _TABLE_CODE_RE.match(t))


def clean_title(text: str) -> str:
    """Drop a "（单位：万元）" remark from a title line and trim it."""
    return _UNIT_REMARK_RE.sub("", text).strip()


def is_preamble(text: str) -> bool:
    """True for lines printed above a table that are not data: unit, 编制单位, year, code."""
    t = text.strip()
    return bool(unit_of(t) or _PREAMBLE_RE.search(t) or is_table_code(t))


def best_title(candidates: list[str]) -> str | None:
    """Pick the title among title-like lines, nearest first: a real name beats a bare code."""
    titles = [clean_title(c) for c in candidates if is_title(c)]
    named = [t for t in titles if not _TABLE_CODE_RE.fullmatch(t.replace(" ", ""))]
    if named:
        return named[0]
    return titles[0] if titles else None


def is_preamble_row(cells: list[str]) -> bool:
    """True when a row's non-empty cells are a title, unit or 编制单位 line, not table content."""
    if not cells:
        return False
    if all(is_title(c) or is_preamble(c) for c in cells):
        return True
    # "编制单位： | 某某局 | 单位：万元": the unit/编制单位 label makes a short row preamble.
    return len(cells) <= 3 and any(unit_of(c) or _PREAMBLE_RE.search(c) for c in cells)


def split_preamble(rows: list[list[str]]) -> tuple[str | None, str | None, list[list[str]]]:
    """Peel title, unit and 编制单位 rows off the top of a table.

    Returns (title, unit, remaining rows). A row is preamble when every non-empty cell is a
    title or a preamble line, or when it states the unit/编制单位 in a short row such as
    "编制单位： | 某某局 | 单位：万元".
    """
    titles: list[str] = []
    unit: str | None = None
    i = 0
    while i < len(rows):
        cells = [c.strip() for c in rows[i] if c.strip()]
        if cells:
            if not is_preamble_row(cells):
                break
            titles.extend(c for c in cells if is_title(c))
            unit = unit or next((u for u in map(unit_of, cells) if u), None)
        i += 1
    # Nearest to the table first, as best_title expects.
    return best_title(titles[::-1]), unit, rows[i:]


# --------------------------------------------------------------------------------------------
# DOCX reading.
# --------------------------------------------------------------------------------------------


def check_ole(data: bytes, what: str, new_ext: str) -> None:
    """Raise a LoadError explaining an OLE container found where an Office Open XML file was expected.

    Password-protected .docx/.xlsx files are stored inside an OLE container (with an
    "EncryptionInfo" stream), and so are the old binary .doc/.xls formats; the user needs
    different advice for each, so we look for the stream name (UTF-16 in the directory).
    """
    if not data.startswith(OLE_MAGIC):
        return
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise LoadError(f"{what} 文件已加密（有打开密码）：请在 Office 中去除密码后另存为 {new_ext} 再导入")
    raise LoadError(
        f"这是旧版二进制 Office 文件（OLE 格式）或加密文件，不是 {new_ext}："
        f"请用 Office/WPS 打开并另存为 {new_ext} 后再导入"
    )


def check_package(zf: zipfile.ZipFile, limits: LimitSettings) -> None:
    """Refuse an Office package whose parts unpack to more than the limit (a zip bomb).

    The sizes are the ones the zip declares; Python's zipfile never unpacks more than that.
    """
    unpacked = sum(info.file_size for info in zf.infolist())
    if unpacked > limits.max_uncompressed_bytes:
        raise LoadError(
            f"解压后过大（{unpacked / 1e6:.0f} MB，上限 {limits.max_uncompressed_mb:g} MB，"
            "JUESUAN_LIMITS__MAX_UNCOMPRESSED_MB）"
        )


# The start tag of a paragraph or a table cell, with any namespace prefix.
_ELEMENT_TAG = re.compile(rb"<(?:\w+:)?(?:p|tc)[\s/>]")


def count_elements(zf: zipfile.ZipFile, part: str, tag: re.Pattern[bytes] = _ELEMENT_TAG) -> int:
    """Start tags (default: paragraphs and table cells) of an XML part, counted on its bytes as
    they unpack: no tree is built, so a part of millions of elements is refused cheaply."""
    count, tail = 0, b""
    with zf.open(part) as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += len(tag.findall(data))
            # Keep the last bytes, minus any tag already counted in them, for the next read.
            cut = max(len(data) - 16, 0)
            last = max((m.end() for m in tag.finditer(data, cut)), default=cut)
            tail = data[max(cut, last):]
    return count


def read_bytes(path: Path) -> bytes:
    """The file's bytes; LoadError when it cannot be read or is empty."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LoadError(f"无法读取文件：{exc}") from exc
    if not data:
        raise LoadError("文件为空（0 字节）")
    return data


def _paragraph_text(p_el) -> str:
    """Text of a w:p element, including hyperlinks, tabs and breaks, like python-docx."""
    from docx.text.paragraph import Paragraph

    return Paragraph(p_el, None).text


def _flatten(el) -> str:
    """All text inside a cell's content, nested tables included, one line per paragraph/row."""
    lines: list[str] = []
    for child in el.iterchildren():
        if child.tag == _P:
            lines.append(_paragraph_text(child).strip())
        elif child.tag == _TBL:
            for tr in child.iterchildren(_TR):
                cells = [_flatten(tc) for tc in tr.iterchildren(_TC)]
                lines.append(" ".join(c for c in cells if c))
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                lines.append(_flatten(content))
    return "\n".join(line for line in lines if line)


def _table_rows(tbl_el) -> list[list[str]]:
    """The table as a rectangular grid of strings, merged cells written once."""
    from docx.table import Table

    table = Table(tbl_el, None)
    # Values keep the elements alive, so their ids cannot be reused while we compare.
    seen: dict[int, object] = {}
    rows: list[list[str]] = []
    for row in table.rows:
        out: list[str] = [""] * row.grid_cols_before
        try:
            cells = row.cells
        except (ValueError, IndexError, AttributeError):
            # A malformed vertical merge (e.g. "continue" in the first row) breaks
            # python-docx's lookup of the cell above; read the row's own cells instead.
            from docx.table import _Cell

            cells = tuple(_Cell(tc, table) for tc in row._tr.tc_lst)
        for cell in cells:
            tc = cell._tc
            if id(tc) in seen:
                out.append("")
            else:
                seen[id(tc)] = tc
                out.append(_flatten(tc))
        out.extend([""] * row.grid_cols_after)
        rows.append(out)
    width = max((len(r) for r in rows), default=0)
    return [r + [""] * (width - len(r)) for r in rows if any(c for c in r)]


def _iter_body(el):
    """Yield body-level w:p and w:tbl elements in order, looking inside content controls."""
    for child in el.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _iter_body(content)


def _label_table(block: Block, before: list[str]) -> None:
    """Set title/unit from the paragraphs just above the table (nearest first)."""
    titles: list[str] = []
    for text in before[:3]:
        unit = unit_of(text)
        if unit and block.unit is None:
            block.unit = unit
        if is_title(text):
            titles.append(text)
        elif not is_preamble(text):
            break  # prose: anything above it belongs to something else
    block.title = best_title(titles)


def load_docx(path: Path, limits: LimitSettings | None = None) -> LoadedDocument:
    """Load a .docx file into text and table blocks in reading order.

    Raises LoadError for an empty file, a file that is not a zip, a zip without
    word/document.xml, and an encrypted document or old .doc (OLE container); and for a
    package over `limits` (unpacked size, paragraphs and cells), before any XML is parsed.
    """
    limits = limits or default_limits()
    path = Path(path)
    data = read_bytes(path)
    check_ole(data, "DOCX", ".docx")
    if not data.startswith(b"PK"):
        raise LoadError("不是有效的 DOCX（不是 zip 文件）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in set(zf.namelist()):
                raise LoadError("不是有效的 DOCX（zip 中没有 word/document.xml）")
            check_package(zf, limits)
            elements = count_elements(zf, "word/document.xml")
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise LoadError(f"不是有效的 DOCX（zip 文件已损坏或被截断：{exc}）") from exc
    if elements > limits.max_elements:
        raise LoadError(
            f"段落和单元格过多（{elements} 个，上限 {limits.max_elements} 个，JUESUAN_LIMITS__MAX_ELEMENTS）"
        )

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken packages
        raise LoadError(f"不是有效的 DOCX（无法解析：{exc}）") from exc

    blocks: list[Block] = []
    recent: list[str] = []  # paragraphs since the last table, nearest first
    for el in _iter_body(document.element.body):
        if el.tag == _P:
            text = _paragraph_text(el).rstrip(" \u3000\r\n")
            blocks.append(Block(kind="text", text=text))
            if text.strip():
                recent = [text.strip(), *recent[:2]]
            continue
        rows = _table_rows(el)
        if not rows:
            continue
        # Some reports put the title and unit inside the table as its first rows.
        title, unit, body = split_preamble(rows)
        if body:
            rows = body
        block = Block(kind="table", rows=rows, header_rows=header_row_count(rows))
        _label_table(block, recent)
        block.title = block.title or title
        block.unit = block.unit or unit
        blocks.append(block)
        recent = []
    return LoadedDocument(source_name=path.name, format="docx", blocks=blocks, pages=None)
