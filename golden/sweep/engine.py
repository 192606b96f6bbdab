"""Run a study over a grid on an executor: batches, resume, failures, progress, the table.

:func:`run_sweep` expands the points, drops those already in ``out`` (``resume``), cuts the rest
into batches, submits one :func:`run_batch` per batch to the engine's executor and collects
them as they finish (appending each to the output log), then writes the table in point order.
A batch evaluates its points in one vectorised call; if that raises, it evaluates them one by
one so a failing point is reported with its parameters and the others still give rows.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from golden.config import ConfigError

from . import output
from .executors import Engine, SerialExecutor
from .grid import expand, point_key, point_seed
from .registry import Study, get_study


def hymem_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hymem")
    except PackageNotFoundError:
        return "unknown"


def config_hash(study: Study, config=None) -> str:
    """16 hex digits over the study's parameter object (its frozen config dataclass)."""
    config = study.config() if config is None else config
    return hashlib.sha256(f"{study.key}|{config!r}".encode()).hexdigest()[:16]


def _plain(value):
    """A JSON/CSV-ready scalar: numpy scalars become Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict | list | tuple | np.ndarray):
        raise TypeError(f"sweep outputs must be scalars, got {type(value).__name__}")
    return value


def _rows(points: list[dict], outputs: list[dict]) -> list[dict]:
    if len(outputs) != len(points):
        raise ValueError(f"evaluate returned {len(outputs)} rows for {len(points)} points")
    rows = []
    for p, o in zip(points, outputs, strict=True):
        clash = p.keys() & o.keys()
        if clash:
            raise ValueError(f"output column(s) {', '.join(sorted(clash))} clash with parameters")
        rows.append({**p, **{k: _plain(v) for k, v in o.items()}})
    return rows


def run_batch(system: str, name: str, context, points: list[dict]):
    """Evaluate one batch in whatever process runs it: ``(rows, failures, seconds)``."""
    st = get_study(system, name)
    t0 = time.perf_counter()
    try:
        rows, failures = _rows(points, st.evaluate(points, context)), []
    except Exception:  # noqa: BLE001  (isolate the failing points, below)
        rows, failures = [], []
        for p in points:
            try:
                rows += _rows([p], st.evaluate([p], context))
            except Exception as exc:  # noqa: BLE001  (a failed point is data, not a crash)
                failures.append({"point": p, "error": f"{type(exc).__name__}: {exc}"})
    return rows, failures, time.perf_counter() - t0


@dataclass
class SweepResult:
    study: Study
    rows: list[dict]
    failures: list[dict]
    engine: str
    workers: int
    out: Path | None
    wall_s: float
    busy_s: float = 0.0
    computed: int = 0
    skipped: int = 0
    tasks: int = 0
    batch: int = 0
    meta: dict = field(default_factory=dict)

    @property
    def scheduling_share(self) -> float | None:
        """1 - (time inside the batches) / (workers x wall): scheduling, transfer, driver."""
        if not self.tasks or self.wall_s <= 0:
            return None
        return max(0.0, 1.0 - self.busy_s / (self.workers * self.wall_s))


def batch_size(study: Study, n_points: int, workers: int, batch: int | None) -> int:
    """``batch``, else the study's default, cut so every worker gets >= 4 batches to balance."""
    if batch is not None:
        if batch < 1:
            raise ConfigError(f"--batch {batch}: need >= 1")
        return batch
    if workers <= 1:
        return study.batch
    return max(1, min(study.batch, math.ceil(n_points / (4 * workers))))


class _Borrowed:
    """A caller's progress bar: advanced by the sweep, closed by its owner."""

    def __init__(self, bar):
        self.bar = bar

    def update(self, n: int) -> None:
        self.bar.update(n)

    def write(self, text: str, file=None) -> None:
        self.bar.write(text, file=file)

    def close(self) -> None:
        pass


def _progress(total: int, initial: int, desc: str, enabled):
    """A tqdm bar with ETA (shown on a terminal), or the caller's own bar (``enabled``)."""
    from tqdm import tqdm

    if hasattr(enabled, "update"):
        return _Borrowed(enabled)

    return tqdm(total=total, initial=initial, desc=desc, unit="pt", disable=None if enabled else True,
                smoothing=0.1, dynamic_ncols=True)


