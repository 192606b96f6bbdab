"""Benchmark: build every zoo network and compute its per-layer figures and totals.

``run()`` returns the bench records of ``make bench``: wall time for the whole
zoo (best of a few repetitions, so a cold import does not count), plus the
number of layers covered.
"""

from __future__ import annotations

import time

REPEATS = 5


def _all_stats() -> int:
    from hymem.golden.workloads import get_network, list_networks

    layers = 0
    for name in list_networks():
        net = get_network(name)
        doc = net.as_dict(16)  # every layer record + totals, as `hymem workload show`
        layers += len(doc["layers"])
    return layers


def run() -> list[dict]:
    _all_stats()  # warm-up: imports
    best = float("inf")
    layers = 0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        layers = _all_stats()
        best = min(best, time.perf_counter() - t0)
    from hymem.golden.workloads import list_networks

    n = len(list_networks())
    return [
        {"name": "zoo_stats_wall", "figure": best * 1e3, "unit": "ms",
         "note": f"build + stats of all {n} zoo networks ({layers} layers), best of {REPEATS}"},
        {"name": "zoo_stats_per_layer", "figure": best / layers * 1e6, "unit": "us",
         "note": "wall time per layer record"},
    ]


if __name__ == "__main__":
    for rec in run():
        print(rec)
