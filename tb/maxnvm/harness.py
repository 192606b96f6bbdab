"""Reusable testbench of the MaxNVM BitMask decoder tops (``rtl/maxnvm/bitmask_harness.py`` and the
weight decoder built on it): surface codes, :class:`BitmaskBench` (load, start, collect, check
against ``golden.maxnvm.codecs``), and the random, MLC-fault and truncated-surface runs that
``tb/maxnvm/test_bitmask.py`` and ``tb/maxnvm/test_weight_decoder.py`` share."""

from __future__ import annotations

import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.maxnvm.claims import CHOSEN_BPC
from hymem.golden.maxnvm.codecs import decode_bitmask_report, encode_bitmask
from hymem.golden.maxnvm.codecs.bitmask import element_range, elements_in, idxsync_word_bits
from hymem.golden.maxnvm.codecs.bits import flip_bits
from hymem.golden.maxnvm.codecs.cost import (
    bitmask_beats,
    bitmask_decoder_cost,
    bitmask_group_beats,
    busy_cycles_with_stalls,
)
from hymem.golden.maxnvm.params import BitmaskSurface
from hymem.rtl.maxnvm.bitmask_decoder import surface_limits
from hymem.tb.common.clock import start_clock_and_reset, wait_for_level
from hymem.tb.common.counters import assert_counters_equal, counter_names, read_counters
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.mlc_cells import MlcFaults
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.maxnvm.loading import load_memories, words32
from hymem.tb.runner import tb_component

SURFACE_CODES = {surface.name.lower(): surface for surface in BitmaskSurface}  # golden surface names


LENGTH_PORTS = {"wgs": "wgs_bytes", "wmb": "wmb_bytes", "idxsync": "sync_bytes"}  # surface -> its byte length input


SURFACE_STRUCTURE = {"wgs": "wgs", "wmb": "mask", "data": "values", "idxsync": "counters"}


#: bits per cell of each stored surface: the project's chosen BitM+IdxSync configuration
#: (golden.maxnvm.claims, seed 003 §4.4): values and mask MLC3, WGS and counters SLC.
SURFACE_BPC = {k: CHOSEN_BPC["BitM+IdxSync"][v] for k, v in SURFACE_STRUCTURE.items()}


FAULT_TECH = "ctt"  # the noisier parameter set (MLC3 ~1e-3)


MAX_TEST_WEIGHTS = 4500


WATCHDOG_CYCLES = 5000


