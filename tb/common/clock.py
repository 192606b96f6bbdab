"""Clock and reset for Amaranth tops (``clk``, synchronous active-high ``rst``)."""

from __future__ import annotations

import os

from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge
from cocotb.utils import get_sim_time

CLOCK_PERIOD_NS = 10


def cycle_now(period_ns: int = CLOCK_PERIOD_NS) -> int:
    """The current simulation time in clock cycles."""
    return int(get_sim_time("ns") // period_ns)


async def start_clock_and_reset(dut, reset_cycles: int = 2, period_ns: int = CLOCK_PERIOD_NS):
    """Start the clock (a GPI clock: no Python per cycle) and hold reset.

    Returns right after the edge that begins cycle 0, the first cycle out of
    reset; golden cycle models count from there.
    """
    if not os.environ.get("HYMEM_HDL_CLOCK"):  # else the runner's Verilog wrapper makes the clock
        Clock(dut.clk, period_ns, unit="ns", impl="gpi").start()
    dut.rst.value = 1
    for _ in range(reset_cycles):
        await RisingEdge(dut.clk)
    dut.rst.value = 0


async def wait_for_level(clk, signal, level: int):
    """Return right after the edge that ends the first cycle in which ``signal == level``.

    The signal is sampled in the ReadOnly phase, so the caller acts in the next
    cycle — the timing the golden cycle models assume ("seen in cycle c, act in c + 1").
    A 1-bit ``signal`` not yet at ``level`` is waited for by its own edge, not
    cycle by cycle (a job computing for thousands of cycles costs no Python
    per cycle); the level is sampled again after the edge, so a zero-time
    glitch does not count.
    """
    one_bit = len(signal) == 1
    while True:
        await ReadOnly()
        if int(signal.value) == level:
            await RisingEdge(clk)
            return
        if one_bit:
            await (RisingEdge(signal) if level else FallingEdge(signal))
        else:
            await RisingEdge(clk)
