"""Settings a user changes in the page: the model provider, endpoint and key. The key stays in
the server-side session: never sent back to the page, never in the log."""

from __future__ import annotations

from tests.ui.pages import ask, open_page

SECRET = "sk-juesuan-test-SECRET-7f3a"


def test_provider_endpoint_and_key_are_per_session_and_never_echoed(browser, server) -> None:
    context, page = open_page(browser, server)
    other_context, other = open_page(browser, server)
    try:
        page.get_by_role("tab", name="设置").click()
        page.locator("#provider input").click()
        page.locator("ul[role=listbox] li", has_text="openai").first.click()
        page.locator("#endpoint textarea, #endpoint input").first.fill(
            "http://127.0.0.1:9/v1"
        )  # nothing listens on port 9
        key_box = page.locator("#api-key input")
        assert key_box.get_attribute("type") == "password"
        key_box.fill(SECRET)
        page.get_by_role("button", name="保存设置").click()
        page.locator("#settings-note", has_text="密钥已设置（不显示）").wait_for()
        assert key_box.input_value() == ""

        # This session now asks the (unreachable) endpoint: a clear error, the page goes on.
        page.get_by_role("tab", name="问答").click()
        page.locator("#question textarea").fill("公务接待费为何下降？")
        page.locator("#send").click()
        page.locator("#chat .js-error, #chat .js-provider").first.wait_for()
        assert SECRET not in page.content()

        # The other session still answers with the server's provider.
        ask(other, "公务接待费为何下降？")
        assert "extractive" in other.locator("#chat .js-provider").last.inner_text()
    finally:
        context.close()
        other_context.close()
    assert SECRET not in (server.data_dir / "serve.log").read_text(errors="replace")
