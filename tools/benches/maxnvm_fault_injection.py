"""Benchmark: vectorized MLC fault injection throughput (issue 6 target: >= 1e8 cells/s).

``golden.maxnvm.mlc.inject`` (exact, visits only candidate cells) and the
direct Gaussian method of seed 003 §4.1 (``inject_gaussian``: one normal
sample per cell) on a 3e7-bit stream stored in MLC3 CTT cells (1e7 cells,
~1.5e-3 faults per cell), best of a few repetitions.
"""

from __future__ import annotations

import time

import numpy as np

N_CELLS = 10_000_000
REPEATS = 3


def _best(fn) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run() -> list[dict]:
    from hymem.golden.maxnvm.mlc import inject, inject_gaussian
    from hymem.golden.maxnvm.params import load_maxnvm_config

    tech = load_maxnvm_config().mlc.ctt
    rng = np.random.default_rng(0)
    bits = rng.integers(0, 2, 3 * N_CELLS).astype(np.uint8)
    fast = _best(lambda: inject(bits, 3, tech, rng))
    slow = _best(lambda: inject_gaussian(bits[: 3 * N_CELLS // 10], 3, tech, rng)) * 10
    return [
        {"name": "maxnvm_inject_cells_per_s", "figure": round(N_CELLS / fast), "unit": "cells/s",
         "note": f"mlc.inject, {N_CELLS:.0e} MLC3 CTT cells per call (incl. copying the stream), "
                 f"best of {REPEATS}; target >= 1e8"},
        {"name": "maxnvm_inject_gaussian_cells_per_s", "figure": round(N_CELLS / slow),
         "unit": "cells/s", "note": "reference: one Gaussian read sample per cell (seed 003 §4.1), "
                                    "on 1e6 cells"},
    ]


if __name__ == "__main__":
    for rec in run():
        print(rec)
