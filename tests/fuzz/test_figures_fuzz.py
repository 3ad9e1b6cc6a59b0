"""The figure grammar never fails on odd text: report sentences (index.figures via the parse),
table cells (index.numbers) and answers checked against a report (rag.verify), each under a
time budget. Text is drawn from the words and marks real reports use, so the grammar's branches
are reached rather than skipped."""

from __future__ import annotations

import functools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from index import SAMPLE_REPORT
from index.numbers import read_cell
from index.parse import parse_file
from rag.verify import verify_against_report
from tests.fuzz.budget import time_limit
from tests.fuzz.inputs import read_or_refuse

WORDS = ["2023年度", "2022年", "部门决算", "收入", "支出", "合计", "公务接待费", "“三公”经费", "年初预算", "决算数",
         "比上年", "较上年", "增加", "减少", "增长", "下降", "占", "完成预算", "万元", "元", "%", "个", "人", "辆",
         "其中：", "（一）", "一、", "1.", "（类）", "（201类）", "（03款）", "（项）", "主要原因是", "分别为", "、", "，",
         "。", "；", "：", "（", "）", " ", "\t", "0", "1", "12", "3.45", "1,234.56", "-0.5", "一", "两", "十"]
sentences = st.lists(st.sampled_from(WORDS), max_size=60).map("".join)


@functools.cache
def _sample():
    return parse_file(SAMPLE_REPORT)


@settings(max_examples=40)
@given(lines=st.lists(sentences, min_size=1, max_size=30))
def test_report_sentences(tmp_path_factory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("s") / "s.txt"
    path.write_text("\n".join(["某局2023年度部门决算", *lines]), encoding="utf-8")
    read_or_refuse(path, seconds=20)


@settings(max_examples=200)
@given(cell=st.one_of(sentences, st.text(max_size=40)))
def test_table_cells(cell: str) -> None:
    with time_limit(5, repr(cell)):
        reading = read_cell(cell)
    assert reading.kind in ("number", "code", "blank", "text")


@settings(max_examples=30)
@given(answer=st.lists(sentences, max_size=8).map("。".join))
def test_answers_checked_against_a_report(answer: str) -> None:
    with time_limit(20, repr(answer[:60])):
        claims = verify_against_report(answer, _sample())
    for claim in claims:
        assert claim.verdict in ("supported", "contradicted", "unsupported")
        assert answer[claim.start: claim.end] == claim.text or claim.text in answer


def test_the_sample_itself_reads(tmp_path: Path) -> None:
    path = tmp_path / SAMPLE_REPORT.name
    path.write_bytes(SAMPLE_REPORT.read_bytes())
    assert read_or_refuse(path) == "ok"
