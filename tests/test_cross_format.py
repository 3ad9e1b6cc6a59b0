"""The seed rebuilt as DOCX, PDF and XLSX (tests/builders.py) gives the TXT's figures.

Compared: the multiset of (metric, value, unit, role, year). XLSX carries only the tables,
so only table figures are compared there; that is the one difference between formats.
"""

from __future__ import annotations

from collections import Counter

import pytest

from index.models import Figure, ParsedReport
from index.parse import parse_file
from tests.builders import build_docx, build_pdf, build_xlsx, parse_seed

pytest.importorskip("reportlab")


def _multiset(figures: list[Figure]) -> Counter:
    return Counter((f.metric, f.value, f.unit, f.role, f.year) for f in figures)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, ParsedReport]:
    seed = parse_seed()
    folder = tmp_path_factory.mktemp("formats")
    return {
        "docx": parse_file(build_docx(seed, folder / "seed.docx")),
        "pdf": parse_file(build_pdf(seed, folder / "seed.pdf")),
        "xlsx": parse_file(build_xlsx(seed, folder / "seed.xlsx")),
    }


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_same_figures_as_txt(built, fmt: str) -> None:
    seed, parsed = parse_seed(), built[fmt]
    assert parsed.report.format == fmt
    expected, got = _multiset(seed.figures), _multiset(parsed.figures)
    assert got == expected, {"missing": expected - got, "extra": got - expected}
    assert (parsed.report.department, parsed.report.year) == ("米易县人民政府办公室", 2023)
    # Sources agree too: a narrative figure stays narrative, a cell stays a cell.
    assert Counter(f.source for f in parsed.figures) == Counter(f.source for f in seed.figures)


def test_xlsx_same_table_figures(built) -> None:
    seed, parsed = parse_seed(), built["xlsx"]
    # No narrative in a workbook: only the tables' figures can come out, and the year comes
    # from the tables' titles ("…绩效自评表（2023年度）").
    assert all(f.source == "table" for f in parsed.figures)
    assert parsed.report.year == 2023
    table_figures = [f for f in seed.figures if f.source == "table"]
    assert _multiset(parsed.figures) == _multiset(table_figures)
    assert [t.kind for t in parsed.tables] == [t.kind for t in seed.tables]


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx"])
def test_spans_quotes_and_sections(built, fmt: str) -> None:
    parsed = built[fmt]
    text = parsed.report.text
    for figure in parsed.figures:
        assert text[figure.start: figure.end] == figure.text, figure
        assert figure.text in figure.quote
    if fmt != "xlsx":
        seed = parse_seed()
        assert [s.marker for s in parsed.sections if s.level == 1] == ["第一部分", "第二部分", "第三部分", "第四部分"]
        # Figures stand in the same sections as in the TXT.
        assert Counter(f.section for f in parsed.figures) == Counter(f.section for f in seed.figures)


def test_pdf_pages(built) -> None:
    parsed = built["pdf"]
    assert parsed.report.pages and parsed.report.pages >= 5
    pages = [f.page for f in parsed.figures]
    assert all(p is not None for p in pages)
    assert pages == sorted(pages), "page numbers must not go back through the document"
    assert pages[0] < pages[-1] <= parsed.report.pages
    # Chunks carry pages as well, in reading order.
    chunk_pages = [c.page for c in parsed.chunks]
    assert all(p is not None for p in chunk_pages) and chunk_pages == sorted(chunk_pages)
