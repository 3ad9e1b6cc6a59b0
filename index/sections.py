"""The section tree, from the report's own numbering.

Reports number their parts 第一部分 / 一、 / （一） / 1. / （1）, plus 附件N for annexes. A
line that starts with such a marker opens a section; its depth is decided by the marker's
kind (a stack: a new 一、 closes any open （一） or 1.). Word-to-text conversion often drops
the numbering of the template's own headings ("收入决算情况说明" instead of "二、收入决算情况
说明"); those known titles get their template marker back, flagged `inferred`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from index.models import Section

_CN_NUM = "一二三四五六七八九十"
# (rank, pattern); lower rank = higher in the tree.
_MARKERS: list[tuple[int, re.Pattern[str]]] = [
    (0, re.compile(rf"^\s*(第[{_CN_NUM}]+部分)\s*")),
    (1, re.compile(r"^\s*(附件\s*\d+|附表\s*\d*)(?=\s|$|[:：、])\s*")),
    (2, re.compile(rf"^\s*([{_CN_NUM}]+、)\s*")),
    (3, re.compile(rf"^\s*([（(][{_CN_NUM}]+[）)])\s*")),
    # "2.2022年度…项目" is item 2; "1.5万元" is a number, not item 1.
    (4, re.compile(r"^\s*(\d{1,2}[.．、](?!\d{1,3}(?!\d)))\s*")),
    (5, re.compile(r"^\s*([（(]\d{1,2}[）)])\s*")),
]

# Template headings of 第二部分 that lose their numbering in conversion, with their marker.
_KNOWN_TITLES: dict[str, tuple[int, str]] = {
    "部门概况": (0, "第一部分"),
    "收入支出决算总体情况说明": (2, "一、"),
    "收入决算情况说明": (2, "二、"),
    "支出决算情况说明": (2, "三、"),
    "财政拨款收入支出决算总体情况说明": (2, "四、"),
    "一般公共预算财政拨款支出决算情况说明": (2, "五、"),
    "一般公共预算财政拨款基本支出决算情况说明": (2, "六、"),
    "财政拨款三公经费支出决算情况说明": (2, "七、"),
    "政府性基金预算支出决算情况说明": (2, "八、"),
    "国有资本经营预算支出决算情况说明": (2, "九、"),
    "其他重要事项的情况说明": (2, "十、"),
    "其他重要事项情况说明": (2, "十、"),
    "名词解释": (0, "第三部分"),
    "附件": (0, "第四部分"),
    "附表": (0, "第五部分"),
}

_MAX_TITLE = 40


@dataclass
class Line:
    """A text line of the report with its offset in the canonical text and its page."""

    start: int
    text: str
    page: int | None


def _title_of(rest: str) -> str:
    """A heading's title: the rest of the line, cut at the first sentence break when long."""
    rest = rest.strip()
    if len(rest) <= _MAX_TITLE:
        return rest.rstrip("。")
    cut = re.split(r"[。：:；;，,]", rest, maxsplit=1)[0]
    return cut[:_MAX_TITLE]


def _heading(line: str, toc_parts: dict[str, str] | None = None) -> tuple[int, str, str, bool] | None:
    """(rank, marker, title, inferred) when the line opens a section, else None.

    `toc_parts` maps the titles of the 目录's 第X部分 entries to their markers: a body heading
    printed without its marker ("中共…2024年度部门决算表" for "第二部分中共…部门决算表") gets it back.
    """
    for rank, pattern in _MARKERS:
        match = pattern.match(line)
        if match:
            rest = line[match.end():]
            if rank == 4 and not rest.strip():
                return None
            return rank, re.sub(r"\s+", "", match.group(1)), _title_of(rest), False
    key = re.sub(r"[\s“”\"]", "", line)
    if toc_parts and (marker := _toc_part_marker(key, toc_parts)):
        return 0, marker, line.strip(), True
    if key in _KNOWN_TITLES:
        rank, marker = _KNOWN_TITLES[key]
        return rank, marker, line.strip(), True
    return None


