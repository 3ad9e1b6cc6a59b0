"""Scanned PDFs: pages without a text layer are read by OCR (index/loaders/ocr.py).

Every scan here is made from a PDF with a text layer, so what OCR must read is known: the
figures of the text PDF. A page is rendered to an image at 300 dpi (as a scanner would) and
written as an image-only PDF; the "scanned-looking" copy is also turned by 1° and given seeded
grey noise (bench/ocr.py, which measures the same over whole reports).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from bench.ocr import figure_key, image_pdf
from index.loaders.ocr import measure_skew, normalize
from index.models import Figure, ParsedReport
from index.parse import parse_file
from index.store import Store
from tests.builders import CJK_FONT, _register_font, document_items, parse_seed
from tests.conftest import ROOT

SAMPLES = ROOT.parent / "shared" / "samples"
REPORT = "2024-普陀区委社会工作部-部门决算.pdf"
# Page 6 is the 收入决算表 (a ruled table with merged header cells), page 18 a page of narrative
# figures (amounts, shares, changes, completion rates).
TABLE_PAGE, TEXT_PAGE = 6, 18


def keys(figures: list[Figure]) -> Counter:
    return Counter(map(figure_key, figures))


def one_page_pdf(path: Path, replace: tuple[str, str] | None = None) -> Path:
    """One A4 page from the bundled sample: four paragraphs of figures and a ruled table
    (`replace` changes one piece of its text, to print a mistake)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, TableStyle
    from reportlab.platypus import Table as PdfTable

    _register_font()
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=10.5, leading=18, firstLineIndent=21, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, firstLineIndent=0, alignment=1, fontSize=12)
    cell = ParagraphStyle("cell", fontName=CJK_FONT, fontSize=9, leading=12, wordWrap="CJK")
    items = document_items(parse_seed())
    texts = [i for i in items if isinstance(i, str)]
    paragraphs = [next(t for t in texts if t.startswith(start)) for start in (
        "2023年度收、支总计均为", "2023年度本年支出合计", "2023年度“三公”经费财政拨款支出决算为",
        "3.公务接待费支出")]
    table = next(i for i in items if not isinstance(i, str) and i.rows[0][0] == "年度预算数（万元）")
    if replace:
        assert any(replace[0] in p for p in paragraphs)
        paragraphs = [p.replace(*replace) for p in paragraphs]
    story = [Paragraph("七、“三公”经费财政拨款支出决算情况说明", title)]
    story += [Paragraph(escape(p), body) for p in paragraphs]
    story.append(Paragraph("网络运行费项目预算执行情况表", title))
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    story.append(PdfTable([[Paragraph(escape(v), cell) for v in row] for row in table.rows],
                          colWidths=[110, 85, 85, 85, 85], style=grid))
    SimpleDocTemplate(str(path), pagesize=A4, leftMargin=60, rightMargin=60, topMargin=60,
                      bottomMargin=60).build(story)
    return path


def joined(first: Path, second: Path, dest: Path) -> Path:
    """A PDF of the pages of `first` followed by those of `second`."""
    import pypdfium2

    out = pypdfium2.PdfDocument.new()
    for part in (first, second):
        src = pypdfium2.PdfDocument(str(part))
        out.import_pages(src)
        src.close()
    out.save(str(dest))
    out.close()
    return dest


def test_a_mixed_pdf_keeps_its_text_page_and_reads_its_scanned_page(tmp_path: Path) -> None:
    """Page 1 has a text layer, page 2 is the same page scanned: page 1 gives exactly what the
    text PDF alone gives, page 2 the same figures again, read by OCR."""
    text_pdf = one_page_pdf(tmp_path / "text.pdf")
    alone = parse_file(text_pdf)
    assert len(alone.figures) >= 25 and {f.source for f in alone.figures} == {"text", "table"}
    scan = image_pdf(text_pdf, tmp_path / "scan.pdf")
    mixed = parse_file(joined(text_pdf, scan, tmp_path / "mixed.pdf"))

    first = [f for f in mixed.figures if f.page == 1]
    second = [f for f in mixed.figures if f.page == 2]
    assert [(f.metric, f.text, f.unit, f.role, f.source, f.quote) for f in first] == [
        (f.metric, f.text, f.unit, f.role, f.source, f.quote) for f in alone.figures
    ]
    assert keys(second) == keys(alone.figures)
    assert {f.source for f in second} == {"ocr"}
    # The table was rebuilt from the scan: its cells are figures of a table again.
    cells = [f for f in second if f.table_id is not None]
    assert len(cells) == sum(1 for f in alone.figures if f.source == "table") and all(f.column for f in cells)


