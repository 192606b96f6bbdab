"""cocotb regression of ``rtl/hydra/mac.py`` against ``golden/hydra/mac.py``.

Each test draws ≥ 10 000 seeded random ⟨W, A⟩ pairs (full-range, small,
extreme and rounding-corner operands, random biases, abandoned neurons),
checks every result bit-exactly in order, and checks the MAC's event counters
and the run's cycle count for equality with the golden cycle model.  Variants:
full rate, random idle cycles on the input, random back-pressure on the
output, both; plus a test proving the watchdog stops a stuck design.  The same
module verifies both MAC variants (``hydra_mac``: pipelined, ``hydra_mac_seq``:
sequential radix-4); the component's ``variant`` picks the golden timing.
"""

from __future__ import annotations

import os
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge
from cocotb.utils import get_sim_time

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.mac import MacBatch, mac_cycle_model, mac_results, multiply_cycles
from hymem.golden.trace import write_vcd
from hymem.tb.common.clock import CLOCK_PERIOD_NS, start_clock_and_reset, wait_for_level
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, members, pack, pack_array
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, idle_gaps, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.runner import tb_component

N_PAIRS = 10_000
SEQUENTIAL_PAIRS = 3_000  # the sequential MAC takes ~8 cycles per pair: fewer pairs, same coverage checks
WATCHDOG_CYCLES = 2_000


def random_operands(rng: np.random.Generator, fmt: FixedFormat, n: int) -> np.ndarray:
    """A mix that reaches every corner: full range, small values, extremes, zero."""
    lo, hi = fmt.min_value, fmt.max_value
    kind = rng.integers(0, 4, size=n)
    full = rng.integers(lo, hi + 1, size=n)
    small = rng.integers(-(1 << fmt.frac) * 2, (1 << fmt.frac) * 2 + 1, size=n)
    extreme = rng.choice([lo, lo + 1, -1, 0, 1, hi - 1, hi], size=n)
    return np.select([kind == 0, kind == 1, kind == 2], [full, small, extreme], default=0)


def rounding_corner_batch(fmt: FixedFormat) -> MacBatch:
    """One-pair neurons whose accumulator sits exactly at, just below and just above half an LSB."""
    half = 1 << max(fmt.frac - 1, 0)
    offsets = np.array([-1, 0, 1])
    acc_targets = np.concatenate([k * (1 << fmt.frac) + half + offsets for k in range(-3, 3)])
    return MacBatch(bias=0, w=acc_targets, a=np.ones_like(acc_targets), last=np.ones(len(acc_targets), bool))


def make_batches(rng: np.random.Generator, fmt: FixedFormat, n_pairs: int, idle_prob: float) -> list[MacBatch]:
    batches = [rounding_corner_batch(fmt)]
    total = len(batches[0].w)
    while total < n_pairs:
        n = int(rng.integers(1, 800))
        last = rng.random(n) < 1 / rng.integers(1, 40)  # neuron lengths from 1 to long (saturating)
        clear_after = bool(rng.random() < 0.2)
        last[-1] = not clear_after  # an abandoned neuron is left open for clear
        batches.append(MacBatch(
            bias=int(rng.integers(fmt.min_value, fmt.max_value + 1)),
            w=random_operands(rng, fmt, n), a=random_operands(rng, fmt, n), last=last,
            clear_after=clear_after, gap=idle_gaps(rng, n, idle_prob),
        ))
        total += n
    batches[0].gap = idle_gaps(rng, len(batches[0].w), idle_prob)
    return batches


def check_corner_coverage(dut, name: str, accs: np.ndarray, fmt: FixedFormat):
    """The stimulus must reach the corners it claims: narrowing overflow and exact half-LSB ties."""
    unnarrowed = accs >> fmt.frac
    overflowed = int(np.sum((unnarrowed > fmt.max_value) | (unnarrowed < fmt.min_value)))
    ties = int(np.sum((accs & ((1 << fmt.frac) - 1)) == (1 << fmt.frac) >> 1))
    negative_ties = int(np.sum(((accs & ((1 << fmt.frac) - 1)) == (1 << fmt.frac) >> 1) & (accs < 0)))
    dut._log.info(f"{name}: {len(accs)} results, {overflowed} overflow the output width, "
                  f"{ties} sit exactly on half an LSB ({negative_ties} negative)")
    assert overflowed > 0 and ties > 0 and negative_ties > 0, "stimulus misses saturation or rounding corners"


