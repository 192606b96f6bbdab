"""cocotb regression of ``rtl/rram/drainer.py`` (the accumulation buffer's drain to ``out``).

The testbench plays the step sequencer and the accumulation buffer: it finishes the blocks
of a random tile (output-channel groups x row-major pixel groups, b groups a block, the last
block ragged) into halves 0, 1, 0, ... — a half only once the testbench itself has seen all
entries of its previous block leave — and drives fresh random ``drain_data`` every cycle.
Reference: every block's entries in order, entry j of half h at accumulation-buffer address
``h·g_max + j`` with output channel group, row and pixel group advancing row-major over
``ceil(Wo/p)`` groups per row; ``drain_data`` passed through in the same cycle; ``freed``
exactly on each block's last entry; ``io_writes`` = pixels x ceil(channels / m) words per
entry (ragged row ends and channel groups included).  Half the tiles use raster pixel groups
(``PIXEL_GROUPS`` = 1: one line of ``ceil(Ho·Wo/p)`` groups, row 0, the map's last group the
only ragged one).  Variants: idle gaps between blocks with ``out`` always ready, and random
back-pressure on ``out``.
"""

from __future__ import annotations

import math

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.rtl_params import Reg
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.harness import start_block_bench


def lines(t: dict) -> tuple[int, int]:
    """(lines, pixels per line) the pixel groups tile: output rows, or (raster) one line of
    the whole map."""
    if t["raster"]:
        return 1, t["out_rows"] * t["out_cols"]
    return t["out_rows"], t["out_cols"]


