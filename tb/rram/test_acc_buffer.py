"""cocotb regression of ``rtl/rram/acc_buffer.py`` (the ping-pong accumulation buffer).

Every cycle drives a random accumulate (first step or read-modify-write, random entry, random
int32 partial sums) and a random drain; the reference is a plain Python list of entries that
wraps each sum to int32 (the overflow rule of ``golden.rram.functional``).  Every drained
entry must equal the reference's entry before that cycle's write (the drain port is
combinational, a write shows the next cycle), and the counters must equal the reference's
counts (words of p x n: one read per read-modify-write and per drain, one write per step,
nothing counted while ``counting`` is low).  Variants: idle cycles between accumulations,
and a dense run (an accumulation and a drain every cycle, the worst read/write overlap).
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.layout import pack_lanes, unpack_entry
from hymem.tb.runner import tb_component

CYCLES = 300


def wrap32(values: np.ndarray) -> np.ndarray:
    return (values + (1 << 31)) % (1 << 32) - (1 << 31)


def random_ops(rng, component, active: float, counting_runs: bool):
    """Per cycle: (acc_en, acc_first, acc_addr, dot (p, n), drain_en, drain_addr, counting)."""
    depth, p, n = component.depth, component.p, component.n
    ops = []
    counting = 1
    for k in range(CYCLES):
        if counting_runs and k % 50 == 0:
            counting = int(rng.random() < 0.7)
        # sums near the int32 limits so the wrap is exercised
        dot = rng.integers(-(1 << 31), 1 << 31, size=(p, n), dtype=np.int64)
        ops.append((int(rng.random() < active), int(rng.random() < 0.3), int(rng.integers(depth)),
                    dot, int(rng.random() < active), int(rng.integers(depth)), counting))
    return ops


def reference(ops, component):
    """(drained entries in order, counters) from a list of int64 entries (the RAM starts at 0)."""
    p, n = component.p, component.n
    entries = [np.zeros((p, n), dtype=np.int64) for _ in range(component.depth)]
    drained, reads, writes = [], 0, 0
    for acc_en, first, addr, dot, drain_en, drain_addr, counting in ops:
        if drain_en:
            drained.append(entries[drain_addr].tolist())
        if acc_en:
            entries[addr] = wrap32(dot + (0 if first else entries[addr]))
        if counting:
            reads += (acc_en and not first) + drain_en
            writes += acc_en
    words = p * n
    return drained, {"acc_reads": reads * words, "acc_writes": writes * words}


async def run(dut, name: str, active: float, counting_runs: bool):
    component, _ = tb_component()
    await start_clock_and_reset(dut)
    rng = seeded_rng(dut, name)
    zero = np.zeros((component.p, component.n), dtype=np.int64)
    # the RAM keeps its contents across reset (and across tests): clear it uncounted first
    clear = [(1, 1, addr, zero, 0, 0, 0) for addr in range(component.depth)]
    ops = clear + random_ops(rng, component, active, counting_runs)
    drained, counts = reference(ops, component)
    board = Scoreboard(f"{name} drains", drained)
    before = read_counters(dut, component)
    done = [0]
    dog = Watchdog(lambda: done[0], 50, name).start()
    data = handle(dut, component, "drain_data")
    acc_bits = component.acc_bits
    for acc_en, first, addr, dot, drain_en, drain_addr, counting in ops:
        write(dut, component, "acc_en", value=acc_en)
        write(dut, component, "acc_first", value=first)
        write(dut, component, "acc_addr", value=addr)
        handle(dut, component, "dot").value = pack_lanes(dot.reshape(1, -1), acc_bits)[0]
        write(dut, component, "drain_en", value=drain_en)
        write(dut, component, "drain_addr", value=drain_addr)
        write(dut, component, "counting", value=counting)
        await ReadOnly()
        if drain_en:
            board.observe(unpack_entry(int(data.value), component, acc_bits).tolist())
        await RisingEdge(dut.clk)
        done[0] += 1
    write(dut, component, "acc_en", value=0)
    write(dut, component, "drain_en", value=0)
    await RisingEdge(dut.clk)
    dog.stop()
    board.check_empty()
    after = read_counters(dut, component)
    width = len(handle(dut, component, "counters", "acc_reads"))
    delta = {k: (after[k] - before[k]) % (1 << width) for k in after}
    assert_counters_equal(delta, counts, width)
    dut._log.info(f"{name}: {board.matched} drains checked, {counts}")


@cocotb.test()
async def idle_cycles(dut):
    await run(dut, "idle", active=0.5, counting_runs=True)


@cocotb.test()
async def dense(dut):
    """An accumulation and a drain every cycle (addresses colliding at random)."""
    await run(dut, "dense", active=1.0, counting_runs=False)
