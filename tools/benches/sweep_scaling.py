"""Benchmark: the sweep layer's throughput and scaling (``make bench BENCH=sweep``).

* cheap study — ``rana tiling`` (RANA's per-layer scheduling space, vectorised cost model) on its
  default grid (ResNet-50, 233 730 points): points/s serial, local pool x2, Dask x2, end to end
  (expansion, evaluation, the CSV/JSON-lines table on disk).  Target >= 1e4 points/s.
* expensive study — ``maxnvm faults`` (one digits-CNN fault map per point) with ``TRIALS``
  trials: points/s serially and on 1 and 2 workers of a local process pool and of a real Dask
  cluster on 127.0.0.1 (tools/dask_cluster.py), the 1 -> 2 worker speed-up of each engine like
  for like (a pool of one process against a pool of two; target >= 1.8x) and the Dask
  scheduling share, 1 - (time inside batches) / (workers x wall) (target <= 5 %).  The
  deployed model is prepared once beforehand (``prepare``, timed separately) and shared with
  the workers once (``Engine.share``).
* large context — ``shycache grid`` on SqueezeNet's trace (``SHIP_NETWORK``, 35 geometries,
  one per task) on a local pool x2, the prepared trace shared once per network (the study's
  ``network_context``) against pickled with every task: wall clock of each.
* per-task overhead: ``OVERHEAD_TASKS`` empty batches (with the expensive study's context)
  through each executor — also the warm-up of its workers — and the batch size it implies on
  Dask: the smallest batch whose overhead is <= 5 % of its work,
  ``overhead / (0.05 x seconds per point)``.

Timings on a shared machine: the load average is recorded in every note.
"""

from __future__ import annotations

import math
import os
import shutil
import time

TRIALS = 60            # maxnvm faults: 2 techs x 14 rows x 3 bpc x TRIALS points
SHIP_NETWORK = "squeezenet1_0"
ROUNDTRIP_NETWORKS = ("squeezenet1_0", "resnet50")   # the per-task cost sharing once avoids
OVERHEAD_TASKS = 200
SHARE_TARGET = 0.05


def _load() -> str:
    return "load avg " + "/".join(f"{x:.1f}" for x in os.getloadavg())


def _sweep(study, engine, out=None, **kw):
    from hymem.golden.sweep import run_sweep

    if out is not None and out.exists():
        shutil.rmtree(out)
    return run_sweep(study, engine=engine, out=out, **kw)


def _task_overhead(engine, study, context, n: int = OVERHEAD_TASKS) -> float:
    """Seconds of executor overhead per task (throughput x workers) for an empty batch."""
    from concurrent.futures import wait

    from hymem.golden.sweep import run_batch

    shared = engine.share(context)  # as run_sweep sends it: a Dask scatter, else with each task
    t0 = time.perf_counter()
    wait([engine.executor.submit(run_batch, study.system, study.name, shared, 0, [])
          for _ in range(n)])
    return (time.perf_counter() - t0) * engine.workers / n


def _engines():
    """(label, engine factory) for local pools and Dask clusters of 1 and 2 workers."""
    from hymem.golden.sweep import open_engine
    from hymem.tools.dask_cluster import LocalDaskCluster

    class _Dask:
        def __init__(self, n):
            self.n, self.cluster, self.cm = n, None, None

        def __enter__(self):
            self.cluster = LocalDaskCluster(workers=self.n).start()
            self.cm = open_engine(scheduler=self.cluster.address)
            return self.cm.__enter__()

        def __exit__(self, *exc):
            self.cm.__exit__(*exc)
            self.cluster.close()

    return {"serial": lambda: open_engine(1), "local1": lambda: open_engine(1, pool=True),
            "local2": lambda: open_engine(2), "dask1": lambda: _Dask(1), "dask2": lambda: _Dask(2)}


