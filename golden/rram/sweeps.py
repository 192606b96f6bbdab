"""The RRAM weight buffer's design space on the sweep layer (``hymem sweep rram space``).

One point is one design of seed 002 §5.2 on one network's conv layers: an I/O buffer macro,
a weight-buffer macro (its technology, SRAM or RRAM, is the macro's), an accumulation-buffer
depth, a loop order and a schedule level.  The default grid is the config's space: 5 I/O x
(5 SRAM + 5 RRAM) weight x 5 depths x 2 orders x 3 schedules = 1 500 points on VGG-11.

A batch is evaluated vectorised: its points are grouped by (network, technology) and each
group is one :func:`golden.rram.cost.evaluate` call over the product of the values the group
takes (contiguous batches make that product the batch itself, or little more).  The row holds
the energy breakdown in pJ exactly as the model computed it, so :func:`space_from_rows` rebuilds
the :class:`~golden.rram.cost.SpaceResult` that ``hymem rram dse`` prints and plots.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.sweep import Axis, study

from .cost import ROWS, TECHS, Axes, SpaceResult, evaluate
from .loopnest import ORDERS
from .macros import acc_macro, macro, technology
from .params import RramConfig, load_params
from .schedule import LEVELS

PJ_COLUMNS = tuple(f"{r.replace(' ', '_')}_pj" for r in ROWS)
DESIGN_AXES = ("weight_macro", "io_macro", "acc_depth", "order", "schedule")


def _default() -> RramConfig:
    return load_params()


def _check_macro(kinds: tuple[str, ...]):
    def check(name: str) -> None:
        m = macro(technology(_default().tech), name)   # unknown names list the valid ones
        if m.kind not in kinds:
            raise ConfigError(f"{name!r} is a {m.kind} macro; this axis takes "
                              f"{' or '.join(kinds)} macros")
    return check


def _check_depth(depth: int) -> None:
    acc_macro(technology(_default().tech), depth)      # a depth not in Table 5 lists them


def _axes() -> dict[str, Axis]:
    sp = _default().space
    return {"weight_macro": Axis(sp.sram_weight_macros + sp.rram_weight_macros,
                                 check=_check_macro(TECHS)),
            "io_macro": Axis(sp.io_macros, check=_check_macro(("sram",))),
            "acc_depth": Axis(sp.acc_depths, minimum=0, check=_check_depth),
            "order": Axis(ORDERS, choices=ORDERS),
            "schedule": Axis(LEVELS, choices=LEVELS)}


@lru_cache(maxsize=16)
def _layers(network: str):
    from .study import network_layers

    return network_layers(network)


def _groups(points, key):
    groups: dict = {}
    for i, p in enumerate(points):
        groups.setdefault(key(p), []).append(i)
    return groups.items()


def point_row(r: SpaceResult, k: int) -> dict:
    """The outputs of design ``k`` of ``r``: exact pJ per breakdown row, then the record's
    derived values as ``SpaceResult.point`` computes them."""
    rec = r.point(k)
    return {"tech": rec["tech"], "io_kb": rec["io_kb"], "weight_kb": rec["weight_kb"],
            **{c: float(v) for c, v in zip(PJ_COLUMNS, r.breakdown_pj[k], strict=True)},
            "total_uj": rec["total_uj"], "time_s": float(r.time_s[k]), "time_ms": rec["time_ms"],
            "cycles": float(r.cycles[k]), "bandwidth_bound": rec["bandwidth_bound"],
            "bound": rec["bound"]}


@study("rram", "space", config=load_params, networks=("vgg11",), prepare=lambda cfg: cfg,
       axes=_axes(), batch=750, heat="total_uj", pareto=("time_ms", "total_uj"),
       heat_axes=("weight_macro", "io_macro"),
       description="seed 002 §5.2 design space: I/O x weight macro x acc depth x order x "
                   "schedule (vectorised)")
def space(points, cfg: RramConfig) -> list[dict]:
    tech_table = technology(cfg.tech)
    rows: list[dict | None] = [None] * len(points)
    for (net, tech), idx in _groups(points, lambda p: (
            p["network"], macro(tech_table, p["weight_macro"]).kind)):
        values = {a: tuple(dict.fromkeys(points[i][a] for i in idx)) for a in DESIGN_AXES}
        axes = Axes((tech,), values["io_macro"], {tech: values["weight_macro"]},
                    values["acc_depth"], values["order"], values["schedule"])
        r = evaluate(_layers(net), cfg, axes)
        order = ("io_macro", "weight_macro", "acc_depth", "order", "schedule")  # r's C order
        shape = tuple(len(values[a]) for a in order)
        for i in idx:
            k = np.ravel_multi_index(tuple(values[a].index(points[i][a]) for a in order), shape)
            rows[i] = point_row(r, int(k))
    return rows


def _sort_key(cfg: RramConfig):
    """SpaceResult order: tech, I/O, weight (within its tech), depth, order, schedule."""
    sp = cfg.space
    weights = {"sram": sp.sram_weight_macros, "rram": sp.rram_weight_macros}
    return lambda row: (TECHS.index(row["tech"]), sp.io_macros.index(row["io_macro"]),
                        weights[row["tech"]].index(row["weight_macro"]),
                        sp.acc_depths.index(row["acc_depth"]), ORDERS.index(row["order"]),
                        LEVELS.index(row["schedule"]))


def space_from_rows(rows: list[dict], cfg: RramConfig) -> SpaceResult:
    """The :class:`SpaceResult` of a full ``space`` sweep of one network (its rows in any
    order), in the order :func:`golden.rram.cost.evaluate` gives the config's space."""
    rows = sorted(rows, key=_sort_key(cfg))

    def col(name, dtype=None):
        return np.array([r[name] for r in rows], dtype=dtype)
    return SpaceResult(
        tech=col("tech"), io_macro=col("io_macro"), weight_macro=col("weight_macro"),
        io_bytes=col("io_kb", np.int64) * 1024, weight_bytes=col("weight_kb", np.int64) * 1024,
        acc_depth=col("acc_depth", np.int64), order=col("order"), schedule=col("schedule"),
        breakdown_pj=np.array([[r[c] for c in PJ_COLUMNS] for r in rows], dtype=np.float64),
        time_s=col("time_s", np.float64), cycles=col("cycles", np.float64),
        bandwidth_bound=col("bandwidth_bound", bool), bound=col("bound"))


def space_grid(cfg: RramConfig) -> dict[str, tuple]:
    """The config's whole design space as a sweep grid."""
    sp = cfg.space
    return {"weight_macro": sp.sram_weight_macros + sp.rram_weight_macros,
            "io_macro": sp.io_macros, "acc_depth": sp.acc_depths, "order": ORDERS,
            "schedule": LEVELS}


__all__ = ["PJ_COLUMNS", "point_row", "space", "space_from_rows", "space_grid"]
