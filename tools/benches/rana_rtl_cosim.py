"""RANA eDRAM controller: retention-checked co-simulation speed on each simulator.

Four consecutive ResNet-50 layers (res4a) scheduled for RANA*(E-5), time
compressed 32x, with the eDRAM retention model and all regression checks
(counters equal golden, BER within 1e-5).  Python acts only on accesses and
during refresh sweeps, never on idle cycles.
"""

from __future__ import annotations

import json

from tb.runner import run_cocotb
from tools.toolchain import BUILD, SIMULATORS


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        out = BUILD / "bench" / f"rana_rtl_cosim-{sim}.raw.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        run_cocotb("rana_edram_controller", "tb.rana.bench_cosim", sim, test_id="bench-rana_cosim",
                   extra_env={"HYMEM_BENCH_OUT": str(out)})
        raw = json.loads(out.read_text())
        results.append({
            "name": f"rana_cosim_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"{raw['design']} ResNet-50 {'+'.join(raw['layers'])} at 1/{raw['time_scale']} time scale: "
                    f"{raw['cycles']} cycles in {raw['seconds']:.1f} s wall, {raw['row_refreshes']} row refreshes, "
                    f"{raw['bit_errors']} bit errors in {raw['bits_read']} bits read; counters equal golden",
        })
    return results
