"""cocotb regression of ``rtl/maxnvm/cluster_lut.py`` against ``golden.maxnvm.codecs.lut``:
several layers, each loading a codebook of 16..lut_entries FX16 values and then
translating random indices (some past the loaded entries); every weight and
counter must equal the golden lookup."""

from __future__ import annotations

import cocotb
from cocotb.triggers import RisingEdge

from hymem.golden.maxnvm.codecs import lut_lookup, lut_out_of_range
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, idle_gaps, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.runner import tb_component

LAYERS, LOOKUPS = 4, 600


async def lut(dut, name, idle_prob=0.0, stall_prob=0.0):
    component, config = tb_component()
    p = config.codec
    rng = seeded_rng(dut, name)
    board = Scoreboard(f"{name} weights")
    monitor = StreamMonitor(dut, component, "weights", ready=ready_pattern(rng, 20 * LOOKUPS * LAYERS, stall_prob),
                            on_item=board.observe)
    loader, indices = StreamDriver(dut, component, "load"), StreamDriver(dut, component, "indices")
    watchdog = Watchdog(lambda: (loader.sent, len(monitor.items)), 2000, name)
    expected = {"loads": 0, "lookups": 0, "out_of_range": 0}
    write(dut, component, "n_entries", value=0)
    await start_clock_and_reset(dut)
    monitor.start()
    watchdog.start()
    lim = 1 << (p.weight_bits - 1)
    for _ in range(LAYERS):
        entries = int(rng.choice([16, 32, 64, 128][: p.lut_entries.bit_length() - 4] or [p.lut_entries]))
        book = rng.integers(-lim, lim, size=entries)
        await loader.send([{"index": i, "weight": int(v)} for i, v in enumerate(book)],
                          idle_gaps(rng, entries, idle_prob))
        while board.expected:  # the previous layer's lookups are out before the codebook changes
            await RisingEdge(dut.clk)
        write(dut, component, "n_entries", value=entries)
        idx = rng.integers(0, p.lut_entries, size=LOOKUPS)
        board.expected.extend(int(v) for v in lut_lookup(book, idx))
        await indices.send(idx.tolist(), idle_gaps(rng, LOOKUPS, idle_prob))
        expected["loads"] += entries
        expected["lookups"] += LOOKUPS
        expected["out_of_range"] += lut_out_of_range(book, idx)
    while board.expected:
        await RisingEdge(dut.clk)
    watchdog.stop()
    assert_counters_equal(read_counters(dut, component), expected)
    board.check_empty()


@cocotb.test()
async def test_lut_full_rate(dut):
    await lut(dut, "full_rate")


@cocotb.test()
async def test_lut_idle_backpressure(dut):
    await lut(dut, "idle_backpressure", idle_prob=0.3, stall_prob=0.3)
