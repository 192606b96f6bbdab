"""The 16-unit Hydra system with every unit computing: simulated cycles/s on Verilator.

One job of VGG-16 conv3_2 (first row tile and output-channel chunk, one input
channel per unit) is loaded once, then START is issued on all 16 units again
and again (Python awaits only the end of ``busy``; clock in Verilog, registered
reset).  Every unit's cycle counter is checked against the golden model.  The
second figure divides the golden cycle count of VGG-16's 13 conv layers on this
RTL (ideal memory) by that speed: a projection of a full run's wall time, not a
measurement of one.
"""

from __future__ import annotations

from hymem.golden.hydra.cycles import layer_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.workloads.zoo import get_network
from hymem.tools.bench import cocotb_bench

REPEATS = 400


def run() -> list[dict]:
    raw = cocotb_bench("hydra_system_speed", "hydra_system", "hymem.tb.hydra.bench_system", "verilator",
                       {"HYMEM_BENCH_REPEATS": str(REPEATS)}, hdl_clock=True, registered_reset=True)
    config = load_hydra_config()
    vgg16 = sum(layer_cycles(layer, config).cycles for layer in get_network("vgg16").of_kind("conv"))
    speed = raw["cycles_per_second"]
    return [
        {"name": "hydra_system_sim_speed_verilator", "figure": round(speed), "unit": "cycles/s",
         "note": f"16 x 32-MAC system, all units on {raw['layer']} {raw['job']} x{REPEATS}: {raw['cycles']} cycles "
                 f"in {raw['seconds']:.2f} s wall; unit counters equal golden"},
        {"name": "hydra_vgg16_full_projected_wall", "figure": round(vgg16 / speed / 60, 1), "unit": "min (projected)",
         "note": f"VGG-16's 13 conv layers on this RTL: {vgg16} cycles (golden layer_cycles, ideal memory) at the "
                 f"measured system speed; the data feed adds to it (target for a full run: 30 min)"},
    ]
