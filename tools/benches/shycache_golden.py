"""Benchmark: SHyCache golden simulator speed and the full three-network sweep.

* accesses per second of the fast (numba) simulator on the SqueezeNet 1.0 and
  ResNet-50 inference traces, per geometry (all-SRAM 32/1024, hybrid 64/16 + 4096/0),
  CPU time of the kernel after a warm-up (target >= 2e7 accesses/s on one core);
* wall time of the full L1 x L2 grid of Inception-v4, ResNet-50 and SqueezeNet 1.0
  (traces cached under build/cache after their first generation, which is timed apart).

The machine is shared (up to 8 engineers on 2 cores when these were measured): the
note carries the load average; compare runs on a quiet machine.
"""

from __future__ import annotations

import os
import time

TARGET = 2e7


def _speed(cfg, network: str, l1: str, l2: str) -> tuple[float, int]:
    from hymem.golden.shycache.model import prepared, run_point, workload_trace

    prep = prepared(workload_trace(network, cfg), [cfg.workload.nvm_range], cfg)
    run_point(prep, l1, l2, cfg)  # warm-up: numba cache load, page-in
    t0 = time.process_time()
    run_point(prep, l1, l2, cfg)
    return len(prep) / (time.process_time() - t0), len(prep)


def run() -> list[dict]:
    from hymem.golden.shycache.model import PAPER_NETWORKS, grid_rows, workload_trace
    from hymem.golden.shycache.params import load_shycache_config

    cfg = load_shycache_config()
    load = os.getloadavg()[0]
    results = []
    for net in ("squeezenet1_0", "resnet50"):
        for l1, l2 in (("0/32", "0/1024"), ("64/16", "4096/0")):
            rate, n = _speed(cfg, net, l1, l2)
            results.append({
                "name": f"shycache_golden_{net}_{l1.replace('/', '-')}_{l2.replace('/', '-')}",
                "figure": round(rate), "unit": "accesses/s",
                "note": f"{n:,}-access trace, kernel CPU time; target >= {TARGET:.0e}: "
                        f"{'met' if rate >= TARGET else 'MISSED'}; load average {load:.1f}"})
    t0 = time.perf_counter()
    traces = {net: workload_trace(net, cfg) for net in PAPER_NETWORKS}
    t_traces = time.perf_counter() - t0
    t0 = time.perf_counter()
    points = sum(len(grid_rows(cfg, net, traces[net])) for net in PAPER_NETWORKS)
    t_sweep = time.perf_counter() - t0
    total = sum(len(t) for t in traces.values())
    results.append({"name": "shycache_golden_sweep_three_networks", "figure": round(t_sweep, 1),
                    "unit": "s", "note": f"{points} points, {total:,} accesses per geometry "
                    f"(max_rows {cfg.workload.max_rows}); traces loaded/generated in "
                    f"{t_traces:.1f} s; load average {os.getloadavg()[0]:.1f}"})
    return results
