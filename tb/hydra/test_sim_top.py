"""cocotb test of ``rtl/hydra/sim_top.py``: small layers through the streamer, the DRAM/PCM device
models and the system, no Python per cycle; outputs bit-exact, cycles and every counter equal to
golden (``tb.hydra.sim_top_harness``).  Run on a reduced TOML by ``tests/test_hydra_sim_top.py``."""

from __future__ import annotations

import cocotb

from hymem.golden.workloads.layers import make_layer
from hymem.tb.common.seed import seeded_rng
from hymem.tb.hydra.harness import random_operands
from hymem.tb.hydra.sim_top_harness import SimTopRun


@cocotb.test()
async def test_sim_top_layers(dut):
    rng = seeded_rng(dut, "sim_top_layers")
    run = SimTopRun(dut)
    n_units = run.config.system.n_units
    await run.start()
    layers = [
        make_layer(
            "conv_a",
            "conv",
            (2 * n_units + 1, 6, 9),
            out_ch=3,
            kernel=3,
            stride=1,
            padding=1,
            bias=True,
        ),
        make_layer(
            "conv_b", "conv", (n_units, 7, 7), out_ch=2, kernel=3, stride=2, padding=0, bias=True
        ),
        make_layer("pool", "maxpool", (n_units + 1, 6, 8), kernel=2, stride=2),
        # several output-channel chunks per row tile, the last one partial: with overlap the READs
        # of one chunk drain while the next chunk computes (both OB banks and bias banks in use)
        make_layer(
            "conv_c", "conv", (n_units + 1, 5, 8), out_ch=9, kernel=3, stride=1, padding=1, bias=True
        ),
        make_layer("fc", "fc", (3 * n_units, 1, 1), out_ch=5, bias=True),
    ]
    for layer in layers:
        x, w, b = random_operands(rng, run.config.fixed, layer)
        await run.layer(layer, x, w, b, relu=layer.kind != "maxpool")
    run.watchdog.stop()