def test_ocr_text_is_written_as_a_text_layer_writes_it() -> None:
    """What OCR returns for these reports' text, and what the parse expects to read."""
    assert normalize("与 2023年度相比") == "与2023年度相比"
    assert normalize("主要用于以下方面:一般公共服务支出") == "主要用于以下方面：一般公共服务支出"
    assert normalize("行政运行（项)。全年预算为52.00万元,支出") == "行政运行（项）。全年预算为52.00万元，支出"
    assert normalize("(1) 项目") == "（1）项目"
    assert normalize("合计 1,234.56") == "合计1,234.56"  # the thousands comma between digits stays
    assert normalize("Hello world (2024)") == "Hello world (2024)"
    assert normalize("年初预算为〇万元，增长1〇.5%") == "年初预算为0万元，增长10.5%"  # a lone 0 read as 〇
    assert normalize("二〇二四年") == "二〇二四年" and normalize("一〇〇人") == "一〇〇人"
    assert normalize("占100. 00%。") == "占100.00%。" and normalize("合计12 .5万元") == "合计12.5万元"
    assert normalize("支出合计3，261.90万元，较上年") == "支出合计3,261.90万元，较上年"  # a thousands comma
    assert normalize("1. 2023年度收入决算") == "1. 2023年度收入决算"  # a list marker keeps its space
    assert normalize("2. 30个项目") == "2. 30个项目" and normalize("1092. 80") == "1092.80"
    # A term of the reports with one look-alike character misread (both seen on the samples).
    assert normalize("五、一般公共预算财政拔款支出") == "五、一般公共预算财政拨款支出"
    assert normalize("其中：部级领导千部用车0辆") == "其中：部级领导干部用车0辆"
    assert normalize("接收人员3人") == "接收人员3人"  # short words are left alone


# ---------------------------------------------------------------------------------- real reports


def _sample_pages(pages: tuple[int, ...], scanned: bool, workdir: Path) -> tuple[ParsedReport, ParsedReport]:
    """(the text layer's parse of these pages, the parse of their image-only copy)."""
    from bench.ocr import subset

    source = SAMPLES / REPORT
    truth = parse_file(subset(source, list(pages), workdir))
    copy = image_pdf(source, workdir / f"scan-{scanned}.pdf", pages=list(pages), scanned=scanned)
    return truth, parse_file(copy)


needs_samples = pytest.mark.skipif(not (SAMPLES / REPORT).exists(), reason=f"real samples not available at {SAMPLES}")


@pytest.mark.samples
@needs_samples
@pytest.mark.parametrize("scanned", [False, True], ids=["clean", "rotated-noisy"])
@pytest.mark.parametrize("page", [TABLE_PAGE, TEXT_PAGE])
def test_a_scanned_page_of_a_real_report_gives_the_text_layers_figures(
        page: int, scanned: bool, tmp_path_factory: pytest.TempPathFactory) -> None:
    truth, read = _sample_pages((page,), scanned, tmp_path_factory.mktemp(f"p{page}{scanned}"))
    assert len(truth.figures) >= 20
    assert keys(read.figures) == keys(truth.figures)
    assert {f.source for f in read.figures} == {"ocr"}
    # The rules run on the scan as on the text layer: the same findings, the same cases they
    # could not bind (a figure's place, sentence or cell, is the same whether OCR read it or not).
    from evals.audit.check import run_rules

    on_text, on_scan = run_rules(truth), run_rules(read)
    assert sorted((f.rule, f.actual, f.expected) for f in on_scan.findings) == sorted(
        (f.rule, f.actual, f.expected) for f in on_text.findings)
    assert on_scan.insufficient == on_text.insufficient
    assert on_scan.summary.errors == 0  # a number read from a scan is never the ground for an error
    if page == TABLE_PAGE:
        [table] = read.tables
        [expected] = truth.tables
        assert table.title == expected.title == "收入决算表" and table.unit == expected.unit
        assert [[c.text for c in row] for row in table.rows] == [[c.text for c in row] for row in expected.rows]


