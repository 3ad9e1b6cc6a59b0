"""`juesuan figures --format json|csv|xlsx|parquet` (index/export.py): one tidy row per figure,
every format read back to the values as printed, never through a float."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from index.export import FIGURE_COLUMNS, INT_COLUMNS, figure_rows, render_figures
from index.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "evals" / "data" / "corpus" / "reports"


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """The sample and a real report, with a hostile quote added: '=1+1', a comma, a quote mark."""
    from index import SAMPLE_REPORT

    real = min(CORPUS.glob("*.txt"))
    found = figure_rows(parse_file(SAMPLE_REPORT)) + figure_rows(parse_file(real), "real.txt")
    found[0] = {**found[0], "quote": '=1+1, "引号"\n第二行'}
    return found


def _printed(rows: list[dict]) -> list[tuple[str, str]]:
    return [(r["value"], r["decimal_value"]) for r in rows]


def test_rows_keep_the_printed_number(rows: list[dict]) -> None:
    assert set(rows[0]) == set(FIGURE_COLUMNS)
    plain = re.compile(r"^-?[\d,]+(\.\d+)?$")
    for r in rows:
        assert isinstance(r["value"], str) and isinstance(r["decimal_value"], str)
        if plain.match(r["value"]):
            assert Decimal(r["value"].replace(",", "")) == Decimal(r["decimal_value"])
    assert any(r["value"].endswith("0") and "." in r["value"] for r in rows)  # trailing zeros kept
    assert {r["report"] for r in rows} >= {"real.txt"}


def test_csv_round_trip_as_text(rows: list[dict]) -> None:
    data = render_figures(rows, "csv")
    text = data.decode("utf-8-sig")
    back = list(csv.DictReader(io.StringIO(text)))
    assert [tuple(r) for r in [back[0].keys()]] == [FIGURE_COLUMNS]
    assert _printed(back) == _printed(rows)
    assert back[0]["quote"] == rows[0]["quote"]
    frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(zip(frame["value"], frame["decimal_value"], strict=True)) == _printed(rows)
    # "100.00" stays "100.00": no float ever rounded a printed number.
    assert any(v.endswith(".00") for v in frame["value"])


def test_json_round_trip(rows: list[dict]) -> None:
    back = json.loads(render_figures(rows, "json"))
    assert back == json.loads(json.dumps(rows, ensure_ascii=False))
    assert all(isinstance(r["value"], str) and isinstance(r["decimal_value"], str) for r in back)


def test_xlsx_round_trip_text_cells(rows: list[dict]) -> None:
    book = load_workbook(io.BytesIO(render_figures(rows, "xlsx")))
    sheet = book["数字"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == FIGURE_COLUMNS
    value, decimal, quote = header.index("value"), header.index("decimal_value"), header.index("quote")
    body = list(sheet.iter_rows(min_row=2))
    assert [(r[value].value, r[decimal].value) for r in body] == _printed(rows)
    assert all(r[value].data_type == "s" and r[decimal].data_type == "s" for r in body)
    assert body[0][quote].value == rows[0]["quote"] and body[0][quote].data_type == "s"  # no formula
    year = header.index("year")
    assert [r[year].value for r in body] == [row["year"] for row in rows]


def test_parquet_round_trip_strings(rows: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(render_figures(rows, "parquet")))
    assert tuple(table.column_names) == FIGURE_COLUMNS
    assert table.schema.field("value").type == pa.string()
    assert table.schema.field("decimal_value").type == pa.string()
    assert all(table.schema.field(c).type == pa.int64() for c in INT_COLUMNS)
    assert list(zip(table["value"].to_pylist(), table["decimal_value"].to_pylist(), strict=True)) == _printed(rows)
    assert table["page"].to_pylist() == [r["page"] for r in rows]


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "juesuan_cli", "figures", *args], check=False,
                          capture_output=True, cwd=cwd, timeout=300)


def test_cli_folder_and_bad_input(tmp_path: Path) -> None:
    """A folder of reports and a missing file: the rows of the readable ones, one line for the
    other, exit 2; the format taken from --output's suffix."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for path in sorted(CORPUS.glob("*.txt"))[:2]:
        (folder / path.name).write_bytes(path.read_bytes())
    out = tmp_path / "figures.csv"
    run = _cli(str(folder), str(tmp_path / "missing.pdf"), "--output", str(out))
    assert run.returncode == 2
    errors = run.stderr.decode().strip().splitlines()
    assert [line for line in errors if "missing.pdf" in line] and not [l for l in errors if "Traceback" in l]
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert frame["report"].nunique() == 2
    expected = sum(len(parse_file(p).figures) for p in sorted(folder.glob("*.txt")))
    assert len(frame) == expected


def test_cli_json_alias(seed_path: Path) -> None:
    """--json is --format json: the figure keys other tools read are all there."""
    run = _cli(str(seed_path), "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert rows and {"metric", "value", "unit", "year", "role", "section", "page", "start", "end", "quote",
                     "decimal_value", "report"} <= set(rows[0])
