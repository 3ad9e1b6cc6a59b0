"""原文页面 in a real headless Chromium: a citation and a finding open their printed page.

A PDF printed from the bundled sample (tests.builders.build_pdf, so the test never depends on
files outside the repository) is uploaded; a question asked over it; citation [1] opened: the
page image appears beside the chat with a yellow highlight where the parse says the quoted
number was printed, and the quote as text. On the review tab a finding's quote opens its page
the same way. The bundled TXT sample shows the marked passage instead. Writes
docs/screenshot-page-view.png.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pdfplumber
from PIL import Image

from index.parse import parse_file
from tests.builders import build_pdf, parse_seed
from tests.ui.pages import DOCS, ask, open_page, upload

PDF_NAME = "2023年度米易县人民政府办公室部门决算（PDF）.pdf"


def _choose_scope(page, text: str) -> None:
    page.locator("#scope input").click()
    page.locator("ul[role=listbox] li", has_text=text).first.click()
    page.locator("ul[role=listbox]").wait_for(state="detached")


def _image(img) -> Image.Image:
    src = img.get_attribute("src")
    assert src and src.startswith("data:image/png;base64,"), (src or "")[:60]
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB")


def _yellow(pixel: tuple[int, int, int]) -> bool:
    """The highlight's translucent yellow, over the white page or over the black print."""
    r, g, b = pixel
    return r - b >= 60 and g - b >= 40


def _highlighted(image: Image.Image, box: tuple[float, float, float, float], scale: float) -> float:
    """The share of the pixels of a box (PDF points from the page's top-left) in highlight yellow."""
    x0, top, x1, bottom = (round(v * scale) for v in box)
    pixels = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(top, bottom)]
    return sum(map(_yellow, pixels)) / max(1, len(pixels))


def _assert_marked(image: Image.Image, pdf: Path, boxes: list[tuple], page: int) -> None:
    """Each box of `page` is highlighted; the rest of the page (away from the boxes) is not."""
    with pdfplumber.open(pdf) as document:
        scale = image.width / float(document.pages[page - 1].width)
    own = [b[1:] for b in boxes if b[0] == page]
    assert own, boxes
    for box in own:
        assert _highlighted(image, box, scale) > 0.5, (box, _highlighted(image, box, scale))
    away = 0
    step = 4
    for y in range(0, image.height, step):
        for x in range(0, image.width, step):
            px, py = x / scale, y / scale
            near = any(x0 - 6 <= px <= x1 + 6 and top - 6 <= py <= bottom + 6 for x0, top, x1, bottom in own)
            away += not near and _yellow(image.getpixel((x, y)))
    assert away == 0, f"{away} highlighted pixels away from the quote"


