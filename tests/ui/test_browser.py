"""The app in a real headless Chromium: ask, open a citation, upload, review, download.

One walk through the page as a user would take it; it also writes the two screenshots linked
from the README (docs/screenshot-chat.png, docs/screenshot-review.png).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

from tests.ui.pages import DOCS, open_page, report_docx, scope_options, upload


def test_ask_cite_upload_review_download(browser, server, tmp_path: Path) -> None:
    context, page = open_page(browser, server)
    try:
        # --- ask: click an example question, get the verified answer -------------------------------
        page.get_by_role("button", name="公务接待费为何下降？").click()
        page.locator("#chat .js-provider").wait_for()
        answer = page.locator("#chat .js-answer").last
        assert "4.55万元" in answer.inner_text()
        supported = answer.locator(".claim.ok")
        assert supported.count() >= 2, answer.inner_html()
        assert all("✓" in text for text in supported.all_inner_texts())
        assert answer.locator(".claim.bad").count() == 0
        assert "extractive" in page.locator("#chat .js-provider").last.inner_text()

        # --- a citation opens the quoted passage with its section path ------------------------------
        citation = page.locator("#chat details.js-cite").first
        quote = citation.locator(".js-quote")
        assert not quote.is_visible()
        citation.locator("summary").click()
        assert quote.is_visible()
        assert "公务接待费" in quote.inner_text()
        assert "七、" in citation.locator("summary").inner_text()
        page.screenshot(path=str(DOCS / "screenshot-chat.png"))

        # --- review: the findings of the sample, filtered, downloaded as XLSX ------------------------
        page.get_by_role("tab", name="审查").click()
        page.locator("#review-report input").click()
        page.locator("ul[role=listbox] li", has_text="2023").first.click()
        page.locator("#findings h3", has_text="2023").wait_for()
        page.locator("ul[role=listbox]").wait_for(state="detached")
        findings = page.locator("#findings")
        assert "显示" in findings.inner_text()
        groups = findings.locator("h4").all_inner_texts()
        assert groups and all(g[:2] in ("错误", "警告", "提示") for g in groups), groups
        if findings.locator("details.js-finding").count():
            assert findings.locator("details.js-finding .js-quote").count() > 0  # each with its quotes
        page.screenshot(path=str(DOCS / "screenshot-review.png"), full_page=False)
        with page.expect_download() as download:
            page.locator("#dl-xlsx").click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.suffix == ".xlsx"
        workbook = openpyxl.load_workbook(saved)
        assert workbook.sheetnames
        headers = [cell.value for cell in next(workbook.worksheets[0].iter_rows(max_row=1))]
        assert any(h for h in headers), headers

        # --- the severity filter narrows what is shown -----------------------------------------------
        shown_before = findings.locator("details.js-finding").count()
        for label in ("错误", "警告", "提示"):
            page.locator("label", has_text=label).locator("input[type=checkbox]").uncheck()
        page.locator("#findings", has_text="没有符合筛选条件的问题").wait_for()
        assert findings.locator("details.js-finding").count() == 0 <= shown_before
        for label in ("错误", "警告", "提示"):
            page.locator("label", has_text=label).locator("input[type=checkbox]").check()
        page.locator("#findings", has_text=f"显示 {shown_before} /").wait_for()

        # --- upload a DOCX: ingested, listed for this session ---------------------------------------
        docx = report_docx(tmp_path / "2022年度米易县人民政府办公室部门决算.docx", 2022)
        status = upload(page, docx)
        assert "✓" in status.inner_text() and docx.name in status.inner_text(), status.inner_text()
        table = page.locator("#reports")
        assert docx.name in table.inner_text() and "仅本会话" in table.inner_text()
        listed = table.inner_text()

        # --- a broken file: a clear message, nothing else changes -----------------------------------
        broken = tmp_path / "损坏的报告.pdf"
        broken.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n")  # truncated: no xref, no %%EOF
        status = upload(page, broken)
        error = page.locator("#upload-status .js-error")
        assert error.count() == 1 and "损坏的报告.pdf" in error.inner_text(), status.inner_text()
        assert table.inner_text() == listed
        assert not any("损坏" in option for option in scope_options(page))

        # The review is redone after an upload: the 2022 report is the 2023 report's last year.
        page.get_by_role("tab", name="审查").click()
        page.locator("#findings", has_text="对照上年报告：2022年度").wait_for()

        # --- charts: with two years loaded, the trends are drawn beside the 三公 and 基本/项目 charts ---
        page.get_by_role("tab", name="图表").click()
        page.get_by_role("button", name="按当前范围重画").click()
        for plot in ("#sangong-plot", "#split-plot", "#trend-plot"):
            page.locator(plot).locator("canvas, svg").first.wait_for()
    finally:
        context.close()
