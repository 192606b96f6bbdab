"""cocotb regression of ``rtl/rram/weight_buffer.py`` (the RRAM weight buffer's timing model).

Random words are loaded, then reads are requested through ``req`` with seeded idle gaps;
every accept cycle, every response cycle (accept + latency) and word, and the read and
bank-wait counters must equal ``golden.rram.rtl_timing.weight_port_schedule``.  Variants:
idle gaps, back-to-back reads to one bank (every read waits for the bank: the RRAM wait
states), and random addresses.
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.rtl_timing import weight_port_schedule
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, idle_gaps
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.runner import tb_component


async def load(dut, component, words: dict):
    for addr, word in words.items():
        write(dut, component, "wr_en", value=1)
        write(dut, component, "wr_addr", value=addr)
        handle(dut, component, "wr_data").value = word
        await RisingEdge(dut.clk)
    write(dut, component, "wr_en", value=0)


async def watch(dut, component, accepts: list, responses: list):
    """Per cycle, counted from the cycle it starts in: every accepted read's cycle and every
    (cycle, word) response."""
    valid, ready = handle(dut, component, "req", "valid"), handle(dut, component, "req", "ready")
    cycle = 0
    while True:
        await ReadOnly()
        if int(valid.value) and int(ready.value):
            accepts.append(cycle)
        if read(dut, component, "resp_valid"):
            responses.append((cycle, int(handle(dut, component, "resp_data").value)))
        await RisingEdge(dut.clk)
        cycle += 1


async def run_reads(dut, name: str, addrs, gaps):
    component, config = tb_component()
    rtl = config.rtl
    driver = StreamDriver(dut, component, "req")  # drives valid low from reset on
    write(dut, component, "wr_en", value=0)
    await start_clock_and_reset(dut)
    rng = seeded_rng(dut, name)
    words = {
        int(a): int(rng.integers(0, 2**63)) << 64 | int(rng.integers(0, 2**63)) for a in set(addrs)
    }
    await load(dut, component, words)
    before = read_counters(dut, component)
    accepts, responses = [], []
    monitor = cocotb.start_soon(watch(dut, component, accepts, responses))
    dog = Watchdog(lambda: (len(accepts), len(responses)), 200, name).start()
    await driver.send([int(a) for a in addrs], gaps)
    for _ in range(rtl.weight_latency + 2):
        await RisingEdge(dut.clk)
    monitor.cancel()
    dog.stop()
    want_accepts, waits = weight_port_schedule(
        gaps, [int(a) % rtl.weight_banks for a in addrs], rtl
    )
    assert accepts == want_accepts, f"{name}: accepts {accepts[:8]}... want {want_accepts[:8]}..."
    board = Scoreboard(
        f"{name} responses",
        [(c + rtl.weight_latency, words[int(a)]) for c, a in zip(want_accepts, addrs)],
    )
    for item in responses:
        board.observe(item)
    board.check_empty()
    after = read_counters(dut, component)
    delta = {k: (after[k] - before[k]) % (1 << rtl.counter_width) for k in after}
    assert_counters_equal(delta, {"weight_reads": len(addrs), "weight_bank_waits": waits})
    dut._log.info(f"{name}: {len(addrs)} reads, {waits} bank-wait cycles")
    return waits


@cocotb.test()
async def idle_gaps_random_addresses(dut):
    _, config = tb_component()
    rng = seeded_rng(dut, "idle")
    addrs = rng.integers(0, config.rtl.weight_depth, 64)
    await run_reads(dut, "idle", addrs, idle_gaps(rng, 64, 0.5))


@cocotb.test()
async def one_bank_back_to_back(dut):
    """Every read hits bank 0 with no gap: each waits busy - 1 cycles (none when busy = 1)."""
    _, config = tb_component()
    rtl = config.rtl
    addrs = [k * rtl.weight_banks for k in range(32)]
    waits = await run_reads(dut, "one_bank", addrs, [0] * 32)
    assert waits == 31 * (rtl.weight_bank_busy - 1)


@cocotb.test()
async def sequential_addresses(dut):
    """Consecutive words rotate through the banks: no waits when banks >= busy."""
    _, config = tb_component()
    rtl = config.rtl
    waits = await run_reads(dut, "sequential", list(range(48)), [0] * 48)
    if rtl.weight_banks >= rtl.weight_bank_busy:
        assert waits == 0