def test_a_skewed_scan_is_measured_and_turned_straight(tmp_path: Path) -> None:
    """The 1° of the scanned-looking copy is found (to a tenth of a degree) and undone."""
    import numpy as np
    import pypdfium2

    scan = image_pdf(one_page_pdf(tmp_path / "text.pdf"), tmp_path / "scan.pdf", scanned=True)
    pdf = pypdfium2.PdfDocument(str(scan))
    gray = np.array(pdf[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L"))
    pdf.close()
    assert abs(measure_skew(gray) + 1.0) <= 0.1


# ---------------------------------------------------------------------------------- without the extra

NOT_INSTALLED = '''
import sys


class NotInstalled:
    """Finds RapidOCR nowhere, as if the `ocr` extra had never been installed."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] == "rapidocr_onnxruntime":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
'''


def test_without_the_extra_a_scan_is_one_line_naming_the_file_and_the_install(tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(NOT_INSTALLED, encoding="utf-8")
    scan = image_pdf(one_page_pdf(tmp_path / "text.pdf"), tmp_path / "扫描件.pdf")
    data_dir = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)]), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "juesuan_cli", "ingest", str(scan), "--data-dir", str(data_dir), "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 2, run.stdout + run.stderr
    lines = [ln for ln in run.stderr.splitlines() if "扫描件.pdf" in ln]
    assert len(lines) == 1, run.stderr
    assert "没有文字层" in lines[0] and "pip install" in lines[0] and "[ocr]" in lines[0]
    store = Store(data_dir)  # nothing was stored
    try:
        assert store.report_ids() == set()
    finally:
        store.close()


# ---------------------------------------------------------------------------------- where OCR read it


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _turned(point: tuple[float, float], degrees: float, size: tuple[float, float]) -> tuple[float, float]:
    """Where PIL's Image.rotate(degrees) (counter-clockwise about the centre) moves a point (y down)."""
    import math

    cx, cy = size[0] / 2, size[1] / 2
    dx, dy = point[0] - cx, point[1] - cy
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return cx + dx * cos + dy * sin, cy - dx * sin + dy * cos


@pytest.mark.parametrize("scanned", [False, True], ids=["clean", "rotated-noisy"])
def test_a_figure_read_by_ocr_carries_the_box_where_it_is_printed(scanned: bool, tmp_path: Path) -> None:
    """Each figure of the scan has a box on its page where the scan shows the number: the text
    layer's box of the same figure, moved as the scanner turned the sheet (1°)."""
    import pdfplumber

    text_pdf = one_page_pdf(tmp_path / "text.pdf")
    truth = parse_file(text_pdf)
    read = parse_file(image_pdf(text_pdf, tmp_path / "scan.pdf", scanned=scanned))
    with pdfplumber.open(text_pdf) as pdf:
        size = (float(pdf.pages[0].width), float(pdf.pages[0].height))
    assert read.report.ocr_pages == [1]
    assert bool(read.turns) == scanned  # a skewed page is turned straight before it is read
    by_key: dict[tuple, list[Figure]] = {}
    for f in truth.figures:
        by_key.setdefault(figure_key(f), []).append(f)
    compared = 0
    for f in read.figures:
        assert f.box is not None and f.page == 1, f
        expected = by_key[figure_key(f)].pop(0).box
        assert expected is not None
        want = _turned(_centre(expected), 1.0 if scanned else 0.0, size)
        got = _centre(f.box)
        # Within a few points (a character is 9-10.5 pt here): the number itself, not its line.
        assert abs(got[0] - want[0]) <= 6 and abs(got[1] - want[1]) <= 4, (f.text, f.quote[:30], got, want)
        compared += 1
    assert compared == len(truth.figures), keys(truth.figures) - keys(read.figures)


def _mixed_library(tmp_path: Path, replace: tuple[str, str] | None = None):
    from index.ingest import Library
    from index.settings import Settings

    scan = image_pdf(one_page_pdf(tmp_path / "text.pdf", replace), tmp_path / "扫描件.pdf", scanned=True)
    library = Library(Settings(data_dir=tmp_path / "data"))
    [result] = library.ingest([scan], progress=False, embed=False, jobs=1)
    assert result.status == "ingested", result.message
    return library, result.report_id


