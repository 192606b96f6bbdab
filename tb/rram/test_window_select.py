"""cocotb regression of ``rtl/rram/window_select.py`` (which I/O words a step reads).

Random small tiles (K 1..5, stride 1/2, padding, ragged rows; laid out by ``tb.rram.layout``)
and random steps (channel group, output row, pixel group, kernel position).  The reference
works pixel by pixel: PE row i's input pixel is (c, oy·s + ky - pad_top,
(gi·p + i)·s + kx - pad_left); where it is stored comes from ``tb.rram.layout.io_words``
(the RAM and address of every stored word, a table, not the block's base-plus-rotation
arithmetic).  Checked per lane: ``valid`` (the output pixel exists and the input pixel is
inside the map), that RAM ``(i + rotate) mod p`` is the pixel's RAM and its ``addr`` the
pixel's address, ``keep`` (kernel-first, kx >= s, not the group's last pixel), ``read`` and
``pixels``.  The block is combinational: there is no stream, so no idle or back-pressure
variant; the two variants are the two loop orders (the line register's ``keep`` only in
kernel-first), each with every other tile in raster pixel groups (lanes spanning output rows,
``PIXEL_GROUPS`` = 1; the same pixel-by-pixel reference).
"""

from __future__ import annotations

import math

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, Timer

from hymem.golden.rram.rtl_params import Order
from hymem.golden.rram.rtl_timing import Tile
from hymem.tb.common.clock import CLOCK_PERIOD_NS
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.layout import io_words, registers
from hymem.tb.runner import tb_component

TILES, STEPS = 12, 40


def random_tile(rng, rtl, order: Order, raster: bool = False) -> Tile:
    """A tile whose stored map fits the instance's I/O RAMs; ``raster``: stride 1, 'same'
    width (pad_left + pad_right = K - 1), at least p columns, raster pixel groups."""
    while True:
        k, s = int(rng.integers(1, rtl.max_kernel + 1)), int(rng.integers(1, 3))
        pad = int(rng.integers(0, k))
        h, w = int(rng.integers(1, 4)), int(rng.integers(1, 3 * rtl.p + 1))
        pads = (pad, pad, pad, pad)
        if raster:
            s, w = 1, int(rng.integers(rtl.p + 1, 2 * rtl.p))  # not a multiple of p: groups wrap
            pads = (pad, min(pad, k - 1), pad, k - 1 - min(pad, k - 1))
        if h + 2 * pad < k or w + pads[1] + pads[3] < k:
            continue
        tile = Tile(int(rng.integers(1, 2 * rtl.m + 1)), rtl.n, k, s, h, w, pads, order, 1,
                    "raster" if raster else "row")
        _, addr, _ = io_words(np.zeros((tile.in_ch, h, w), dtype=np.int64), tile, rtl)
        if addr.max() < rtl.io_depth:
            return tile


def storage(tile: Tile, rtl) -> dict:
    """(channel group, row, column) -> (RAM, address) of every stored word."""
    ram, addr, _ = io_words(np.zeros((tile.in_ch, tile.in_h, tile.in_w), dtype=np.int64),
                            tile, rtl)
    groups = math.ceil(tile.in_ch / rtl.m)
    keys = [(c, y, x) for c in range(groups) for y in range(tile.in_h) for x in range(tile.in_w)]
    return {key: (int(r), int(a)) for key, r, a in zip(keys, ram, addr)}


def lane_pixels(tile: Tile, rtl, oy: int, gi: int) -> list[tuple[int, int] | None]:
    """Each PE row's output pixel (row, column), None when absent: p of row oy, or (raster)
    the map's pixels gi·p + i in raster order."""
    p = rtl.p
    if tile.pixel_groups == "raster":
        total = tile.out_h * tile.out_w
        return [divmod(gi * p + i, tile.out_w) if gi * p + i < total else None for i in range(p)]
    return [(oy, gi * p + i) if gi * p + i < tile.out_w else None for i in range(p)]


