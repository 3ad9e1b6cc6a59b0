"""Which model writes the answer, chosen by `LLMSettings` (JUESUAN_LLM__*).

- `openai`: any OpenAI-compatible endpoint through langchain_openai.ChatOpenAI (DeepSeek,
  Qwen/DashScope, vLLM, a llama.cpp server, ollama's /v1) at `base_url`.
- `ollama`: langchain_ollama.ChatOllama at `base_url` (default http://127.0.0.1:11434).
- `llamacpp`: a GGUF file run in-process (rag.llamacpp.ChatLlamaCpp); `model_path`, or the
  small bundled model (rag.local_model) when no path is set.
- `extractive`: no model at all (rag.extractive).
- `auto`: the first that works: a configured OpenAI-compatible endpoint that answers → an
  ollama server that answers and has a model → a configured GGUF file that exists →
  extractive. The bundled 0.5B model is not picked by `auto`: it is there to test the chain,
  and the extractive answer is more faithful than what it writes (docs/answering.md).

Every model is built to resist loops (rag.guard): a repeat penalty where the backend has one
(llama.cpp and ollama `repeat_penalty`, OpenAI-compatible `frequency_penalty`), and
`with_budget` gives one call a token budget scaled by the question's parts.

The API key is read from a SecretStr at the moment the client is built; it is never logged.

A browser session may choose its own provider, endpoint, model and key (`session_llm_settings`).
The server's key goes only to the server's own endpoint: a session's endpoint gets the
session's key or none. Whether a session may name an endpoint at all, and which hosts, is the
operator's choice (`EndpointPolicy`, from JUESUAN_UI__*; docs/security.md).
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import SecretStr

from index.settings import PROVIDERS, LLMSettings
from rag.guard import FREQUENCY_PENALTY, REPEAT_PENALTY

if TYPE_CHECKING:  # LangChain is imported by the model providers only: no model, no LangChain
    from langchain_core.language_models.chat_models import BaseChatModel

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_OLLAMA_URL",
    "EndpointPolicy",
    "ModelChoice",
    "ProviderError",
    "choose_model",
    "endpoint_answers",
    "redact_keys",
    "session_llm_settings",
    "with_budget",
]

DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"


class ProviderError(RuntimeError):
    """The requested provider cannot be used; the message says why and what to set."""


@dataclass
class ModelChoice:
    """The provider that will answer, its chat model (None for extractive) and why it was chosen."""

    provider: str
    model: BaseChatModel | None = None
    label: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """How `auto` got here, one clause per provider it tried."""
        return "；".join(self.notes)


@dataclass(frozen=True)
class EndpointPolicy:
    """May a session send questions to an endpoint it names, and to which hosts.

    `allowed_hosts` empty means any host (when allowed at all). The server's own endpoint
    (JUESUAN_LLM__BASE_URL) is always allowed: the operator configured it.
    """

    allow_session_endpoints: bool = False
    allowed_hosts: tuple[str, ...] = ()


def _same_endpoint(a: str, b: str) -> bool:
    return bool(a) and a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def check_session_endpoint(endpoint: str, policy: EndpointPolicy) -> None:
    """Raise ProviderError, saying why, when a session may not use this endpoint."""
    if not policy.allow_session_endpoints:
        raise ProviderError("本服务器不允许会话自选模型端点（管理员设置 JUESUAN_UI__ALLOW_SESSION_ENDPOINTS）")
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProviderError("端点须是 http:// 或 https:// 开头的网址")
    if parts.username or parts.password:
        raise ProviderError("端点网址中不能含用户名或密码；密钥请填在“API 密钥”框")
    if policy.allowed_hosts and parts.hostname.lower() not in policy.allowed_hosts:
        raise ProviderError(
            f"端点主机 {parts.hostname} 不在允许之列（JUESUAN_UI__ALLOWED_HOSTS：{', '.join(policy.allowed_hosts)}）"
        )


def session_llm_settings(
    server: LLMSettings,
    policy: EndpointPolicy,
    provider: str = "",
    endpoint: str = "",
    model: str = "",
    api_key: str = "",
    context_passages: int | None = None,
) -> LLMSettings:
    """The model settings of one browser session, on top of the server's.

    An endpoint the session names (other than the server's own) must pass `policy`, and is
    given the session's key or no key: the server's key is sent only to the server's endpoint.
    Raises ProviderError when the endpoint is not allowed.
    """
    update: dict = {"provider": provider or server.provider}
    if context_passages is not None:
        update["context_passages"] = context_passages
    if model:
        update["model"] = model
    own_endpoint = bool(endpoint.strip()) and not _same_endpoint(endpoint, server.base_url)
    if own_endpoint:
        check_session_endpoint(endpoint, policy)
        update["base_url"] = endpoint.strip()
        update["api_key"] = SecretStr(api_key) if api_key else None
    elif api_key:
        update["api_key"] = SecretStr(api_key)
    return server.model_copy(update=update)


def redact_keys(text: str, *keys: str | SecretStr | None) -> str:
    """The text with every given key replaced by ***: for errors a client library raised."""
    for key in keys:
        value = key.get_secret_value() if isinstance(key, SecretStr) else key
        if value:
            text = text.replace(value, "***")
    return text


def _get(url: str, timeout: float, headers: dict[str, str] | None = None) -> tuple[int, bytes] | None:
    """(status, body) of a GET, or None when nothing answers at that address."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(1 << 20)
    except urllib.error.HTTPError as exc:  # it answered, with an error status
        return exc.code, b""
    except (urllib.error.URLError, OSError, ValueError):
        return None


def endpoint_answers(base_url: str, timeout: float, api_key: str | None = None) -> bool:
    """True when an OpenAI-compatible server answers at base_url (GET {base_url}/models)."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    result = _get(base_url.rstrip("/") + "/models", timeout, headers)
    return result is not None and result[0] < 500


def _ollama_models(base_url: str, timeout: float) -> list[str] | None:
    """Names of the models an ollama server has, or None when it does not answer."""
    result = _get(base_url.rstrip("/") + "/api/tags", timeout)
    if result is None or result[0] != 200:
        return None
    try:
        return [m["name"] for m in json.loads(result[1]).get("models", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _openai(s: LLMSettings) -> ModelChoice:
    from langchain_openai import ChatOpenAI

    if not s.base_url:
        raise ProviderError("openai: set JUESUAN_LLM__BASE_URL to an OpenAI-compatible endpoint (…/v1)")
    key = s.api_key.get_secret_value() if s.api_key is not None else "not-needed"
    model = ChatOpenAI(
        model=s.model or "default", base_url=s.base_url, api_key=key, temperature=s.temperature,
        max_tokens=s.max_tokens, timeout=s.timeout, max_retries=1, frequency_penalty=FREQUENCY_PENALTY,
    )
    return ModelChoice("openai", model, f"{s.model or 'default'} @ {s.base_url}")


def _ollama(s: LLMSettings, base_url: str, model_name: str) -> ModelChoice:
    from langchain_ollama import ChatOllama

    model = ChatOllama(
        model=model_name, base_url=base_url, temperature=s.temperature, num_predict=s.max_tokens,
        num_ctx=s.n_ctx, repeat_penalty=REPEAT_PENALTY, client_kwargs={"timeout": s.timeout},
    )
    return ModelChoice("ollama", model, f"{model_name} @ {base_url}")


def _llamacpp(s: LLMSettings, cache_dir: Path | None = None) -> ModelChoice:
    from rag.local_model import require_llama_cpp

    require_llama_cpp()  # the optional extra `local`: without it, one line with the install command
    from rag.llamacpp import ChatLlamaCpp

    path = s.model_path
    if path is None:
        if cache_dir is None:
            raise ProviderError("llamacpp: no GGUF file (JUESUAN_LLM__MODEL_PATH) and no folder to assemble the bundled one")
        from rag.local_model import local_model_path

        path = local_model_path(cache_dir)
    elif not path.is_file():
        raise ProviderError(f"llamacpp: {path} does not exist (JUESUAN_LLM__MODEL_PATH)")
    model = ChatLlamaCpp(model_path=path, n_ctx=s.n_ctx, n_threads=s.n_threads, temperature=s.temperature,
                         max_tokens=s.max_tokens)
    return ModelChoice("llamacpp", model, path.name)


# The field each chat model reads its output limit from.
_BUDGET_FIELDS = ("max_tokens", "num_predict")


def with_budget(model: BaseChatModel, tokens: int) -> BaseChatModel:
    """The model with at most `tokens` output tokens for one call (a copy; the model itself is
    shared). Models without a limit of their own (test fakes) are returned as they are."""
    for name in _BUDGET_FIELDS:
        if name in type(model).model_fields:
            return model.model_copy(update={name: tokens})
    return model


def choose_model(settings: LLMSettings, provider: str | None = None, cache_dir: Path | None = None) -> ModelChoice:
    """The model for `provider` (default: settings.provider); `auto` tries each in turn.

    `cache_dir` is where the bundled model is assembled (the chain passes <data dir>/models);
    without it, `llamacpp` needs `settings.model_path`.
    """
    provider = provider or settings.provider
    if provider not in PROVIDERS:
        raise ProviderError(f"unknown provider {provider!r}: one of {', '.join(PROVIDERS)}")
    if provider == "extractive":
        return ModelChoice("extractive", None, "extractive (no model)")
    if provider == "openai":
        return _openai(settings)
    if provider == "ollama":
        base_url = settings.base_url or DEFAULT_OLLAMA_URL
        name = settings.model
        if not name:
            names = _ollama_models(base_url, settings.probe_timeout)
            if not names:
                raise ProviderError(f"ollama: no server with a model at {base_url} (JUESUAN_LLM__MODEL)")
            name = names[0]
        return _ollama(settings, base_url, name)
    if provider == "llamacpp":
        return _llamacpp(settings, cache_dir)

    notes: list[str] = []
    key = settings.api_key.get_secret_value() if settings.api_key is not None else None
    if not settings.base_url:
        notes.append("openai: 未配置端点")
    elif endpoint_answers(settings.base_url, settings.probe_timeout, key):
        choice = _openai(settings)
        choice.notes = notes + [f"openai: {settings.base_url} 可用"]
        return choice
    else:
        notes.append(f"openai: {settings.base_url} 无应答")
    names = _ollama_models(DEFAULT_OLLAMA_URL, settings.probe_timeout)
    if names is None:
        notes.append(f"ollama: {DEFAULT_OLLAMA_URL} 无应答")
    elif settings.model and settings.model not in names:
        notes.append(f"ollama: 没有模型 {settings.model}")
    elif not names:
        notes.append("ollama: 没有已下载的模型")
    else:
        choice = _ollama(settings, DEFAULT_OLLAMA_URL, settings.model or names[0])
        choice.notes = notes + ["ollama: 可用"]
        return choice
    if settings.model_path is None:
        notes.append("llamacpp: 未配置 GGUF 文件")
    elif settings.model_path.is_file():
        from rag.local_model import LOCAL_EXTRA, LocalExtraMissing

        try:
            choice = _llamacpp(settings)
        except LocalExtraMissing:  # skipped like a server that does not answer
            notes.append(f"llamacpp: 未安装可选依赖（{LOCAL_EXTRA}）")
        else:
            choice.notes = notes + [f"llamacpp: {settings.model_path.name}"]
            return choice
    else:
        notes.append(f"llamacpp: {settings.model_path} 不存在")
    log.info("auto provider: %s → extractive", "；".join(notes))
    return ModelChoice("extractive", None, "extractive (no model)", notes + ["→ extractive"])
