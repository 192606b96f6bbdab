"""MaxNVM BitmaskDecoder in simulation: weights per cycle and simulated cycles per second per simulator."""

from __future__ import annotations

from tools.bench import cocotb_bench
from tools.toolchain import SIMULATORS

REPEATS = {"icarus": 4, "verilator": 40}  # decodes of one 16k-weight layer (~ seconds of simulation)


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        raw = cocotb_bench("maxnvm_bitmask", "maxnvm_bitmask", "tb.maxnvm.bench_bitmask", sim,
                           {"HYMEM_BENCH_REPEATS": str(REPEATS[sim])})
        results.append({
            "name": f"maxnvm_bitmask_weights_per_cycle_{sim}",
            "figure": round(raw["weights_per_cycle"], 3),
            "unit": "weights/cycle",
            "note": f"LANES={raw['lanes']}, IdxSync on, 50 % sparsity, output always ready: "
                    f"{raw['weights']} weights in {raw['busy_cycles']} busy cycles; counters equal golden",
        })
        results.append({
            "name": f"maxnvm_bitmask_sim_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"{raw['cycles']} decode cycles in {raw['seconds']:.2f} s wall (loading excluded), "
                    "GPI clock, Python only at start and busy falling",
        })
    return results
