"""Benchmark: schedule every convolution of ResNet-50 on all six Table IV designs (target < 2 s).

Wall time of the whole job (best of a few repetitions after a warm-up, so
imports and the tech-table load do not count), plus the Fig. 15 matrix
(four benchmarks × six designs) for scale.
"""

from __future__ import annotations

import time

REPEATS = 3
TARGET_S = 2.0


def _resnet50_all_designs() -> int:
    from hymem.golden.rana.designs import DESIGNS
    from hymem.golden.rana.params import load_rana_config
    from hymem.golden.rana.scheduler import schedule_network

    cfg = load_rana_config()
    return sum(len(schedule_network("resnet50", d, cfg).layers) for d in DESIGNS)


def _fig15_matrix() -> int:
    from hymem.golden.rana.designs import DESIGNS
    from hymem.golden.rana.params import load_rana_config
    from hymem.golden.rana.scheduler import schedule_network
    from hymem.golden.rana.study import BENCHMARKS

    cfg = load_rana_config()
    return sum(len(schedule_network(n, d, cfg).layers) for n in BENCHMARKS for d in DESIGNS)


def _best(fn) -> tuple[float, int]:
    fn()
    best, n = float("inf"), 0
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        n = fn()
        best = min(best, time.perf_counter() - t0)
    return best, n


def run() -> list[dict]:
    t_resnet, n_resnet = _best(_resnet50_all_designs)
    t_fig15, n_fig15 = _best(_fig15_matrix)
    return [
        {"name": "rana_schedule_resnet50_six_designs", "figure": round(t_resnet, 4), "unit": "s",
         "note": f"{n_resnet} layer schedules (53 convs x 6 designs), best of {REPEATS}; target < {TARGET_S} s: "
                 f"{'met' if t_resnet < TARGET_S else 'MISSED'}"},
        {"name": "rana_schedule_fig15_matrix", "figure": round(t_fig15, 4), "unit": "s",
         "note": f"{n_fig15} layer schedules (AlexNet, VGG-19, GoogLeNet, ResNet-50 x 6 designs), best of {REPEATS}"},
    ]
