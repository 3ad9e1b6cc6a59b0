"""`juesuan check REPORT.pdf --format pdf`: the annotated copy, read back with a second PDF
library (pypdfium2) and compared with the original read by pdfplumber.

A generated PDF of the bundled sample makes the test run everywhere; the real published PDFs of
../shared/samples run when that folder is there."""

from __future__ import annotations

import ctypes
import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader
from pypdfium2 import raw

from evals.audit.annotated_pdf import evidence_page, note_text
from evals.audit.check import CheckResult, run_rules
from evals.audit.report_formats import Original, render
from index.models import ParsedReport
from index.parse import parse_file
from tests.builders import build_pdf, parse_seed

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Annot:
    subtype: int
    rect: tuple[float, float, float, float]  # left, bottom, right, top in PDF user space
    contents: str


@dataclass
class Checked:
    path: Path
    parsed: ParsedReport
    result: CheckResult
    output: bytes


def _check(path: Path) -> Checked:
    parsed = parse_file(path)
    result = run_rules(parsed, path=str(path))
    output = render("pdf", [result], originals={parsed.report.id: Original(parsed, path)})
    assert isinstance(output, bytes)
    return Checked(path, parsed, result, output)


def _annotations(doc: pdfium.PdfDocument, index: int) -> list[Annot]:
    page = doc[index]
    found = []
    for k in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, k)
        rect = raw.FS_RECTF()
        raw.FPDFAnnot_GetRect(annot, rect)
        size = raw.FPDFAnnot_GetStringValue(annot, b"Contents", None, 0)
        buffer = ctypes.create_string_buffer(size)
        raw.FPDFAnnot_GetStringValue(annot, b"Contents", ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
        text = buffer.raw[: max(0, size - 2)].decode("utf-16-le")
        found.append(Annot(raw.FPDFAnnot_GetSubtype(annot), (rect.left, rect.bottom, rect.right, rect.top), text))
        raw.FPDFPage_CloseAnnot(annot)
    return found


def _link_targets(doc: pdfium.PdfDocument, index: int) -> list[int]:
    page = doc[index]
    start, link, targets = ctypes.c_int(0), raw.FPDF_LINK(), []
    while raw.FPDFLink_Enumerate(page.raw, start, link):
        dest = raw.FPDFLink_GetDest(doc.raw, link)
        targets.append(raw.FPDFDest_GetDestPageIndex(doc.raw, dest))
    return targets


def _assert_annotated(checked: Checked) -> None:
    """What a reader of the annotated PDF relies on."""
    doc = pdfium.PdfDocument(checked.output)
    original_pages = len(PdfReader(checked.path).pages)
    findings = checked.result.findings
    assert findings, "the test needs a report with findings"
    # One summary page in front, then the original, page for page.
    assert len(doc) == original_pages + 1

    # Original pages intact: the same content streams, and the same text read by pdfplumber.
    original, annotated = PdfReader(checked.path), PdfReader(io.BytesIO(checked.output))
    for i, page in enumerate(original.pages):
        assert annotated.pages[i + 1].get_contents().get_data() == page.get_contents().get_data()
    with pdfplumber.open(checked.path) as before, pdfplumber.open(io.BytesIO(checked.output)) as after:
        for i, page in enumerate(before.pages):
            assert after.pages[i + 1].extract_text() == page.extract_text()
        summary_text = after.pages[0].extract_text()

    # Each finding is boxed on the page of its evidence, the box covering the printed number,
    # and its note carries the message, 应为 / 实为 and the rule.
    with pdfplumber.open(checked.path) as pdf:
        for n, finding in enumerate(findings, 1):
            assert f"[{n}]" in summary_text
            note = note_text(n, finding)
            assert finding.message in note and finding.rule in note
            if finding.expected:
                assert f"应为：{finding.expected}" in note
            if finding.actual:
                assert f"实为：{finding.actual}" in note
            for e in finding.evidence:
                # The page its characters are on (a continued table's row may be a page after
                # the table's first); pdfplumber below confirms the number is printed there.
                page_no = evidence_page(checked.parsed, e)
                assert page_no is not None and e.start is not None and e.end is not None
                assert page_no in (e.page, (e.page or 0) + 1)
                mine = [a for a in _annotations(doc, page_no) if a.contents == note]
                squares = [a for a in mine if a.subtype == raw.FPDF_ANNOT_SQUARE]
                assert squares, f"finding {n} ({finding.rule}) has no box on page {page_no}"
                assert any(a.subtype == raw.FPDF_ANNOT_STAMP for a in mine), f"finding {n}: no numbered note"
                printed = checked.parsed.report.text[e.start: e.end]
                page = pdf.pages[page_no - 1]
                height = float(page.height)
                hits = page.search(printed.strip(), regex=False) if printed.strip() else []
                assert hits, f"{printed!r} not found on page {page_no}"
                covered = [
                    h for h in hits for a in squares
                    if a.rect[0] <= h["x0"] + 0.5 and h["x1"] - 0.5 <= a.rect[2]
                    and a.rect[1] <= height - h["bottom"] + 0.5 and height - h["top"] - 0.5 <= a.rect[3]
                ]
                assert covered, f"finding {n}: no box covers {printed!r} on page {page_no}"
            # No box of this finding on a page without its evidence.
            pages = {evidence_page(checked.parsed, e) for e in finding.evidence}
            for index in range(1, len(doc)):
                if index not in pages:
                    assert not any(a.contents == note for a in _annotations(doc, index))

    # The summary links each finding to the pages of its quotes.
    targets = set(_link_targets(doc, 0))
    wanted = {evidence_page(checked.parsed, e) for f in findings for e in f.evidence}
    assert targets == wanted  # output page index = original page number (one summary page first)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Checked:
    """The bundled sample printed to PDF (tests/builders.py) and checked."""
    path = build_pdf(parse_seed(), tmp_path_factory.mktemp("pdf") / "sample.pdf")
    return _check(path)


def test_generated_pdf_annotated(generated: Checked) -> None:
    _assert_annotated(generated)


def test_every_number_of_a_pdf_has_its_printed_place(generated: Checked) -> None:
    """The character positions come from the same parse: each figure's box holds its number."""
    with pdfplumber.open(generated.path) as pdf:
        for f in generated.parsed.figures:
            boxes = generated.parsed.boxes(f.start, f.end)
            assert boxes, f"{f.text} ({f.metric}) has no box"
            page_no, x0, top, x1, bottom = boxes[0]
            assert page_no in (f.page, (f.page or 0) + 1)  # a continued table's row: the next page
            text = pdf.pages[page_no - 1].crop((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5)).extract_text()
            assert f.text.replace(",", "") in text.replace(",", "").replace(" ", "").replace("\n", "")


def test_a_stored_pdf_is_annotated_from_its_kept_original(generated: Checked, tmp_path: Path) -> None:
    """`check ID --format pdf` for an ingested PDF: the positions are not in SQLite (a stored
    report loads without them) but kept beside the original, and the annotated copy is the one
    the file itself gives: the same notes on the same pages."""
    from index.ingest import Library
    from index.settings import Settings

    data = tmp_path / "data"
    library = Library(Settings(data_dir=data))
    try:
        result = library.ingest_file(generated.path, embed=False)
        stored = library.store.load_parsed(result.report_id)
    finally:
        library.close()
    assert stored is not None and stored.glyphs == [] and generated.parsed.glyphs
    from_file, from_store = tmp_path / "file.pdf", tmp_path / "stored.pdf"
    assert _cli("check", str(generated.path), "--format", "pdf", "--output", str(from_file)).returncode in (0, 1)
    run = _cli("check", result.report_id, "--data-dir", str(data), "--format", "pdf", "--output", str(from_store))
    assert run.returncode in (0, 1), run.stderr
    one, two = pdfium.PdfDocument(str(from_file)), pdfium.PdfDocument(str(from_store))
    assert len(one) == len(two) == len(PdfReader(generated.path).pages) + 1
    for page in range(1, len(one)):
        notes = sorted((a.contents, a.subtype, tuple(round(v) for v in a.rect)) for a in _annotations(one, page))
        assert notes == sorted((a.contents, a.subtype, tuple(round(v) for v in a.rect)) for a in _annotations(two, page))
    assert any(_annotations(two, page) for page in range(1, len(two)))


def test_real_pdf_annotated(samples_dir: Path) -> None:
    """A real published report: its findings boxed on the right pages."""
    _assert_annotated(_check(samples_dir / "2024-普陀区委社会工作部-部门决算.pdf"))


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "juesuan_cli", *args], check=False, capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_cli_writes_the_annotated_pdf(generated: Checked, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    run = _cli("check", str(generated.path), "--format", "pdf", "--output", str(out))
    assert run.returncode in (0, 1), run.stderr
    assert len(pdfium.PdfDocument(out.read_bytes())) == len(PdfReader(generated.path).pages) + 1


def test_cli_pdf_format_needs_one_pdf(seed_path: Path, tmp_path: Path) -> None:
    """A TXT cannot be annotated as a PDF: one line saying so, exit 2, nothing written."""
    out = tmp_path / "out.pdf"
    run = _cli("check", str(seed_path), "--format", "pdf", "--output", str(out))
    assert run.returncode == 2
    assert "--format pdf" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()
