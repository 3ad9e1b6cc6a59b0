"""The main job's command starts the app on localhost with the sample report ready."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_on_localhost_with_the_sample(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "juesuan_cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
    )
    try:
        deadline = time.time() + 180
        page = ""
        while time.time() < deadline and proc.poll() is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.5)
        assert page, f"app did not start: {proc.stdout.read() if proc.poll() is not None else ''}"
        assert "决算" in page or "gradio" in page.lower()
        # Bound to localhost only: the machine's other addresses do not answer.
        other = socket.gethostbyname(socket.gethostname())
        if not other.startswith("127."):
            with socket.socket() as s:
                s.settimeout(1)
                assert s.connect_ex((other, port)) != 0
        # The bundled sample was ingested on first start.
        from index.store import Store

        store = Store(tmp_path)
        assert [r["department"] for r in store.reports()] == ["米易县人民政府办公室"]
        store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