def test_a_stored_scan_keeps_where_its_text_was_printed_and_shows_it_without_reading_it_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store knows the report's pages read by OCR and each figure's box; the page view
    highlights a scanned quote on the page image from the positions kept at ingest (OCR'ing
    the page again would take seconds), and says the page is a scan."""
    import base64
    import io
    import re

    from PIL import Image

    import index.parse
    from index.doctor import diagnose
    from index.originals import original_path, positions_path
    from webui.page_view import PageViews

    library, report_id = _mixed_library(tmp_path)
    try:
        report = library.store.get_report(report_id)
        assert report is not None and report.ocr_pages == [1]
        figures = library.store.figures([report_id])
        assert figures and all(f.source == "ocr" and f.box is not None for f in figures)
        assert positions_path(library.data_dir, report_id).is_file()
        assert not diagnose(library).notes  # the kept positions are not taken for orphans

        def never(*_a, **_k):
            raise AssertionError("the page view parsed (OCR'd) the scan again")

        monkeypatch.setattr(index.parse, "parse_document", never)
        figure = next(f for f in figures if f.text == "4.55")
        html = PageViews(library).view(report_id, figure.start, figure.end)
        assert "扫描件" in html and "OCR" in html, html[:300]
        src = re.search(r'class="js-page-image" data-page="1" alt="[^"]*" src="data:image/png;base64,([^"]+)"', html)
        assert src, html[:300]
        image = Image.open(io.BytesIO(base64.b64decode(src[1]))).convert("RGB")
        scale = image.width / 595.28
        x0, top, x1, bottom = (round(v * scale) for v in figure.box)  # the number, highlighted
        pixels = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(top, bottom)]
        assert sum(r - b >= 60 and g - b >= 40 for r, g, b in pixels) / len(pixels) > 0.5

        assert library.remove_report(report_id)
        assert not original_path(library.data_dir, report_id).exists()
        assert not positions_path(library.data_dir, report_id).exists()
    finally:
        library.close()


def test_an_answer_marks_the_numbers_and_passages_read_by_ocr(tmp_path: Path) -> None:
    """Asked about a scanned report, the answer's checked numbers and its citations say that the
    report's text was read by OCR (a digit may be misread), on the page as in the JSON."""
    from rag.chain import AnswerChain
    from webui.render import OCR_MARK, answer_html

    library, report_id = _mixed_library(tmp_path)
    try:
        answer = AnswerChain(library, provider="extractive").invoke("公务接待费支出是多少？", [report_id])
    finally:
        library.close()
    supported = [c for c in answer.claims if c.verdict == "supported" and c.evidence]
    assert supported and all(c.evidence.ocr for c in supported), answer.claims
    assert answer.citations and all(c.ocr for c in answer.citations)
    html = answer_html(answer)
    assert html.count(f'<sup class="js-ocr-mark">{OCR_MARK}</sup>') == len([c for c in answer.claims if c.evidence and c.evidence.ocr])
    assert "扫描页 · OCR" in html and "OCR 识别" in html


def test_a_finding_on_numbers_read_by_ocr_is_a_warning_that_says_so(tmp_path: Path) -> None:
    """The same printed mistake is an error in the text PDF and a warning with its reason in the
    scan: the number may be OCR's misreading, not the report's."""
    from evals.audit.check import OCR_NOTE, run_rules

    wrong = ("下降18.75%", "下降28.75%")  # 1.05 of 5.60 is 18.75%
    text_pdf = one_page_pdf(tmp_path / "text.pdf", wrong)
    in_text = [f for f in run_rules(parse_file(text_pdf)).findings if any("28.75" in e.quote for e in f.evidence)]
    assert in_text and in_text[0].severity == "error", in_text
    assert not any(e.ocr for f in in_text for e in f.evidence)
    scan = parse_file(image_pdf(text_pdf, tmp_path / "scan.pdf", scanned=True))
    in_scan = [f for f in run_rules(scan).findings if any("28.75" in e.quote for e in f.evidence)]
    assert [f.rule for f in in_scan] == [f.rule for f in in_text]
    assert all(f.severity == "warning" and f.message.endswith(OCR_NOTE) for f in in_scan)
    assert all(e.ocr for f in in_scan for e in f.evidence)