def _report_failure(fail: dict, bar) -> None:
    bar.write(f"failed point {json.dumps(fail['point'])}: {fail['error']}", file=sys.stderr)


def run_sweep(study: Study, grid: dict | None = None, networks=None, engine: Engine | None = None,
              out: Path | None = None, resume: bool = False, batch: int | None = None,
              progress=False, config=None, context=None) -> SweepResult:
    """Every point of ``grid`` x ``networks`` as one row each (see the module docstring).

    ``config`` replaces ``study.config()`` (hashed, and given to ``study.prepare``);
    ``context`` replaces ``study.prepare(config)``; ``progress`` is a flag (a tqdm bar with ETA
    on a terminal) or a bar of the caller's to advance."""
    t0 = time.perf_counter()
    engine = engine or Engine("serial", SerialExecutor(), 1)
    points = expand(study, grid, networks)
    params = list(dict.fromkeys(k for p in points for k in p))
    keys = [point_key(p) for p in points]
    if study.seeded:
        points = [{**p, "seed": point_seed(study, k)} for p, k in zip(points, keys, strict=True)]
    config = study.config() if config is None else config
    meta = {"hymem_version": hymem_version(), "config_hash": config_hash(study, config),
            "system": study.system, "study": study.name, "parameters": params,
            "grid": {k: sorted({p[k] for p in points if k in p}, key=str) for k in params},
            "points": len(points)}
    done: dict[str, tuple[dict, str]] = {}
    if out is not None:
        output.check_resumable(out, meta, resume)
        for row in output.read_rows(out):
            done[point_key({k: row[k] for k in params if k in row})] = (row, json.dumps(row))
    todo = [p for p, k in zip(points, keys, strict=True) if k not in done]
    size = batch_size(study, len(todo), engine.workers, batch)
    if context is None and study.prepare and todo:
        context = study.prepare(config)
    result = SweepResult(study, [], [], engine.name, engine.workers, out, 0.0,
                         skipped=len(points) - len(todo), batch=size)
    log = output.RowLog(out) if out is not None else None
    bar = _progress(len(points), result.skipped, study.key, progress)
    try:
        futures = {engine.executor.submit(run_batch, study.system, study.name, context,
                                          todo[i:i + size]): todo[i:i + size]
                   for i in range(0, len(todo), size)}
        result.tasks = len(futures)
        for fut in as_completed(futures):
            try:
                rows, failures, seconds = fut.result()
            except Exception as exc:  # noqa: BLE001  (a lost task fails its points, not the sweep)
                rows, seconds = [], 0.0
                failures = [{"point": p, "error": f"{type(exc).__name__}: {exc}"} for p in futures[fut]]
            lines = [json.dumps(r) for r in rows]
            for r, line in zip(rows, lines, strict=True):
                done[point_key({k: r[k] for k in params if k in r})] = (r, line)
            if log:
                log.append(lines)
            for f in failures:
                _report_failure(f, bar)
            result.failures += failures
            result.busy_s += seconds
            result.computed += len(rows)
            bar.update(len(rows) + len(failures))
    finally:
        bar.close()
        if log:
            log.close()
    ordered = [done.pop(k) for k in keys if k in done] + list(done.values())  # extras: older grids
    result.rows = [r for r, _ in ordered]
    result.wall_s = time.perf_counter() - t0
    result.meta = {**meta, "rows": len(result.rows), "failed": len(result.failures),
                   "engine": engine.name, "workers": engine.workers, "batch": size,
                   "tasks": result.tasks, "computed": result.computed, "skipped": result.skipped,
                   "wall_s": result.wall_s, "busy_s": result.busy_s,
                   "scheduling_share": result.scheduling_share}
    if out is not None:
        output.write_table(out, result.rows, [line for _, line in ordered], result.failures,
                           result.meta)
    return result


def rows_of(study: Study, grid: dict | None = None, networks=None, engine: Engine | None = None,
            progress=False, config=None, context=None) -> list[dict]:
    """The rows of a sweep kept in memory (no output directory); any failed point raises."""
    res = run_sweep(study, grid, networks, engine, progress=progress, config=config,
                    context=context)
    if res.failures:
        f = res.failures[0]
        raise ConfigError(f"{len(res.failures)} point(s) of {study.key} failed, e.g. "
                          f"{json.dumps(f['point'])}: {f['error']}")
    return res.rows
