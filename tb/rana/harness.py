"""Reusable testbench of the RANA eDRAM controller top (``rtl/rana/edram_controller.py``): the
golden-protocol driver :class:`Bench`, random layers and traffic, the eDRAM co-simulation and its
checks; imported by ``tb/rana/test_edram_controller.py`` and the RANA benchmarks."""

from __future__ import annotations

from functools import partial

import cocotb
import numpy as np
from amaranth.hdl import Shape
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb.utils import get_sim_time
from scipy.stats import poisson

from hymem.golden.energy import account, event_costs
from hymem.golden.rana.config_words import LayerConfig, Pattern, pack_words
from hymem.golden.rana.controller import LayerTraffic, run_controller
from hymem.golden.rana.lifetime import DATA_KINDS
from hymem.golden.rana.retention import distribution
from hymem.golden.tech import load_tech
from hymem.tb.common.clock import CLOCK_PERIOD_NS, start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.edram import EdramModel
from hymem.tb.common.hdl import handle, members, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rana.common import random_flags
from hymem.tb.rana.cosim import layer_traffic
from hymem.tb.runner import tb_component

WATCHDOG_CYCLES = 200_000


CONFIDENCE = 1e-6   # a layer fails if its bit errors are this unlikely under the assumed failure rate


class Bench:
    """Drives the top under the golden protocol and records what the golden model predicts."""

    def __init__(self, dut, name: str):
        self.dut = dut
        self.name = name
        self.component, self.config = tb_component()
        self.h = partial(handle, dut, self.component)
        self.access_shape = members(self.component)[("access", "payload")].shape
        self.row_field = members(self.component)[("edram_refresh_row",)].shape
        for port in ("start", "layer_done", "cfg_write", "n_layers"):
            self.h(port).value = 0
        self.access = StreamDriver(dut, self.component, "access")
        self.accepted = []
        self.layers_started = 0
        self.t0 = None
        self.on_access = None

    @property
    def cycle(self) -> int:
        return round((get_sim_time("ns") - self.t0) / CLOCK_PERIOD_NS)

    async def load(self, words):
        for addr, word in enumerate(words):
            write(self.dut, self.component, "cfg_write", value={"en": 1, "addr": addr, "data": int(word)})
            await RisingEdge(self.dut.clk)
        write(self.dut, self.component, "cfg_write", value={"en": 0, "addr": 0, "data": 0})

    async def run(self, words, n_layers: int, layers: list[LayerTraffic], monitors=()) -> dict:
        """Load, start, drive every layer; return the counters at the end of the golden protocol.

        ``monitors`` are coroutine functions started in cycle 0.
        """
        dut, h = self.dut, self.h
        await start_clock_and_reset(dut)
        await self.load(words)
        h("n_layers").value = n_layers
        h("start").value = 1
        self.t0 = get_sim_time("ns")
        for monitor in monitors:
            cocotb.start_soon(monitor())
        await RisingEdge(dut.clk)
        h("start").value = 0
        for traffic in layers[:n_layers]:
            await ReadOnly()
            if int(h("done").value):
                break
            await self.wait_high("layer_valid", in_read_only=True)
            await self.drive(traffic)
        while True:
            await ReadOnly()
            if int(h("done").value):
                break
            await RisingEdge(dut.clk)
        for _ in range(self.config.edram.rows_per_bank):   # the last sweep ends (golden.rana.controller)
            if not int(h("refreshing").value):
                break
            await RisingEdge(dut.clk)
            await ReadOnly()
        return read_counters(dut, self.component)

    async def wait_high(self, port: str, in_read_only: bool = False):
        """Return in the cycle after the first cycle in which ``port`` is high."""
        while True:
            if not in_read_only:
                await ReadOnly()
            in_read_only = False
            high = int(self.h(port).value)
            await RisingEdge(self.dut.clk)
            if high:
                return

    def progress(self):
        """What a stuck design stops changing: accesses accepted and layers begun."""
        return len(self.accepted), self.layers_started

    async def drive(self, t: LayerTraffic):
        """One layer's accesses (``t.gap`` idle cycles before each), then ``layer_done``."""
        self.layers_started += 1
        items = [{"bank": int(bank), "row": int(row), "write": int(wr)}
                 for bank, row, wr in zip(t.bank, t.row, t.write)]

        def accepted(i, item):
            cycle = self.cycle
            self.accepted.append(cycle)
            if self.on_access:
                self.on_access(i, cycle, item["bank"], item["row"], bool(item["write"]))

        await self.access.send(items, gaps=t.gap, on_beat=accepted)
        if t.tail:
            await ClockCycles(self.dut.clk, int(t.tail))
        self.h("layer_done").value = 1
        await RisingEdge(self.dut.clk)
        self.h("layer_done").value = 0

    def check_against_golden(self, words, n_layers, layers, measured) -> dict:
        golden = run_controller(self.config, words, n_layers, layers)
        self.dut._log.info(f"{self.name}: rtl {summary(measured)}; golden {summary(golden.counters)}; "
                           f"{golden.cycles} cycles, {len(golden.pulses)} pulses")
        assert_counters_equal(measured, golden.counters)
        board = Scoreboard(f"{self.name} accepted-access cycles", golden.accepted)
        for cycle in self.accepted:
            board.observe(cycle)
        board.check_empty()
        assert int(self.h("error").value) == golden.error, "error flag differs from golden"
        assert int(self.h("violation").value) == golden.violation, "violation flag differs from golden"
        assert int(self.h("access_error").value) == golden.access_error, "access_error differs from golden"
        return golden.counters


