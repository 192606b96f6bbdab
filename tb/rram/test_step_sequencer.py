"""cocotb regression of ``rtl/rram/step_sequencer.py`` (the loop nest, one step per cycle).

The reference is the loop nest of ``golden/rram/loopnest.py`` written out as a Python
generator (output-channel group, block of b pixel groups, input-channel group, ky, kx,
group): every issued step's fields (o, c, oy, gi, ky, kx, accumulation entry, first step,
block end, weight taken) must be the next step of the reference, and a step must issue in
exactly the cycles where it may: its weight tile is queued when it needs one (a block's
j = 0 steps) and, on a block's first step, its half is free.  The testbench plays the weight
fetcher (``weight_valid``) and the drain (a half frees some cycles after its block ended).
The number of steps and weight tiles equals ``golden.rram.rtl_timing.loop_nest_counts``.
Variants: idle (the weight tile often missing) and back-pressure (halves freed late), each
with every other tile in raster pixel groups (``gi`` the group in the map, (oy, ox) its first
pixel).
"""

from __future__ import annotations

import math

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.params import load_params
from hymem.golden.rram.rtl_params import Order
from hymem.golden.rram.rtl_timing import Tile, loop_nest_counts
from hymem.tb.common.hdl import read, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.rram.harness import start_block_bench, watched_runs
from hymem.tb.rram.layout import registers

TILES = 5
FIELDS = ("o", "c", "oy", "gi", "ox", "ky", "kx", "acc_addr", "acc_first", "batch_end", "weight_take")


def reference_steps(tile: Tile, rtl) -> list[dict]:
    """Every step of the tile in issue order (the loop nest), with its half."""
    raster = tile.pixel_groups == "raster"  # one line of groups: the map in raster order
    rg = math.ceil(tile.out_h * tile.out_w / rtl.p) if raster else math.ceil(tile.out_w / rtl.p)
    total, b, k = (rg if raster else tile.out_h * rg), tile.block(), tile.kernel
    steps, half = [], 0
    for o in range(math.ceil(tile.out_ch / rtl.n)):
        for start in range(0, total, b):
            length = min(b, total - start)
            for c in range(math.ceil(tile.in_ch / rtl.m)):
                for ky in range(k):
                    for kx in range(k):
                        first = c == 0 and ky == 0 and kx == 0
                        last = (c, ky, kx) == (math.ceil(tile.in_ch / rtl.m) - 1, k - 1, k - 1)
                        for j in range(length):
                            oy, gi = divmod(start + j, rg)
                            ox = gi * rtl.p
                            if raster:  # first pixel's (row, column) in the map
                                oy, ox = divmod(gi * rtl.p, tile.out_w)
                            steps.append({"o": o, "c": c, "oy": oy, "gi": gi, "ox": ox, "ky": ky, "kx": kx,
                                          "acc_addr": half * rtl.max_groups + j,
                                          "acc_first": int(first),
                                          "batch_end": int(last and j == length - 1),
                                          "weight_take": int(j == 0), "half": half})
            half ^= 1
    return steps


def random_tile(rng, rtl, raster: bool = False) -> Tile:
    """A random tile; ``raster``: stride 1, 'same' width, >= p columns, raster pixel groups."""
    k, s = int(rng.integers(1, 4)), int(rng.integers(1, 3))
    h, w = int(rng.integers(k, k + 4)), int(rng.integers(k, k + 3 * rtl.p))
    pad = int(rng.integers(0, k))
    pads = (pad, pad, pad, pad)
    if raster:
        s, w, pads = 1, max(w, rtl.p), (pad, pad, pad, k - 1 - pad)
    return Tile(int(rng.integers(1, 2 * rtl.m + 1)), int(rng.integers(1, 2 * rtl.n + 1)), k, s,
                h, w, pads, Order(int(rng.integers(2))),
                int(rng.integers(0, rtl.max_groups + 1)), "raster" if raster else "row")


async def run_tile(dut, component, rng, tile: Tile, weight_prob: float, free_delay: int,
                   progress: list):
    rtl = component.rtl
    steps = reference_steps(tile, rtl)
    counts = loop_nest_counts(tile, rtl, load_params().array)
    assert len(steps) == counts["steps"]
    assert sum(s["weight_take"] for s in steps) == counts["weight_reads"]
    write(dut, component, "tile",
          value={reg.name.lower(): v for reg, v in registers(tile, rtl).items()})
    free, free_at = [1, 1], [None, None]
    write(dut, component, "half_free", value=3)
    write(dut, component, "start", value=1)
    await RisingEdge(dut.clk)
    write(dut, component, "start", value=0)
    board = Scoreboard(f"{tile}", [{f: s[f] for f in FIELDS} for s in steps])
    wrong, cycle, k = [], 0, 0
    while k < len(steps):
        for h in (0, 1):
            if free_at[h] is not None and cycle >= free_at[h]:
                free[h], free_at[h] = 1, None
        weight = int(rng.random() < weight_prob)
        write(dut, component, "weight_valid", value=weight)
        write(dut, component, "half_free", value=free[0] | free[1] << 1)
        await ReadOnly()
        nxt = steps[k]
        may = (not nxt["weight_take"] or weight) and (
            not (nxt["acc_first"] and nxt["weight_take"]) or free[nxt["half"]])
        fire = read(dut, component, "fire")
        if fire != int(bool(may)):
            wrong.append((k, "fire", fire, may))
        if fire:
            board.observe({f: read(dut, component, f) for f in FIELDS})
            if nxt["acc_first"] and nxt["weight_take"]:
                free[nxt["half"]] = 0  # the block owns its half until drained
            if nxt["batch_end"]:
                free_at[nxt["half"]] = cycle + 1 + int(rng.integers(0, free_delay + 1))
            k += 1
            progress[0] += 1
        await RisingEdge(dut.clk)
        cycle += 1
    await ReadOnly()
    done = read(dut, component, "done")
    await RisingEdge(dut.clk)
    board.check_empty()
    assert not wrong, f"{tile}: {wrong[:3]}"
    assert done == 1, f"{tile}: done not raised after the last step"
    return len(steps), cycle


async def run(dut, name: str, weight_prob: float, free_delay: int):
    component, rng = await start_block_bench(dut, name, [("start",), ("weight_valid",)])
    tiles = iter(range(TILES))

    async def one_tile(progress):
        raster = next(tiles) % 2 == 1  # every other tile in raster pixel groups
        tile = random_tile(rng, component.rtl, raster=raster)
        n_steps, cycles = await run_tile(dut, component, rng, tile, weight_prob, free_delay, progress)
        return f"{tile}: {n_steps} steps in {cycles} cycles"

    await watched_runs(dut, name, TILES, one_tile)


@cocotb.test()
async def idle_weights(dut):
    await run(dut, "idle", weight_prob=0.5, free_delay=2)


@cocotb.test()
async def back_pressure_halves(dut):
    await run(dut, "back_pressure", weight_prob=1.0, free_delay=60)