def test_a_row_label_whose_list_numeral_ocr_lost_binds_to_its_metric() -> None:
    """OCR can miss the thin 一 of "一、一般公共预算财政拨款收入" and read "、一般…": the row is
    still the 一般公共预算财政拨款收入 row."""
    from index.table_figures import _clean_label

    assert _clean_label("、一般公共预算财政拨款收入") == _clean_label("一、一般公共预算财政拨款收入") == "一般公共预算财政拨款收入"
    assert _clean_label("其中:(1)公务用车购置费") == "公务用车购置费"


def test_a_number_the_detector_cut_in_two_is_read_again_as_one(tmp_path: Path) -> None:
    """Two touching boxes of one line, "1092." and ".80" (as the detector cut a table cell of the
    规划和自然资源局 report): the recogniser reads their joint crop as the one number."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    from index.loaders.ocr import Word, _rejoin

    font_path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    font = ImageFont.truetype(font_path, 40) if Path(font_path).exists() else ImageFont.load_default(size=40)
    image = Image.new("L", (420, 90), 255)
    ImageDraw.Draw(image).text((40, 20), "1092.80", font=font, fill=0)
    gray = np.asarray(image)
    scale = 0.36  # points per pixel (200 dpi)
    left, right, top, bottom = 38 * scale, 200 * scale, 18 * scale, 70 * scale
    middle = (left + right) / 2
    halves = [Word("1092.", left, top, middle + 4 * scale, bottom, 0.99),
              Word(".80", middle - 4 * scale, top, right, bottom, 0.99),
              Word("合计", 300 * scale, top, 400 * scale, bottom, 0.99)]  # another box: left alone
    joined = _rejoin(gray, halves, scale)
    assert sorted(w.text for w in joined) == ["1092.80", "合计"]
    assert _rejoin(gray, [halves[0], halves[2]], scale)[0].text == "1092."  # no touching neighbour


def test_a_scan_whose_crop_box_is_inside_its_media_box_is_placed_in_media_box_points(tmp_path: Path) -> None:
    """pdfium draws the crop box, pdfplumber measures from the media box: a scan cropped by a
    margin gives each figure the box the uncropped scan gives it (media-box points)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    scan = image_pdf(one_page_pdf(tmp_path / "text.pdf"), tmp_path / "scan.pdf")
    writer = PdfWriter(clone_from=PdfReader(scan))
    width, height = (float(v) for v in writer.pages[0].mediabox.upper_right)
    writer.pages[0].cropbox = RectangleObject((24, 30, width - 18, height - 36))
    cropped = tmp_path / "cropped.pdf"
    with cropped.open("wb") as fh:
        writer.write(fh)
    whole, cut = parse_file(scan), parse_file(cropped)
    boxes: dict[tuple, list] = {}
    for f in whole.figures:
        boxes.setdefault(figure_key(f), []).append(f.box)
    compared = 0
    for f in cut.figures:
        if boxes.get(figure_key(f)):
            want = _centre(boxes[figure_key(f)].pop(0))
            got = _centre(f.box)
            assert abs(got[0] - want[0]) <= 4 and abs(got[1] - want[1]) <= 3, (f.text, got, want)  # the crop is 24 and 36 pt
            compared += 1
    assert compared >= 0.9 * len(whole.figures)


def test_a_quote_of_last_years_report_is_not_taken_for_a_scanned_one() -> None:
    """A finding comparing with last year's report quotes it with its own page numbers: a page
    scanned in this year's report says nothing about it."""
    from evals.audit.check import OCR_NOTE, mark_ocr
    from evals.audit.findings import Evidence, Finding
    from index.models import Report

    text = "一、收入\n本年收入合计307.82万元。\n"
    report = Report(id="0" * 16, source_name="x.pdf", format="pdf", ocr_pages=[3], text=text)
    this = Evidence(quote="本年收入合计307.82万元。", page=3, start=text.index("307.82"), end=text.index("307.82") + 6)
    last = Evidence(quote="上年收入合计290.00万元。", page=3, start=4, end=10)
    mine = Finding(rule="r", family="yoy", severity="error", message="不符。", evidence=[this])
    theirs = Finding(rule="r", family="across", severity="error", message="不符。", evidence=[last])
    mark_ocr([mine, theirs], report)
    assert this.ocr and mine.severity == "warning" and mine.message.endswith(OCR_NOTE)
    assert not last.ocr and theirs.severity == "error" and theirs.message == "不符。"
