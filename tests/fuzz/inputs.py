"""Seeds for mutation and the one check every fuzzed input must pass."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from index import SAMPLE_REPORT
from index.loaders import LoadError, load_document
from index.parse import parse_document
from tests.fuzz.budget import memory_limit, time_limit

SHARED_SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
CORPUS = Path(__file__).resolve().parents[2] / "evals" / "data" / "corpus" / "reports"
MB = 1024 * 1024


def read_or_refuse(path: Path, seconds: int = 20, megabytes: int = 400) -> str:
    """Load and parse `path` under a time and memory budget; return "ok" or the error line.

    Any exception other than LoadError fails the caller, and so does an error that is not one
    line naming the file: the user gets a result or one clear line, never a traceback."""
    with time_limit(seconds, path.name), memory_limit(megabytes, path.name):
        try:
            doc = load_document(path, 50 * MB)
            parsed = parse_document(doc, path.read_bytes())
        except LoadError as exc:
            message = str(exc)
            assert message.startswith(f"{path.name}: "), message
            assert "\n" not in message and len(message) < 600, message
            return message
    text = parsed.report.text
    for figure in parsed.figures:
        assert figure.text in text[figure.start: figure.end], (figure.text, figure.start, figure.end)
    return "ok"


def _first_lines(count: int) -> list[str]:
    return SAMPLE_REPORT.read_text(encoding="utf-8").splitlines()[:count]


@functools.cache
def seed_docx() -> bytes:
    """The bundled sample's opening as a DOCX: paragraphs and one table."""
    import docx

    document = docx.Document()
    for line in _first_lines(40):
        document.add_paragraph(line)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["项目", "年初预算", "决算"], ["公务接待费", "1.00", "0.80"], ["合计", "1.00", "0.80"]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@functools.cache
def seed_xlsx() -> bytes:
    """A small 收入决算表 workbook."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["2023年度收入决算表"], ["单位：万元"], ["项目", "本年收入合计", "财政拨款收入"],
                ["合计", 1054.82, 1000.5], ["一般公共服务支出", 300, 299.99]):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@functools.cache
def seed_xls() -> bytes:
    """The same workbook as an old binary .xls (xlwt)."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("收入决算表")
    for r, row in enumerate([["2023年度收入决算表"], ["单位：万元"], ["项目", "本年收入合计"], ["合计", 1054.82]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@functools.cache
def seed_text() -> bytes:
    """The first 120 lines of the bundled sample (real text, small enough to parse quickly)."""
    return "\n".join(_first_lines(120)).encode("utf-8")


@functools.cache
def seed_corpus() -> list[bytes]:
    """Three real texts of the corpus, each cut to 8 KB."""
    return [path.read_bytes()[:8192] for path in sorted(CORPUS.glob("*.txt"))[:3]]


@functools.cache
def seed_pdf() -> bytes:
    """The smallest real PDF of ../shared/samples (the tests that mutate it are marked samples)."""
    return min(SHARED_SAMPLES.glob("*.pdf"), key=lambda p: p.stat().st_size).read_bytes()
