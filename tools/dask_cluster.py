"""A real Dask distributed cluster on 127.0.0.1 for tests and benchmarks: one ``dask scheduler``
process and N ``dask worker`` processes (one thread each, no nanny, so a killed worker stays
dead), started with this checkout first on ``PYTHONPATH`` and torn down on exit.

    with LocalDaskCluster(workers=2) as cluster:
        ... hymem sweep ... --scheduler cluster.address
        cluster.kill_worker(0)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only


class LocalDaskCluster:
    def __init__(self, workers: int = 2, start_timeout_s: float = 120.0):
        self.n_workers = workers
        self.timeout = start_timeout_s
        self.address: str | None = None
        self.scheduler: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="hymem-dask-")

    def _spawn(self, *args: str, log: str) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
            # send queued tasks to the workers at once instead of one per free thread: a sweep's
            # tasks are independent and the driver already bounds how many are in flight
            "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "inf"}
        out = open(Path(self._tmp.name) / log, "w")  # noqa: SIM115  (closed with the process)
        dask = Path(sys.executable).with_name("dask")
        return subprocess.Popen([str(dask), *args], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)

    def start(self) -> Self:
        sched_file = Path(self._tmp.name) / "scheduler.json"
        self.scheduler = self._spawn("scheduler", "--host", HOST, "--port", "0", "--no-dashboard",
                                     "--scheduler-file", str(sched_file), log="scheduler.log")
        deadline = time.monotonic() + self.timeout
        while not sched_file.is_file():
            self._check_alive(self.scheduler, "scheduler", deadline)
            time.sleep(0.1)
        self.address = json.loads(sched_file.read_text())["address"]
        for i in range(self.n_workers):
            self.workers.append(self._spawn(
                "worker", self.address, "--host", HOST, "--nthreads", "1", "--no-nanny",
                "--no-dashboard", "--name", f"w{i}", "--local-directory", self._tmp.name,
                log=f"worker{i}.log"))
        self.wait_for_workers(self.n_workers, deadline)
        return self

    def wait_for_workers(self, n: int, deadline: float) -> None:
        from distributed import Client

        with Client(self.address, timeout="30s") as client:
            while len(client.scheduler_info()["workers"]) < n:
                for i, w in enumerate(self.workers):
                    self._check_alive(w, f"worker {i}", deadline)
                time.sleep(0.2)

    def _check_alive(self, proc: subprocess.Popen, what: str, deadline: float) -> None:
        if proc.poll() is not None or time.monotonic() > deadline:
            logs = "\n".join(p.read_text()[-2000:] for p in Path(self._tmp.name).glob("*.log"))
            self.close()
            raise RuntimeError(f"Dask {what} did not start (exit {proc.poll()}):\n{logs}")

    def kill_worker(self, i: int) -> None:
        """SIGKILL worker ``i`` (a crash: no goodbye to the scheduler)."""
        self.workers[i].send_signal(signal.SIGKILL)
        self.workers[i].wait(timeout=30)

    def close(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, self.scheduler]:
            if proc is None:
                continue
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)
        self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
