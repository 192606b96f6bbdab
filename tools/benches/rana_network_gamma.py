"""RANA eDRAM controller RTL on whole networks at the real time scale: refresh words = scheduler's γ.

AlexNet and ResNet-50 on RANA*(E-5), GoogLeNet on eD+ID (every bank at
45 µs), every layer configured by the golden scheduler, uncompressed, on
Verilator with the Verilog clock and a registered reset (Icarus would need
~20 min for the 31 M cycles).  The cocotb module
asserts RTL counters == cycle model and RTL words refreshed == the scheduler's
γ (so RTL refresh energy == the energy the scheduler minimized); this records
the figures and the simulation speed.
"""

from __future__ import annotations

from hymem.tools.bench import BENCH_DIR, cocotb_bench

NAME = "rana_network_gamma"


def run() -> list[dict]:
    (BENCH_DIR / f"{NAME}-verilator.raw.json").unlink(missing_ok=True)   # the module appends per network
    raw = cocotb_bench(NAME, "rana_edram_controller", "hymem.tb.rana.bench_network", "verilator", hdl_clock=True,
                       registered_reset=True)
    return [{
        "name": f"rana_network_gamma_{r['network']}",
        "figure": r["words_refreshed"],
        "unit": "words refreshed",
        "note": f"{r['design']}, {r['layers']} layers, {r['cycles']} cycles at 200 MHz ({r['pulses']} pulses) in "
                f"{r['seconds']:.1f} s ({r['cycles_per_second']:,.0f} cycles/s, Verilator); RTL words refreshed = "
                f"scheduler gamma {r['scheduler_gamma']} = cycle model; refresh energy {r['refresh_energy_uj']:.1f} uJ",
    } for r in raw]