def random_layer(rng, params, sparsity=None, n_kernels=None, kernel_elems=None):
    g = params.group_kernels
    n_kernels = n_kernels or int(rng.integers(1, 2 * g + 4))
    kernel_elems = kernel_elems or int(rng.integers(1, MAX_TEST_WEIGHTS // n_kernels + 1))
    lo, hi = element_range(params.data_bits)
    w = rng.integers(lo, hi + 1, size=(n_kernels, kernel_elems))
    sparsity = rng.uniform(0, 0.95) if sparsity is None else sparsity
    w[rng.random(w.shape) < sparsity] = 0
    return w


class BitmaskBench:
    """Drives layers through the harness and keeps the golden expectations."""

    def __init__(self, dut, name, stall_prob=0.0, idle_prob=0.0):
        self.dut = dut
        self.component, self.config = tb_component()
        self.params = self.component.params  # a registered variant may differ from the TOML
        self.rng = seeded_rng(dut, name)
        self.idle_prob = idle_prob
        self.scoreboard = Scoreboard(f"{name} beats")
        self.monitor = StreamMonitor(dut, self.component, "weights",
                                     ready=ready_pattern(self.rng, 2_000_000, stall_prob),
                                     on_item=self.scoreboard.observe)
        self.expected = {k: 0 for k in counter_names(self.component)}
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
        data_elems = elements_in(len(surfaces.data), p.data_bits) if data_elems is None else data_elems
        report, lanes_out, extra = self.golden(surfaces, shape, idxsync, data_elems)
        cost = bitmask_decoder_cost(lay, p.lanes, p.idxsync_block)
        if group_elems is None:  # a layer of fewer kernels than a group is one group: the port holds <= n_weights
            group_elems = min(p.group_kernels * lay.kernel_elems, lay.n_weights)
        if group_elems:
            self.scoreboard.expected.extend(bitmask_beats(lanes_out, lay, p.lanes, p.idxsync_block))
            for k in ("blocks", "resyncs", "counter_errors", "wgs_errors", "overruns", "truncated",
                      "wgs_mismatches"):
                self.expected[k] += getattr(report, k)
            for k, v in extra.items():
                self.expected[k] += v
            self.expected["weights_out"] += report.weights_out
            self.expected["beats"] += cost.beats
        first_item = len(self.monitor.items)
        limits = surface_limits(p)  # longer surfaces are complete: clamp to the ports' range
        lengths = [(port, min(len(surfaces.surfaces()[k]), limits[port])) for k, port in LENGTH_PORTS.items()]
        for name, value in (("n_weights", lay.n_weights), ("group_elems", group_elems),
                            ("compressed", surfaces.compressed), ("idxsync", idxsync),
                            ("data_elems", data_elems), *lengths, ("start", 1)):
            write(self.dut, self.component, name, value=int(value))
        await ReadOnly()  # the monitor has counted this cycle by now
        if group_elems:
            group_beats = bitmask_group_beats(lay, p.lanes, p.idxsync_block)
            self.expected["busy_cycles"] += self.busy_model(group_beats, self.monitor.pattern,
                                                            self.monitor.cycle)[0]
        await RisingEdge(self.dut.clk)
        write(self.dut, self.component, "start", value=0)
        await wait_for_level(self.dut.clk, handle(self.dut, self.component, "busy"), 0)
        self.layers += 1
        error = read(self.dut, self.component, "error")
        assert error == (report.error if group_elems else 1), \
            f"error flag {error}; golden {report}; rtl counters {read_counters(self.dut, self.component)}"
        self.last_error = error
        beats = self.monitor.items[first_item:]
        return np.array([b[f"w{i}"] for b in beats for i in range(b["count"])], dtype=np.int64)

    def golden(self, surfaces, shape, idxsync: bool, data_elems: int):
        """``(decode report, the values the output lanes carry, extra counters)`` of a layer."""
        report = decode_bitmask_report(surfaces, shape, idxsync, data_elems)
        return report, report.weights, {}

    busy_model = staticmethod(busy_cycles_with_stalls)  # the decoder drives the monitored stream

    async def clean_output(self, i: int, w: np.ndarray) -> np.ndarray:
        """Set up layer ``i`` of elements ``w``; the dense output its clean surfaces must give."""
        return w.reshape(-1)

    def mlc_faults(self, expected_faults: float = 3.0) -> MlcFaults:
        """Cell-model reads (``FAULT_TECH``) drawn from this bench's seeded generator."""
        return MlcFaults(self.config.mlc.tech(FAULT_TECH), self.config.mlc.level_code, self.rng,
                         expected_faults, log=self.dut._log.info)

    def finish(self):
        self.watchdog.stop()
        measured = read_counters(self.dut, self.component)
        expected = dict(self.expected)
        self.dut._log.info(f"{self.layers} layers, {len(self.monitor.items)} beats, counters {measured}")
        assert_counters_equal(measured, expected)
        self.scoreboard.check_empty()


async def random_layers(dut, name, n_layers=6, stall_prob=0.0, idle_prob=0.0, bench_class=None):
    """Random layers (the first at 0 %, the second at 95 % sparsity; every third stored raw when
    raw is smaller), IdxSync on and off; the dense output must be the clean layer's."""
    bench = (bench_class or BitmaskBench)(dut, name, stall_prob, idle_prob)
    await bench.start()
    p = bench.params
    for i in range(n_layers):
        w = random_layer(bench.rng, p, sparsity=[0.0, 0.95][i] if i < 2 else None)
        want = await bench.clean_output(i, w)
        surfaces = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=bool(i % 3 == 2))
        for idxsync in (True, False):
            out = await bench.layer(surfaces, w.shape, idxsync)
            assert np.array_equal(out, want), f"layer {i}: dense output differs"
    bench.finish()


def used_bits(surfaces, nnz: int) -> dict[str, int]:
    """Bits of each surface that carry information (the rest is 128-B padding)."""
    lay = surfaces.layout
    sync = lay.n_blocks * idxsync_word_bits(lay.idxsync_block) if lay.idxsync_block else 0
    return {"wgs": 32 * lay.n_groups, "wmb": lay.n_weights, "data": nnz * lay.data_bits, "idxsync": sync}


def read_through_cells(cells: MlcFaults, surfaces, nnz: int, names) -> object:
    """``surfaces`` with the surfaces ``names`` read back through MLC cells at ``SURFACE_BPC``."""
    used = used_bits(surfaces, nnz)
    return surfaces.with_surfaces(**{k: cells.surface(k, v, SURFACE_BPC[k], used[k])
                                     for k, v in surfaces.surfaces().items() if len(v) and k in names})


async def mlc_fault_layers(dut, n_layers=4, bench_class=None):
    """Every surface read through MLC cells (cell-model faults): RTL output and counters equal
    the golden decoder's under the same faults, IdxSync on and off."""
    bench = (bench_class or BitmaskBench)(dut, "faults", stall_prob=0.1)
    await bench.start()
    p = bench.params
    cells = bench.mlc_faults()
    for i in range(n_layers):
        w = random_layer(bench.rng, p)
        await bench.clean_output(i, w)
        s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
        names = ("wmb", "data", "idxsync") + (("wgs",) if i % 2 else ())  # WGS faults on odd layers
        faulty = read_through_cells(cells, s, int(np.count_nonzero(w)), names)
        for idxsync in (True, False):
            await bench.layer(faulty, w.shape, idxsync)
    cells.assert_injected(SURFACE_CODES)
    dut._log.info(f"MLC faults over {cells.reads} reads: used bits flipped {cells.flipped_bits}, "
                  f"faulty cells incl. padding {cells.faulty_cells}")
    bench.finish()


def net_shift_before_blocks(clean_mask, faulty_mask, block: int, n_blocks: int) -> np.ndarray:
    """Per block, mask ones gained minus ones lost in all earlier blocks: how far an index
    that runs on (no IdxSync) is off when the block starts."""
    delta = faulty_mask.astype(np.int64) - clean_mask.astype(np.int64)
    per_block = np.bincount(np.arange(len(delta)) // block, weights=delta, minlength=n_blocks)
    return np.concatenate([[0], np.cumsum(per_block)[:-1]]).astype(np.int64)


async def truncated_layers(dut, bench_class=None):
    """Short WMB, WGS and IdxSync surfaces (whole and partly present items) one at a time and
    all at once, IdxSync on and off, each after a full layer has filled the memories with
    other words (stale data past every cut): the RTL must read zeros past each surface like
    the golden decoder, count each short surface once in ``truncated``, raise ``error`` and
    finish (watchdog); a mask fault without IdxSync shows as a WGS mismatch."""
    bench = (bench_class or BitmaskBench)(dut, "truncated", stall_prob=0.2)
    await bench.start()
    p = bench.params
    g, block = p.group_kernels, p.idxsync_block
    shape = {"n_kernels": g + 3, "kernel_elems": 2 * block // g + 5}  # groups of 3 blocks and 1 block
    for i, cut in enumerate(({"wmb": 0.5}, {"wgs": 0.9}, {"idxsync": 0.6}, {"wmb": 0, "wgs": 0, "idxsync": 0})):
        filler = random_layer(bench.rng, p, sparsity=0.05, **shape)
        await bench.clean_output(2 * i, filler)
        await bench.layer(encode_bitmask(filler, p.data_bits, block, allow_raw=False), filler.shape, True)
        w = random_layer(bench.rng, p, sparsity=0.5, **shape)
        await bench.clean_output(2 * i + 1, w)
        s = encode_bitmask(w, p.data_bits, block, allow_raw=False)
        needed = {k: -(-bits // 8) for k, bits in used_bits(s, 0).items()}   # bytes each surface must hold
        short = s.with_surfaces(**{k: s.surfaces()[k][: int(f * needed[k])] for k, f in cut.items()})
        for idxsync in (True, False):
            await bench.layer(short, w.shape, idxsync)
    w = random_layer(bench.rng, p, sparsity=0.5, **shape)
    await bench.clean_output(8, w)
    s = encode_bitmask(w, p.data_bits, block, allow_raw=False)
    await bench.layer(s.with_surfaces(wmb=flip_bits(s.wmb, [3])), w.shape, False)
    flagged = bench.expected  # the golden counts, against the cuts made here (IdxSync off reads no counters)
    assert flagged["truncated"] == 2 + 2 + 1 + (3 + 2) and flagged["wgs_mismatches"] >= 1, flagged
    bench.finish()
