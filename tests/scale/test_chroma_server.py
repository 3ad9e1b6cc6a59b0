"""`--chroma-url`: the vectors on a Chroma server (`chroma run` on localhost, started here) instead
of the embedded ChromaDB; SQLite stays the truth and the doctor rebuilds the server from it.

Answers through the server equal the answers of the embedded store; the doctor sees what the
server lacks, `--repair` refills it, and a server that stopped is one line and exit code 2.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.scale.helpers import corpus_folder, free_port, run

# Dense retrieval counts with the offline model too, so that answers really read the vectors.
DENSE = {"JUESUAN_RETRIEVAL__FALLBACK_DENSE_WEIGHT": "1.0"}
QUESTION = "三公经费支出多少？"


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, "chroma run exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"chroma run did not listen on {port} within {seconds} s")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """`chroma run` (the chromadb package's server) on a free localhost port, in a temp dir."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.kill()
        proc.wait(timeout=30)


def _doctor(data_dir: Path, url: str, *extra: str) -> tuple[int, dict]:
    done = run("doctor", "--json", "--data-dir", str(data_dir), "--chroma-url", url, *extra)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def _server_vectors(url: str) -> dict[str, str]:
    """Chunk id → report id of what the server holds (read with chromadb's own client)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    [collection] = client.list_collections()
    got = collection.get(include=["metadatas"])
    return {cid: m["report_id"] for cid, m in zip(got["ids"], got["metadatas"], strict=True)}


def test_a_library_on_a_chroma_server(chroma_server, tmp_path: Path) -> None:
    url, server = chroma_server
    reports = corpus_folder(tmp_path / "reports", ["002.txt", "005.txt"])
    on_server, embedded = tmp_path / "on-server", tmp_path / "embedded"

    ingested = run("ingest", str(reports), "--data-dir", str(on_server), "--chroma-url", url)
    assert ingested.returncode == 0 and ingested.stdout.count("✓") == 2, ingested.stderr
    assert not (on_server / "chroma").exists()  # no embedded store beside the server
    stored = {r["id"]: r["chunks"] for r in json.loads(run("reports", "--json", "--data-dir", str(on_server)).stdout)}
    vectors = _server_vectors(url)
    assert {rid: list(vectors.values()).count(rid) for rid in stored} == stored

    # The same answer as from the embedded store, with the dense ranking reading the server.
    assert run("ingest", str(reports), "--data-dir", str(embedded)).returncode == 0
    asked = [run("ask", QUESTION, "--json", "--provider", "extractive", "--data-dir", str(d), *extra, env=DENSE)
             for d, extra in ((embedded, ()), (on_server, ("--chroma-url", url)))]
    assert all(a.returncode == 0 for a in asked), [a.stderr for a in asked]
    assert json.loads(asked[0].stdout) == json.loads(asked[1].stdout)
    assert json.loads(asked[1].stdout)["citations"]

    assert _doctor(on_server, url)[0] == 0

    # The server loses one report's vectors: the doctor says so and --repair rebuilds them from SQLite.
    lost = min(stored)
    import chromadb

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    client.list_collections()[0].delete(where={"report_id": lost})
    code, found = _doctor(on_server, url)
    assert code == 1 and found["missing"]["vectors"] == {lost: stored[lost]}
    code, repaired = _doctor(on_server, url, "--repair")
    assert code == 0 and repaired["consistent"]
    assert list(_server_vectors(url).values()).count(lost) == stored[lost]

    # The server stops: the doctor cannot check the vectors and says so in one line.
    server.kill()
    server.wait(timeout=30)
    done = run("doctor", "--data-dir", str(on_server), "--chroma-url", url)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and url in done.stderr and "Chroma" in done.stderr


def test_a_malformed_url_is_refused_before_anything_runs(tmp_path: Path) -> None:
    done = run("ingest", str(tmp_path), "--data-dir", str(tmp_path / "d"), "--chroma-url", "127.0.0.1:8000")
    assert done.returncode == 2 and "--chroma-url" in done.stderr and "http://HOST:PORT" in done.stderr
    assert not (tmp_path / "d").exists()
