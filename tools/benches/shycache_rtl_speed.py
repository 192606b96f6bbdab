"""SHyCache hybrid level RTL: simulation speed per simulator on a CNN-trace window.

A SqueezeNet 1.0 window of the CNN trace generator (word requests, compute gaps,
weights in the reserved range) through ``shycache_hybrid_cache`` with every regression
check (counts, bit flips, read data, write-backs and cycles equal the golden side).
"""

from __future__ import annotations

from hymem.tools.bench import cocotb_bench
from hymem.tools.toolchain import SIMULATORS


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        raw = cocotb_bench("shycache_rtl", "shycache_hybrid_cache", "hymem.tb.shycache.bench_level", sim)
        c = raw["counters"]
        results.append({
            "name": f"shycache_rtl_speed_{sim}",
            "figure": round(raw["cycles_per_second"]),
            "unit": "cycles/s",
            "note": f"SqueezeNet 1.0 window: {raw['requests']} word requests, {raw['cycles']} "
                    f"cycles in {raw['seconds']:.1f} s wall ({raw['requests_per_second']:.0f} "
                    f"requests/s); SRAM {c['sram_hits']} hits / {c['sram_misses']} misses, STT "
                    f"{c['stt_hits']} hits / {c['stt_misses']} misses, {c['stall_cycles']} stall "
                    f"cycles, "
                    f"{c['stt_bitflips']} bit flips; all equal golden",
        })
    return results
