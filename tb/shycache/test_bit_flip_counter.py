"""cocotb regression of ``rtl/shycache/bit_flip_counter.py`` (seed 000 §VI-C endurance count).

Random (old, new) line pairs — sparse and dense differences, all-ones against
zeros — written with and without idle cycles between them; the counter must
equal the sum of Python's ``int.bit_count`` of old XOR new over the writes,
and idle cycles (``write`` low) must not count.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import handle
from hymem.tb.common.seed import seeded_rng
from hymem.tb.runner import tb_component


def random_line(rng, bits: int, density: float) -> int:
    return int(sum(1 << int(b) for b in (rng.random(bits) < density).nonzero()[0]))


async def drive(dut, name: str, idle_prob: float, n: int = 300):
    component, _ = tb_component()
    bits = component.line_bits
    rng = seeded_rng(dut, name)
    h = {k: handle(dut, component, k) for k in ("write", "old_line", "new_line", "flips")}
    h["write"].value = 0
    await start_clock_and_reset(dut)
    expected = 0
    pairs = [(0, (1 << bits) - 1), ((1 << bits) - 1, (1 << bits) - 1)]
    pairs += [(random_line(rng, bits, 0.5), random_line(rng, bits, rng.random())) for _ in range(n)]
    for old, new in pairs:
        write = rng.random() >= idle_prob
        h["write"].value, h["old_line"].value, h["new_line"].value = int(write), old, new
        expected += (old ^ new).bit_count() if write else 0
        await RisingEdge(dut.clk)
    h["write"].value = 0
    await RisingEdge(dut.clk)
    await ReadOnly()
    assert int(h["flips"].value) == expected % (1 << component.counter_width), \
        f"{name}: flips {int(h['flips'].value)}, expected {expected}"
    dut._log.info(f"{name}: {len(pairs)} cycles, {expected} flips")


@cocotb.test()
async def test_flips_back_to_back(dut):
    await drive(dut, "back_to_back", idle_prob=0.0)


@cocotb.test()
async def test_flips_with_idle_cycles(dut):
    await drive(dut, "idle", idle_prob=0.5)
