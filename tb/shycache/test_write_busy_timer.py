"""cocotb regression of ``rtl/shycache/write_busy_timer.py`` (seed 000 §V-A, Table I).

Random line writes to random subarrays, sparse and in bursts (queued writes,
saturation); every cycle ``busy`` for a random probed subarray must equal an
independent per-cycle model: each subarray has a count of busy cycles left,
a write in cycle t makes it ``min(left after t + write_cycles, max_queued *
write_cycles)``, and a subarray is busy while its count is not zero.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import handle
from hymem.tb.common.seed import seeded_rng
from hymem.tb.runner import tb_component


async def drive(dut, name: str, write_prob: float, n_cycles: int):
    component, _ = tb_component()
    s, w, q = component.subarrays, component.write_cycles, component.max_queued
    rng = seeded_rng(dut, name)
    h = {k: handle(dut, component, k) for k in ("start", "start_index", "probe_index", "busy")}
    h["start"].value = 0
    await start_clock_and_reset(dut)
    left = [0] * s
    busy_cycles = mismatches = 0
    for cycle in range(n_cycles):
        start = rng.random() < write_prob
        index, probe = int(rng.integers(0, s)), int(rng.integers(0, s))
        h["start"].value, h["start_index"].value, h["probe_index"].value = int(start), index, probe
        await ReadOnly()
        want = left[probe] != 0
        busy_cycles += want
        if int(h["busy"].value) != want:
            mismatches += 1
            dut._log.error(f"{name}: cycle {cycle} subarray {probe}: busy {int(h['busy'].value)}, "
                           f"want {int(want)} ({left[probe]} left)")
        after = [max(x - 1, 0) for x in left]
        if start:
            after[index] = min(after[index] + w, q * w)
        left = after
        await RisingEdge(dut.clk)
    h["start"].value = 0
    assert mismatches == 0, f"{name}: {mismatches} cycles with a wrong busy"
    dut._log.info(f"{name}: {n_cycles} cycles, probed subarray busy in {busy_cycles}")
    assert 0 < busy_cycles < n_cycles


@cocotb.test()
async def test_busy_sparse_writes(dut):
    """Writes rarer than one per write time: mostly idle subarrays, no queueing."""
    component, _ = tb_component()
    await drive(dut, "sparse", 0.3 / component.write_cycles, 20 * component.write_cycles)


@cocotb.test()
async def test_busy_write_bursts(dut):
    """Writes nearly every cycle: writes queue behind busy ones until the timer saturates."""
    component, _ = tb_component()
    await drive(dut, "bursts", 0.5, 6 * component.write_cycles)
