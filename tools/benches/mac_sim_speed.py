"""Simulated cycles per second of the Hydra MAC on each simulator (Python off the per-cycle path)."""

from __future__ import annotations

import json

from tb.runner import run_cocotb
from tools.toolchain import BUILD, SIMULATORS

PAIRS = {"icarus": 180_000, "verilator": 2_700_000}  # ~ a few seconds of simulation each


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        out = BUILD / "bench" / f"mac_sim_speed-{sim}.raw.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        run_cocotb("hydra_mac_bench", "tb.hydra.bench_mac", sim, test_id="bench-hydra_mac",
                   extra_env={"HYMEM_BENCH_PAIRS": str(PAIRS[sim]), "HYMEM_BENCH_OUT": str(out)})
        raw = json.loads(out.read_text())
        results.append({
            "name": f"hydra_mac_sim_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"{raw['cycles']} cycles in {raw['seconds']:.2f} s wall, checksum and cycle count "
                    f"equal to golden; GPI clock, Python only at start and done",
        })
    return results
