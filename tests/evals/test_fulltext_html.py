"""`juesuan check --format html` on TXT/DOCX/XLSX reports: the full text after the findings,
every evidence span marked and linked both ways, all report text escaped."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from evals.audit.check import run_rules
from evals.audit.report_formats import Original, render
from index import SAMPLE_REPORT
from index.parse import parse_file
from tests.builders import build_xlsx, parse_seed


class _Marks(HTMLParser):
    """The text of each <mark id>, and the targets of the findings' 全文中的位置 links."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: dict[str, str] = {}
        self.links: list[str] = []
        self.scripts = 0
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "script":
            self.scripts += 1
        if tag == "mark":
            self._open = attrs["id"]
            self.marks[self._open] = ""
        if tag == "a" and (attrs.get("class") == "goto"):
            self.links.append(attrs["href"].lstrip("#"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.marks[self._open] += data


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with report text that looks like markup."""
    path = tmp_path_factory.mktemp("html") / "hostile.txt"
    text = SAMPLE_REPORT.read_text(encoding="utf-8")
    path.write_text(text.replace("第一部分", "第一部分<script>alert('x')</script>&amp;<b>", 1), encoding="utf-8")
    return path


def _page(path: Path) -> tuple[str, object, object]:
    parsed = parse_file(path)
    result = run_rules(parsed, path=str(path))
    page = render("html", [result], originals={parsed.report.id: Original(parsed, path)})
    assert isinstance(page, str)
    return page, parsed, result


@pytest.mark.parametrize("kind", ["txt", "xlsx"])
def test_every_quoted_number_is_marked(kind: str, tmp_path: Path) -> None:
    path = SAMPLE_REPORT if kind == "txt" else build_xlsx(parse_seed(), tmp_path / "sample.xlsx")
    page, parsed, result = _page(path)
    assert result.findings, "the sample has findings"
    seen = _Marks()
    seen.feed(page)
    assert seen.marks and seen.scripts == 0
    text = parsed.report.text
    for j, finding in enumerate(result.findings):
        assert f'id="r0-f{j}"' in page
        for e in finding.evidence:
            if e.start is None or e.end is None:
                continue
            holding = [m for m, inside in seen.marks.items() if text[e.start: e.end] in inside]
            assert holding, f"{text[e.start: e.end]!r} of {finding.rule} is not marked"
    # Every finding's link lands on a mark, and every mark links back to a finding.
    assert seen.links and set(seen.links) <= set(seen.marks)
    assert page.count('<mark id="r0-m') == len(seen.marks)


def test_report_text_is_escaped(hostile: Path) -> None:
    page, _, _ = _page(hostile)
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;amp;&lt;b&gt;" in page
    seen = _Marks()
    seen.feed(page)
    assert seen.scripts == 0


def test_pdf_reports_get_no_full_text(tmp_path: Path) -> None:
    """A PDF's full view is its annotated copy (--format pdf), not a second copy of its text."""
    from tests.builders import build_pdf

    path = build_pdf(parse_seed(), tmp_path / "sample.pdf")
    page, _, _ = _page(path)
    assert "<mark" not in page and "全文（" not in page
