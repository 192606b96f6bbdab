"""The seed-002 experiments on VGG-11's conv layers, computed from the design space: Table 6's
pair, the best designs per technology (§5.2, "-18 %"), the schedule study of §5.3, the
accumulation-buffer study of §5.4 and the loop-order figures of §5.2.  Claims, CLI and plots
all read these functions, so each figure is computed in one place."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from hymem.golden.rram.cost import SpaceResult, array_layers, default_axes, evaluate, evaluate_design
from hymem.golden.rram.params import RramConfig, load_params
from hymem.golden.workloads import get_network, load_network

# seed 002 Table 6: both designs have a 1 MB SRAM I/O buffer (8 x 128 KB), kernel-first order
# (no accumulation buffer: "This shows the necessity of using buffer ... for accumulation",
# §5.4) and every schedule optimisation; weight buffer 1 MB RRAM (8 x 128 KB) / 128 KB SRAM.
TABLE6_DESIGNS = {"rram": ("sram_128k", "rram_128k"), "sram": ("sram_128k", "sram_16k")}
# §5.3: "Input/output buffer is 128KB SRAM and weight buffer varies from 1MB to 16MB RRAM"
SEC53_IO = "sram_16k"
ONCHIP_ROWS = (0, 1, 3, 4, 6, 7)   # iobuf, weight, accbuf reads and writes (cost.ROWS)
DDR_ROWS = (2, 5)


def network_layers(net: str = "vgg11"):
    return array_layers(load_network(net).layers)


@lru_cache(maxsize=8)   # the default and the claims' other readings (claims.py)
def _space(cfg: RramConfig, net: str) -> SpaceResult:
    return evaluate(network_layers(net), cfg, default_axes(cfg))


def space(cfg: RramConfig | None = None, net: str = "vgg11") -> SpaceResult:
    """The whole two-technology design space on ``net`` (cached per config)."""
    return _space(cfg or load_params(), net)


def dse_rows(cfg: RramConfig, net: str) -> list[dict]:
    """Every design point of ``net`` as JSON rows: a pure function of (params, network), the
    shape a sweep layer batches over executors."""
    r = evaluate(network_layers(net), cfg, default_axes(cfg))
    return [r.point(k) for k in range(len(r))]


def table6(cfg: RramConfig | None = None) -> dict[str, dict]:
    cfg = cfg or load_params()
    layers = array_layers(get_network("vgg11").layers)
    return {tech: evaluate_design(layers, cfg, tech, io, w, 0, "kernel_first", "fixed")
            for tech, (io, w) in TABLE6_DESIGNS.items()}


def best(r: SpaceResult, **match) -> int:
    """Index of the lowest-energy point among those matching ``match``."""
    ix = r.where(**match)
    return int(ix[np.argmin(r.total_pj[ix])])


def rram_vs_sram(r: SpaceResult) -> float:
    """§5.4 / abstract: best RRAM design's total energy relative to the best SRAM design's - 1."""
    return r.total_pj[best(r, tech="rram")] / r.total_pj[best(r, tech="sram")] - 1


def schedule_study(r: SpaceResult, weight_macros, order: str | None = None) -> list[dict]:
    """§5.3 per RRAM weight size: DDR energy and best total per schedule level (over every
    design of that size, or only those of loop order ``order``)."""
    ddr = r.breakdown_pj[:, list(DDR_ROWS)].sum(axis=1)
    match = {"order": order} if order else {}
    rows = []
    for w in weight_macros:
        entry = {"weight_macro": w}
        for level in ("single", "cross", "fixed"):
            ix = r.where(tech="rram", io_macro=SEC53_IO, weight_macro=w, schedule=level, **match)
            entry[f"ddr_{level}_uj"] = float(ddr[ix].min()) / 1e6
            entry[f"total_{level}_uj"] = float(r.total_pj[ix].min()) / 1e6
        entry["ddr_reduction"] = 1 - entry["ddr_fixed_uj"] / entry["ddr_single_uj"]
        entry["total_reduction"] = 1 - entry["total_fixed_uj"] / entry["total_single_uj"]
        rows.append(entry)
    return rows


def onchip_dynamic(r: SpaceResult) -> np.ndarray:
    return r.breakdown_pj[:, list(ONCHIP_ROWS)].sum(axis=1)


def acc_study(r: SpaceResult, tech: str) -> dict:
    """§5.4: lowest on-chip buffer dynamic energy (all schedule optimisations) per accumulation
    depth, over every buffer size (and both orders without a buffer; pixel-first, the order that
    uses it, with one); reduction of the best depth against none."""
    dyn = onchip_dynamic(r)
    per_depth = {}
    for d in np.unique(r.acc_depth):   # a buffer is used by pixel-first only
        match = {"order": "pixel_first"} if d else {}
        ix = r.where(tech=tech, acc_depth=d, schedule="fixed", **match)
        per_depth[int(d)] = float(dyn[ix].min()) / 1e6
    with_acc = min(v for d, v in per_depth.items() if d)
    return {"per_depth_uj": per_depth, "reduction": 1 - with_acc / per_depth[0]}


def smallest_rram_order_saving(r: SpaceResult, io_macro: str, weight_macro: str) -> dict:
    """§5.2: on the smallest RRAM design, the saving of pixel-first (best accumulation depth)
    against kernel-first, all schedule optimisations."""
    kf = best(r, tech="rram", io_macro=io_macro, weight_macro=weight_macro,
              order="kernel_first", schedule="fixed")
    pf = best(r, tech="rram", io_macro=io_macro, weight_macro=weight_macro,
              order="pixel_first", schedule="fixed")
    return {"kernel_first_uj": float(r.total_pj[kf]) / 1e6,
            "pixel_first_uj": float(r.total_pj[pf]) / 1e6,
            "acc_depth": int(r.acc_depth[pf]),
            "saving": 1 - float(r.total_pj[pf] / r.total_pj[kf])}


def with_model(cfg: RramConfig, **model) -> RramConfig:
    """``cfg`` with some ``[model]`` choices replaced (the other reading of a claim)."""
    return replace(cfg, model=replace(cfg.model, **model))


def kernel_first_floor(r: SpaceResult, weight_macro: str) -> float:
    """Lowest total (µJ) of any kernel-first point with weight banks ``weight_macro``."""
    ix = r.where(tech="rram", order="kernel_first", weight_macro=weight_macro)
    return float(r.total_pj[ix].min()) / 1e6


__all__ = ["SEC53_IO", "TABLE6_DESIGNS", "acc_study", "best", "dse_rows", "kernel_first_floor",
           "network_layers", "onchip_dynamic", "rram_vs_sram", "schedule_study",
           "smallest_rram_order_saving", "space", "table6", "with_model"]
