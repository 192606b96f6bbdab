"""cocotb test of ``rtl/hydra/sim_top.py``: small layers through the streamer, the DRAM/PCM device
models and the system, no Python per cycle; outputs bit-exact, cycles and every counter equal to
golden (``tb.hydra.sim_top_harness``).  Run on a reduced TOML by ``tests/test_hydra_sim_top.py``."""

from __future__ import annotations

import cocotb

from hymem.tb.common.seed import seeded_rng
from hymem.tb.hydra.harness import random_operands
from hymem.tb.hydra.sim_top_harness import SimTopRun, small_layers


@cocotb.test()
async def test_sim_top_layers(dut):
    rng = seeded_rng(dut, "sim_top_layers")
    run = SimTopRun(dut)
    n_units = run.config.system.n_units
    await run.start()
    layers = small_layers(n_units)
    for layer in layers:
        x, w, b = random_operands(rng, run.config.fixed, layer)
        await run.layer(layer, x, w, b, relu=layer.kind != "maxpool")
    run.watchdog.stop()