def test_citation_and_finding_open_their_printed_page(browser, server, tmp_path: Path) -> None:
    pdf = build_pdf(parse_seed(), tmp_path / PDF_NAME)
    parsed = parse_file(pdf, chunks=False)
    text = parsed.report.text
    context, page = open_page(browser, server)
    try:
        status = upload(page, pdf)
        assert "✓" in status.inner_text(), status.inner_text()
        _choose_scope(page, PDF_NAME)
        page.get_by_role("tab", name="问答").click()
        ask(page, "公务接待费为何下降？")

        # --- citation [1]: its page, the passage highlighted where the number was printed ------------
        summary = page.locator("#chat details.js-cite summary").first  # this session's only answer
        assert summary.inner_text().startswith("[1]"), summary.inner_text()
        summary.click()
        view = page.locator("#chat-page-view .js-page-view")
        view.locator("img.js-page-image").first.wait_for()
        quote = view.locator(".js-page-quote").inner_text()
        assert "4.55" in quote, quote
        # Where the quote stands in the parse, and where its number 4.55 was printed.
        head = quote.strip().split("\n")[0][:20]
        at = text.index(head)
        number = text.index("4.55", at)
        number_box = parsed.boxes(number, number + 4)
        assert len(number_box) == 1, number_box
        number_page = number_box[0][0]
        img = view.locator(f'img.js-page-image[data-page="{number_page}"]')
        assert img.count() == 1
        image = _image(img)
        assert image.width <= 1200
        end = at + len(quote.replace("……", "").strip())
        _assert_marked(image, pdf, [*number_box, *parsed.boxes(at, end)], number_page)
        zoom = _image(img.locator("xpath=preceding-sibling::img[contains(@class, 'js-page-zoom')]"))
        assert zoom.width < image.width  # the quote, enlarged
        assert any(_yellow(zoom.getpixel((x, y))) for x in range(zoom.width) for y in range(0, zoom.height, 2))
        page.locator("#chat-page-view").scroll_into_view_if_needed()
        page.screenshot(path=str(DOCS / "screenshot-page-view.png"))

        # --- a finding on the review tab: its quote opens the page with the number highlighted ------
        page.get_by_role("tab", name="审查").click()
        page.locator("#review-report input").click()
        page.locator("ul[role=listbox] li", has_text=PDF_NAME).first.click()
        # The PDF's findings (their quotes carry its id), not those shown before the choice.
        quote_link = page.locator(f"#findings details.js-finding .js-quote.js-pv[class*='pv-{parsed.report.id}-']").first
        quote_link.wait_for()
        pick = next(c for c in quote_link.get_attribute("class").split() if c.startswith("pv-"))
        report_id, start, end = pick[3:].split("-")
        start, end = int(start), int(end)
        assert report_id == parsed.report.id  # the uploaded PDF's own finding
        assert text[start:end] in quote_link.inner_text()  # the span is the quoted number
        quote_link.click()
        finding_view = page.locator("#review-page-view .js-page-view")
        finding_view.locator("img.js-page-image").first.wait_for()
        boxes = parsed.boxes(start, end)
        img = finding_view.locator(f'img.js-page-image[data-page="{boxes[0][0]}"]')
        _assert_marked(_image(img), pdf, boxes, boxes[0][0])
        assert text[start:end] in finding_view.locator(".js-page-quote").inner_text()

        # --- a TXT report (the bundled sample): the passage, marked, no image ---------------------
        _choose_scope(page, "2023年度米易县人民政府办公室部门决算.txt")
        page.get_by_role("tab", name="问答").click()
        ask(page, "有几辆公务用车？")
        page.locator("#chat details.js-cite summary").last.click()
        marked = page.locator("#chat-page-view .js-page-view mark.js-page-mark")
        marked.wait_for()
        assert page.locator("#chat-page-view img").count() == 0
        assert marked.inner_text().strip()
    finally:
        context.close()


def test_a_scanned_upload_marks_its_ocr_numbers_and_shows_its_page(browser, server, tmp_path: Path) -> None:
    """A scan (one page of the bundled sample, printed, rendered to an image, turned 1°, with noise)
    uploaded in the browser: it is read by OCR; an answer's checked numbers carry the OCR tag; the
    citation says 扫描页 · OCR and opens the scanned page, highlighted, with the note that OCR read it."""
    from bench.ocr import image_pdf
    from tests.test_ocr import one_page_pdf

    scan = image_pdf(one_page_pdf(tmp_path / "text.pdf"), tmp_path / "扫描件（OCR）.pdf", scanned=True)
    context, page = open_page(browser, server)
    try:
        status = upload(page, scan)
        assert "✓" in status.inner_text(), status.inner_text()
        page.locator("#reports", has_text="扫描件").wait_for()  # the report list says so
        _choose_scope(page, "扫描件（OCR）.pdf")
        page.get_by_role("tab", name="问答").click()
        ask(page, "公务接待费支出是多少？")
        answer = page.locator("#chat .js-answer").last
        assert answer.locator(".claim.js-ocr sup.js-ocr-mark").count() >= 1, answer.inner_html()
        assert "4.55" in answer.inner_text()
        summary = page.locator("#chat details.js-cite summary").last
        assert "扫描页 · OCR" in summary.inner_text()
        summary.click()
        view = page.locator("#chat-page-view .js-page-view")
        img = view.locator("img.js-page-image").first
        img.wait_for()
        assert "OCR" in view.inner_text() and "扫描件" in view.inner_text()
        image = _image(img)
        rgb = image.convert("RGB")
        yellow = sum(1 for x in range(0, rgb.width, 3) for y in range(0, rgb.height, 3) if _yellow(rgb.getpixel((x, y))))
        assert yellow > 20  # the quote highlighted on the scan
        page.screenshot(path=str(DOCS / "screenshot-ocr.png"))
    finally:
        context.close()
