"""What the browser tests do on the page: open it, ask, read the scope list, upload a file, and
build the DOCX reports they upload."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from index import SAMPLE_REPORT

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SEED = SAMPLE_REPORT
CHROMIUM = os.environ.get("JUESUAN_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Server:
    """A running app: its URL, data directory and how long it took to answer its first request."""

    url: str
    data_dir: Path
    startup_seconds: float


def open_page(browser, server: Server, context_options: dict | None = None):
    """A new browser context (its own Gradio session) with the app loaded and its scope list filled."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        accept_downloads=True,
        **(context_options or {}),
    )
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(server.url)
    # The load event has filled this session's scope list ("全部报告（N 份）").
    page.wait_for_function("() => document.querySelector('#scope input')?.value.startsWith('全部报告（')")
    return context, page


def ask(page, question: str) -> None:
    """Type a question, send it and wait until its verified answer (with the model line) is shown."""
    before = page.locator("#chat .js-provider").count()
    page.locator("#question textarea").fill(question)
    page.locator("#send").click()
    page.locator("#chat .js-provider").nth(before).wait_for()


def scope_options(page) -> list[str]:
    """The labels of the scope selector as this session sees them."""
    page.locator("#scope input").click()
    options = page.locator("ul[role=listbox] li")
    options.first.wait_for()
    labels = [text.strip().lstrip("✓").strip() for text in options.all_inner_texts()]
    page.keyboard.press("Escape")
    return labels


def upload(page, path: Path, shared: bool = False):
    """Upload one file on the 报告 tab and wait for its status line; returns the status locator."""
    page.get_by_role("tab", name="报告").click()
    checkbox = page.get_by_label("加入共享库", exact=False)
    if checkbox.is_checked() != shared:
        checkbox.click()
    status = page.locator("#upload-status .js-upload-status")
    previous = status.inner_text() if status.count() else None
    page.locator("#upload input[type=file]").set_input_files(str(path))
    page.wait_for_function(
        "([prev]) => { const s = document.querySelector('#upload-status .js-upload-status');"
        " return s && s.innerText !== prev; }",
        arg=[previous],
    )
    return status


def report_docx(path: Path, year: int, department: str = "米易县人民政府办公室") -> Path:
    """A DOCX report built from the bundled sample, shifted to `year` (its own bytes, its own id)."""
    from docx import Document

    shift = 2023 - year
    text = SEED.read_text(encoding="utf-8")
    for y in (2021, 2022, 2023):  # oldest first, so that shifted years are not shifted twice
        text = text.replace(str(y), f"@{y - shift}@")
    text = text.replace("@", "").replace("米易县人民政府办公室", department)
    document = Document()
    for line in text.splitlines()[:400]:
        document.add_paragraph(line)
    document.save(path)
    return path