def summary(counters: dict) -> str:
    rows = counters["rows_refreshed"]
    return (", ".join(f"{k}={v}" for k, v in counters.items() if k != "rows_refreshed")
            + f", banks refreshed={sum(1 for v in rows.values() if v)}")


def random_layers(rng, n_banks: int, n_layers: int, period_range, cycles: int) -> list[LayerConfig]:
    return [LayerConfig(period=int(rng.integers(*period_range)), refresh_flags=random_flags(rng, n_banks),
                        pattern=Pattern(int(rng.integers(0, 3))), tm=16, tn=16, tr=1, tc=16,
                        layer_cycles=cycles, banks_in=1, banks_out=1, banks_w=1)
            for _ in range(n_layers)]


def random_traffic(rng, n_banks: int, rows: int, n: int, idle_prob: float, tail: int) -> LayerTraffic:
    """Bursts of 1-16 accesses to one bank (a tile streaming in), so issuers get starved and stall."""
    gaps = np.where(rng.random(n) < idle_prob, rng.integers(1, 5, n), 0)
    bursts = rng.integers(0, n_banks, size=n)[np.cumsum(rng.random(n) < 1 / 8)]
    bank = np.where(rng.random(n) < 0.9, bursts, rng.integers(0, n_banks, n))
    return LayerTraffic(gaps, bank, rng.integers(0, rows, n), rng.random(n) < 0.5, tail)


async def run_dense(dut, name: str, idle_prob: float, period_range, n_accesses: int):
    bench = Bench(dut, name)
    rng = seeded_rng(dut, name)
    e = bench.config.edram
    configs = random_layers(rng, e.n_banks, 3, period_range, 3000)
    words = pack_words(configs, e.n_banks)
    layers = [random_traffic(rng, e.n_banks, e.rows_per_bank, n_accesses, idle_prob, 500) for _ in configs]
    watchdog = Watchdog(bench.progress, 2000, name).start()
    measured = await bench.run(words, len(configs), layers)
    watchdog.stop()
    return bench.check_against_golden(words, len(configs), layers, measured)


