"""cocotb regression of ``rtl/rana/clock_divider.py`` against ``golden.rana.controller.run_divider``.

Checks the cycle of every refresh pulse and the pulse counter for equality
with the golden model under: no load at all (idle: never a pulse), random
reloads (including period 0 = stop, reloads in the very cycle of a pulse and
reloads while stopped), and the real 734 µs period (146 800 cycles at
200 MHz) waited for on simulator edges, not per cycle.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from hymem.golden.rana.controller import run_divider
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.runner import tb_component


async def run_loads(dut, name: str, loads: dict[int, int], n_cycles: int):
    """Drive ``loads[cycle] = period`` from cycle 0 and sample the pulse every cycle."""
    component, _ = tb_component()
    period, load, pulse = (handle(dut, component, p) for p in ("period", "load", "pulse"))
    load.value = 0
    expected = run_divider(loads, n_cycles)
    board = Scoreboard(f"{name} pulse cycles", expected)
    cycle = {"n": 0}
    watchdog = Watchdog(lambda: cycle["n"], 100, name).start()
    await start_clock_and_reset(dut)
    for c in range(n_cycles):
        cycle["n"] = c
        load.value = int(c in loads)
        period.value = loads.get(c, 0)
        await ReadOnly()
        if int(pulse.value):
            board.observe(c)
        await RisingEdge(dut.clk)
    load.value = 0
    watchdog.stop()
    await ReadOnly()
    measured = read_counters(dut, component)
    dut._log.info(f"{name}: {len(expected)} pulses expected, rtl counters {measured}")
    assert_counters_equal(measured, {"pulses": len(expected)})
    board.check_empty()
    return expected


@cocotb.test()
async def test_divider_idle(dut):
    """Never loaded: no pulse."""
    pulses = await run_loads(dut, "idle", {}, 2000)
    assert pulses == []


@cocotb.test()
async def test_divider_reloads(dut):
    """Random periods (1..300 and 0), reloads at random cycles and exactly at pulses."""
    rng = seeded_rng(dut, "reloads")
    n_cycles = 20_000
    loads = {}
    for c in np.sort(rng.choice(n_cycles, size=120, replace=False)):
        loads[int(c)] = int(rng.choice([0, 1, 2, int(rng.integers(3, 300))], p=[0.1, 0.05, 0.05, 0.8]))
    pulses = run_divider(loads, n_cycles)
    for p in pulses[5::15]:  # some loads land in the cycle of a pulse
        loads[p] = int(rng.integers(2, 300))
    pulses = await run_loads(dut, "reloads", loads, n_cycles)
    assert len(pulses) > 100


@cocotb.test()
async def test_divider_734us(dut):
    """The RANA*(E-5) interval: 734 us at 200 MHz is 146 800 cycles between pulses."""
    component, config = tb_component()
    period_cycles = config.period_cycles(config.retention.tolerable_us)
    assert period_cycles == 146_800
    period, load, pulse = (handle(dut, component, p) for p in ("period", "load", "pulse"))
    watchdog = Watchdog(lambda: 0, 3 * period_cycles, "734us").start()  # progress never changes: a bound
    await start_clock_and_reset(dut)
    period.value, load.value = period_cycles, 1
    await RisingEdge(dut.clk)  # load in cycle 0; now in cycle 1
    load.value = 0
    await ClockCycles(dut.clk, period_cycles - 2)  # now in cycle period - 1: no pulse yet
    await ReadOnly()
    assert not int(pulse.value)
    await RisingEdge(dut.clk)  # cycle period: the pulse
    await ReadOnly()
    assert int(pulse.value)
    await ClockCycles(dut.clk, period_cycles)
    await ReadOnly()
    assert int(pulse.value), "second pulse one period later"
    watchdog.stop()
