"""`--ray`: check, figures and ingest as Ray tasks give exactly what the single-process run gives.

A Ray cluster of 2 CPUs is started in this process (every Ray service on 127.0.0.1) and stopped
at the end; the commands run as a user runs them, in their own process, connecting to it with
`--ray-address`. One test lets `--ray` start its own local cluster. The inputs are ten real
reports of the audited corpus and one empty file, which must stay one line and exit code 2.
"""

from __future__ import annotations

import json
import logging
import os
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.ray_backend import map_ordered_ray
from tests.scale.helpers import TEN, corpus_folder, free_port, run

# Ray 2.60 clusters started by ray.init() require a token (~/.ray/auth_token, made by the first
# one); a driver connecting by address uses it when told to, as docs/scale.md tells users.
TOKEN = {"RAY_AUTH_MODE": "token"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray cluster with 2 CPUs, bound to localhost; its address."""
    saved = {k: os.environ.get(k) for k in ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_USAGE_STATS_ENABLED")}
    os.environ.update(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0", RAY_USAGE_STATS_ENABLED="0")  # before `import ray`
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten real reports and one empty file."""
    return corpus_folder(tmp_path_factory.mktemp("reports"), TEN, bad=True)


def _square_after(n: int) -> int:
    time.sleep(random.random() / 20)  # finish out of order
    if n == 7:
        raise KeyError(n)
    return n * n


def test_results_come_back_in_input_order_and_an_error_is_the_items_own(cluster: str) -> None:
    import ray

    assert cluster.startswith("127.0.0.1:")  # nothing of the test cluster listens beyond localhost
    # This test module is not importable on the workers (tests/ is not on their path): send the
    # function itself.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    seen: list[tuple[int, int | None]] = []
    got = []
    with pytest.raises(KeyError):  # fn's own exception, not Ray's RayTaskError
        for value in map_ordered_ray(_square_after, list(range(12)), progress=lambda d, t: seen.append((d, t))):
            got.append(value)  # noqa: PERF402 - kept up to the raise
    assert got == [n * n for n in range(7)]  # everything before the failing item, in order
    assert seen == [(d, 12) for d in range(1, 8)]


def _same_run(local, on_ray) -> None:
    assert "Traceback" not in on_ray.stderr and "ray" not in on_ray.stderr.lower(), on_ray.stderr
    assert (on_ray.returncode, on_ray.stdout, on_ray.stderr) == (local.returncode, local.stdout, local.stderr)


def test_check_on_ray_equals_the_single_process_run(cluster: str, reports: Path, tmp_path: Path) -> None:
    args = ("check", str(reports), "--format", "json", "--data-dir", str(tmp_path))
    local = run(*args, "--jobs", "1")
    on_ray = run(*args, "--ray-address", cluster, env=TOKEN)
    _same_run(local, on_ray)
    assert local.returncode == 2  # the empty file
    assert len(json.loads(on_ray.stdout)["reports"]) == 10
    bad = [line for line in on_ray.stderr.splitlines() if "005b-empty.txt" in line and "✗" in line]
    assert len(bad) == 1 and "文件为空" in bad[0]


def test_figures_on_ray_equals_the_single_process_run(cluster: str, reports: Path, tmp_path: Path) -> None:
    args = ("figures", str(reports), "--format", "json", "--data-dir", str(tmp_path))
    local = run(*args)
    on_ray = run(*args, "--ray-address", cluster, env=TOKEN)
    _same_run(local, on_ray)
    named = {Path(row["report"]).name for row in json.loads(on_ray.stdout)}
    assert local.returncode == 2 and named <= set(TEN) and len(named) >= 9  # the rows of the real reports


def test_ingest_on_ray_writes_what_the_single_process_run_writes(cluster: str, reports: Path, tmp_path: Path) -> None:
    """The workers parse and embed, this process writes: the same reports, consistent stores."""
    local = run("ingest", str(reports), "--data-dir", str(tmp_path / "local"))
    on_ray = run("ingest", str(reports), "--data-dir", str(tmp_path / "ray"), "--ray-address", cluster, env=TOKEN)
    _same_run(local, on_ray)
    assert local.returncode == 2 and local.stdout.count("✓") == 10
    listed = [json.loads(run("reports", "--json", "--data-dir", str(tmp_path / d)).stdout) for d in ("local", "ray")]
    keep = ("id", "department", "year", "source_name", "sections", "tables", "figures", "chunks")
    assert [{k: r[k] for k in keep} for r in listed[0]] == [{k: r[k] for k in keep} for r in listed[1]]
    doctor = run("doctor", "--json", "--data-dir", str(tmp_path / "ray"))
    found = json.loads(doctor.stdout)
    assert doctor.returncode == 0 and found["consistent"] and found["sqlite"]["reports_with_vectors"] == 10


def test_ray_without_an_address_starts_and_stops_a_local_cluster(reports: Path, tmp_path: Path) -> None:
    args = ("check", str(reports / "001.txt"), str(reports / "002.txt"), "--format", "json",
            "--data-dir", str(tmp_path))
    _same_run(run(*args, "--jobs", "1"), run(*args, "--ray", env={"RAY_ADDRESS": ""}))


def test_an_address_nobody_answers_is_one_line_in_seconds(reports: Path, tmp_path: Path) -> None:
    address = f"127.0.0.1:{free_port()}"
    started = time.monotonic()
    done = run("check", str(reports / "001.txt"), "--data-dir", str(tmp_path), "--ray-address", address)
    assert time.monotonic() - started < 60
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and address in done.stderr


def test_without_ray_installed_one_line_names_the_extra(reports: Path, tmp_path: Path) -> None:
    """`ray` made unimportable, as on an install without the `scale` extra."""
    import subprocess
    import sys

    from tests.scale.helpers import ENV, ROOT

    code = ("import sys; sys.modules['ray'] = None; import juesuan_cli; sys.argv[0] = 'juesuan'; "
            "juesuan_cli.main()")
    done = subprocess.run(
        [sys.executable, "-c", code, "check", str(reports / "001.txt"), "--ray", "--data-dir", str(tmp_path)],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == "✗ --ray 需要可选依赖：pip install -e '.[scale]'"