def _toc_part_marker(key: str, toc_parts: dict[str, str]) -> str | None:
    """The 第X部分 marker of a 目录 entry whose title this unnumbered line repeats.

    The body may drop a word of the 目录's title ("上海市规划和自然资源局…部门决算表" under
    "第二部分上海市普陀区规划和自然资源局…部门决算表"), so a near-identical line (same ending,
    a few characters off) counts too; a sentence never does.
    """
    if key in toc_parts:
        return toc_parts[key]
    if len(key) < 6 or len(key) > 60 or re.search(r"[。；;，,：:]", key):
        return None
    for title, marker in toc_parts.items():
        if key[-4:] == title[-4:] and SequenceMatcher(None, key, title).ratio() >= 0.9:
            return marker
    return None


def _skip_table_of_contents(lines: list[Line]) -> set[int]:
    """Indexes of lines in a 目录 (table of contents), which must not open sections."""
    skipped: set[int] = set()
    for i, line in enumerate(lines):
        if re.sub(r"\s+", "", line.text) != "目录":
            continue
        entries: list[str] = []
        for j in range(i + 1, len(lines)):
            key = re.sub(r"\s+", "", lines[j].text)
            if not key:
                skipped.add(j)
                continue
            if entries and key == entries[0]:
                break
            entries.append(key)
            skipped.add(j)
        break
    return skipped


def build_sections(lines: list[Line], text_end: int) -> list[Section]:
    """Build the section tree over the report's text lines (headings in reading order)."""
    sections: list[Section] = []
    stack: list[tuple[int, int]] = []  # (rank, section id)
    toc = _skip_table_of_contents(lines)
    toc_parts: dict[str, str] = {}
    for index in sorted(toc):
        entry = re.sub(r"[\s“”\"]", "", lines[index].text)
        if match := _MARKERS[0][1].match(entry):
            title = entry[match.end():].rstrip(".·…0123456789")  # dot leaders and page numbers
            if title:
                toc_parts.setdefault(title, match.group(1))
    for index, line in enumerate(lines):
        if index in toc or line.text.startswith("\t"):
            continue
        found = _heading(line.text, toc_parts) or _undotted_item(line.text, sections, stack)
        if found is None:
            continue
        rank, marker, title, inferred = found
        if not title:
            # "附件1" alone on its line: the annex's own title is the next line.
            following = next((x.text.strip() for x in lines[index + 1:] if x.text.strip()), "")
            title = following if following and _heading(following) is None and len(following) <= _MAX_TITLE else ""
        if rank == 0:
            # Each 第X部分 opens once: a later line repeating its title is not a new part.
            toc_parts = {t: m for t, m in toc_parts.items() if m != marker}
        while stack and stack[-1][0] >= rank:
            stack.pop()
        parent = stack[-1][1] if stack else None
        parent_section = sections[parent] if parent is not None else None
        section = Section(
            id=len(sections),
            parent=parent,
            level=len(stack) + 1,
            marker=marker,
            title=title,
            path=f"{parent_section.path} > {marker}" if parent_section else marker,
            title_path=f"{parent_section.title_path} > {title}" if parent_section else title,
            page=line.page,
            start=line.start,
            end=text_end,
            inferred=inferred,
        )
        sections.append(section)
        stack.append((rank, section.id))
    # A section ends where the next section that is not inside it starts.
    for i, section in enumerate(sections):
        for later in sections[i + 1:]:
            if not _is_descendant(sections, later, section.id):
                section.end = later.start
                break
    return sections


_UNDOTTED = re.compile(r"^\s*(\d{1,2})(?=[\u4e00-\u9fff])")


def _undotted_item(
    line: str, sections: list[Section], stack: list[tuple[int, int]]
) -> tuple[int, str, str, bool] | None:
    """'11住房保障支出…' right after item '10.': a numbered item whose dot was lost.

    Only the next number of an open 1./2./… list counts, so '80批次' never opens a section.
    """
    match = _UNDOTTED.match(line)
    if not match or not stack or stack[-1][0] != 4:
        return None
    previous = re.match(r"\d+", sections[stack[-1][1]].marker)
    if previous is None or int(previous.group(0)) + 1 != int(match.group(1)):
        return None
    return 4, f"{match.group(1)}.", _title_of(line[match.end():]), True


def _is_descendant(sections: list[Section], node: Section, ancestor: int) -> bool:
    parent = node.parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = sections[parent].parent
    return False


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The innermost section containing a text offset."""
    best: Section | None = None
    for section in sections:
        if section.start <= offset < section.end and (best is None or section.level >= best.level):
            best = section
    return best
