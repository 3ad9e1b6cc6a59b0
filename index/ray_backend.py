"""`map_ordered` on a Ray cluster: the same call as `index.parallel`, run as Ray tasks.

`juesuan check|ingest|figures --ray [--ray-address ADDRESS]` end up here. Each item (a file path,
never its bytes) becomes one Ray task that runs ``fn(item)`` on a worker, so the files are read by
the workers; results come back to this process and are yielded in the order of the items, as
``index.parallel.map_ordered`` yields them, so the output is the one of a local run. Writing
stays with the caller (ingest's driver is the one writer of the stores).

- ``address=None``: a Ray cluster that is already running in this process is used; otherwise a
  local one is started for the call (every core, no dashboard, every Ray service bound to
  127.0.0.1) and stopped after it. ``RAY_ADDRESS`` in the environment points ``ray.init`` at a
  running cluster instead, as everywhere in Ray.
- ``address="HOST:PORT"`` (or ``ray://HOST:PORT``): a running cluster. Its workers must see the
  same paths (shared storage) and have juesuan installed (docs/scale.md). Whether the address
  answers is checked first, so a wrong one costs seconds, not Ray's minutes of retries.

``fn`` raising is raised here, unwrapped from Ray's ``RayTaskError``, when its item's turn comes
(the callers turn a bad file into their own one-line result). Anything else Ray reports (no
`ray` installed, a cluster that does not answer, a worker that died) is a `RayBackendError`: one
line for the user, no Ray traceback.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["INSTALL_HINT", "RayBackendError", "map_ordered_ray", "require_ray"]

T = TypeVar("T")
R = TypeVar("R")

INSTALL_HINT = "--ray 需要可选依赖：pip install -e '.[scale]'"

# Tasks submitted per CPU of the cluster before the first result is read: every worker stays
# busy while results are handled, and a million files never sit in the object store at once.
_IN_FLIGHT_PER_CPU = 4
# A worker that dies (a node lost, killed for memory) is retried this often; a file that kills
# its worker every time is reported after that, not retried forever.
_RETRIES = 2
# Seconds to wait for a cluster's address to accept a connection before giving up.
_CONNECT_TIMEOUT = 5.0
# Settings the workers must share with this process (the limits, the embedding model, offline).
_SHARED_ENV_PREFIXES = ("JUESUAN_", "HF_", "TRANSFORMERS_", "SENTENCE_TRANSFORMERS_")


class RayBackendError(RuntimeError):
    """Ray could not run the work: the message is one line for the user."""


def require_ray() -> None:
    """`RayBackendError` with the install hint when `ray` is not installed.

    Told without importing it: how Ray is imported decides which network address it uses
    (`_connect`), so the import waits until the address is known.
    """
    try:
        found = importlib.util.find_spec("ray") is not None
    except ValueError:  # sys.modules["ray"] is None: made unimportable
        found = False
    if not found:
        raise RayBackendError(INSTALL_HINT)


def map_ordered_ray(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    address: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Iterator[R]:
    """Yield ``fn(item)`` for each item, in the order of ``items``, each computed by a Ray task.

    ``fn`` must be a top-level function importable on the workers, its items and results
    picklable. ``progress(done, total)`` is called after each result is yielded (``total`` None
    when ``items`` has no length).
    """
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    ray, started = _connect(address)
    try:
        yield from _run(ray, fn, items, total, progress)
    finally:
        if started:
            ray.shutdown()


def _connect(address: str | None) -> tuple[Any, bool]:
    """Connect to (or start) a cluster; returns the ray module and whether this call started it."""
    given = address or os.environ.get("RAY_ADDRESS") or None
    local = given is None or _is_loopback(given)
    if local and "ray" not in sys.modules:
        # On Linux Ray advertises the machine's network address and binds its services to every
        # interface; in "no cluster" mode (the constant is read at import) it uses 127.0.0.1 only.
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing is sent anywhere
    try:
        import ray
    except ImportError:
        raise RayBackendError(INSTALL_HINT) from None
    if ray.is_initialized():
        return ray, False
    if given is not None and given not in ("auto", "local"):
        _check_reachable(given)
    options: dict[str, Any] = {
        "log_to_driver": False,  # worker output stays in Ray's log files, not on our stderr
        "logging_level": logging.ERROR,
        "runtime_env": _runtime_env(),
    }
    if given is None:
        options.update(num_cpus=os.cpu_count() or 1, include_dashboard=False)
    try:
        ray.init(address=address, **options)
    except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; the user gets one line
        raise RayBackendError(f"无法{'启动本地' if given is None else '连接'} Ray 集群"
                              f"{'' if given is None else ' ' + given}：{_one_line(exc)}") from None
    return ray, True


def _run(
    ray: Any,
    fn: Callable[[T], R],
    items: Iterable[T],
    total: int | None,
    progress: Callable[[int, int | None], None] | None,
) -> Iterator[R]:
    task = ray.remote(num_cpus=1, max_retries=_RETRIES)(_call)
    cwd = os.getcwd()
    window = max(2, int(ray.cluster_resources().get("CPU", 1))) * _IN_FLIGHT_PER_CPU
    source = enumerate(items)
    inflight: dict[Any, int] = {}  # task → its position among the items
    finished: dict[int, Any] = {}  # position → finished task, waiting for its turn
    labels: dict[int, T] = {}
    next_index = done = 0

    def submit() -> bool:
        for index, item in source:
            inflight[task.remote(fn, item, cwd)] = index
            labels[index] = item
            return True
        return False

    try:
        while len(inflight) < window and submit():
            pass
        while inflight or finished:
            if next_index not in finished:
                ready, _ = ray.wait(list(inflight), num_returns=1)
                for ref in ready:
                    finished[inflight.pop(ref)] = ref
                    submit()
                continue
            ref = finished.pop(next_index)
            result = _get(ray, ref, labels.pop(next_index))
            next_index += 1
            yield result
            done += 1
            if progress is not None:
                progress(done, total)
    finally:
        # The caller stopped early or an item raised: what has not run yet is not wanted.
        for ref in inflight:
            ray.cancel(ref)


def _call(fn: Callable[[T], R], item: T, cwd: str) -> R:
    """Runs on a worker: ``fn(item)`` from the caller's folder when this machine has it, so
    relative paths mean what they meant to the caller (a worker's own folder is Ray's)."""
    if os.path.isdir(cwd) and os.getcwd() != cwd:
        os.chdir(cwd)
    return fn(item)


def _get(ray: Any, ref: Any, item: object) -> Any:
    """The result of a finished task; ``fn``'s own exception re-raised as itself."""
    from ray.exceptions import RayError, RayTaskError

    try:
        return ray.get(ref)
    except RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, Exception) and not isinstance(cause, RayError):
            raise cause from None
        raise RayBackendError(f"{item}: Ray 任务失败：{_one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a worker or node lost, the object store full…
        raise RayBackendError(f"{item}: Ray 任务失败（{type(exc).__name__}）：{_one_line(exc)}") from None


def _runtime_env() -> dict[str, Any] | None:
    """The environment variables the workers must share with this process (juesuan's settings);
    a cluster started elsewhere has its own environment otherwise."""
    env = {k: v for k, v in os.environ.items() if k.startswith(_SHARED_ENV_PREFIXES)}
    return {"env_vars": env} if env else None


def _host_port(address: str) -> tuple[str, int] | None:
    bare = address.split("://", 1)[-1].rstrip("/")
    host, _, port = bare.rpartition(":")
    if not host or not port.isdigit():
        return None
    return host.strip("[]"), int(port)


def _is_loopback(address: str) -> bool:
    hp = _host_port(address)
    return hp is not None and (hp[0] in ("localhost", "::1") or hp[0].startswith("127."))


def _check_reachable(address: str) -> None:
    """A cluster address that does not accept a connection within seconds: one line, at once."""
    hp = _host_port(address)
    if hp is None:
        raise RayBackendError(f"Ray 集群地址 {address} 无效：应为 HOST:PORT（如 10.0.0.5:6379）或 ray://HOST:PORT")
    try:
        with socket.create_connection(hp, timeout=_CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        raise RayBackendError(
            f"无法连接 Ray 集群 {address}：{exc.strerror or exc}（集群是否已用 ray start --head 启动？）"
        ) from None


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (text[:300] + "…") if len(text) > 300 else (text or type(exc).__name__)
