"""Run a study over a grid on an executor: batches, resume, failures, progress, the table.

:func:`run_sweep` expands the points, drops those already in ``out`` (``resume``), cuts the rest
into batches, submits one :func:`run_batch` per batch to the engine's executor and collects
them as they finish (appending each to the output log), then writes the table in point order.
A batch evaluates its points in one vectorised call; if that raises, it evaluates them one by
one so a failing point is reported with its parameters and the others still give rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hymem.golden.config import ConfigError

from . import output
from .executors import Engine, SerialExecutor, resolve
from .grid import effective_grid, expand, point_key, point_seed
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
    """JSON for numpy scalars a study left in its rows (Python numbers pass untouched)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"sweep outputs must be scalars, got {type(value).__name__}")


_JSON = json.JSONEncoder(default=_plain, allow_nan=True)


def _rows(points: list[dict], outputs: list[dict]) -> list[dict]:
    if len(outputs) != len(points):
        raise ValueError(f"evaluate returned {len(outputs)} rows for {len(points)} points")
    if points and points[0].keys() & outputs[0].keys():
        clash = sorted(points[0].keys() & outputs[0].keys())
        raise ValueError(f"output column(s) {', '.join(clash)} clash with parameters")
    return [{**p, **o} for p, o in zip(points, outputs, strict=True)]


