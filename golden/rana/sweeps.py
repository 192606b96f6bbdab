"""RANA's design-space studies on the sweep layer (``hymem sweep rana ...``).

* ``tiling`` — the scheduler's inner search space, exposed: every (layer, pattern, Tm, Tn, Tr,
  Tc) of a network on one design's buffer, evaluated with the vectorised cost model (eqs. 1-14)
  in one call per (layer, pattern) of a batch.  A tile larger than its dimension is clipped to
  it (``*_used`` columns), as the scheduler does; ``core_fits``/``feasible`` say whether the
  scheduler could pick the point.  Points are layers taken alone (divider phase 0, no
  controller overhead), so a network's sum is not ``schedule_network``'s total to the cycle.
* ``buffer`` — Fig. 18: whole-network schedules over the buffer capacity scale.
* ``retention`` — Fig. 16: whole-network schedules over the retention time (refresh interval).
* ``training`` — Fig. 11 analog: one (failure rate, repeat) of the retention-aware training
  study per point (``hymem rana train`` runs on it); rates must be among the options' rates,
  whose positions seed the errors.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from hymem.golden.sweep import Axis, study

from .config_words import Pattern
from .cost import EVENTS, energy_pj, layer_counts, tech_costs
from .designs import DESIGNS, design_buffer, get_design
from .lifetime import Tiling, core_fits, lifetime_cycles, utilization
from .params import RanaConfig, load_rana_config
from .scheduler import conv_layers, schedule_network
from .study import BENCHMARKS, FIG16_DESIGNS, SWEEP_INTERVALS_US, SWEEP_SCALES
from .training import RATES, StudyOptions, _Evaluator, point_accuracy

DESIGN_NAMES = tuple(DESIGNS)
PATTERNS = tuple(p.name for p in Pattern)


@lru_cache(maxsize=32)
def _convs(network: str) -> dict:
    return {name: (shape, groups) for name, shape, groups in conv_layers(network)}


def _layer_axis(network: str) -> dict[str, Axis]:
    names = tuple(_convs(network))
    return {"layer": Axis(names, choices=names)}


def _same(points, key):
    groups: dict = {}
    for i, p in enumerate(points):
        groups.setdefault(key(p), []).append(i)
    return groups.items()


@study("rana", "tiling", config=load_rana_config, networks=("resnet50",),
       network_axes=_layer_axis, prepare=lambda cfg: cfg, batch=20000,
       axes={"design": Axis(("RANA*(E-5)",), choices=DESIGN_NAMES),
             "pattern": Axis(PATTERNS, choices=PATTERNS),
             "tm": Axis((16, 32, 64, 128, 256, 512), minimum=1),
             "tn": Axis((1, 2, 4, 8, 16, 32, 64), minimum=1),
             "tr": Axis((1, 2, 4, 7, 14, 28, 56), minimum=1),
             "tc": Axis((7, 14, 16, 28, 56), minimum=1)},
       heat="energy_pj", pareto=("cycles", "energy_pj"),
       description="per-layer tilings x patterns on one design's buffer (eqs. 1-14, vectorised)")
def tiling(points, cfg: RanaConfig) -> list[dict]:
    rows: list[dict | None] = [None] * len(points)
    for (net, layer, design, pattern), idx in _same(
            points, lambda p: (p["network"], p["layer"], p["design"], p["pattern"])):
        shape, groups = _convs(net)[layer]
        d = get_design(design)
        buf = design_buffer(d, cfg)
        t = Tiling(*(np.minimum(np.array([points[i][k] for i in idx]), dim) for k, dim in
                     (("tm", shape.M), ("tn", shape.N), ("tr", shape.R), ("tc", shape.C))))
        counts = layer_counts(shape, Pattern[pattern], t, cfg.platform, buf, groups)
        energy = energy_pj(counts, tech_costs(cfg.tech, d.buffer_kind))
        fits = core_fits(shape, t, cfg.core) & np.ones(len(idx), bool)
        eta = utilization(shape, t, cfg.platform)
        life = lifetime_cycles(shape, Pattern[pattern], t, cfg.platform)
        cols = {"tm_used": t.tm, "tn_used": t.tn, "tr_used": t.tr, "tc_used": t.tc,
                "core_fits": fits, "feasible": fits & counts["feasible"],
                "energy_pj": energy, "cycles": counts["cycles"], "eta": eta,
                **{e: counts[e] for e in EVENTS},
                "storage_words": counts["storage_words"]["total"],
                **{f"lifetime_{k}_us": life[k] / cfg.platform.freq_hz * 1e6 for k in life}}
        cols = {k: np.broadcast_to(np.asarray(v), (len(idx),)).tolist() for k, v in cols.items()}
        for j, i in enumerate(idx):
            rows[i] = {k: v[j] for k, v in cols.items()}
    return rows


def _schedule_row(s) -> dict:
    energy = s.energy_pj()
    totals = s.totals()
    return {**{f"energy_{e}_pj": energy[e] for e in EVENTS}, "total_pj": s.total_pj(),
            **{f"{e}_count": totals[e] for e in EVENTS}, "cycles": totals["cycles"]}


@study("rana", "buffer", config=load_rana_config, networks=BENCHMARKS, prepare=lambda cfg: cfg,
       batch=1, axes={"design": Axis(("RANA(E-5)", "RANA*(E-5)"), choices=DESIGN_NAMES),
                      "capacity_scale": Axis(SWEEP_SCALES, minimum=1 / 64)},
       heat="total_pj", pareto=("cycles", "total_pj"),
       description="Fig. 18: network schedules over the buffer capacity (x 1.454 MB)")
def buffer(points, cfg: RanaConfig) -> list[dict]:
    return [_schedule_row(schedule_network(p["network"], p["design"], cfg,
                                           capacity_scale=p["capacity_scale"])) for p in points]


@study("rana", "retention", config=load_rana_config, networks=("resnet50",),
       prepare=lambda cfg: cfg, batch=1,
       axes={"design": Axis(FIG16_DESIGNS, choices=DESIGN_NAMES),
             "interval_us": Axis(SWEEP_INTERVALS_US, minimum=1)},
       heat="total_pj", pareto=("cycles", "total_pj"),
       description="Fig. 16: network schedules over the retention time = refresh interval (us)")
def retention(points, cfg: RanaConfig) -> list[dict]:
    return [_schedule_row(schedule_network(p["network"], p["design"], cfg,
                                           interval_us=float(p["interval_us"]))) for p in points]


def _evaluator(opts: StudyOptions):
    return _Evaluator(opts)


@study("rana", "training", config=StudyOptions, prepare=_evaluator, batch=1,
       axes={"rate": Axis(RATES, minimum=0.0), "repeat": Axis(tuple(range(5)), minimum=0)},
       heat="retrained_accuracy",
       description="Fig. 11 analog: digits CNN accuracy at a failure rate, plain and retrained")
def training(points, ev) -> list[dict]:
    return [point_accuracy(ev, p["rate"], p["repeat"]) for p in points]
