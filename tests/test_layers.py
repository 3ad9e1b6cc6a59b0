"""The layers of README "Layout" hold: `lint-imports` keeps every contract of pyproject.toml.

The second half runs the same contracts on a tiny package tree with the project's names, once
clean and once with one upward import per contract, so a contract that could never break (a
misspelt module, a front end import-linter cannot see) fails here instead of passing silently.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` on the pyproject.toml of `cwd`, without leaving a cache behind."""
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_project_keeps_every_layer_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " broken." in result.stdout and "0 broken." in result.stdout
    assert "BROKEN" not in result.stdout


def test_app_does_not_import_the_cli() -> None:
    # import-linter cannot analyse single-file modules; the CLI imports app (serve), never back.
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert "juesuan_cli" not in imported


# A module tree with the project's package names, every import pointing down.
CLEAN_TREE = {
    "index/__init__.py": "",
    "index/models.py": "",
    "prompts/__init__.py": "",
    "rag/__init__.py": "",
    "rag/chain.py": "import index.models\nimport prompts\n",
    "evals/__init__.py": "",
    "evals/audit/__init__.py": "",
    "evals/audit/check.py": "import index.models\n",
    "evals/quality/__init__.py": "",
    "evals/quality/qa.py": "import rag.chain\nimport evals.audit.check\nimport evals.synthetic.generate\n",
    "evals/synthetic/__init__.py": "",
    "evals/synthetic/generate.py": "import index.models\n",
    "webui/__init__.py": "",
    "webui/handlers.py": "import rag.chain\nimport evals.audit.check\n",
    "app.py": "import webui.handlers\n",
    "juesuan_cli/__init__.py": "import app\nimport webui.handlers\nimport evals.audit.check\n",
}

# One upward import per contract: (file, line added, the contract's name).
UPWARD_IMPORTS = [
    ("index/models.py", "import rag.chain\n", "index imports nothing above it"),
    ("index/models.py", "import app\n", "index imports nothing above it"),
    ("rag/chain.py", "import evals.audit.check\n", "rag imports nothing of the rule suite"),
    ("evals/audit/check.py", "import rag.chain\n", "the rule suite imports nothing of rag"),
    ("evals/audit/check.py", "import evals.quality.qa\n", "the rule suite imports nothing of rag"),
    ("evals/audit/check.py", "import evals.synthetic.generate\n", "the rule suite imports nothing of rag"),
    ("evals/quality/qa.py", "import webui.handlers\n", "the front ends are imported by nothing below them"),
    ("evals/synthetic/generate.py", "import juesuan_cli\n", "the front ends are imported by nothing below them"),
    ("webui/handlers.py", "import app\n", "webui imports neither app.py nor the CLI"),
]


def write_tree(root: Path, extra: tuple[str, str] | None = None) -> None:
    """Lay out CLEAN_TREE under `root` with the project's contracts, plus one added import."""
    for name, text in CLEAN_TREE.items():
        if extra and extra[0] == name:
            text += extra[1]
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    (root / "pyproject.toml").write_text(to_toml(config), encoding="utf-8")


def to_toml(config: dict) -> str:
    """The [tool.importlinter] table back as TOML (strings, booleans and lists of strings only)."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["[tool.importlinter]"]
    lines += [f"{k} = {value(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", "[[tool.importlinter.contracts]]"]
        lines += [f"{k} = {value(v)}" for k, v in contract.items()]
    return "\n".join(lines) + "\n"


def test_the_contracts_pass_on_a_tree_whose_imports_point_down(tmp_path: Path) -> None:
    write_tree(tmp_path)
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "line", "contract"), UPWARD_IMPORTS)
def test_an_upward_import_breaks_its_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    write_tree(tmp_path, (module, line))
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    # Contracts forbid indirect imports too, so an upward import low down may break several.
    broken = [row for row in result.stdout.splitlines() if row.endswith(" BROKEN")]
    assert any(row.startswith(contract) for row in broken), result.stdout
    # The report names the offending import.
    assert module.removesuffix(".py").replace("/", ".") in result.stdout
