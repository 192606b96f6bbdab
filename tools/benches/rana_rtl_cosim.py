"""RANA eDRAM controller: retention-checked co-simulation speed on each simulator.

Four ResNet-50 layers that RANA*(E-5) refreshes (res3a_branch1 WD, res3c_branch2c, res4b/c_branch2c OD), time
compressed 32x, with the eDRAM retention model and all regression checks
(counters equal golden, BER within 1e-5).  Python acts only on accesses and
during refresh sweeps, never on idle cycles.
"""

from __future__ import annotations

from hymem.tools.bench import cocotb_bench
from hymem.tools.toolchain import SIMULATORS


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        raw = cocotb_bench("rana_cosim", "rana_edram_controller", "hymem.tb.rana.bench_cosim", sim)
        results.append({
            "name": f"rana_cosim_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"{raw['design']} ResNet-50 {'+'.join(raw['layers'])} at 1/{raw['time_scale']} time scale: "
                    f"{raw['cycles']} cycles in {raw['seconds']:.1f} s wall, {raw['row_refreshes']} row refreshes, "
                    f"{raw['bit_errors']} bit errors in {raw['bits_read']} bits read; counters equal golden",
        })
    return results