async def cosim(dut, name: str, scheduled, time_scale: int, budget: int, kinds=DATA_KINDS):
    """Run scheduled layers with the eDRAM model; returns per-layer (errors, bits, assumed rate)."""
    bench = Bench(dut, name)
    rng = seeded_rng(dut, name)
    config, e = bench.config, bench.config.edram
    dist = distribution(config.retention)
    us_per_cycle = time_scale / config.platform.freq_hz * 1e6
    total_cycles = sum(s.config.layer_cycles for s in scheduled)
    model = EdramModel(e.n_banks, e.rows_per_bank, e.row_bits, dist, 2 * total_cycles * us_per_cycle,
                       us_per_cycle, rng)
    dut._log.info(f"{name}: {model.n_weak} weak cells drawn; 1 cycle = {us_per_cycle:.3f} us real")
    traffics = [layer_traffic(s, e.rows_per_bank, budget, kinds=kinds) for s in scheduled]
    layers = [t.accesses for t in traffics]
    words = pack_words([s.config for s in scheduled], e.n_banks)
    expected = {}
    stats = []
    def on_access(i, cycle, bank, row, wr):
        k = bench.layers_started - 1   # the layer being driven
        if i == 0 and (not stats or stats[-1][0] != k):
            stats.append([k, 0, 0])
        if wr:
            data = rng.integers(0, 2, e.row_bits, dtype=np.uint8)
            model.write(cycle, bank, row, data)
            expected[(bank, row)] = data
        else:
            got = model.read(cycle, bank, row)
            stats[-1][1] += int(np.count_nonzero(got != expected[(bank, row)]))
            stats[-1][2] += e.row_bits

    bench.on_access = on_access
    width = Shape.cast(bench.row_field.elem_shape).width
    watchdog = Watchdog(bench.progress, WATCHDOG_CYCLES, name).start()
    measured = await bench.run(words, len(scheduled), layers,
                               monitors=[lambda: refresh_monitor(bench, model, width)])
    watchdog.stop()
    counters = bench.check_against_golden(words, len(scheduled), layers, measured)
    assert model.refreshes == counters["words_refreshed"] // config.refresh_words_per_row, \
        "eDRAM model saw a different number of row refreshes than the controller counted"
    check_energy(dut, config, measured, counters)
    dut._log.info(f"{name}: words refreshed: rtl {measured['words_refreshed']} (compressed run, its own "
                  f"pulse phase and traffic tail); scheduler's gamma {sum(s.refresh_words for s in scheduled)} "
                  f"(at the real time scale, the divider's phase carried across layers)")
    return stats, model


async def refresh_monitor(bench: Bench, model: EdramModel, row_width: int):
    """Feeds the model the rows the controller refreshes; samples only while a sweep runs."""
    refreshing = bench.h("refreshing")
    strobe, rows = bench.h("edram_refresh"), bench.h("edram_refresh_row")
    mask = (1 << row_width) - 1
    while True:
        await ReadOnly()
        if not int(refreshing.value):
            await RisingEdge(refreshing)
            await ReadOnly()
        bits = int(strobe.value)
        if bits:
            packed = int(rows.value)
            banks = [b for b in range(bits.bit_length()) if bits >> b & 1]
            model.refresh_rows(bench.cycle, np.array(banks), np.array([packed >> (row_width * b) & mask
                                                                        for b in banks]))
        await RisingEdge(bench.dut.clk)


def check_energy(dut, config, measured: dict, golden: dict):
    """Refresh energy of the RTL counters equals the golden model's (one accounting function)."""
    costs = event_costs(load_tech(config.tech), {"refresh": "edram_32kb.refresh_energy"})
    rtl = account({"refresh": measured["words_refreshed"]}, costs).total_pj
    model = account({"refresh": golden["words_refreshed"]}, costs).total_pj
    dut._log.info(f"refresh energy: rtl {rtl / 1e6:.4f} uJ, golden {model / 1e6:.4f} uJ")
    assert rtl == model


def check_within(dut, name, stats, assumed_rate):
    for k, errors, bits in stats:
        bound = poisson.ppf(1 - CONFIDENCE, assumed_rate * bits)
        dut._log.info(f"{name} layer {k}: {errors} bit errors in {bits} bits read "
                      f"(BER {errors / max(bits, 1):.2e}; assumed {assumed_rate:.1e}, bound {int(bound)} errors)")
        assert bits > 0 and errors <= bound, f"{name} layer {k}: BER above the assumed failure rate"
