"""VGG-16's 13 conv layers, whole, through the 16-unit Hydra system on Verilator, bit-exact.

Random FX16 data; every output is checked against the NumPy reference and
every counter against the golden model (``tb/hydra/bench_vgg16.py``).  The
unit sits behind a registered reset and the clock is generated in Verilog;
WRITE beats (one per cycle, all units at once) and output values pass through
Python.  Reported: wall time (target 30 min on 2 cores) and simulated cycles,
next to the golden model's cycles with ideal memory (the run's DRAM/PCM
timing can only add to them).  Takes about 26 minutes (22 of them simulating).
"""

from __future__ import annotations

from hymem.golden.hydra.cycles import layer_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.workloads.zoo import get_network
from hymem.tools.bench import cocotb_bench


def run() -> list[dict]:
    raw = cocotb_bench("hydra_vgg16", "hydra_system", "hymem.tb.hydra.bench_vgg16", "verilator",
                       {"HYMEM_BENCH_FULL": "1"}, hdl_clock=True, registered_reset=True)
    config = load_hydra_config()
    ideal = sum(layer_cycles(layer, config).cycles for layer in get_network("vgg16").of_kind("conv"))
    return [
        {"name": "hydra_vgg16_conv_wall", "figure": round(raw["seconds"] / 60, 1), "unit": "min",
         "note": f"13 whole VGG-16 conv layers, 16x32-MAC system, Verilator, bit-exact, counters = golden; "
                 f"{raw['cycles']} simulated cycles ({raw['cycles'] / raw['seconds']:.0f} cycles/s); target 30 min"},
        {"name": "hydra_vgg16_conv_cycles", "figure": raw["cycles"], "unit": "cycles",
         "note": f"with the DRAM/PCM models' timing; golden layer_cycles with ideal memory: {ideal} "
                 f"({raw['cycles'] - ideal:+d} waiting for memory)"},
    ]
