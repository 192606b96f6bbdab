"""Run a two-path stream block (``enc_in → enc_out``, ``dec_in → dec_out``) under cocotb."""

from __future__ import annotations

import cocotb
from cocotb.triggers import RisingEdge

from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.stream import StreamDriver, StreamMonitor, idle_gaps, ready_pattern
from hymem.tb.common.watchdog import Watchdog

WATCHDOG_CYCLES = 2000


async def run_paths(dut, component, rng, name: str, paths: dict, idle_prob=0.0, stall_prob=0.0):
    """``paths``: ``{(in port, out port): (items in, expected items out)}``.  Drives every
    path concurrently with seeded idle gaps and back-pressure; returns the received items."""
    boards, drivers, monitors = [], [], []
    for (inp, out), (items, expected) in paths.items():
        board = Scoreboard(f"{name} {out}", expected)
        monitors.append(StreamMonitor(dut, component, out, ready=ready_pattern(rng, 4 * len(items) + 100, stall_prob),
                                      on_item=board.observe))
        drivers.append((StreamDriver(dut, component, inp), items, idle_gaps(rng, len(items), idle_prob)))
        boards.append(board)
    watchdog = Watchdog(lambda: tuple(len(mon.items) for mon in monitors), WATCHDOG_CYCLES, name)
    await start_clock_and_reset(dut)
    for mon in monitors:
        mon.start()
    watchdog.start()
    tasks = [cocotb.start_soon(drv.send(items, gaps)) for drv, items, gaps in drivers]
    for task in tasks:
        await task
    while any(board.expected for board in boards):
        await RisingEdge(dut.clk)
    for _ in range(3):  # nothing unexpected trails
        await RisingEdge(dut.clk)
    watchdog.stop()
    for board in boards:
        board.check_empty()
    return [mon.items for mon in monitors]
