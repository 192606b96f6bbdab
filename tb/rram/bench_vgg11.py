"""Benchmark: a VGG-11 conv3_2 tile (8 x 8 output pixels x 8 output channels x 256 input channels,
pixel-first g = g_max) through ``rtl/rram/accelerator.py``: simulated cycles per wall second
of the run (loading excluded) and the array's MAC utilisation; still checked bit- and
counter-exact.  Writes its figures to ``HYMEM_BENCH_OUT``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb

from hymem.golden.rram.rtl_params import Order
from hymem.golden.workloads import get_network
from hymem.tb.common.seed import seeded_rng
from hymem.tb.rram.harness import RramHarness
from hymem.tb.rram.network import run_region
from hymem.tb.runner import tb_component

LAYER, ROWS, COLS, OUT_CHANNELS = "conv3_2", 8, 8, 8


@cocotb.test()
async def vgg11_tile_speed(dut):
    component, config = tb_component()
    h = RramHarness(dut, component, config)
    await h.reset()
    dog = h.watchdog("bench", 200000)
    rng = seeded_rng(dut, "bench")
    layer = next(lay for lay in get_network("vgg11").layers if lay.name == LAYER)
    x = rng.integers(-128, 128, size=(layer.in_ch, layer.in_h, layer.in_w))
    w = rng.integers(-128, 128, size=(OUT_CHANNELS, layer.in_ch, 3, 3))
    delta = await run_region(
        h, "bench", layer, x, w, 16, ROWS, 24, COLS, Order.PIXEL_FIRST, h.rtl.max_groups
    )
    rtl = h.rtl
    result = {
        "layer": LAYER,
        "tile": f"{ROWS}x{COLS} pixels x {OUT_CHANNELS} of {layer.out_ch} outputs x "
        f"{layer.in_ch} inputs",
        "array": f"{rtl.p}x{rtl.n}x{rtl.m}",
        "cycles": delta["cycles"],
        "steps": delta["steps"],
        "macs": delta["macs"],
        "seconds": h.last_run_seconds,
        "cycles_per_second": delta["cycles"] / h.last_run_seconds,
        "utilisation": delta["macs"] / (delta["cycles"] * rtl.p * rtl.n * rtl.m),
    }
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
    dog.stop()
