"""Where a sweep runs: always a ``concurrent.futures.Executor``.

* ``serial``: :class:`SerialExecutor`, in this process (``--workers 1``);
* ``local``: ``ProcessPoolExecutor`` sized to the cores this process may use (the default);
* ``dask``: ``distributed.Client(ADDRESS).get_executor()`` on a running Dask cluster
  (``--scheduler tcp://HOST:PORT``; the optional ``cluster`` extra).

A study's context (a deployed model, a SHyCache trace of up to a GB) reaches the workers once,
not with every task: :meth:`Engine.share` scatters it to every Dask worker, and on a local pool
writes it once to a file that each worker process loads on first use and keeps
(:class:`SharedFile`; a task then carries only the file's name).
"""

from __future__ import annotations

import itertools
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True)
class SharedFile:
    """A context written once by the driver (:class:`_FileShare`); tasks carry this handle and
    each worker process unpickles the file on first use and keeps the object (the last few)."""

    path: str

    def load(self):
        if self.path not in _LOADED:
            if len(_LOADED) >= _KEEP:  # contexts can be large: keep the most recent ones
                _LOADED.pop(next(iter(_LOADED)))
            with open(self.path, "rb") as f:
                _LOADED[self.path] = pickle.load(f)
        return _LOADED[self.path]


_LOADED: dict[str, object] = {}
_KEEP = 2


def resolve(context):
    """A task's context as the study sees it (a :class:`SharedFile` loaded in this process)."""
    return context.load() if isinstance(context, SharedFile) else context


class _FileShare:
    """``Engine.share`` of a local pool: pickle each object once into a private directory."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="hymem-share-"))
        self._count = itertools.count()

    def __call__(self, obj) -> SharedFile:
        path = self.dir / f"context-{os.getpid()}-{next(self._count)}.pkl"
        with open(path, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        return SharedFile(str(path))

    def release(self, shared) -> None:
        if isinstance(shared, SharedFile):  # workers keep what they loaded
            Path(shared.path).unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _keep(shared) -> None:
    """``Engine.release`` where nothing needs freeing (a Dask future is released when the
    driver drops it; a serial context is the object itself)."""


@dataclass
class Engine:
    """An executor, its kind and size, and ``share``: how to send one object (a study's
    context) to every worker once — on Dask a broadcast scatter, on a local pool a file each
    worker loads once (:class:`SharedFile`), serially the object itself."""

    name: str
    executor: Executor
    workers: int
    share: Callable = _same
    release: Callable = _keep  # the driver is done with a shared object


def local_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextmanager
def open_engine(workers: int | None = None, scheduler: str | None = None, pool: bool = False):
    """The :class:`Engine` for ``--workers`` / ``--scheduler``, shut down on exit.

    ``pool``: a process pool even for one worker (the like-for-like 1 -> 2 workers bench);
    otherwise one worker runs serially in this process."""
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers {workers}: need >= 1")
    if scheduler:
        with _dask(scheduler) as engine:
            yield engine
        return
    n = workers or local_cores()
    if n == 1 and not pool:
        yield Engine("serial", SerialExecutor(), 1)
        return
    executor, share = ProcessPoolExecutor(max_workers=n), _FileShare()
    try:
        yield Engine("local", executor, n, share=share, release=share.release)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        share.close()


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
