"""Twenty people at once (docs/security.md, "Shared servers"): twenty browser sessions (contexts
of one Chromium) each upload their own private report and ask about it at the same time. Each
sees only its own upload and the shared sample, in its scope list, its report table and its
answer; nobody's answer carries another's figures; no error is shown; Gradio's copies of the
uploaded files are deleted once ingested."""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from pathlib import Path

from index import SAMPLE_REPORT
from tests.ui.pages import open_page, scope_options

SESSIONS = 20
SAMPLE_DEPT = "米易县人民政府办公室"


def _private_report(folder: Path, n: int, token: str) -> tuple[Path, str, str]:
    """A copy of the sample for session n: its own department and its own 公务接待费 amount."""
    department = f"米易县第{n + 1}号测试办公室"
    amount = f"4.{60 + n:02d}"
    text = SAMPLE_REPORT.read_text(encoding="utf-8").replace(SAMPLE_DEPT, department).replace("4.55", amount)
    path = folder / f"2023年度{department}部门决算-{token}.txt"
    path.write_text(text, encoding="utf-8")
    return path, department, amount


def _states(text: str, amount: str) -> bool:
    """Whether a text states this amount in 万元 (not as the tail of another: 14.76 is not 4.76)."""
    return re.search(rf"(?<![\d.]){re.escape(amount)}万元", text) is not None


def _upload_started(page, path: Path) -> None:
    page.get_by_role("tab", name="报告").click()
    page.locator("#upload input[type=file]").set_input_files(str(path))


def _choose_scope(page, label_part: str) -> None:
    box = page.locator("#scope input")
    box.blur()  # the list opens on focus: scope_options left the box focused
    box.click()
    page.locator("ul[role=listbox] li", has_text=label_part).first.click()
    page.wait_for_function(
        "([part]) => document.querySelector('#scope input')?.value.includes(part)", arg=[label_part]
    )


def test_twenty_sessions_upload_and_ask_at_once_without_cross_talk(browser, server, tmp_path: Path) -> None:
    token = uuid.uuid4().hex[:8]
    reports = [_private_report(tmp_path, n, token) for n in range(SESSIONS)]
    opened = [open_page(browser, server) for _ in range(SESSIONS)]
    contexts, pages = [c for c, _ in opened], [p for _, p in opened]
    try:
        started = time.monotonic()
        # All twenty upload at once (Playwright's sync API: start every upload, then wait for each).
        for page, (path, _, _) in zip(pages, reports, strict=True):
            _upload_started(page, path)
        for page, (path, department, _) in zip(pages, reports, strict=True):
            status = page.locator("#upload-status .js-upload-status")
            status.wait_for()
            assert "已入库" in status.inner_text() and "仅本会话可见" in status.inner_text(), status.inner_text()
        uploaded = time.monotonic() - started

        # Each scope list and report table: the sample and its own upload, nobody else's.
        for page, (_, department, _) in zip(pages, reports, strict=True):
            labels = scope_options(page)
            others = [d for _, d, _ in reports if d != department]
            assert any(department in label for label in labels), labels
            assert any(SAMPLE_DEPT in label for label in labels), labels
            assert not any(other in label for label in labels for other in others), labels
            table = page.locator("#reports").inner_text()
            assert department in table and not any(other in table for other in others)

        # All twenty ask about their own report at once.
        started = time.monotonic()
        for page, (_, department, _) in zip(pages, reports, strict=True):
            _choose_scope(page, f"单位：{department}")
            page.get_by_role("tab", name="问答").click()
            page.locator("#question textarea").fill("公务接待费为何下降？")
            page.locator("#send").click()
        for page in pages:
            page.locator("#chat .js-provider").wait_for()
        asked = time.monotonic() - started
        print(f"\n[ui] {SESSIONS} sessions: uploads done in {uploaded:.1f} s, answers in {asked:.1f} s")

        for page, (_, department, amount) in zip(pages, reports, strict=True):
            chat = page.locator("#chat").inner_text()
            assert _states(chat, amount), chat
            assert page.locator("#chat .js-error").count() == 0, chat
            others = [(d, a) for _, d, a in reports if d != department]
            assert not any(_states(chat, a) or d in chat for d, a in others), chat
            assert not _states(chat, "4.55")  # the sample is not in this scope either
            cited = page.locator("#chat details.js-cite summary").all_inner_texts()
            assert cited and all(department in c for c in cited), cited
    finally:
        for context in contexts:
            context.close()

    # Gradio's copies of the uploaded files are gone (each was deleted after its ingest).
    gradio_tmp = Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")
    left = list(gradio_tmp.rglob(f"*{token}*")) if gradio_tmp.is_dir() else []
    assert left == []
