"""cocotb regression of ``rtl/rram/io_buffer.py`` (the p-RAM window read path, Fig. 1c).

The p RAMs are filled with random m-activation words through the load port; then every cycle
reads a random window: a random rotation (the RAM holding pixel 0), a random address per RAM
and random lanes.  The reference is a NumPy array ``rams[r, addr]``: PE row i must get
``rams[(i + rotate) mod p, addr[(i + rotate) mod p]]`` one cycle later when lane i was read,
zero otherwise; ``io_reads`` must equal the lanes read.  Variants: idle cycles (no lane read)
between windows; and writes into the RAMs while windows are read, a write and a read of the
same word in one cycle returning the old word (the RAMs' read ports are not transparent).
"""

from __future__ import annotations

import cocotb
import numpy as np
from amaranth.hdl import Shape
from cocotb.triggers import RisingEdge

from hymem.tb.common.counters import read_counters
from hymem.tb.common.hdl import handle, members, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.rram.harness import check_counter_deltas, drive_cycles, start_block_bench
from hymem.tb.rram.layout import pack_lanes, unpack_acts

WINDOWS = 200


async def load_all(dut, component, rams: np.ndarray):
    for r in range(component.p):
        for addr in range(component.depth):
            write(dut, component, "wr_en", value=1)
            write(dut, component, "wr_ram", value=r)
            write(dut, component, "wr_addr", value=addr)
            handle(dut, component, "wr_data").value = pack_lanes(rams[r, addr][None], 8)[0]
            await RisingEdge(dut.clk)
    write(dut, component, "wr_en", value=0)


def random_reads(rng, component, idle: float, writing: bool):
    """Per cycle: (lanes, rotate, addrs, write or None); writes as (ram, addr, word)."""
    p, m, depth = component.p, component.m, component.depth
    reads = []
    for _ in range(WINDOWS):
        lanes = 0 if rng.random() < idle else int(rng.integers(1, 1 << p))
        wr = None
        if writing and rng.random() < 0.5:
            wr = (int(rng.integers(p)), int(rng.integers(depth)),
                  rng.integers(-128, 128, size=m))
        reads.append((lanes, int(rng.integers(p)), rng.integers(depth, size=p), wr))
    return reads


def expected_windows(rams: np.ndarray, reads, p: int, m: int):
    """The window of every cycle (read before that cycle's write lands), and the words read."""
    rams = rams.copy()
    windows, words = [], 0
    for lanes, rotate, addrs, wr in reads:
        window = np.zeros((p, m), dtype=np.int64)
        for i in range(p):
            if lanes >> i & 1:
                ram = (i + rotate) % p
                window[i] = rams[ram, addrs[ram]]
                words += 1
        windows.append(window.tolist())
        if wr is not None:
            rams[wr[0], wr[1]] = wr[2]
    return windows, words


async def run(dut, name: str, idle: float, writing: bool):
    component, rng = await start_block_bench(dut, name, [("wr_en",), ("rd_lanes",)])
    p, m = component.p, component.m
    rams = rng.integers(-128, 128, size=(p, component.depth, m))
    await load_all(dut, component, rams)
    reads = random_reads(rng, component, idle, writing)
    windows, words = expected_windows(rams, reads, p, m)
    board = Scoreboard(f"{name} windows", windows)
    before = read_counters(dut, component)
    window = handle(dut, component, "window")
    addr_bits = Shape.cast(members(component)[("rd_addr",)].shape.elem_shape).width

    def drive(k):
        if k == len(reads):  # one more cycle to see the last window
            write(dut, component, "rd_lanes", value=0)
            write(dut, component, "wr_en", value=0)
            return
        lanes, rotate, addrs, wr = reads[k]
        write(dut, component, "rd_lanes", value=lanes)
        write(dut, component, "rd_rotate", value=rotate)
        handle(dut, component, "rd_addr").value = pack_lanes(addrs[None], addr_bits)[0]
        write(dut, component, "wr_en", value=int(wr is not None))
        if wr is not None:
            write(dut, component, "wr_ram", value=wr[0])
            write(dut, component, "wr_addr", value=wr[1])
            handle(dut, component, "wr_data").value = pack_lanes(wr[2][None], 8)[0]

    def sample(k):
        if k > 0:  # the window read in cycle k - 1
            board.observe(unpack_acts(int(window.value), p, m))

    await drive_cycles(dut, name, len(reads) + 1, drive, sample)
    board.check_empty()
    check_counter_deltas(dut, component, before, {"io_reads": words})
    dut._log.info(f"{name}: {board.matched} windows, {words} words read")


@cocotb.test()
async def idle_cycles(dut):
    await run(dut, "idle", idle=0.4, writing=False)


@cocotb.test()
async def reads_during_writes(dut):
    """A window every cycle while the load port writes (same-word collisions return old data)."""
    await run(dut, "writes", idle=0.0, writing=True)
