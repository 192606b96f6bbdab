"""cocotb regression of ``rtl/shycache/address_predecoder.py`` (seed 000 §IV-A).

Requests pass through unchanged and in order, each tagged ``stt`` exactly when
its line lies in a reserved range loaded before it (an independent Python
``lo <= line < hi`` over the ranges written); malformed range writes (an index
past the registers, base > limit) are dropped and raise ``range_error``.
Variants: idle gaps on the input, random back-pressure on the output.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.rtl.shycache.layouts import index_bits
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import handle
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, idle_gaps, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.runner import tb_component


def random_ranges(rng, p, n_writes: int, span: int):
    """Range writes with line-aligned bounds in [0, span); about one in five malformed (an index
    past the registers when the index field can hold one, else base > limit)."""
    index_codes = 1 << index_bits(p.n_ranges)
    writes = []
    for _ in range(n_writes):
        lo, hi = sorted(int(x) * p.line_bytes for x in rng.integers(0, span // p.line_bytes, 2))
        index = int(rng.integers(0, p.n_ranges))
        kind = rng.random()
        if kind < 0.1 and index_codes > p.n_ranges:
            index = int(rng.integers(p.n_ranges, index_codes))
        elif kind < 0.2 and lo < hi:
            lo, hi = hi, lo
        writes.append({"index": index, "base": lo, "limit": hi})
    return writes


def apply_ranges(p, registers: list, writes) -> bool:
    """The registers after ``writes``; returns whether any write was malformed."""
    bad = False
    for w in writes:
        if w["index"] >= p.n_ranges or w["base"] > w["limit"]:
            bad = True
            continue
        registers[w["index"]] = (w["base"], w["limit"])
    return bad


def routed(p, registers, req: dict) -> dict:
    line = req["addr"] - req["addr"] % p.line_bytes
    return {**req, "stt": int(any(lo <= line < hi for lo, hi in registers))}


async def run_phases(dut, name: str, stall_prob: float, idle_prob: float):
    component, _ = tb_component()
    p = component.params
    rng = seeded_rng(dut, name)
    span = 64 * p.line_bytes
    registers = [(0, 0)] * p.n_ranges
    expected, range_error = [], False
    phases = []
    for _ in range(3):
        writes = random_ranges(rng, p, 3, span)
        range_error |= apply_ranges(p, registers, writes)
        n = 150
        requests = [{"op": int(o), "addr": int(a), "data": int(d)} for o, a, d in zip(
            rng.integers(0, 4, n), rng.integers(0, span, n), rng.integers(0, 1 << p.word_bits, n))]
        expected += [routed(p, registers, r) for r in requests]
        phases.append((writes, requests, idle_gaps(rng, n, idle_prob)))
    board = Scoreboard(f"{name} routed requests", expected)
    await start_clock_and_reset(dut)
    ready = ready_pattern(rng, 4 * len(expected), stall_prob)
    monitor = StreamMonitor(dut, component, "out", ready, board.observe)
    monitor.start()
    watchdog = Watchdog(lambda: len(monitor.items), 200, name).start()
    for writes, requests, gaps in phases:
        await StreamDriver(dut, component, "ranges").send(writes)
        await StreamDriver(dut, component, "req").send(requests, gaps)
    while len(monitor.items) < len(expected):
        await RisingEdge(dut.clk)
    watchdog.stop()
    await ReadOnly()
    board.check_empty()
    assert int(handle(dut, component, "range_error").value) == int(range_error)
    stt = sum(item["stt"] for item in expected)
    dut._log.info(f"{name}: {len(expected)} requests, {stt} routed to STT, "
                  f"range_error={int(range_error)}")
    assert 0 < stt < len(expected)


@cocotb.test()
async def test_predecoder_idle(dut):
    """Idle gaps on the input, output always ready."""
    await run_phases(dut, "idle", stall_prob=0.0, idle_prob=0.4)


@cocotb.test()
async def test_predecoder_backpressure(dut):
    """Back-to-back input, random output back-pressure."""
    await run_phases(dut, "backpressure", stall_prob=0.4, idle_prob=0.0)
