"""Run one function over many items on every core, results in input order.

`map_ordered` is the one place juesuan spreads work over processes: `juesuan check` checks files
with it, ingest parses files with it. Locally it uses a process pool (parsing is pure Python, so
threads would share one core under the GIL); with ``use_ray=True`` it hands the same call to
`index.ray_backend.map_ordered_ray`, which runs it on a Ray cluster.

Results come back in the order of ``items`` whatever order the workers finish in, so a parallel run
prints exactly what a single-process run prints. At most a few items per worker are in flight at a
time, so memory stays bounded however many items there are, and a caller that stops reading early
cancels the rest.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

__all__ = ["Progress", "default_jobs", "map_ordered"]

T = TypeVar("T")
R = TypeVar("R")

#: ``progress(done, total)``: called after each result is yielded; ``total`` is None when ``items``
#: has no length (a generator).
Progress = Callable[[int, int | None], None]

# Items submitted per worker before the first result is read: enough to keep every worker busy
# while the caller consumes results, few enough that a million items do not sit in memory at once.
_IN_FLIGHT_PER_WORKER = 4


def default_jobs() -> int:
    """The number of cores this process may run on (its CPU affinity where the OS reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows: no affinity call
        return max(1, os.cpu_count() or 1)


def _check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a whole number of at least 1, got {jobs!r}")
    return jobs


def _context() -> multiprocessing.context.BaseContext:
    # fork where the OS has it: workers start in milliseconds with the parent's modules (jieba's
    # dictionary, the parsers) already imported, instead of importing them again per worker. The
    # functions run here are pure Python parsing and checking; none touches torch or a database
    # handle inherited from the parent.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def map_ordered(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int | None = None,
    ray_address: str | None = None,
    use_ray: bool = False,
    progress: Progress | None = None,
) -> Iterator[R]:
    """Yield ``fn(item)`` for each item, in the order of ``items``.

    ``jobs`` is the number of worker processes: None means every core, 1 means run in this process
    with no pool (what tests and debuggers want). ``fn`` must be a picklable top-level function and
    its results picklable. An exception raised by ``fn`` is raised here when its item's turn comes,
    after the results before it have been yielded. ``use_ray`` runs the same call on Ray
    (``ray_address`` None: a local Ray started for the call).
    """
    if use_ray:
        from index.ray_backend import map_ordered_ray

        yield from map_ordered_ray(fn, items, address=ray_address, progress=progress)
        return
    workers = _check_jobs(jobs)
    total = len(items) if hasattr(items, "__len__") else None  # type: ignore[arg-type]
    if workers == 1 or (total is not None and total <= 1):
        yield from _in_process(fn, items, total, progress)
        return
    if total is not None:
        workers = min(workers, total)
    yield from _in_pool(fn, items, workers, total, progress)


def _in_process(
    fn: Callable[[T], R], items: Iterable[T], total: int | None, progress: Progress | None
) -> Iterator[R]:
    for done, item in enumerate(items, start=1):
        yield fn(item)
        if progress is not None:
            progress(done, total)


def _in_pool(
    fn: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    total: int | None,
    progress: Progress | None,
) -> Iterator[R]:
    pending: deque[Future[R]] = deque()
    source = iter(items)
    window = workers * _IN_FLIGHT_PER_WORKER
    # Forked workers share the parent's memory until they write to it; the cyclic garbage collector
    # writes to every object it scans, so the objects that exist now are kept out of its scans.
    gc.freeze()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context())
    try:
        for item in source:
            pending.append(pool.submit(fn, item))
            if len(pending) >= window:
                break
        done = 0
        while pending:
            result = pending.popleft().result()
            # Refill before yielding, so the workers keep going while the caller handles the result.
            for item in source:
                pending.append(pool.submit(fn, item))
                break
            yield result
            done += 1
            if progress is not None:
                progress(done, total)
    finally:
        # The caller stopped early or a worker raised: drop what has not started, do not wait on it.
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()
