"""Every loader ends in a result or one clear error under a time and memory budget (issue 13):
random bytes, mutated real files, truncations, long lines and deep nesting."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.loaders import SUPPORTED_SUFFIXES
from tests.fuzz.inputs import (
    SHARED_SAMPLES,
    read_or_refuse,
    seed_corpus,
    seed_docx,
    seed_pdf,
    seed_text,
    seed_xls,
    seed_xlsx,
)

# File signatures the loaders sniff, so random bodies reach every loader, not just the error.
MAGIC = [b"", b"%PDF-1.7\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"\xef\xbb\xbf", b"\xff\xfe"]


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@settings(max_examples=80)
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), magic=st.sampled_from(MAGIC), body=st.binary(max_size=3000))
def test_random_bytes(tmp_path_factory, suffix: str, magic: bytes, body: bytes) -> None:
    read_or_refuse(_write(tmp_path_factory.mktemp("r"), f"r{suffix}", magic + body))


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None, insert: bytes) -> bytes:
    out = bytearray(data)
    for at, value in flips:
        out[at % len(out)] = value
    if insert:
        at = flips[0][0] % len(out) if flips else len(out) // 2
        out[at:at] = insert
    if cut is not None:
        del out[cut % (len(out) + 1):]
    return bytes(out)


MUTATION = {
    "flips": st.lists(st.tuples(st.integers(0, 1 << 24), st.integers(0, 255)), max_size=8),
    "cut": st.none() | st.integers(0, 1 << 24),
    "insert": st.sampled_from([b"", b"\x00" * 64, b"<w:p/>" * 50, b"[/]", "2023年度".encode() * 300]),
}


@settings(max_examples=60)
@given(seed=st.sampled_from(["docx", "xlsx", "xls", "txt", "md", "corpus0", "corpus1", "corpus2"]), **MUTATION)
def test_mutated_real_files(tmp_path_factory, seed: str, flips, cut, insert) -> None:
    data, suffix = {
        "docx": (seed_docx, ".docx"), "xlsx": (seed_xlsx, ".xlsx"), "xls": (seed_xls, ".xls"),
        "txt": (seed_text, ".txt"), "md": (seed_text, ".md"),
    }.get(seed, (lambda: seed_corpus()[int(seed[-1])], ".txt"))
    mutated = _mutate(data(), flips, cut, insert)
    read_or_refuse(_write(tmp_path_factory.mktemp("m"), f"m{suffix}", mutated))


@pytest.mark.samples
@pytest.mark.skipif(not SHARED_SAMPLES.is_dir(), reason="needs ../shared/samples")
@settings(max_examples=6)
@given(**MUTATION)
def test_mutated_real_pdf(tmp_path_factory, flips, cut, insert) -> None:
    mutated = _mutate(seed_pdf(), flips, cut, insert)
    read_or_refuse(_write(tmp_path_factory.mktemp("p"), "p.pdf", mutated), seconds=60)


@settings(max_examples=15)
@given(token=st.sampled_from(["2023年度", "1人", "（", "\t", "中", "万元", "、", "1.", "[/]", "比上年增长"]),
       length=st.integers(1_000, 20_000), suffix=st.sampled_from([".txt", ".md"]))
def test_long_lines(tmp_path_factory, token: str, length: int, suffix: str) -> None:
    line = (token * (length // len(token) + 1))[:length]
    data = f"某局2023年度部门决算\n{line}\n收入合计100.00万元。\n".encode()
    # Up to ~7,000 numbers on one line are bound one by one (0.6 ms each on a quiet machine).
    read_or_refuse(_write(tmp_path_factory.mktemp("l"), f"l{suffix}", data), seconds=60)


def _nested_docx(depth: int) -> bytes:
    """A DOCX whose one table holds a table in its cell, `depth` tables deep."""
    import io
    import zipfile

    inner = "<w:p><w:r><w:t>收入合计100.00万元</w:t></w:r></w:p>"
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}<w:p/></w:tc></w:tr></w:tbl>"
    source = zipfile.ZipFile(io.BytesIO(seed_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + inner.encode(), 1)
            target.writestr(info, data)
    return out.getvalue()


@settings(max_examples=12)
@given(depth=st.sampled_from([1, 10, 100, 250, 600, 3000]))
def test_deeply_nested_tables(tmp_path_factory, depth: int) -> None:
    read_or_refuse(_write(tmp_path_factory.mktemp("n"), "n.docx", _nested_docx(depth)))