def _csv_line(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def _csv_lines(rows: list[dict]) -> list[str]:
    """One CSV line per row: one writer for the batch, or one per row when a value holds a
    newline (the batch's text then has more lines than rows)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(r.values() for r in rows)
    text = buf.getvalue()  # str() of a numpy scalar is the number's repr, as for Python's
    if text.count("\n") != len(rows):
        return [_csv_line(r.values()) for r in rows]
    return text.split("\n")[:-1]


def _failure(point: dict, exc: Exception) -> dict:
    """A failed point: its parameters, the error, and whether the error is the input's
    (the project's user errors: an impossible configuration) or the code's."""
    from hymem.golden.workloads import WorkloadError

    return {"point": point, "error": f"{type(exc).__name__}: {exc}",
            "bad_input": isinstance(exc, ConfigError | WorkloadError)}


@dataclass
class BatchResult:
    """What a task sends back: its rows already serialised (the driver only orders text)."""

    indices: list[int]          # point index of each row, in order
    columns: list[str]          # the CSV columns of every row of this batch
    jsonl: list[str]
    csv: list[str]
    failures: list[dict]
    seconds: float


def _serialise(indices: list[int], rows: list[dict], failures: list[dict], t0: float):
    """The batch's rows as JSON and CSV text; ``seconds`` counts from ``t0`` to the end of this
    (the encoding is the task's work too, not scheduling)."""
    columns = list(rows[0]) if rows else []
    if any(list(r) != columns for r in rows):
        raise ValueError("the rows of one batch have different columns")
    res = BatchResult(indices, columns, [_JSON.encode(r) for r in rows], _csv_lines(rows),
                      failures, 0.0)
    res.seconds = time.perf_counter() - t0
    return res


def run_batch(system: str, name: str, context, start: int, points: list[dict]) -> BatchResult:
    """Evaluate one batch (points ``start``, ``start + 1``, ... of the run) in whatever process
    runs it."""
    st = get_study(system, name)
    t0 = time.perf_counter()
    context = resolve(context)
    indices = list(range(start, start + len(points)))
    try:
        rows, failures = _rows(points, st.evaluate(points, context)), []
    except Exception:  # noqa: BLE001  (isolate the failing points, below)
        rows, failures, kept = [], [], []
        for i, p in zip(indices, points, strict=True):
            try:
                rows += _rows([p], st.evaluate([p], context))
                kept.append(i)
            except Exception as exc:  # noqa: BLE001  (a failed point is data, not a crash)
                failures.append(_failure(p, exc))
        indices = kept
    return _serialise(indices, rows, failures, t0)


@dataclass
class SweepResult:
    study: Study
    lines: list[str]            # the rows as JSON, in point order
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
    _rows: list[dict] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[dict]:
        """The rows as dicts (parsed from their JSON on first use)."""
        if self._rows is None:
            self._rows = [json.loads(line) for line in self.lines]
        return self._rows

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


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def write(self, text: str, file=None) -> None:
        print(text, file=file)


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
    if not enabled:
        return _Borrowed(_NoBar())

    return tqdm(total=total, initial=initial, desc=desc, unit="pt", disable=None, smoothing=0.1,
                dynamic_ncols=True)


def _report_failure(fail: dict, bar) -> None:
    bar.write(f"failed point {json.dumps(fail['point'])}: {fail['error']}", file=sys.stderr)


def _collect(fut, batch_points):
    try:
        return fut.result()
    except Exception as exc:  # noqa: BLE001  (a lost task fails its points, not the sweep)
        fails = [_failure(p, exc) for p in batch_points]
        return BatchResult([], [], [], [], fails, 0.0)


def _resumed(out: Path, params: list[str], index_of: dict[str, int]):
    """Rows already in ``out``: {point index (or a key of an older grid): (json, csv, columns)}."""
    done = {}
    for row in output.read_rows(out):
        key = point_key({k: row[k] for k in params if k in row})
        done[index_of.get(key, key)] = (json.dumps(row), _csv_line(row.values()), list(row))
    return done


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
    axes = effective_grid(study, grid, networks)
    params = list(axes)
    config = study.config() if config is None else config
    meta = {"hymem_version": hymem_version(), "config_hash": config_hash(study, config),
            "system": study.system, "study": study.name, "parameters": params,
            "grid": axes,
            "points": len(points)}
    done: dict = {}
    if out is not None:
        output.check_resumable(out, meta, resume)
        if (out / output.RESULTS).is_file():
            done = _resumed(out, params, {point_key(p): i for i, p in enumerate(points)})
    if study.seeded:
        points = [{**p, "seed": point_seed(study, point_key(p))} for p in points]
    todo = [i for i in range(len(points)) if i not in done]
    size = batch_size(study, len(todo), engine.workers, batch)
    # contiguous runs of to-do points, at most `size` long, so a batch is (start, points)
    runs = [todo[i:i + size] for i in range(0, len(todo), size)]
    chunks = [c for run in runs for c in _contiguous(run)]
    if study.network_context:
        chunks = [c for chunk in chunks for c in _by_network(chunk, points)]
        contexts = _NetworkContexts(study, config, engine, chunks, points, context)
    else:
        contexts = _OneContext(study, config, engine, todo, context)
    result = SweepResult(study, [], [], engine.name, engine.workers, out, 0.0,
                         skipped=len(points) - len(todo), batch=size)
    log = output.RowLog(out) if out is not None else None
    bar = _progress(len(points), result.skipped, study.key, progress)
    in_order = not done  # the log already holds the rows in point order (no rewrite needed)
    try:
        for c, res in _completed(engine, chunks, lambda c: (
                run_batch, study.system, study.name, contexts.get(points[c[0]]), c[0],
                points[c[0]:c[-1] + 1]), contexts.done):
            in_order = in_order and (not res.indices or res.indices[0] == len(done))
            for i, js, cs in zip(res.indices, res.jsonl, res.csv, strict=True):
                done[i] = (js, cs, res.columns)
            if log:
                log.append(res.jsonl)
            for f in res.failures:
                _report_failure(f, bar)
            result.failures += res.failures
            result.busy_s += res.seconds
            result.computed += len(res.indices)
            result.tasks += 1
            bar.update(len(res.indices) + len(res.failures))
    finally:
        bar.close()
        if log:
            log.close()
    ordered = [done.pop(i) for i in range(len(points)) if i in done] + list(done.values())
    result.lines = [js for js, _, _ in ordered]
    result.wall_s = time.perf_counter() - t0
    result.meta = {**meta, "rows": len(ordered), "failed": len(result.failures),
                   "engine": engine.name, "workers": engine.workers, "batch": size,
                   "tasks": result.tasks, "computed": result.computed, "skipped": result.skipped,
                   "wall_s": result.wall_s, "busy_s": result.busy_s,
                   "scheduling_share": result.scheduling_share}
    if out is not None:
        output.write_table(out, ordered, result.failures, result.meta, rewrite_log=not in_order)
    return result


def _completed(engine: Engine, chunks: list[list[int]], call, done):
    """(chunk, BatchResult) as tasks finish, with at most 4 tasks per worker in flight (one for
    the serial engine, so its progress bar moves batch by batch); ``done(first point)`` after
    each (a network context is released after its last batch)."""
    window = 1 if isinstance(engine.executor, SerialExecutor) else 4 * engine.workers
    todo, pending = iter(chunks), {}
    while True:
        while len(pending) < window and (c := next(todo, None)) is not None:
            fn, *args = call(c)
            pending[engine.executor.submit(fn, *args)] = (c, args[-1])
        if not pending:
            return
        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
        for fut in finished:
            c, batch_points = pending.pop(fut)
            res = _collect(fut, batch_points)
            done(batch_points[0])
            yield c, res


class _OneContext:
    """The study's context (``prepare(config)`` or the caller's), shared once, for every batch."""

    def __init__(self, study: Study, config, engine: Engine, todo: list[int], context):
        if context is None and study.prepare and todo:
            context = study.prepare(config)
        self.context = engine.share(context) if context is not None and todo else context

    def get(self, point: dict):
        return self.context

    def done(self, point: dict) -> None:
        pass


class _NetworkContexts:
    """One context per network (``study.network_context(config, network)``, or the caller's
    ``{network: context}``), made when that network's first batch is submitted, shared with the
    workers once, and released after its last batch: one large trace in flight at a time."""

    def __init__(self, study: Study, config, engine: Engine, chunks, points, given=None):
        self.make = lambda net: (given[net] if given and net in given
                                 else study.network_context(config, net))
        self.engine = engine
        self.left: dict[str, int] = {}
        for c in chunks:
            net = points[c[0]]["network"]
            self.left[net] = self.left.get(net, 0) + 1
        self.live: dict[str, object] = {}

    def get(self, point: dict):
        net = point["network"]
        if net not in self.live:
            self.live[net] = self.engine.share(self.make(net))
        return self.live[net]

    def done(self, point: dict) -> None:
        net = point["network"]
        self.left[net] -= 1
        if not self.left[net]:
            self.engine.release(self.live.pop(net))


def _by_network(chunk: list[int], points: list[dict]) -> list[list[int]]:
    """Split a run of consecutive point indices where the network changes."""
    out = [[chunk[0]]]
    for i in chunk[1:]:
        if points[i]["network"] != points[out[-1][-1]]["network"]:
            out.append([])
        out[-1].append(i)
    return out


def _contiguous(run: list[int]) -> list[list[int]]:
    """Split a sorted list of indices into runs of consecutive ones."""
    chunks, cur = [], []
    for i in run:
        if cur and i != cur[-1] + 1:
            chunks.append(cur)
            cur = []
        cur.append(i)
    return chunks + ([cur] if cur else [])


def rows_of(study: Study, grid: dict | None = None, networks=None, engine: Engine | None = None,
            progress=False, config=None, context=None) -> list[dict]:
    """The rows of a sweep kept in memory (no output directory); a failed point raises:
    ``ConfigError`` when every failure is a bad input, else ``RuntimeError``."""
    res = run_sweep(study, grid, networks, engine, progress=progress, config=config,
                    context=context)
    if res.failures:
        f = res.failures[0]
        kind = ConfigError if all(x.get("bad_input") for x in res.failures) else RuntimeError
        raise kind(f"{len(res.failures)} point(s) of {study.key} failed, e.g. "
                   f"{json.dumps(f['point'])}: {f['error']}")
    return res.rows
