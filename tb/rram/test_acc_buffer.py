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

from hymem.tb.common.counters import read_counters
from hymem.tb.common.hdl import handle, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.rram.harness import check_counter_deltas, drive_cycles, start_block_bench
from hymem.tb.rram.layout import pack_lanes, unpack_entry

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
    component, rng = await start_block_bench(dut, name)
    zero = np.zeros((component.p, component.n), dtype=np.int64)
    # the RAM keeps its contents across reset (and across tests): clear it uncounted first
    clear = [(1, 1, addr, zero, 0, 0, 0) for addr in range(component.depth)]
    ops = clear + random_ops(rng, component, active, counting_runs)
    drained, counts = reference(ops, component)
    board = Scoreboard(f"{name} drains", drained)
    before = read_counters(dut, component)
    data = handle(dut, component, "drain_data")
    acc_bits = component.acc_bits
    names = ("acc_en", "acc_first", "acc_addr", "dot", "drain_en", "drain_addr", "counting")

    def drive(k):
        op = dict(zip(names, ops[k])) if k < len(ops) else {"acc_en": 0, "drain_en": 0}
        for port, value in op.items():
            if port == "dot":
                handle(dut, component, "dot").value = pack_lanes(value.reshape(1, -1), acc_bits)[0]
            else:
                write(dut, component, port, value=value)

    def sample(k):
        if k < len(ops) and ops[k][4]:  # drain_en: the entry read this cycle
            board.observe(unpack_entry(int(data.value), component, acc_bits).tolist())

    await drive_cycles(dut, name, len(ops) + 1, drive, sample)
    board.check_empty()
    check_counter_deltas(dut, component, before, counts)
    dut._log.info(f"{name}: {board.matched} drains checked, {counts}")


@cocotb.test()
async def idle_cycles(dut):
    await run(dut, "idle", active=0.5, counting_runs=True)


@cocotb.test()
async def dense(dut):
    """An accumulation and a drain every cycle (addresses colliding at random)."""
    await run(dut, "dense", active=1.0, counting_runs=False)
