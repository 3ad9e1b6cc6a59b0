"""One canonical text from every format: the sample as TXT, as a Word document written one
paragraph per line and as a text-only PDF of those lines gives the same figures and tables.

The sample's 绩效自评表 and 资金计划 tables are flattened into tab-led lines, one cell per line,
rows separated by empty lines; the parse rebuilds them from the tabs and empty lines, so the
DOCX loader must keep both and the PDF loader must recover both from the layout (tests/builders.py
`build_docx_lines`, `build_pdf_lines`).

A PDF's text layer drops a space next to a Chinese character ("实施单位 （盖章）" reads back as
"实施单位（盖章）", by the PDF loader's spacing rule), so the PDF's text and cells are compared
with spaces removed; everything else is compared exactly.
"""

from __future__ import annotations

from collections import Counter

import pytest

from index.models import ParsedReport
from index.parse import parse_file
from tests.builders import build_docx_lines, build_pdf_lines, parse_seed
from tests.conftest import SEED

pytest.importorskip("reportlab")

FORMATS = ["docx", "pdf"]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ParsedReport]:
    folder = tmp_path_factory.mktemp("parity")
    return {
        "txt": parse_seed(),
        "docx": parse_file(build_docx_lines(SEED, folder / "seed-lines.docx")),
        "pdf": parse_file(build_pdf_lines(SEED, folder / "seed-lines.pdf")),
    }


def _figures(report: ParsedReport) -> Counter:
    return Counter((f.metric, str(f.value), f.unit, f.role, f.year, f.source) for f in report.figures)


def _tables(report: ParsedReport, spaces: bool) -> list[tuple[str | None, list[list[str]]]]:
    def cell(text: str) -> str:
        return text if spaces else text.replace(" ", "")

    return [(t.kind, [[cell(c.text) for c in row] for row in t.rows]) for t in report.tables]


def test_the_sample_has_flattened_tables(parsed) -> None:
    kinds = Counter(t.kind for t in parsed["txt"].tables)
    assert kinds["资金计划"] >= 1 and kinds["绩效自评表-预算执行"] >= 1 and kinds["绩效自评表-绩效指标"] >= 1
    assert sum(f.source == "table" for f in parsed["txt"].figures) > 100


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_figures(parsed, fmt: str) -> None:
    report = parsed[fmt]
    assert report.report.format == fmt
    expected, got = _figures(parsed["txt"]), _figures(report)
    assert got == expected, {"missing": expected - got, "extra": got - expected}
    assert (report.report.department, report.report.year) == ("米易县人民政府办公室", 2023)


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_tables(parsed, fmt: str) -> None:
    spaces = fmt != "pdf"
    assert _tables(parsed[fmt], spaces) == _tables(parsed["txt"], spaces)


@pytest.mark.parametrize("fmt", ["txt", *FORMATS])
def test_spans_point_at_the_numbers(parsed, fmt: str) -> None:
    text = parsed[fmt].report.text
    for figure in parsed[fmt].figures:
        assert text[figure.start: figure.end] == figure.text, figure


def test_same_canonical_text(parsed) -> None:
    txt = parsed["txt"].report.text
    assert parsed["docx"].report.text == txt
    # The PDF gives the same lines, tab-led cells and empty row breaks included.
    lines = [line.replace(" ", "") for line in txt.rstrip("\n").split("\n")]
    assert parsed["pdf"].report.text.replace(" ", "").rstrip("\n").split("\n") == lines


def test_pdf_pages_in_reading_order(parsed) -> None:
    report = parsed["pdf"]
    pages = [f.page for f in report.figures]
    assert report.report.pages and report.report.pages > 20
    assert all(p is not None for p in pages) and pages == sorted(pages)
