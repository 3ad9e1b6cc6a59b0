"""Settings from JUESUAN_* variables, and the public API of each package."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from index.settings import Settings


def test_environment_sets_data_dir_and_nested_parts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JUESUAN_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("JUESUAN_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("JUESUAN_RETRIEVAL__BM25_WEIGHT", "2.5")
    settings = Settings()
    assert settings.data_dir == tmp_path / "store"
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.retrieval.bm25_weight == 2.5


def test_default_data_dir_is_per_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUESUAN_DATA_DIR", raising=False)
    settings = Settings(_env_file=None)
    assert "juesuan" in str(settings.data_dir) and settings.data_dir.is_absolute()


def test_settings_round_trip_and_reject_nonsense() -> None:
    settings = Settings(data_dir=Path("/tmp/x"), max_upload_mb=10)
    assert Settings.model_validate(settings.model_dump()) == settings
    with pytest.raises(ValidationError, match="max_upload_mb"):
        Settings(max_upload_mb=0)
    with pytest.raises(ValidationError, match="top_k"):
        Settings(retrieval={"top_k": 0})


def test_loaders_public_api() -> None:
    import index.loaders

    assert set(index.loaders.__all__) == {
        "Block", "LoadedDocument", "LoadError", "SUPPORTED_SUFFIXES", "load_document",
    }


def test_one_list_of_providers_everywhere() -> None:
    """Settings, `juesuan ask --provider`, the app's 设置 menu and choose_model take one list."""
    from typer.testing import CliRunner

    import app
    from index.settings import PROVIDERS, LLMSettings
    from juesuan_cli import app as cli
    from rag.providers import ProviderError, choose_model

    assert PROVIDERS == ("auto", "extractive", "llamacpp", "openai", "ollama")
    for name in PROVIDERS:
        assert LLMSettings(provider=name).provider == name
    with pytest.raises(ValidationError, match="provider"):
        LLMSettings(provider="gpt")
    assert app.PROVIDERS is PROVIDERS
    refused = CliRunner().invoke(cli, ["ask", "q", "--provider", "gpt"])
    assert refused.exit_code == 2 and all(name in refused.output for name in PROVIDERS)
    with pytest.raises(ProviderError, match="one of " + ", ".join(PROVIDERS)):
        choose_model(LLMSettings(), "gpt")


def test_check_section_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUESUAN_CHECK__RULES", "sums,shares")
    monkeypatch.setenv("JUESUAN_CHECK__PREVIOUS_FROM_STORE", "false")
    monkeypatch.setenv("JUESUAN_CHECK__FORMAT", "xlsx")
    check = Settings().check
    assert (check.rules, check.previous_from_store, check.format) == ("sums,shares", False, "xlsx")
    with pytest.raises(ValidationError, match="format"):
        Settings(check={"format": "docx"})  # pdf is a format since --format pdf
