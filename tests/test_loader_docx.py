"""DOCX loader: reading order, merged/nested cells, title/unit/header rows, bad files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest

from index.loaders.base import LoadError
from index.loaders.docx import header_row_count, is_title, load_docx, unit_of

SELF_EVAL_HEADER = [
    "年度预算数（万元）",
    "年初预算",
    "调整后预算数",
    "预算执行数",
    "预算执行率",
    "权重",
    "得分",
]


def _report(path: Path) -> Path:
    """A small report shaped like a real 部门决算 DOCX."""
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "页眉：某某局2023年度部门决算"
    d.sections[0].footer.paragraphs[0].text = "第 1 页"
    d.add_heading("第二部分 2023年度部门决算情况说明", level=1)
    d.add_paragraph("2023年度收、支总计均为1054.82万元。   ")
    d.add_paragraph("")  # an empty paragraph stays: an empty line, as in the TXT
    d.add_paragraph("项目支出绩效自评表")
    d.add_paragraph("单位：万元")

    t = d.add_table(rows=6, cols=7)
    t.cell(0, 0).text = "项目名称"
    t.cell(0, 1).merge(t.cell(0, 6)).text = "办公楼维修项目"  # horizontal merge
    for i, h in enumerate(SELF_EVAL_HEADER):
        t.cell(1, i).text = h
    for i, v in enumerate(["总额", "100.00", "95.83", "95.83", "96.96%", "10", "10"]):
        t.cell(2, i).text = v
    for i, v in enumerate(["其中：财政拨款", "100.00", "95.83", "95.83", "—", "—", "—"]):
        t.cell(3, i).text = v
    t.cell(4, 0).merge(t.cell(5, 0)).text = "产出指标"  # vertical merge
    t.cell(4, 1).text = "数量指标"
    t.cell(5, 1).text = "质量指标"
    inner = t.cell(5, 2).add_table(rows=2, cols=2)  # nested table
    inner.cell(0, 0).text = "验收合格率"
    inner.cell(0, 1).text = "100%"
    inner.cell(1, 0).text = "完成及时率"

    d.add_paragraph("二、收入决算情况说明")
    d.add_paragraph("详细情况如下表：")
    t2 = d.add_table(rows=2, cols=2)
    t2.cell(0, 0).text = "项目"
    t2.cell(0, 1).text = "金额"
    t2.cell(1, 0).text = "合计"
    t2.cell(1, 1).text = "1054.82"
    d.add_paragraph("三、其他重要事项的情况说明")
    d.save(str(path))
    return path


def test_blocks_come_in_body_order(tmp_path: Path) -> None:
    doc = load_docx(_report(tmp_path / "report.docx"))
    assert doc.format == "docx"
    assert doc.source_name == "report.docx"
    assert doc.pages is None
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds == [
        ("text", "第二部分 2023年度部门决算情况说明"),
        ("text", "2023年度收、支总计均为1054.82万元。"),  # trailing spaces stripped
        ("text", ""),
        ("text", "项目支出绩效自评表"),
        ("text", "单位：万元"),
        ("table", ""),
        ("text", "二、收入决算情况说明"),
        ("text", "详细情况如下表："),
        ("table", ""),
        ("text", "三、其他重要事项的情况说明"),
    ]
    assert all(b.page is None for b in doc.blocks)


def test_header_and_footer_are_ignored(tmp_path: Path) -> None:
    doc = load_docx(_report(tmp_path / "report.docx"))
    everything = " ".join(b.text + str(b.rows) for b in doc.blocks)
    assert "页眉" not in everything
    assert "第 1 页" not in everything


def test_merged_cells_are_written_once(tmp_path: Path) -> None:
    table = load_docx(_report(tmp_path / "report.docx")).blocks[5]
    rows = table.rows
    assert all(len(r) == 7 for r in rows)
    # Horizontal merge: text in the first grid cell, "" in the six it spans.
    assert rows[0] == ["项目名称", "办公楼维修项目", "", "", "", "", ""]
    assert rows[1] == SELF_EVAL_HEADER
    assert rows[2] == ["总额", "100.00", "95.83", "95.83", "96.96%", "10", "10"]
    # Vertical merge: text in the top row only.
    assert rows[4][:2] == ["产出指标", "数量指标"]
    assert rows[5][:2] == ["", "质量指标"]


def test_nested_table_is_flattened_into_its_cell(tmp_path: Path) -> None:
    table = load_docx(_report(tmp_path / "report.docx")).blocks[5]
    cell = table.rows[5][2]
    assert "验收合格率 100%" in cell
    assert "完成及时率" in cell
    assert not any(isinstance(c, list) for r in table.rows for c in r)


def test_title_unit_and_header_rows(tmp_path: Path) -> None:
    doc = load_docx(_report(tmp_path / "report.docx"))
    self_eval, small = doc.blocks[5], doc.blocks[8]
    assert self_eval.title == "项目支出绩效自评表"
    assert self_eval.unit == "万元"
    assert self_eval.header_rows == 2  # 项目名称 row + column headers; 总额 row is data
    # A prose line ("详细情况如下表：") is not a title.
    assert small.title is None and small.unit is None
    assert small.header_rows == 1


def test_paragraphs_read_like_the_txt_lines(tmp_path: Path) -> None:
    """A document written one paragraph per line: leading tabs (w:tab), a lone tab (an empty
    cell of a flattened table) and empty paragraphs (its row breaks) all stay."""
    lines = ["开展绩效监控的项目如下：", "\t预算执行情况", "\t年初预算", "", "\t", "\t总额", "\t100.00  ", "", "完。"]
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    d.save(str(tmp_path / "lines.docx"))
    doc = load_docx(tmp_path / "lines.docx")
    assert [b.text for b in doc.blocks] == [line.rstrip(" ") for line in lines]
    assert b"<w:tab/>" in zipfile.ZipFile(tmp_path / "lines.docx").read("word/document.xml")


def test_title_and_unit_inside_the_table(tmp_path: Path) -> None:
    d = docx.Document()
    t = d.add_table(rows=6, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "表七 一般公共预算财政拨款“三公”经费支出决算表"
    t.cell(1, 3).text = "金额单位：元"
    t.cell(2, 0).merge(t.cell(3, 0)).text = "合计"
    t.cell(2, 1).merge(t.cell(3, 1)).text = "因公出国（境）费"
    t.cell(2, 2).text = "公务用车购置及运行费"
    t.cell(3, 2).text = "小计"
    t.cell(2, 3).merge(t.cell(3, 3)).text = "公务接待费"
    for i, v in enumerate(["14.71", "0.00", "10.16", "4.55"]):
        t.cell(4, i).text = v
    d.save(str(tmp_path / "t.docx"))
    (table,) = load_docx(tmp_path / "t.docx").blocks
    assert table.title == "表七 一般公共预算财政拨款“三公”经费支出决算表"
    assert table.unit == "元"
    assert table.rows[0] == ["合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费"]
    assert table.rows[1] == ["", "", "小计", ""]
    assert table.header_rows == 2  # a 合计 column heading does not make a data row
    assert table.rows[2] == ["14.71", "0.00", "10.16", "4.55"]
    assert len(table.rows) == 3  # the empty last row is dropped


def test_heuristics() -> None:
    assert unit_of("金额单位：万元") == "万元"
    assert unit_of("（单位:元）") == "元"
    assert unit_of("2023年度收、支总计均为1054.82万元。") is None
    assert is_title("收入支出决算总表")
    assert is_title("公开01表")
    assert is_title("表一 收入支出决算总表")
    assert is_title("支出决算表（续）")
    assert not is_title("详见附表")
    assert not is_title("具体情况如下表：")
    assert header_row_count([["科目编码", "科目名称"], ["类", "款"], ["2010301", "行政运行"]]) == 2
    assert header_row_count([["项目", "金额"], ["栏次", "1"], ["合计", "—"]]) == 2
    assert header_row_count([["项目", "金额"]]) == 1  # no data row: all header


# ---------------------------------------------------------------------------- bad inputs


def _expect(path: Path, *words: str) -> str:
    with pytest.raises(LoadError) as info:
        load_docx(path)
    msg = str(info.value)
    assert any(w in msg for w in words), msg
    return msg


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.docx"
    p.write_bytes(b"")
    _expect(p, "为空")


def test_random_bytes(tmp_path: Path) -> None:
    p = tmp_path / "noise.docx"
    p.write_bytes(bytes(range(256)) * 8)
    _expect(p, "不是 zip")


def test_text_file_renamed(tmp_path: Path) -> None:
    p = tmp_path / "notes.docx"
    p.write_text("2023年度部门决算说明\n这是纯文本。", encoding="utf-8")
    _expect(p, "不是 zip")


def test_zip_without_document_xml(tmp_path: Path) -> None:
    p = tmp_path / "other.docx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    _expect(p, "word/document.xml")


def test_truncated_docx(tmp_path: Path) -> None:
    full = _report(tmp_path / "full.docx").read_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(full[: len(full) // 2])
    _expect(p, "损坏", "截断")


def test_old_doc_and_encrypted_docx(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    doc = tmp_path / "old.docx"
    doc.write_bytes(ole + "WordDocument".encode("utf-16-le") + b"\0" * 512)
    msg = _expect(doc, ".doc", "旧版")
    assert ".docx" in msg  # tells the user what to save it as
    enc = tmp_path / "locked.docx"
    enc.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    _expect(enc, "加密")
