"""cocotb regression of ``rtl/maxnvm/bitmask_harness.py`` (BitmaskDecoder + memories)
against ``golden.maxnvm.codecs`` (decode report and beat/cycle cost).

Random layers at random sparsity (0-95 %), encoded by the golden NVDLA encoder
with IdxSync counters, are loaded into the surface memories and decoded with
IdxSync on and off: every output beat must equal the golden one, and every
counter the golden prediction.  Fault-injected surfaces (seeded bit flips in
mask, counters, packed values and WGS) must decode exactly like the golden
decoder under the same faults; a single mask-bit fault must stay inside its
block with IdxSync and spread past it without (asserted on the RTL's output).
Malformed inputs (zero group size, oversize WGS and counters, truncated data)
raise ``error`` and the decoder finishes.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from golden.maxnvm.codecs import decode_bitmask_report, encode_bitmask, flip_bits
from golden.maxnvm.codecs.cost import (
    bitmask_beats,
    bitmask_decoder_cost,
    bitmask_group_beats,
    busy_cycles_with_stalls,
)
from tb.common.clock import start_clock_and_reset, wait_for_level
from tb.common.counters import assert_counters_equal, read_counters
from tb.common.hdl import handle, read, write
from tb.common.scoreboard import Scoreboard
from tb.common.seed import seeded_rng
from tb.common.stream import StreamDriver, StreamMonitor, ready_pattern
from tb.common.watchdog import Watchdog
from tb.maxnvm.loading import load_memories, words32
from tb.runner import tb_component

SURFACE_CODES = {"wgs": 0, "wmb": 1, "data": 2, "idxsync": 3}
MAX_TEST_WEIGHTS = 4500
WATCHDOG_CYCLES = 5000


def random_layer(rng, params, sparsity=None, n_kernels=None, kernel_elems=None):
    g = params.group_kernels
    n_kernels = n_kernels or int(rng.integers(1, 2 * g + 4))
    kernel_elems = kernel_elems or int(rng.integers(1, MAX_TEST_WEIGHTS // n_kernels + 1))
    lim = 1 << (params.data_bits - 1)
    w = rng.integers(-lim, lim, size=(n_kernels, kernel_elems))
    sparsity = rng.uniform(0, 0.95) if sparsity is None else sparsity
    w[rng.random(w.shape) < sparsity] = 0
    return w


class BitmaskBench:
    """Drives layers through the harness and keeps the golden expectations."""

    def __init__(self, dut, name, stall_prob=0.0, idle_prob=0.0):
        self.dut = dut
        self.component, _ = tb_component()
        self.params = self.component.params  # a registered variant may differ from the TOML
        self.rng = seeded_rng(dut, name)
        self.idle_prob = idle_prob
        self.scoreboard = Scoreboard(f"{name} beats")
        self.monitor = StreamMonitor(dut, self.component, "weights",
                                     ready=ready_pattern(self.rng, 2_000_000, stall_prob),
                                     on_item=self.scoreboard.observe)
        self.expected = {k: 0 for k in ("blocks", "resyncs", "weights_out", "beats", "counter_errors",
                                        "wgs_errors", "overruns", "busy_cycles")}
        self.layers = 0
        self.loader = StreamDriver(dut, self.component, "load")
        self.watchdog = Watchdog(lambda: (self.loader.sent, len(self.monitor.items), self.layers),
                                 WATCHDOG_CYCLES, "maxnvm_bitmask")

    async def start(self):
        write(self.dut, self.component, "start", value=0)
        await start_clock_and_reset(self.dut)
        await RisingEdge(self.dut.clk)  # the decoder's BOOT cycle
        self.monitor.start()
        self.watchdog.start()

    async def layer(self, surfaces, shape, idxsync: bool, data_elems=None, group_elems=None):
        """Load, decode, and queue the golden beats; returns the RTL's dense output."""
        p, lay = self.params, surfaces.layout
        writes = {SURFACE_CODES[k]: words32(v) for k, v in surfaces.surfaces().items() if len(v)}
        await load_memories(self.loader, self.component, writes, rng=self.rng, idle_prob=self.idle_prob)
        eb = p.data_bits // 8
        data_elems = len(surfaces.data) // eb if data_elems is None else data_elems
        golden_surfaces = surfaces.with_surfaces(data=surfaces.data[: data_elems * eb])
        report = decode_bitmask_report(golden_surfaces, shape, idxsync)
        cost = bitmask_decoder_cost(lay, p.lanes, p.idxsync_block)
        if group_elems is None:  # a layer of fewer kernels than a group is one group: the port holds <= n_weights
            group_elems = min(p.group_kernels * lay.kernel_elems, lay.n_weights)
        if group_elems:
            self.scoreboard.expected.extend(bitmask_beats(report.weights, lay, p.lanes, p.idxsync_block))
            for k in ("blocks", "resyncs", "counter_errors", "wgs_errors", "overruns"):
                self.expected[k] += getattr(report, k)
            self.expected["weights_out"] += report.weights_out
            self.expected["beats"] += cost.beats
        first_item = len(self.monitor.items)
        for name, value in (("n_weights", lay.n_weights), ("group_elems", group_elems),
                            ("compressed", surfaces.compressed), ("idxsync", idxsync),
                            ("data_elems", data_elems), ("start", 1)):
            write(self.dut, self.component, name, value=int(value))
        await ReadOnly()  # the monitor has counted this cycle by now
        if group_elems:
            group_beats = bitmask_group_beats(lay, p.lanes, p.idxsync_block)
            self.expected["busy_cycles"] += busy_cycles_with_stalls(group_beats, self.monitor.pattern,
                                                                    self.monitor.cycle)[0]
        await RisingEdge(self.dut.clk)
        write(self.dut, self.component, "start", value=0)
        await wait_for_level(self.dut.clk, handle(self.dut, self.component, "busy"), 0)
        self.layers += 1
        error = read(self.dut, self.component, "error")
        assert error == (report.error if group_elems else 1), \
            f"error flag {error}; golden {report}; rtl counters {read_counters(self.dut, self.component)}"
        beats = self.monitor.items[first_item:]
        return np.array([b[f"w{i}"] for b in beats for i in range(b["count"])], dtype=np.int64)

    def finish(self):
        self.watchdog.stop()
        measured = read_counters(self.dut, self.component)
        expected = dict(self.expected)
        self.dut._log.info(f"{self.layers} layers, {len(self.monitor.items)} beats, counters {measured}")
        assert_counters_equal(measured, expected)
        self.scoreboard.check_empty()


