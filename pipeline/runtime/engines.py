"""Where parts are processed: in this process, in a pool of local worker processes, or as tasks on
a Dask cluster. Every engine runs the same function over the same parts, so the rows are the same.

An engine lives for a whole run, so worker processes (and the models they load) are started once,
not once per stage.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any

from .. import checks
from ..errors import InvalidSetting

ENGINES = ("local", "dask")


def default_workers() -> int:
    """The cores this process may use (cgroup and affinity limits included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalEngine:
    """Worker processes on this machine (`spawn`ed, so each loads the models once)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, function: Callable[[Any], Any], tasks: list[Any]) -> Iterator[Any]:
        """`function(task)` for every task, yielded as each finishes."""
        if self.workers == 1 or len(tasks) <= 1:
            yield from (function(task) for task in tasks)  # no process start-up cost for one part
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=get_context("spawn"))
        futures = [self._pool.submit(function, task) for task in tasks]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class DaskEngine:
    """Tasks on dask.distributed: a LocalCluster of `workers` processes, or the cluster whose
    scheduler is at `scheduler`. Its workers must be able to import vnpipe and to read and write
    the run directory (a shared filesystem)."""

    def __init__(self, workers: int, scheduler: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("--engine dask needs dask.distributed: pip install 'vnpipe[dask]'") from None
        if scheduler:
            self._cluster = None
            self.client = Client(scheduler)
        else:
            self._cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                         dashboard_address=None)
            self.client = Client(self._cluster)
        # What the runner sizes parts for: the cluster's threads, when it has started any yet.
        self.workers = sum(w.get("nthreads", 1) for w in self.client.scheduler_info()["workers"].values()) \
            or max(1, workers)

    def map(self, function: Callable[[Any], Any], tasks: list[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed as dask_completed

        # pure=False: a part is rewritten when asked, never answered from Dask's cache.
        futures = self.client.map(function, tasks, pure=False)
        try:
            for future in dask_completed(futures):
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str, workers: int, scheduler: str | None = None) -> LocalEngine | DaskEngine:
    if name == "local":
        return LocalEngine(workers)
    return DaskEngine(workers, scheduler)


def check_engine(name: str, workers: int, scheduler: str | None) -> None:
    checks.one_of("--engine (engine)", name, ENGINES)
    checks.at_least("--workers (workers)", workers, 1)
    if scheduler is not None and name != "dask":
        raise InvalidSetting("--scheduler (scheduler)", scheduler, "a scheduler address needs --engine dask")