def _roundtrips(cfg) -> list[dict]:
    """What one task would pay to carry a network's prepared trace: pickle + unpickle."""
    import pickle

    from hymem.golden.shycache.sweeps import network_context

    recs = []
    for net in ROUNDTRIP_NETWORKS:
        context = network_context(cfg, net)
        t0 = time.perf_counter()
        blob = pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(blob)
        wall = time.perf_counter() - t0
        recs.append({"name": f"sweep_shycache_context_roundtrip_{net}_s", "figure": round(wall, 3),
                     "unit": "s", "note": f"pickle + unpickle of {net}'s prepared trace "
                                          f"({len(blob) / 1e6:.0f} MB) in one process: the least a "
                                          "task carrying it would add (a local pool also pipes "
                                          f"it, Dask also sends it); {_load()}"})
        del context, blob
    return recs


def _ship_once_vs_per_task(engines) -> list[dict]:
    """SHyCache grid on one network, local pool x2: the trace shared once vs with every task."""
    import dataclasses
    import pickle

    from hymem.golden.shycache.sweeps import network_context
    from hymem.golden.sweep import get_study, run_sweep

    st = get_study("shycache", "grid")
    cfg = st.config()
    context = network_context(cfg, SHIP_NETWORK)   # warms the trace cache; sized below
    t0 = time.perf_counter()
    size = len(pickle.dumps(context, protocol=pickle.HIGHEST_PROTOCOL))
    pickle_s = time.perf_counter() - t0
    walls, lines = {}, {}
    for how in ("once", "per_task"):
        with engines["local2"]() as eng:
            if how == "per_task":
                eng = dataclasses.replace(eng, share=lambda obj: obj, release=lambda obj: None)
            run_sweep(st, {"l1": ("0/32",), "l2": ("none",)}, [SHIP_NETWORK], eng)  # warm-up
            res = run_sweep(st, None, [SHIP_NETWORK], eng, batch=1)
            walls[how], lines[how] = res.wall_s, res.lines
            load = _load()
    assert lines["once"] == lines["per_task"]
    return _roundtrips(cfg) + [{"name": f"sweep_shycache_context_{how}_s", "figure": round(wall, 2), "unit": "s",
             "note": f"shycache grid, {SHIP_NETWORK} ({len(res.rows)} geometries, one per task) "
                     f"on a local pool x2, prepared trace ({size / 1e6:.0f} MB pickled, "
                     f"{pickle_s:.2f} s to pickle) "
                     + ("shared once per network" if how == "once" else "pickled with every task")
                     + f"; rows equal; {load}"} for how, wall in walls.items()]