async def random_layers(dut, name, n_layers=6, stall_prob=0.0, idle_prob=0.0):
    bench = BitmaskBench(dut, name, stall_prob, idle_prob)
    await bench.start()
    p = bench.params
    for i in range(n_layers):
        w = random_layer(bench.rng, p, sparsity=[0.0, 0.95][i] if i < 2 else None)
        surfaces = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=bool(i % 3 == 2))
        for idxsync in (True, False):
            out = await bench.layer(surfaces, w.shape, idxsync)
            assert np.array_equal(out, w.reshape(-1)), f"layer {i}: dense output differs"
    bench.finish()


@cocotb.test()
async def test_bitmask_full_rate(dut):
    await random_layers(dut, "full_rate")


@cocotb.test()
async def test_bitmask_idle_load(dut):
    await random_layers(dut, "idle_load", n_layers=3, idle_prob=0.3)


@cocotb.test()
async def test_bitmask_backpressure(dut):
    await random_layers(dut, "backpressure", n_layers=3, stall_prob=0.4)


@cocotb.test()
async def test_bitmask_faults_match_golden(dut):
    """Seeded bit flips in every surface: RTL output and counters equal the golden decoder's."""
    bench = BitmaskBench(dut, "faults", stall_prob=0.1)
    await bench.start()
    p = bench.params
    for i in range(4):
        w = random_layer(bench.rng, p)
        s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
        flips = {k: flip_bits(v, bench.rng.integers(0, 8 * len(v), size=int(bench.rng.integers(1, 6))))
                 for k, v in s.surfaces().items() if len(v) and (k != "wgs" or i % 2)}
        faulty = s.with_surfaces(**flips)
        for idxsync in (True, False):
            await bench.layer(faulty, w.shape, idxsync)
    bench.finish()


@cocotb.test()
async def test_idxsync_confines_damage(dut):
    """One flipped mask bit: with IdxSync only its block differs, without the damage spreads."""
    bench = BitmaskBench(dut, "confinement")
    await bench.start()
    p = bench.params
    block = p.idxsync_block
    w = random_layer(bench.rng, p, sparsity=0.5, n_kernels=p.group_kernels, kernel_elems=4 * block // p.group_kernels)
    s = encode_bitmask(w, p.data_bits, block, allow_raw=False)
    bad = block + int(bench.rng.integers(0, block // 2))            # early in block 1 of 4
    faulty = s.with_surfaces(wmb=flip_bits(s.wmb, [bad]))
    clean = w.reshape(-1)
    damaged_on = np.flatnonzero(await bench.layer(faulty, w.shape, True) != clean)
    damaged_off = np.flatnonzero(await bench.layer(faulty, w.shape, False) != clean)
    dut._log.info(f"mask bit {bad}: IdxSync on damages {len(damaged_on)} weights in "
                  f"[{damaged_on.min()}, {damaged_on.max()}]; off damages {len(damaged_off)} up to {damaged_off.max()}")
    assert len(damaged_on) and block <= damaged_on.min() and damaged_on.max() < 2 * block
    assert damaged_off.max() >= 2 * block and len(damaged_off) > 2 * len(damaged_on)
    bench.finish()


@cocotb.test()
async def test_malformed_inputs_flag_error_and_finish(dut):
    bench = BitmaskBench(dut, "malformed")
    await bench.start()
    p = bench.params
    w = random_layer(bench.rng, p, sparsity=0.5, n_kernels=p.group_kernels + 3, kernel_elems=100)
    s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
    await bench.layer(s, w.shape, True, group_elems=0)             # impossible geometry
    wgs = s.wgs.copy()
    wgs[0:4] = [0xFF, 0xFF, 0xFF, 0x7F]                             # WGS far beyond its group
    await bench.layer(s.with_surfaces(wgs=wgs), w.shape, False)
    sync = s.idxsync.copy()
    sync[:3] = 0xFF                                                 # counters beyond their block
    await bench.layer(s.with_surfaces(idxsync=sync), w.shape, True)
    await bench.layer(s, w.shape, True, data_elems=len(s.data) // (p.data_bits // 8) // 3)  # truncated data
    bench.finish()
