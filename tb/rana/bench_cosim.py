"""cocotb benchmark: retention-checked co-simulation speed of the RANA eDRAM controller.

Runs consecutive scheduled ResNet-50 layers (``HYMEM_BENCH_LAYERS``, design
``HYMEM_BENCH_DESIGN``, time compression ``HYMEM_BENCH_SCALE``) through
``rana_edram_controller`` with the eDRAM model, with every check of the
regression (counters equal golden, BER within the assumed failure rate), and
writes simulated cycles, wall seconds and the traffic to ``HYMEM_BENCH_OUT``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb

from hymem.golden.rana.designs import get_design
from hymem.tb.common.clock import cycle_now
from hymem.tb.rana.cosim import scheduled_layers
from hymem.tb.rana.harness import check_within, cosim
from hymem.tb.runner import tb_component

DEFAULT_LAYERS = "res3a_branch1,res3c_branch2c,res4b_branch2c,res4c_branch2c"  # RANA*(E-5) refreshes these


@cocotb.test()
async def bench_cosim_speed(dut):
    config = tb_component()[1]
    scale = int(os.environ.get("HYMEM_BENCH_SCALE", "32"))
    design = os.environ.get("HYMEM_BENCH_DESIGN", "RANA*(E-5)")
    names = os.environ.get("HYMEM_BENCH_LAYERS", DEFAULT_LAYERS).split(",")
    sched = scheduled_layers("resnet50", design, names, scale, config)
    began = time.perf_counter()
    stats, model = await cosim(dut, "bench", sched, scale, budget=3000)
    seconds = time.perf_counter() - began
    rate = get_design(design).failure_rate or config.retention.typical_failure_rate
    check_within(dut, "bench", stats, rate)
    cycles = cycle_now()
    result = {"design": design, "layers": names, "time_scale": scale, "cycles": cycles, "seconds": seconds,
              "cycles_per_second": cycles / seconds, "bits_read": sum(s[2] for s in stats),
              "bit_errors": sum(s[1] for s in stats), "row_refreshes": model.refreshes}
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
