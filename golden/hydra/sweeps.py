"""Hydra's design-space study on the sweep layer: the three memory systems over the zoo.

``hymem sweep hydra memory``: per-frame latency, data-transfer energy and traffic of every zoo
network on pure DRAM, pure PCM and Hydra (:func:`golden.hydra.frame.frame`), at each compute
timing model.
"""

from __future__ import annotations

from functools import lru_cache

from hymem.golden.sweep import Axis, study
from hymem.golden.workloads import list_networks, load_network

from .frame import frame, timing_by_name
from .memory import DEVICES, SYSTEMS
from .params import HydraConfig, load_hydra_config


@lru_cache(maxsize=64)
def _network(name: str):
    return load_network(name)


@study("hydra", "memory", config=load_hydra_config, networks=tuple(list_networks()),
       prepare=lambda cfg: cfg, batch=8,
       axes={"system": Axis(SYSTEMS, choices=SYSTEMS),
             "timing": Axis(("paper",), choices=("paper", "radix4"))},
       heat="transfer_energy_j", pareto=("latency_s", "transfer_energy_j"),
       description="pure DRAM, pure PCM and Hydra per frame over the zoo (seed 001 §IV)")
def memory_systems(points, cfg: HydraConfig) -> list[dict]:
    rows = []
    for p in points:
        t = frame(_network(p["network"]), p["system"], cfg, timing_by_name(p["timing"], cfg)).totals()
        rows.append({"latency_s": t["latency_s"], "compute_s": t["compute_s"],
                     "memory_bound": t["memory_bound"], "macs": t["macs"],
                     "transfer_energy_j": t["transfer_energy_j"],
                     **{f"{k}_{d}": t[k][d] for k in ("transfer_s", "reads", "writes", "energy_j")
                        for d in DEVICES},
                     "pcm_writes_avoided": t["pcm_writes_avoided"]})
    return rows