async def run_mac(dut, name: str, idle_prob: float, stall_prob: float):
    component, config = tb_component()
    fmt = config.fixed
    per_pair = multiply_cycles(component.variant, fmt)
    n_pairs = N_PAIRS if per_pair == 1 else SEQUENTIAL_PAIRS
    rng = seeded_rng(dut, name)
    batches = make_batches(rng, fmt, n_pairs, idle_prob)
    ready = ready_pattern(rng, 8 * per_pair * n_pairs, stall_prob)

    expected = mac_results(batches, fmt)
    check_corner_coverage(dut, name, expected.acc, fmt)
    cost = mac_cycle_model(batches, ready, trace=bool(os.environ.get("HYMEM_WAVES_DIR")),
                           iterations=0 if per_pair == 1 else per_pair)
    scoreboard = Scoreboard(f"{name} results", [
        {"value": int(v), "acc": int(a)} for v, a in zip(expected.value, expected.acc)
    ])

    driver = StreamDriver(dut, component, "pairs")
    monitor = StreamMonitor(dut, component, "results", ready=ready, on_item=scoreboard.observe)
    bias, bias_load = handle(dut, component, "bias"), handle(dut, component, "bias_load")
    clear, busy = handle(dut, component, "clear"), handle(dut, component, "busy")
    bias_shape = members(component)[("bias",)].shape
    pair_shape = members(component)[("pairs", "payload")].shape
    bias_load.value = 0
    clear.value = 0
    watchdog = Watchdog(lambda: (driver.sent, len(monitor.items), monitor.cycle > 0),
                        WATCHDOG_CYCLES, "hydra_mac").start()

    await start_clock_and_reset(dut)
    start_ns = get_sim_time("ns")
    monitor.start()
    for batch in batches:
        await wait_for_level(dut.clk, busy, 0)
        bias.value = pack(bias_shape, batch.bias)
        bias_load.value = 1
        await RisingEdge(dut.clk)
        bias_load.value = 0
        await driver.send(pack_array(pair_shape, w=batch.w, a=batch.a, last=batch.last), batch.gap)
        if batch.clear_after:
            clear.value = 1
            await RisingEdge(dut.clk)
            clear.value = 0
    while True:
        await ReadOnly()
        if not int(busy.value):
            break
        await RisingEdge(dut.clk)
    watchdog.stop()

    if os.environ.get("HYMEM_WAVES_DIR"):
        run_id = f"{os.environ['HYMEM_TEST_ID']}-{os.environ['HYMEM_SIM']}"
        path = Path(os.environ["HYMEM_WAVES_DIR"]) / f"{run_id}-{name}.golden.vcd"
        write_vcd(path, cost.timeline.as_signals(config.mac.counter_width), CLOCK_PERIOD_NS, int(start_ns))
        dut._log.info(f"golden timeline: {path}")

    measured = read_counters(dut, component)
    dut._log.info(f"{name}: {driver.sent} pairs, {len(monitor.items)} results, {monitor.cycle} cycles, "
                  f"rtl counters {measured}, golden macs={cost.macs} busy_cycles={cost.busy_cycles}")
    assert driver.sent == sum(len(b.w) for b in batches) >= n_pairs
    assert monitor.cycle == cost.cycles, f"run took {monitor.cycle} cycles, golden predicts {cost.cycles}"
    assert_counters_equal(measured, {"macs": cost.macs, "busy_cycles": cost.busy_cycles})
    scoreboard.check_empty()


@cocotb.test()
async def test_mac_full_rate(dut):
    """No idle cycles, sink always ready: one pair per cycle."""
    await run_mac(dut, "full_rate", idle_prob=0.0, stall_prob=0.0)


@cocotb.test()
async def test_mac_idle(dut):
    """Random idle cycles between input pairs."""
    await run_mac(dut, "idle", idle_prob=0.3, stall_prob=0.0)


@cocotb.test()
async def test_mac_backpressure(dut):
    """Random back-pressure on the results stream."""
    await run_mac(dut, "backpressure", idle_prob=0.0, stall_prob=0.5)


@cocotb.test()
async def test_mac_idle_and_backpressure(dut):
    await run_mac(dut, "idle_and_backpressure", idle_prob=0.3, stall_prob=0.5)


@cocotb.test(expect_fail=True)
async def test_watchdog_stops_stuck_sink(dut):
    """A sink that never reads stalls the MAC; the watchdog must fail the test quickly."""
    component, _ = tb_component()
    driver = StreamDriver(dut, component, "pairs")
    monitor = StreamMonitor(dut, component, "results", ready=np.zeros(10**6, dtype=bool))
    handle(dut, component, "bias_load").value = 0
    handle(dut, component, "clear").value = 0
    Watchdog(lambda: driver.sent, 100, "hydra_mac").start()
    await start_clock_and_reset(dut)
    monitor.start()
    shape = members(component)[("pairs", "payload")].shape
    await driver.send(pack_array(shape, w=np.ones(10), a=np.ones(10), last=np.ones(10, bool)))
