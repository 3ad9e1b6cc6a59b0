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


def one_page_pdf(path: Path) -> Path:
    """One A4 page from the bundled sample: four paragraphs of figures and a ruled table."""
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
