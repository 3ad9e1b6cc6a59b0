"""A local GGUF model run in-process with llama.cpp, as a LangChain chat model.

`llama_cpp.Llama` already applies the model's own chat template (create_chat_completion); this
adapter only turns LangChain messages into its dicts and its (streamed) completions back into
messages. Loaded models are cached per (file, n_ctx, threads): loading takes about a second,
answering a short question a second or two on a laptop CPU. A lock serialises calls, because
one `Llama` object is not safe to use from two threads at once.

Decoding is guarded against loops (rag.guard): a repeat penalty over the last 64 tokens, and
a stream the chain can stop at any token — closing the stream ends decoding and frees the lock.

llama-cpp-python is the optional extra `local` (`pip install -e '.[local]'`): it is imported when
a model is first loaded, and its absence is one line that says how to install it
(rag.local_model.LocalExtraMissing), never a traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

from rag.guard import REPEAT_PENALTY
from rag.local_model import LocalExtraMissing

__all__ = ["ChatLlamaCpp", "load_llama"]

_MODELS: dict[tuple[str, int, int | None], tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()
_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def load_llama(model_path: Path, n_ctx: int = 4096, n_threads: int | None = None) -> tuple[Any, threading.Lock]:
    """The llama.cpp model of a GGUF file (loaded once per process) and the lock guarding it."""
    key = (str(model_path), n_ctx, n_threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise LocalExtraMissing("llama-cpp-python") from None

            if not Path(model_path).is_file():
                raise FileNotFoundError(f"{model_path}: no such GGUF file (set JUESUAN_LLM__MODEL_PATH)")
            llama = Llama(model_path=str(model_path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            _MODELS[key] = (llama, threading.Lock())
        return _MODELS[key]


class ChatLlamaCpp(BaseChatModel):
    """A GGUF chat model run in-process by llama-cpp-python."""

    model_path: Path = Field(description="the GGUF file")
    n_ctx: int = 4096
    n_threads: int | None = None
    temperature: float = 0.1
    max_tokens: int = 512
    repeat_penalty: float = Field(default=REPEAT_PENALTY, ge=1.0, description="1.0: none")
    stop: list[str] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": str(self.model_path), "n_ctx": self.n_ctx, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "repeat_penalty": self.repeat_penalty}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": m.text} for m in messages],
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "repeat_penalty": self.repeat_penalty,
            "stop": (stop or []) + self.stop or None,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads)
        with lock:
            result = llama.create_chat_completion(**self._request(messages, stop))
        choice = result["choices"][0]
        message = AIMessage(content=choice["message"].get("content") or "",
                            response_metadata={"finish_reason": choice.get("finish_reason"),
                                               "usage": result.get("usage", {})})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads)
        with lock:
            for part in llama.create_chat_completion(stream=True, **self._request(messages, stop)):
                delta = part["choices"][0].get("delta", {}).get("content") or ""
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
