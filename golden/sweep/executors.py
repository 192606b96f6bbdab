"""Where a sweep runs: always a ``concurrent.futures.Executor``.

* ``serial``: :class:`SerialExecutor`, in this process (``--workers 1``);
* ``local``: ``ProcessPoolExecutor`` sized to the cores this process may use (the default);
* ``dask``: ``distributed.Client(ADDRESS).get_executor()`` on a running Dask cluster
  (``--scheduler tcp://HOST:PORT``; the optional ``cluster`` extra).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from hymem.golden.config import ConfigError

ENGINES = ("serial", "local", "dask")
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx)://[^\s:/]+(:\d{1,5})?$")


class SerialExecutor(Executor):
    """Runs each submitted call at once, in the calling process (the reference engine)."""

    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001  (handed to the caller, like any executor)
            future.set_exception(exc)
        return future


def _same(obj):
    return obj


@dataclass
class Engine:
    """An executor, its kind and size, and ``share``: how to send one object (a study's
    context) to every worker once — on Dask a broadcast scatter, elsewhere the object itself
    (pickled with each task)."""

    name: str
    executor: Executor
    workers: int
    share: Callable = _same


def local_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def open_engine(workers: int | None = None, scheduler: str | None = None):
    """The :class:`Engine` for ``--workers`` / ``--scheduler``, shut down on exit."""
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: need >= 1")
    if scheduler:
        with _dask(scheduler) as engine:
            yield engine
        return
    n = workers or local_cores()
    if n == 1:
        yield Engine("serial", SerialExecutor(), 1)
        return
    pool = ProcessPoolExecutor(max_workers=n)
    try:
        yield Engine("local", pool, n)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask(address: str):
    if not _ADDRESS.match(address):
        raise ConfigError(f"--scheduler {address!r}: expected tcp://HOST:PORT")
    try:
        from distributed import Client
    except ImportError:
        raise ConfigError("--scheduler needs Dask distributed: pip install 'hymem[cluster]'") from None
    try:
        client = Client(address, timeout="15s")
    except OSError as exc:
        raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        n = len(client.scheduler_info()["workers"])
        if n == 0:
            client.wait_for_workers(1, timeout=30)
            n = len(client.scheduler_info()["workers"])
        # pure=False: tasks are not deduplicated by hashing their (large) arguments
        yield Engine("dask", client.get_executor(pure=False), n,
                     share=lambda obj: client.scatter(obj, broadcast=True, hash=False))
    finally:
        client.close()