def expected_lanes(tile: Tile, rtl, step) -> list[tuple]:
    """Per PE row: (valid, keep, (ram, addr) or None)."""
    c, oy, gi, _ox, ky, kx = step
    s, p = tile.stride, rtl.p
    lanes = []
    where = storage(tile, rtl)
    pixels = lane_pixels(tile, rtl, oy, gi)
    for i, pixel in enumerate(pixels):
        y, x = (pixel[0] * s + ky - tile.pad[0], pixel[1] * s + kx - tile.pad[1]) if pixel else (-1, -1)
        valid = pixel is not None and 0 <= y < tile.in_h and 0 <= x < tile.in_w
        right = pixels[i + 1] if i + 1 < p else None   # the line register's source lane
        keep = (tile.order == Order.KERNEL_FIRST and kx >= s and right is not None
                and right[0] == pixel[0])
        lanes.append((int(valid), int(keep), where[(c, y, x)] if valid else None))
    return lanes


def random_step(rng, tile: Tile, rtl) -> tuple:
    """(c, oy, gi, ox, ky, kx) of a random step, as the step sequencer issues it."""
    p = rtl.p
    if tile.pixel_groups == "raster":
        gi = int(rng.integers(math.ceil(tile.out_h * tile.out_w / p)))
        oy, ox = divmod(gi * p, tile.out_w)
    else:
        oy, gi = int(rng.integers(tile.out_h)), int(rng.integers(math.ceil(tile.out_w / p)))
        ox = gi * p
    return (int(rng.integers(math.ceil(tile.in_ch / rtl.m))), oy, gi, ox,
            int(rng.integers(tile.kernel)), int(rng.integers(tile.kernel)))


async def run(dut, name: str, order: Order):
    component, _ = tb_component()
    rtl = component.rtl
    rng = seeded_rng(dut, name)
    wrong, checked, done = [], 0, [0]
    dog = Watchdog(lambda: done[0], 50, name).start()
    for t in range(TILES):
        tile = random_tile(rng, rtl, order, raster=t % 2 == 1)
        regs = registers(tile, rtl)
        write(dut, component, "tile", value={reg.name.lower(): v for reg, v in regs.items()})
        for _ in range(STEPS):
            step = random_step(rng, tile, rtl)
            for port, value in zip(("c", "oy", "gi", "ox", "ky", "kx"), step):
                write(dut, component, port, value=value)
            await ReadOnly()
            rotate, addrs = read(dut, component, "rotate"), int(handle(dut, component, "addr").value)
            addrs = [(addrs >> (k * (rtl.io_depth - 1).bit_length())) & (rtl.io_depth - 1)
                     for k in range(rtl.p)]
            got_bits = {b: read(dut, component, b) for b in ("valid", "keep", "read")}
            lanes = expected_lanes(tile, rtl, step)
            for i, (valid, keep, place) in enumerate(lanes):
                ram = (i + rotate) % rtl.p
                got = ((got_bits["valid"] >> i) & 1, (got_bits["keep"] >> i) & 1,
                       (got_bits["read"] >> i) & 1)
                if got != (valid, keep, valid & (1 - keep)):
                    wrong.append((tile, step, i, "lanes", got, (valid, keep)))
                if valid and place != (ram, addrs[ram]):
                    wrong.append((tile, step, i, "place", (ram, addrs[ram]), place))
                checked += valid
            pixels = sum(px is not None for px in lane_pixels(tile, rtl, step[1], step[2]))
            if read(dut, component, "pixels") != pixels:
                wrong.append((tile, step, "pixels"))
            await Timer(CLOCK_PERIOD_NS, unit="ns")  # combinational: no clock port
            done[0] += 1
    dog.stop()
    assert not wrong, f"{name}: {len(wrong)} wrong, first {wrong[:3]}"
    assert checked > TILES * STEPS, f"{name}: too few valid lanes checked ({checked})"
    dut._log.info(f"{name}: {TILES * STEPS} steps, {checked} valid lanes placed")


@cocotb.test()
async def kernel_first(dut):
    await run(dut, "kernel_first", Order.KERNEL_FIRST)


@cocotb.test()
async def pixel_first(dut):
    await run(dut, "pixel_first", Order.PIXEL_FIRST)
