"""Simulated cycles per second of the Hydra MAC on each simulator (Python off the per-cycle path)."""

from __future__ import annotations

from hymem.tools.bench import cocotb_bench
from hymem.tools.toolchain import SIMULATORS

PAIRS = {"icarus": 180_000, "verilator": 2_700_000}  # ~ a few seconds of simulation each


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        raw = cocotb_bench("hydra_mac", "hydra_mac_bench", "hymem.tb.hydra.bench_mac", sim,
                           {"HYMEM_BENCH_PAIRS": str(PAIRS[sim])})
        results.append({
            "name": f"hydra_mac_sim_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"{raw['cycles']} cycles in {raw['seconds']:.2f} s wall, checksum and cycle count "
                    f"equal to golden; GPI clock, Python only at start and done",
        })
    return results