def tile_blocks(out_ch: int, out_rows: int, out_cols: int, b: int, rtl):
    """(oc, row, col, length) of every block, in the sequencer's order (``out_rows`` lines of
    ``out_cols`` pixels)."""
    row_groups = math.ceil(out_cols / rtl.p)
    groups = out_rows * row_groups
    return [(o, start // row_groups, start % row_groups, min(b, groups - start))
            for o in range(math.ceil(out_ch / rtl.n)) for start in range(0, groups, b)]


def expected_entries(blocks, out_ch: int, out_cols: int, rtl):
    """((oc, row, col, acc address) of every entry, io_writes)."""
    row_groups = math.ceil(out_cols / rtl.p)
    entries, words = [], 0
    for k, (o, row, col, length) in enumerate(blocks):
        for j in range(length):
            r, c = row + (col + j) // row_groups, (col + j) % row_groups
            entries.append((o, r, c, (k % 2) * rtl.max_groups + j))
            pixels = min(rtl.p, out_cols - c * rtl.p)
            words += pixels * math.ceil(min(rtl.n, out_ch - o * rtl.n) / rtl.m)
    return entries, words


def random_tile(rng, rtl) -> dict:
    return {"out_ch": int(rng.integers(1, 3 * rtl.n + 1)), "out_rows": int(rng.integers(1, 5)),
            "out_cols": int(rng.integers(1, 3 * rtl.p + 1)),
            "b": int(rng.integers(1, rtl.max_groups + 1)), "raster": bool(rng.random() < 0.5)}


class Sequencer:
    """Finishes blocks into alternating halves when the half is free (as seen on ``out``)."""

    def __init__(self, blocks, gaps):
        self.blocks, self.gaps = blocks, list(gaps)
        self.next, self.wait = 0, self.gaps[0] if self.gaps else 0
        self.left = [0, 0]  # entries of each half's block not yet out

    def issue(self):
        """The block to finish this cycle (k, block) or None."""
        if self.next >= len(self.blocks):
            return None
        if self.wait:
            self.wait -= 1
            return None
        half = self.next % 2
        if self.left[half]:
            return None
        k = self.next
        self.left[half] = self.blocks[k][3]
        self.next += 1
        self.wait = self.gaps[self.next] if self.next < len(self.gaps) else 0
        return k, self.blocks[k]


async def drain_tile(dut, component, rng, name: str, stall: float, idle: float):
    rtl = component.rtl
    t = random_tile(rng, rtl)
    n_lines, line_pixels = lines(t)
    blocks = tile_blocks(t["out_ch"], n_lines, line_pixels, t["b"], rtl)
    entries, words = expected_entries(blocks, t["out_ch"], line_pixels, rtl)
    regs = {reg.name.lower(): 0 for reg in Reg}
    regs.update(out_ch=t["out_ch"], out_rows=t["out_rows"], out_cols=t["out_cols"],
                pixel_groups=int(t["raster"]))
    write(dut, component, "tile", value=regs)
    write(dut, component, "start", value=1)
    await RisingEdge(dut.clk)
    write(dut, component, "start", value=0)
    gaps = [int(rng.integers(1, 5)) if rng.random() < idle else 0 for _ in blocks]
    seq = Sequencer(blocks, gaps)
    board = Scoreboard(f"{name} entries", entries)
    data_mask = (1 << len(handle(dut, component, "drain_data"))) - 1
    before = read(dut, component, "counters", "io_writes")
    drained, wrong = [0], []
    dog = Watchdog(lambda: drained[0], 100, name).start()
    half_of = []  # half of each block in drain order
    while drained[0] < len(entries):
        issued = seq.issue()
        write(dut, component, "done_batch_valid", value=int(issued is not None))
        if issued is not None:
            k, (o, row, col, length) = issued
            half_of.append(k % 2)
            write(dut, component, "done_batch",
                  value={"half": k % 2, "length": length, "oc": o, "row": row, "col": col})
        ready = int(rng.random() >= stall)
        write(dut, component, "out", "ready", value=ready)
        value = int(rng.integers(0, 2**62)) & data_mask
        handle(dut, component, "drain_data").value = value
        await ReadOnly()
        taken = read(dut, component, "out", "valid") and ready
        want_freed = 0
        if taken:
            out = read(dut, component, "out", "payload")
            board.observe((out["oc"], out["row"], out["col"], read(dut, component, "drain_addr")))
            if out["data"] != value:  # the struct decoder gives the data field's bit pattern
                wrong.append(("data not passed through", drained[0]))
            half = half_of[0]
            seq.left[half] -= 1
            if not seq.left[half]:
                want_freed = 1 << half
                half_of.pop(0)
            drained[0] += 1
        if read(dut, component, "drain_en") != int(bool(taken)):
            wrong.append(("drain_en", drained[0]))
        if read(dut, component, "freed") != want_freed:
            wrong.append(("freed", drained[0], read(dut, component, "freed"), want_freed))
        await RisingEdge(dut.clk)
    write(dut, component, "done_batch_valid", value=0)
    write(dut, component, "out", "ready", value=0)
    await ReadOnly()
    idle_now = read(dut, component, "idle")
    await RisingEdge(dut.clk)
    dog.stop()
    board.check_empty()
    assert not wrong, f"{name}: {wrong[:5]}"
    assert idle_now == 1, f"{name}: drainer not idle after the last entry"
    width = len(handle(dut, component, "counters", "io_writes"))
    got = (read(dut, component, "counters", "io_writes") - before) % (1 << width)
    assert got == words % (1 << width), f"{name}: io_writes {got}, want {words}"
    dut._log.info(f"{name}: tile {t}: {len(blocks)} blocks, {len(entries)} entries, {words} words")


async def run(dut, name: str, stall: float, idle: float):
    # defined inputs from reset on: the sequencer never leaves them X (``half`` sizes a shift)
    component, rng = await start_block_bench(dut, name, [("done_batch_valid",), ("start",), ("done_batch",)])
    for k in range(6):
        await drain_tile(dut, component, rng, f"{name}[{k}]", stall, idle)


@cocotb.test()
async def idle_gaps_between_blocks(dut):
    await run(dut, "idle", stall=0.0, idle=0.5)


@cocotb.test()
async def back_pressure(dut):
    await run(dut, "back_pressure", stall=0.4, idle=0.0)