def run() -> list[dict]:
    from hymem.golden.sweep import get_study, open_engine
    from hymem.tools.toolchain import BUILD

    out_dir = BUILD / "bench" / "sweep"
    engines = _engines()
    recs = []
    cheap = get_study("rana", "tiling")
    for label in ("serial", "local2", "dask2"):
        with engines[label]() as eng:
            res = _sweep(cheap, eng, out_dir / f"cheap-{label}")
            load = _load()
        rate = len(res.rows) / res.wall_s
        recs.append({"name": f"sweep_cheap_{label}_points_per_s", "figure": round(rate), "unit": "points/s",
                     "note": f"rana tiling, {len(res.rows)} points in {res.wall_s:.2f} s on {res.engine} "
                             f"x{res.workers}, batch {res.batch}, table written; target >= 1e4: "
                             f"{'met' if rate >= 1e4 else 'MISSED'}; {load}"})
    rram = get_study("rram", "space")
    for label in ("serial", "local2"):
        with engines[label]() as eng:
            res = _sweep(rram, eng, out_dir / f"rram-{label}")
            load = _load()
        recs.append({"name": f"sweep_rram_space_{label}_points_per_s",
                     "figure": round(len(res.rows) / res.wall_s), "unit": "points/s",
                     "note": f"rram space (seed 002 design space, VGG-11), {len(res.rows)} points "
                             f"in {res.wall_s:.2f} s on {res.engine} x{res.workers}, batch "
                             f"{res.batch}, table written; {load}"})
    expensive = get_study("maxnvm", "faults")
    grid = {"trial": tuple(range(TRIALS))}
    t0 = time.perf_counter()
    context = expensive.prepare(expensive.config())
    prep = time.perf_counter() - t0
    with open_engine(1) as eng:
        serial = _sweep(expensive, eng, grid=grid, context=context)
    per_point = serial.busy_s / len(serial.rows)
    loads = {"serial": _load()}
    rates = {"serial": len(serial.rows) / serial.wall_s}
    shares = {"serial": serial.scheduling_share}
    overhead, batch = {}, None
    for label in ("dask2", "local2", "local1", "dask1"):  # dask2 first: it sets the batch
        with engines[label]() as eng:
            # also the warm-up: every worker has imported the models and holds the context
            overhead[label] = _task_overhead(eng, expensive, context)
            if batch is None:
                batch = max(1, math.ceil(overhead[label] / (SHARE_TARGET * per_point)))
            res = _sweep(expensive, eng, grid=grid, context=context, batch=batch)
            loads[label] = _load()
        assert res.lines == serial.lines, f"{label} rows differ from serial"
        rates[label] = len(res.rows) / res.wall_s
        shares[label] = res.scheduling_share
    n = len(serial.rows)
    for label, rate in rates.items():
        recs.append({"name": f"sweep_expensive_{label}_points_per_s", "figure": round(rate, 1),
                     "unit": "points/s",
                     "note": f"maxnvm faults, {n} fault maps ({TRIALS} trials), batch "
                             f"{batch if label != 'serial' else serial.batch}, rows == serial; "
                             f"prepare (deploy) {prep:.1f} s not included; {loads[label]}"})
    pairs = (("local", "local1", "local2"), ("dask", "dask1", "dask2"))
    for kind, one, two in pairs:
        speedup = rates[two] / rates[one]
        recs.append({"name": f"sweep_expensive_{kind}_scaling_1_to_2", "figure": round(speedup, 3),
                     "unit": "x", "note": f"{two} / {one} points/s (like for like: a {kind} "
                                          f"engine of 1 and of 2 workers); target >= 1.8x: "
                                          f"{'met' if speedup >= 1.8 else 'MISSED'}; {loads[two]}"})
    recs.append({"name": "sweep_expensive_local2_vs_serial", "figure":
                 round(rates["local2"] / rates["serial"], 3), "unit": "x",
                 "note": "local2 / serial points/s (serial has no pool overhead at all, so this is "
                         f"not a 1 -> 2 workers figure); {loads['local2']}"})
    for kind, one, two in pairs:
        estimate = 2 * (1 - shares[two]) / (1 - (shares.get(one) or 0.0))
        recs.append({"name": f"sweep_expensive_{kind}_scaling_estimate", "figure": round(estimate, 3),
                     "unit": "x", "note": f"2 x (1 - scheduling share of {two}) / (1 - that of {one}): "
                                          "the speed-up on otherwise idle cores, from the measured "
                                          "busy fractions (less sensitive to other users' load)"})
    share = shares["dask2"]
    recs.append({"name": "sweep_dask_scheduling_share", "figure": round(100 * share, 2), "unit": "%",
                 "note": f"1 - busy / (2 x wall) on the 2-worker Dask cluster, batch {batch}; "
                         f"target <= 5 %: {'met' if share <= SHARE_TARGET else 'MISSED'}; local pool "
                         f"x2 {100 * shares['local2']:.2f} %, x1 {100 * shares['local1']:.2f} %, "
                         f"Dask x1 {100 * shares['dask1']:.2f} %"})
    for label, sec in overhead.items():
        recs.append({"name": f"sweep_task_overhead_{label}_ms", "figure": round(1e3 * sec, 3), "unit": "ms",
                     "note": f"per task (throughput x workers), {OVERHEAD_TASKS} empty batches with "
                             f"the maxnvm context as the sweep sends it; {loads[label]}"})
    recs.append({"name": "sweep_expensive_batch_chosen", "figure": batch, "unit": "points",
                 "note": f"ceil(Dask x2 overhead {1e3 * overhead['dask2']:.2f} ms / (5 % x "
                         f"{1e3 * per_point:.3f} ms per fault map)); study default {expensive.batch}"})
    recs += _ship_once_vs_per_task(engines)
    return recs


if __name__ == "__main__":
    for rec in run():
        print(rec)
