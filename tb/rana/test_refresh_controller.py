"""cocotb regression of ``rtl/rana/refresh_controller.py`` against ``golden.rana.controller.run_refresh``.

Pulses and flag loads are driven at chosen cycles, accesses as a stream
(gaps after each transfer); the cycle of every accepted access and every
counter (pulses, rows refreshed per bank, words refreshed, accesses, stall
cycles, violations) must equal the golden model's, and so must the refresh
strobes seen per bank.  Variants: idle (no accesses: every flagged bank is
swept in ``rows_per_bank`` cycles and unflagged banks are never touched),
bursty back-pressure (issuers starved by bursts to one bank, bounded stalls),
pulses closer than a sweep (violations), and accesses outside the buffer.
"""

from __future__ import annotations

from functools import partial

import cocotb
import numpy as np
from amaranth.hdl import Shape
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rana.controller import LayerTraffic, RefreshModel, run_refresh
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, members
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rana.common import random_flags
from hymem.tb.runner import tb_component


def bursty_traffic(rng, n_banks: int, rows: int, n: int, idle_prob: float) -> LayerTraffic:
    gaps = np.where(rng.random(n) < idle_prob, rng.integers(1, 5, n), 0)
    bank = rng.integers(0, n_banks, size=n)[np.cumsum(rng.random(n) < 1 / 10)]
    return LayerTraffic(gaps, bank, rng.integers(0, rows, n), rng.random(n) < 0.5)


async def run_block(dut, name: str, pulses, flag_loads: dict, traffic: LayerTraffic, n_cycles: int) -> dict:
    component, config = tb_component()
    e = config.edram
    model = RefreshModel(e.n_banks, e.rows_per_bank, config.refresh_words_per_row, e.refresh_max_wait)
    golden_accepts = run_refresh(model, pulses, flag_loads, traffic, n_cycles)
    h = partial(handle, dut, component)
    for port in ("pulse", "flags_load", "flags"):
        h(port).value = 0
    access = StreamDriver(dut, component, "access")
    board = Scoreboard(f"{name} accepted accesses", golden_accepts)
    pulse_set = {int(p) for p in pulses}
    strobes = np.zeros(e.n_banks, dtype=np.int64)
    state = {"cycle": 0, "accepted": 0}

    def accepted(i, item):  # ReadOnly phase of the accepting cycle
        board.observe(state["cycle"])
        state["accepted"] += 1

    # Progress: the cycle count while the run is bounded by n_cycles, then accepted accesses only
    # (an access that is never accepted would otherwise keep this loop going for ever).  One tuple,
    # so a cycle count that happens to equal the later access count is not read as a stall.
    watchdog = Watchdog(lambda: (min(state["cycle"], n_cycles), state["accepted"]), 100, name).start()
    await start_clock_and_reset(dut)
    n = len(traffic.bank)
    items = [{"bank": int(traffic.bank[i]), "row": int(traffic.row[i]), "write": int(traffic.write[i])}
             for i in range(n)]
    cocotb.start_soon(access.send(items, gaps=traffic.gap, on_beat=accepted))
    while state["cycle"] < n_cycles or state["accepted"] < n:
        c = state["cycle"]
        h("pulse").value = int(c in pulse_set)
        h("flags_load").value = int(c in flag_loads)
        h("flags").value = flag_loads.get(c, 0)
        await ReadOnly()
        bits = int(h("edram_refresh").value)
        if bits:
            strobes += [(bits >> b) & 1 for b in range(e.n_banks)]
        await RisingEdge(dut.clk)
        state["cycle"] += 1
    for port in ("pulse", "flags_load"):
        h(port).value = 0
    watchdog.stop()
    await ReadOnly()
    measured = read_counters(dut, component)
    predicted = model.counters()
    dut._log.info(f"{name}: {state['cycle']} cycles; rtl " + ", ".join(
        f"{k}={v}" for k, v in measured.items() if k != "rows_refreshed"))
    assert_counters_equal(measured, predicted)
    assert list(strobes) == list(model.rows_refreshed), "refresh strobes per bank differ from golden rows"
    assert int(h("violation").value) == (predicted["violations"] > 0)
    assert int(h("access_error").value) == model.access_error
    board.check_empty()
    return predicted


