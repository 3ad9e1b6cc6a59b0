"""Two people at once: their conversations do not mix, and an upload stays in its own session
unless it is put in the shared store."""

from __future__ import annotations

from pathlib import Path

from tests.ui.pages import open_page, report_docx, scope_options, upload

QUESTION_A = "公务接待费为何下降？"
QUESTION_B = "有几辆公务用车？"


def test_two_sessions_do_not_mix(browser, server, tmp_path: Path) -> None:
    context_a, page_a = open_page(browser, server)
    context_b, page_b = open_page(browser, server)
    try:
        # Both ask at once (Playwright's sync API is single-threaded: send both, then wait both).
        for page, question in ((page_a, QUESTION_A), (page_b, QUESTION_B)):
            page.locator("#question textarea").fill(question)
            page.locator("#send").click()
        for page in (page_a, page_b):
            page.locator("#chat .js-provider").wait_for()
        chat_a, chat_b = page_a.locator("#chat").inner_text(), page_b.locator("#chat").inner_text()
        assert QUESTION_A in chat_a and QUESTION_B not in chat_a
        assert QUESTION_B in chat_b and QUESTION_A not in chat_b
        assert "4.55万元" in chat_a and "辆" in chat_b
        assert page_a.locator("#chat .js-answer").count() == page_b.locator("#chat .js-answer").count() == 1

        # A private upload in A: in A's scope list, not in B's (even after B refreshes).
        before_b = scope_options(page_b)
        private = report_docx(tmp_path / "2021年度米易县人民政府办公室部门决算.docx", 2021)
        status = upload(page_a, private)
        assert "仅本会话可见" in status.inner_text(), status.inner_text()
        assert any("2021" in label for label in scope_options(page_a))
        page_b.get_by_role("button", name="刷新").click()
        page_b.wait_for_timeout(1000)
        after_b = scope_options(page_b)
        assert after_b == before_b and not any("2021" in label for label in after_b)

        # B asks about 2021 within everything it may read: A's report is not among its sources.
        page_b.locator("#question textarea").fill("2021年公务接待费是多少？")
        page_b.locator("#send").click()
        page_b.locator("#chat .js-provider").nth(1).wait_for()
        cited = page_b.locator("#chat details.js-cite summary").all_inner_texts()
        assert not any("2021" in c for c in cited), cited

        # A shared upload in A: B sees it after a refresh.
        shared = report_docx(tmp_path / "2020年度米易县人民政府办公室部门决算.docx", 2020)
        status = upload(page_a, shared, shared=True)
        assert "共享" in status.inner_text() and "仅本会话" not in status.inner_text(), status.inner_text()
        page_b.get_by_role("button", name="刷新").click()
        page_b.wait_for_function("() => document.querySelector('#scope input')?.value.includes('份')")
        page_b.wait_for_timeout(1000)
        labels_b = scope_options(page_b)
        assert any("2020" in label for label in labels_b) and not any("2021" in label for label in labels_b)
    finally:
        context_a.close()
        context_b.close()
