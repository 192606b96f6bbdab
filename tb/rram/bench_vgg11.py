"""Benchmark: a VGG-11 conv3_2 tile (8 x 8 output pixels x 8 output channels x 256 input channels,
pixel-first g = g_max) through ``rtl/rram/accelerator.py``: simulated cycles per wall second
of the run (loading excluded) and the array's MAC utilisation; then two full 14-pixel rows
of conv5_1 with row-local and with raster pixel groups (the RTL's MAC utilisation of each);
all checked bit- and counter-exact.  Writes its figures to ``HYMEM_BENCH_OUT``."""

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
# raster vs row-local pixel groups on full 14-pixel rows of conv5_1 (all 512 inputs, 4 outputs)
WIDE_LAYER, WIDE_ROW0, WIDE_ROWS, WIDE_OUT = "conv5_1", 6, 2, 4


async def wide_rows(h, rng) -> dict:
    """Two full output rows of conv5_1 in both pixel groupings: (macs, cycles, steps) each."""
    layer = next(lay for lay in get_network("vgg11").layers if lay.name == WIDE_LAYER)
    x = rng.integers(-128, 128, size=(layer.in_ch, layer.in_h, layer.in_w))
    w = rng.integers(-128, 128, size=(WIDE_OUT, layer.in_ch, 3, 3))
    out = {}
    for mode in ("row", "raster"):
        delta = await run_region(h, f"bench_{mode}", layer, x, w, WIDE_ROW0, WIDE_ROWS, 0,
                                 layer.out_w, Order.PIXEL_FIRST, h.rtl.max_groups, pixel_groups=mode)
        out[mode] = {k: delta[k] for k in ("macs", "cycles", "steps")}
    return out


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
        "pe_macs": rtl.p * rtl.n * rtl.m,
        "cycles": delta["cycles"],
        "steps": delta["steps"],
        "macs": delta["macs"],
        "seconds": h.last_run_seconds,
        "cycles_per_second": delta["cycles"] / h.last_run_seconds,
        "utilisation": delta["macs"] / (delta["cycles"] * rtl.p * rtl.n * rtl.m),
        "wide": await wide_rows(h, rng),
        "wide_tile": f"{WIDE_LAYER} rows {WIDE_ROW0}..{WIDE_ROW0 + WIDE_ROWS - 1} (full width) x "
        f"{WIDE_OUT} outputs x all inputs, pixel-first g = {rtl.max_groups}",
    }
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
    dog.stop()