@cocotb.test()
async def test_refresh_idle(dut):
    """No accesses: each flagged bank gets all its rows per pulse, unflagged banks none."""
    _, config = tb_component()
    e = config.edram
    rng = seeded_rng(dut, "idle")
    flags = random_flags(rng, e.n_banks)
    period = e.rows_per_bank + 50
    pulses = [10 + k * period for k in range(4)]
    counters = await run_block(dut, "idle", pulses, {2: flags}, LayerTraffic([], [], [], []), pulses[-1] + period)
    flagged = [b for b in range(e.n_banks) if flags >> b & 1]
    assert counters["rows_refreshed"] == {b: (4 * e.rows_per_bank if b in flagged else 0) for b in range(e.n_banks)}
    assert counters["stall_cycles"] == 0 and counters["violations"] == 0


@cocotb.test()
async def test_refresh_backpressure(dut):
    """Bursts to one bank starve its issuer; it stalls one access per max_wait deferrals, no violation."""
    _, config = tb_component()
    e = config.edram
    rng = seeded_rng(dut, "backpressure")
    period = e.rows_per_bank * (e.refresh_max_wait + 1) + 20
    pulses = [5 + k * period for k in range(3)]
    traffic = bursty_traffic(rng, e.n_banks, e.rows_per_bank, 3 * period, 0.05)
    counters = await run_block(dut, "backpressure", pulses, {0: (1 << e.n_banks) - 1}, traffic, pulses[-1] + period)
    assert counters["stall_cycles"] > 0 and counters["violations"] == 0


@cocotb.test()
async def test_refresh_violations(dut):
    """Pulses half a sweep apart and flags reloaded between them: violations counted per bank."""
    _, config = tb_component()
    e = config.edram
    rng = seeded_rng(dut, "violations")
    half = e.rows_per_bank // 2
    pulses = [3 + k * half for k in range(6)]
    loads = {0: random_flags(rng, e.n_banks), pulses[3] + 1: random_flags(rng, e.n_banks)}
    traffic = bursty_traffic(rng, e.n_banks, e.rows_per_bank, 2000, 0.3)
    counters = await run_block(dut, "violations", pulses, loads, traffic, pulses[-1] + e.rows_per_bank)
    assert counters["violations"] > 0


@cocotb.test()
async def test_refresh_bad_accesses(dut):
    """Accesses naming a row or bank outside the buffer (found by make sim COVERAGE=1 to be
    exercised only through the composite controller): accepted, dropped, counted in
    ``bad_accesses`` and raising ``access_error``; refresh goes on as scheduled."""
    component, config = tb_component()
    e = config.edram
    rng = seeded_rng(dut, "bad_accesses")
    layout = members(component)[("access", "payload")].shape
    field_limit = {f: 1 << Shape.cast(layout[f].shape).width for f in ("bank", "row")}
    period = e.rows_per_bank + 100
    pulses = [7 + k * period for k in range(3)]
    traffic = bursty_traffic(rng, e.n_banks, e.rows_per_bank, 1500, 0.3)
    bad = rng.random(1500) < 0.05
    traffic.row[bad] = rng.integers(e.rows_per_bank, field_limit["row"], size=int(bad.sum()))
    if field_limit["bank"] > e.n_banks:  # a bank field with codes beyond n_banks (e.g. 20 banks in 5 bits)
        some = bad & (rng.random(1500) < 0.5)
        traffic.bank[some] = rng.integers(e.n_banks, field_limit["bank"], size=int(some.sum()))
    counters = await run_block(dut, "bad_accesses", pulses, {0: (1 << e.n_banks) - 1}, traffic,
                               pulses[-1] + period)
    assert counters["bad_accesses"] == int(bad.sum()) > 0
    assert counters["accesses"] == 1500 - int(bad.sum())
