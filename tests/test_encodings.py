"""The seed read from other encodings and in traditional characters gives the same figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from opencc import OpenCC

from index.lexicon import METRIC_ALIASES, canonical_metric, to_simplified
from index.parse import parse_file
from tests.builders import SEED, parse_seed


def _key(f):
    return (f.metric, f.text, f.unit, f.role, f.year, f.compared_to, f.direction, f.section, f.start, f.end)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_encodings_give_the_same_report(tmp_path: Path, encoding: str) -> None:
    seed = parse_seed()
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(SEED.read_text(encoding="utf-8").encode(encoding))
    parsed = parse_file(path)
    # The BOM is not text: the canonical text, and so every span, is the same.
    assert parsed.report.text == seed.report.text
    assert (parsed.report.department, parsed.report.year) == ("米易县人民政府办公室", 2023)
    assert [_key(f) for f in parsed.figures] == [_key(f) for f in seed.figures]


@pytest.fixture(scope="module")
def traditional(tmp_path_factory):
    path = tmp_path_factory.mktemp("trad") / "traditional.txt"
    path.write_text(OpenCC("s2t").convert(SEED.read_text(encoding="utf-8")), encoding="utf-8")
    return parse_file(path)


def test_traditional_text_is_kept_as_printed(traditional) -> None:
    text = traditional.report.text
    assert "萬元" in text and "部門決算" in text  # really traditional
    for figure in traditional.figures:
        assert text[figure.start: figure.end] == figure.text
        assert figure.text in figure.quote
        if figure.source == "text":
            assert figure.quote in text  # quotes are verbatim, in traditional characters


def test_traditional_gives_the_same_figures(traditional) -> None:
    seed = parse_seed()
    assert (traditional.report.department, traditional.report.year) == ("米易县人民政府办公室", 2023)
    assert len(traditional.figures) == len(seed.figures)
    for trad, simple in zip(traditional.figures, seed.figures):
        assert (trad.value, trad.text, trad.unit, trad.role, trad.year, trad.direction, trad.base, trad.code) == (
            simple.value, simple.text, simple.unit, simple.role, simple.year, simple.direction, simple.base,
            simple.code,
        )
        # Metrics are read through the simplified text: the canonical simplified names.
        assert to_simplified(trad.metric) == simple.metric
    assert [s.path for s in traditional.sections] == [s.path for s in seed.sections]
    assert [t.kind for t in traditional.tables] == [t.kind for t in seed.tables]


@pytest.mark.parametrize("canonical", sorted(METRIC_ALIASES))
def test_canonical_metric_maps_traditional_names(canonical: str) -> None:
    traditional = OpenCC("s2t").convert(canonical)
    assert canonical_metric(traditional) == (canonical, None)
