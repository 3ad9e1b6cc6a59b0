"""Tests for the PDF loader (index/loaders/pdf.py).

Generated PDFs (reportlab, CID font STSong-Light, which needs no system font) check the
line rebuilding, paragraphs, continued tables and bad inputs; the real published reports in
../shared/samples check the loader on what it is for.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.loaders.base import LoadedDocument, LoadError
from index.loaders.pdf import load_pdf
from index.loaders.pdf_tables import clean_cell
from index.tables import header_row_count

canvas_mod = pytest.importorskip("reportlab.pdfgen.canvas")
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(CJK))
A4 = (595.3, 841.9)

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "samples"
NINE_TITLES = [
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
]


# ---------------------------------------------------------------- helpers for generated PDFs


def draw_mixed(c, x: float, y: float, text: str, size: float = 12, shift: float = 1.5) -> float:
    """Draw `text` with its digits in Helvetica on a baseline `shift` points lower, as Word
    and WPS do with a second font; return the x where the text ends."""
    for run in re.findall(r"[\d.%]+|[^\d.%]+", text):
        digits = run[0].isdigit() or run[0] in ".%"
        font = "Helvetica" if digits else CJK
        c.setFont(font, size)
        c.drawString(x, y - shift if digits else y, run)
        x += pdfmetrics.stringWidth(run, font, size)
    return x


def wrap_to_width(text: str, width: float, size: float, first_indent: float) -> list[str]:
    """Cut `text` into lines that fill `width` (the first one shortened by the indent)."""
    lines, cur, avail = [], "", width - first_indent
    for ch in text:
        if pdfmetrics.stringWidth(cur + ch, CJK, size) > avail:
            lines.append(cur)
            cur, avail = "", width
        cur += ch
    return lines + [cur]


def draw_table(
    c, x: float, top: float, widths: list[float], rows: list[list[str]], row_h: float = 20
) -> float:
    """Draw a fully ruled table (cells may hold "\\n" for a wrapped name); return its bottom y."""
    heights = [row_h * max(len(cell.split("\n")) for cell in row) for row in rows]
    total_w = sum(widths)
    y = top
    c.setLineWidth(0.5)
    c.line(x, y, x + total_w, y)
    for row, h in zip(rows, heights):
        cx = x
        for cell, w in zip(row, widths):
            for k, part in enumerate(cell.split("\n")):
                c.setFont(CJK, 10)
                c.drawString(cx + 3, y - 14 - k * row_h, part)
            cx += w
        y -= h
        c.line(x, y, x + total_w, y)
    cx = x
    for w in [0, *widths]:
        cx += w
        c.line(cx, top, cx, y)
    return y


@pytest.fixture(params=[1.5, 4.0], ids=["shift1.5pt", "shift4pt"])
def shifted_pdf(tmp_path: Path, request) -> Path:
    path = tmp_path / "shifted.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)
    c.setFont(CJK, 16)
    c.drawString(72, 780, "一、收入支出决算总体情况说明")
    draw_mixed(c, 96, 740, "2024年度收入支出总计2995.39万元。与2023年度相比，收入", shift=request.param)
    draw_mixed(c, 72, 720, "支出总计增加1.05万元，增长0.04%。", shift=request.param)
    c.setFont("Helvetica", 10)
    c.drawCentredString(A4[0] / 2, 30, "- 1 -")
    c.showPage()
    c.save()
    return path


# ---------------------------------------------------------------- generated PDFs


def test_shifted_digits_stay_inside_their_sentence(shifted_pdf: Path) -> None:
    doc = load_pdf(shifted_pdf)
    assert isinstance(doc, LoadedDocument) and doc.format == "pdf" and doc.pages == 1
    texts = [b.text for b in doc.blocks if b.kind == "text"]
    assert texts[0] == "一、收入支出决算总体情况说明"
    assert (
        "2024年度收入支出总计2995.39万元。与2023年度相比，收入支出总计增加1.05万元，增长0.04%。"
        in texts
    ), texts
    assert all(b.page == 1 for b in doc.blocks)
    # The footer "- 1 -" is a page number, not text.
    assert len(texts) == 2


def test_wrapped_paragraph_is_one_block(tmp_path: Path) -> None:
    para1 = ("本年支出合计9759.38万元，其中：基本支出5377.64万元，占55.10%；项目支出4381.74万元，"
             "占44.90%。主要用于保障机构正常运转、完成日常工作任务以及城乡社区规划与管理等项目，"
             "决算数小于预算数的主要原因是部分项目未开展完成")
    para2 = "（二）政府采购支出情况"
    para3 = "政府采购金额为2319.21万元。"
    path = tmp_path / "para.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)
    y = 760
    lines = wrap_to_width(para1, 420, 12, first_indent=24)
    assert len(lines) >= 3  # the test must really wrap
    for i, line in enumerate(lines):
        c.setFont(CJK, 12)
        c.drawString(96 if i == 0 else 72, y, line)
        y -= 22
    c.drawString(96, y, para2)
    c.drawString(96, y - 22, para3)
    c.showPage()
    c.save()
    texts = [b.text for b in load_pdf(path).blocks]
    assert texts == [para1, para2, para3]


def test_paragraph_continues_across_page_break(tmp_path: Path) -> None:
    text = ("一般公共预算财政拨款支出307.82万元，占本年支出合计的100.00%。与2023年度相比，"
            "一般公共预算财政拨款支出增加307.82万元，增长100.00%。")
    lines = wrap_to_width(text, 300, 12, first_indent=24)
    path = tmp_path / "break.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)
    c.setFont(CJK, 12)
    c.drawString(96, 100, lines[0])
    c.showPage()
    c.setFont(CJK, 12)
    y = 780
    for line in lines[1:]:
        c.drawString(72, y, line)
        y -= 22
    c.showPage()
    c.save()
    doc = load_pdf(path)
    assert [(b.text, b.page) for b in doc.blocks] == [(text, 1)]
    assert doc.pages == 2


def test_table_continued_on_next_page_is_merged(tmp_path: Path) -> None:
    widths = [80, 200, 90]
    header = ["科目编码", "科目名称", "决算数"]
    first = [["201", "一般公共服务支出", "264.87"], ["2080505", "机关事业单位基本养老保险\n缴费支出", "6.18"]]
    first += [[f"20101{i:02d}", f"行政运行{i}", f"{i}.00"] for i in range(1, 21)]
    second = [[f"21011{i:02d}", f"事业单位医疗{i}", f"{i}.50"] for i in range(1, 11)]
    path = tmp_path / "table.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)

    def running_header() -> None:  # repeated on every page: must not split the table
        c.setFont(CJK, 9)
        c.drawCentredString(A4[0] / 2, 815, "上海市XX局2024年度部门决算")

    running_header()
    c.setFont(CJK, 14)
    c.drawCentredString(A4[0] / 2, 790, "收入决算表")
    c.setFont(CJK, 10)
    c.drawRightString(72 + sum(widths), 770, "单位：万元")
    draw_table(c, 72, 760, widths, [header, *first])
    c.showPage()
    running_header()
    draw_table(c, 72, 780, widths, [header, *second])  # header repeated on the new page
    c.setFont(CJK, 10)
    c.drawString(72, 540, "注：本表反映部门本年度取得的各项收入情况。")
    c.showPage()
    running_header()
    c.setFont(CJK, 12)
    c.drawString(96, 700, "本年收入合计330.00万元。")
    c.showPage()
    c.save()

    doc = load_pdf(path)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1
    t = tables[0]
    assert (t.title, t.unit, t.page, t.header_rows) == ("收入决算表", "万元", 1, 1)
    assert t.rows == [header, *[[clean_cell(x) for x in r] for r in first], *second]
    assert ["2080505", "机关事业单位基本养老保险缴费支出", "6.18"] in t.rows
    texts = [b.text for b in doc.blocks if b.kind == "text"]
    # Title and unit went into the table, the note stays text on page 2.
    assert texts == ["注：本表反映部门本年度取得的各项收入情况。", "本年收入合计330.00万元。"]
    assert [b.page for b in doc.blocks] == [1, 2, 3]


def test_cell_cleaning_and_header_rows() -> None:
    assert clean_cell("机关事业单位基本养老保险缴费\n支出") == "机关事业单位基本养老保险缴费支出"
    assert clean_cell(None) == "" and clean_cell("201\n06 01") == "201 06 01"
    assert clean_cell("信息 网络 及软件 购置") == "信息网络及软件购置"
    rows = [["项目", "", "本年收入合计"], ["功能分类科目编码", "科目名称", ""], ["合计", "", "307.82"]]
    assert header_row_count(rows) == 2
    assert header_row_count([["合计", "", "因公出国（境）费"], ["预算数", "决算数", ""]]) == 2


# ------------------------------------------------ text-only PDFs of one paragraph per line


def _lines_pdf(tmp_path: Path, lines: list[str]) -> LoadedDocument:
    """`lines` written as a TXT, printed by tests.builders.build_pdf_lines, loaded back."""
    from tests.builders import build_pdf_lines

    txt = tmp_path / "lines.txt"
    txt.write_text("\n".join(lines), encoding="utf-8")
    return load_pdf(build_pdf_lines(txt, tmp_path / "lines.pdf"))


def test_tabs_and_empty_lines_come_back_from_layout(tmp_path: Path) -> None:
    # A page holds 39 lines: a heading, 18 paragraphs of two lines and a cell fill page 1 up
    # to an empty line on its last line; page 2 is full and an empty line opens page 3. There
    # is a lone tab (an empty cell) and a long cell that wraps back to the margin.
    paragraph = "第{}项工作已按计划完成，全年预算为{}.00万元，支出决算为{}.00万元，完成年初预算的100.00%。"
    long_cell = "\t保障单位正常运转，有效提高政府工作效率，按时完成上级及县委安排的工作任务，进一步提升为民服务能力。"
    lines = ["一、项目概况", *(paragraph.format(i, i, i) for i in range(18)),
             "\t预算执行情况", "", "\t", "\t总额", "\t100.00", long_cell, ""]
    lines += [f"\t指标{i}" if i % 3 else "" for i in range(1, 33)] + ["\t得分", "", "\t合计", "\t100", "完。"]
    doc = _lines_pdf(tmp_path, lines)
    assert doc.pages == 3
    assert [b.text for b in doc.blocks] == lines
    assert [b.page for b in doc.blocks if b.text == "\t得分"] == [2]
    assert [b.page for b in doc.blocks if b.text == "\t合计"] == [3]


def test_indented_paragraphs_are_not_tab_led(tmp_path: Path) -> None:
    # Paragraphs indented as a whole (wrapping under themselves) are not cells of a table.
    path = tmp_path / "indented.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)
    text = "本部门严格执行中央八项规定精神，厉行节约，压减一般性支出，公用经费支出较上年有所下降。"
    y = 760
    for n in range(5):
        for i, line in enumerate(wrap_to_width(f"（{n + 1}）{text}", 380, 12, first_indent=0)):
            c.setFont(CJK, 12)
            c.drawString(108, y, line)
            y -= 20
        c.drawString(96, y, "说明如下。")
        y -= 20
    c.drawString(72, y, "以上为全部内容，其余各项按年初预算执行，未发生调整事项。")
    c.showPage()
    c.save()
    texts = [b.text for b in load_pdf(path).blocks]
    assert not any(t.startswith("\t") for t in texts)
    assert texts[0].startswith("（1）本部门")


# ---------------------------------------------------------------- bad inputs


def _valid_pdf(path: Path, font: str = CJK, text: str = "收入决算表", **kw) -> Path:
    c = canvas_mod.Canvas(str(path), pagesize=A4, **kw)
    c.setFont(font, 12)
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return path


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.pdf").write_bytes(b"")
    with pytest.raises(LoadError, match="空"):
        load_pdf(tmp_path / "e.pdf")


def test_not_a_pdf(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_text("<html>not a pdf</html>")
    with pytest.raises(LoadError, match="不是 PDF"):
        load_pdf(tmp_path / "x.pdf")


def test_truncated_pdf(tmp_path: Path) -> None:
    data = _valid_pdf(tmp_path / "ok.pdf").read_bytes()
    (tmp_path / "cut.pdf").write_bytes(data[: len(data) // 2])
    with pytest.raises(LoadError, match="不完整|损坏"):
        load_pdf(tmp_path / "cut.pdf")


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = _valid_pdf(tmp_path / "enc.pdf", encrypt="secret")
    with pytest.raises(LoadError, match="加密.*encrypted"):
        load_pdf(path)


def test_pdf_with_owner_password_only_still_loads(tmp_path: Path) -> None:
    # Encrypted with an empty user password (print/copy restrictions only): readable.
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption("", ownerPassword="owner")
    path = _valid_pdf(tmp_path / "owner.pdf", font="Helvetica", text="Budget 2024 total", encrypt=enc)
    assert [b.text for b in load_pdf(path).blocks] == ["Budget 2024 total"]


def test_undecodable_text_layer(tmp_path: Path) -> None:
    # pdfminer cannot map this encrypted CID font back to Unicode and yields "(cid:N)".
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = _valid_pdf(tmp_path / "cid.pdf", encrypt=StandardEncryption("", ownerPassword="owner"))
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        if not pdf.pages[0].chars[0]["text"].startswith("(cid:"):
            pytest.skip("this pdfminer decodes the font; nothing to test")
    with pytest.raises(LoadError, match="无法解码.*OCR"):
        load_pdf(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    c = canvas_mod.Canvas(str(path), pagesize=A4)
    c.rect(72, 500, 300, 200, fill=1)  # stands in for a scanned page image
    c.circle(300, 300, 50, fill=1)
    c.showPage()
    c.save()
    with pytest.raises(LoadError, match="OCR"):
        load_pdf(path)


# ---------------------------------------------------------------- real published reports

REPORTS = {
    "2024-普陀区委社会工作部-部门决算.pdf": {
        "pages": 24,
        "income_total": "307.82",
        # A row from the second page of 收入决算表 (pages 6-7).
        "mid_table": ("收入决算表", ["2101102", "事业单位医疗", "0.49", "0.49", "", "", "", "", ""]),
        "row_2080505": ["2080505", "机关事业单位基本养老保险缴费支出", "6.18", "6.18", "", "", "", ""],
        "sentences": [
            ("中共上海市普陀区委社会工作部2024年度收入支出总计307.82万元。与2023年度相比，"
            "收入支出总计增加307.82万元，增长100.00%。"),
            ("1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。主要用于：行政单位人员支出、"
            "公用支出。全年预算为52.00万元，支出决算为51.32万元，完成全年预算数的98.69%。"),
        ],
    },
    "2024-普陀区规划和自然资源局-部门决算.pdf": {
        "pages": 30,
        "income_total": "9746.50",
        "mid_table": ("收入决算表", ["2200150", "事业运行", "4416.67", "4416.67", "", "", "", "", ""]),
        "row_2080505": ["2080505", "机关事业单位基本养老保险缴费支出", "446.11", "446.11", "0.00",
                        "", "", ""],
        "sentences": [
            ("上海市普陀区规划和自然资源局2024年度收入支出总计9859.38万元。与2023年度相比，"
            "收入支出总计增加1062.85万元，增长12.08%。"),
            # Digits here are Times New Roman on a baseline 1.1pt off the CJK text.
            ("截至2024年12月31日，上海市普陀区规划和自然资源局部门（单位）共有车辆0辆，"
            "其中：部级领导干部用车0辆、主要领导干部用车0辆"),
        ],
    },
}


@pytest.fixture(scope="module")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: real-PDF tests need it")
    return SAMPLES


_cache: dict[str, LoadedDocument] = {}


def _load(samples_dir: Path, name: str) -> LoadedDocument:
    if name not in _cache:
        _cache[name] = load_pdf(samples_dir / name)
    return _cache[name]


def _table(doc: LoadedDocument, title: str):
    found = [b for b in doc.blocks if b.kind == "table" and b.title == title]
    assert len(found) == 1, f"{title}: {len(found)} tables"
    return found[0]


@pytest.mark.samples
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_tables(samples_dir: Path, name: str) -> None:
    facts = REPORTS[name]
    doc = _load(samples_dir, name)
    assert doc.pages == facts["pages"]
    titles = [b.title for b in doc.blocks if b.kind == "table" and b.title]
    assert titles == NINE_TITLES  # all nine, in order, each once (continuations merged)
    for title in NINE_TITLES:
        assert _table(doc, title).unit == "万元"

    total = _table(doc, "收入支出决算总表")
    assert total.header_rows == 2
    row = next(r for r in total.rows if r[0] == "本年收入合计")
    assert row[1] == facts["income_total"]
    text = "\n".join(b.text for b in doc.blocks if b.kind == "text")
    assert f"本年收入合计{facts['income_total']}万元" in text

    title, expected = facts["mid_table"]
    income = _table(doc, title)
    assert expected in income.rows
    assert income.header_rows == 2 and income.rows[2][0] == "合计"
    assert all("\n" not in cell for r in income.rows for cell in r)

    assert facts["row_2080505"] in _table(doc, "支出决算表").rows
    # In 一般公共预算财政拨款支出决算表 the name wraps over three lines in its cell.
    general = _table(doc, "一般公共预算财政拨款支出决算表")
    row = next(r for r in general.rows if r[0] == "2080505")
    assert row[1] == "机关事业单位基本养老保险缴费支出" and row[2] == facts["row_2080505"][2]


@pytest.mark.samples
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_narrative(samples_dir: Path, name: str) -> None:
    doc = _load(samples_dir, name)
    texts = [b.text for b in doc.blocks if b.kind == "text"]
    for sentence in REPORTS[name]["sentences"]:
        assert any(sentence in t for t in texts), sentence
    assert "一、收入支出决算总体情况说明" in texts  # headings stay blocks of their own
    # No tab stop in a real report: no line is taken for a cell of a flattened table.
    assert not any(t.startswith("\t") for t in texts)
    # No text block is a table's unit line, and nothing is cut between a number and 万元.
    assert not any(re.fullmatch(r"单位：.*", t) for t in texts)
    assert not any(re.match(r"^万元", t) for t in texts)
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages) and all(1 <= p <= doc.pages for p in pages)


@pytest.mark.samples
def test_three_public_table_header(samples_dir: Path) -> None:
    doc = _load(samples_dir, "2024-普陀区规划和自然资源局-部门决算.pdf")
    t = _table(doc, "财政拨款“三公”经费支出决算表")
    assert t.header_rows == 4
    assert t.rows[4][:2] == ["2.85", "0.39"] and t.rows[4][-2:] == ["2.85", "0.39"]


@pytest.mark.samples
def test_template_loads(samples_dir: Path) -> None:
    doc = _load(samples_dir, "部门决算模板-附件2.pdf")
    assert doc.pages == 23
    titles = [b.title for b in doc.blocks if b.kind == "table" and b.title]
    assert titles == NINE_TITLES


def test_an_indented_first_line_is_not_a_centred_title() -> None:
    """A paragraph's first line, two ems in and running to the right edge (as OCR places it a
    point or two off), is indented, not centred; a title with equal margins is centred."""
    from index.loaders.pdf import _mark_layout
    from index.loaders.pdf_layout import Line

    size = 15.1
    body = Line(text="一般公共预算财政拨款支出9746.50万元", x0=121.6, x1=505.1, top=111, bottom=126, size=size, page=1)
    full = Line(text="的99.86%。与2023年度相比", x0=91.7, x1=504.4, top=142, bottom=157, size=size, page=1)
    title = Line(text="（一）总体情况", x0=250.0, x1=347.0, top=80, bottom=95, size=size, page=1)
    _mark_layout([title, body, full])
    assert body.indented and not body.centered
    assert title.centered and not full.indented
