"""cocotb regression of ``rtl/maxnvm/csr_decoder.py`` against ``golden.maxnvm.codecs.csr``.

Random matrices at random sparsity (0-95 %) with fillers (narrow relative
indices), stored as the golden ``pack_csr`` surfaces (each array bit-packed at its
width; NVDLA-width signed values or packed cluster indices), clean and with values,
column indices and row counters stored in MLC cells at their own bits per cell and
read back through the golden cell model (``tb.common.mlc_cells``, accelerated so
every read has faults): every dense
weight, row end and counter must equal the golden decoder's under the same faults.  Malformed
shapes, row counters past the values or summing short of them, and arrays shorter than the
matrix needs (cut after a full matrix left other words in the memories) raise ``error``,
count like the golden decoder's, and the decoder finishes (watchdog); an empty matrix is a no-op.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.maxnvm.claims import CHOSEN_BPC
from hymem.golden.maxnvm.codecs import decode_csr_report, encode_csr, pack_csr
from hymem.golden.maxnvm.codecs.bitmask import element_range
from hymem.golden.maxnvm.codecs.cost import busy_cycles_with_stalls, csr_decoder_cost
from hymem.golden.maxnvm.codecs.csr import CSR_ARRAYS
from hymem.golden.maxnvm.params import CsrArray
from hymem.rtl.maxnvm.csr_decoder import CSR_COUNTERS, LENGTH_PORTS
from hymem.tb.common.clock import start_clock_and_reset, wait_for_level
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.mlc_cells import MlcFaults
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.maxnvm.loading import load_memories, words32
from hymem.tb.runner import tb_component

WATCHDOG_CYCLES = 5000
#: bits per cell of each CSR array: the project's chosen CSR configuration (golden.maxnvm.claims,
#: seed 003 §4.2: CSR "must be stored in MLC2").
CSR_BPC = CHOSEN_BPC["CSR"]
FAULT_TECH = "ctt"


class CsrBench:
    def __init__(self, dut, name, stall_prob=0.0, idle_prob=0.0):
        self.dut = dut
        self.component, config = tb_component()
        self.params = self.component.params  # a registered variant may differ from the TOML
        self.mlc = config.mlc
        self.rng = seeded_rng(dut, name)
        self.idle_prob = idle_prob
        self.scoreboard = Scoreboard(f"{name} weights")
        self.monitor = StreamMonitor(dut, self.component, "weights",
                                     ready=ready_pattern(self.rng, 2_000_000, stall_prob),
                                     on_item=self.scoreboard.observe)
        self.loader = StreamDriver(dut, self.component, "load")
        self.expected = dict.fromkeys(CSR_COUNTERS, 0)
        self.matrices = 0
        self.watchdog = Watchdog(lambda: (self.loader.sent, len(self.monitor.items), self.matrices),
                                 WATCHDOG_CYCLES, "maxnvm_csr")

    async def start(self):
        write(self.dut, self.component, "start", value=0)
        await start_clock_and_reset(self.dut)
        await RisingEdge(self.dut.clk)
        self.monitor.start()
        self.watchdog.start()

    async def matrix(self, enc, n_cols=None, cells: MlcFaults | None = None, cut: dict | None = None):
        """Pack ``enc`` (read back through ``cells`` when given; arrays cut to ``cut[name]`` of
        their bytes when given), load, decode, check."""
        p = self.params
        n_cols = enc.n_cols if n_cols is None else n_cols
        surfaces = pack_csr(enc, p.data_bits, p.csr_counter_bits)
        surfaces = surfaces.with_surfaces(**{k: getattr(surfaces, k)[: int(f * len(getattr(surfaces, k)))]
                                             for k, f in (cut or {}).items()})
        if cells is not None:
            used = {k: n * surfaces.widths[k] for k, n in surfaces.needed().items()}
            surfaces = surfaces.with_surfaces(**{k: cells.surface(k, v, CSR_BPC[k], used[k])
                                                 for k, v in surfaces.surfaces().items() if used[k]})
        await load_memories(self.loader, self.component,
                            {CsrArray[k.upper()]: words32(v) for k, v in surfaces.surfaces().items() if len(v)},
                            rng=self.rng, idle_prob=self.idle_prob, port="load")
        report = decode_csr_report(surfaces)
        if n_cols:
            dense = report.weights
            rows, cols = dense.shape
            self.scoreboard.expected.extend(
                {"w": int(v), "row_end": int(c == cols - 1), "last": int(r == rows - 1 and c == cols - 1)}
                for (r, c), v in np.ndenumerate(dense))
            for k in ("entries", "row_overruns", "col_overflows", "unused_entries", "truncated"):
                self.expected[k] += getattr(report, k)
            for k, v in csr_decoder_cost(rows, cols).items():
                if k != "busy_cycles":
                    self.expected[k] += v
        lengths = [(port, min(len(getattr(surfaces, k)), 4 * self.component.depths[k]))  # longer: complete
                   for k, port in LENGTH_PORTS.items()]
        for name, value in (("n_rows", surfaces.n_rows), ("n_cols", n_cols), ("n_entries", surfaces.n_entries),
                            *lengths, ("start", 1)):
            write(self.dut, self.component, name, value=int(value))
        await ReadOnly()  # the monitor has counted this cycle by now
        if n_cols:
            self.expected["busy_cycles"] += busy_cycles_with_stalls(
                [n_cols] * surfaces.n_rows, self.monitor.pattern, self.monitor.cycle)[0]
        await RisingEdge(self.dut.clk)
        write(self.dut, self.component, "start", value=0)
        await wait_for_level(self.dut.clk, handle(self.dut, self.component, "busy"), 0)
        self.matrices += 1
        want = report.error if n_cols else surfaces.n_rows > 0
        error = read(self.dut, self.component, "error")
        assert error == int(want)
        return error

    def finish(self):
        self.watchdog.stop()
        measured = read_counters(self.dut, self.component)
        expected = dict(self.expected)
        self.dut._log.info(f"{self.matrices} matrices, {len(self.monitor.items)} weights, counters {measured}")
        assert_counters_equal(measured, expected)
        self.scoreboard.check_empty()


def random_matrix(rng, params, sparsity=None):
    rows, cols = int(rng.integers(1, 24)), int(rng.integers(1, 160))
    lo, hi = element_range(params.data_bits)
    m = rng.integers(lo, hi + 1, size=(rows, cols))
    m[rng.random(m.shape) < (rng.uniform(0, 0.95) if sparsity is None else sparsity)] = 0
    return m


async def random_matrices(dut, name, n=6, stall_prob=0.0, idle_prob=0.0, faults=False):
    bench = CsrBench(dut, name, stall_prob, idle_prob)
    await bench.start()
    p = bench.params
    cells = MlcFaults(bench.mlc.tech(FAULT_TECH), bench.mlc.level_code, bench.rng, log=dut._log.info)
    for i in range(n):
        enc = encode_csr(random_matrix(bench.rng, p, [0.0, 0.95][i] if i < 2 else None), p.csr_index_bits)
        await bench.matrix(enc, cells=cells if faults and enc.n_entries else None)
    if faults:
        cells.assert_injected(CSR_BPC)
    bench.finish()


@cocotb.test()
async def test_csr_full_rate(dut):
    await random_matrices(dut, "full_rate")


@cocotb.test()
async def test_csr_idle_and_backpressure(dut):
    await random_matrices(dut, "idle_backpressure", n=4, stall_prob=0.4, idle_prob=0.3)


@cocotb.test()
async def test_csr_faults_match_golden(dut):
    await random_matrices(dut, "faults", faults=True)


@cocotb.test()
async def test_csr_malformed(dut):
    bench = CsrBench(dut, "malformed")
    await bench.start()
    p = bench.params
    enc = encode_csr(random_matrix(bench.rng, p, 0.5), p.csr_index_bits)
    while enc.row_counts[-1] == 0:  # else zeroing the last row's count would leave a valid matrix
        enc = encode_csr(random_matrix(bench.rng, p, 0.5), p.csr_index_bits)
    flags = [
        await bench.matrix(enc, n_cols=0),                                           # impossible shape
        await bench.matrix(enc.replace(row_counts=np.r_[enc.row_counts[:-1], 5000])),  # overruns
        await bench.matrix(enc.replace(col_idx=np.full(enc.n_entries, (1 << p.csr_index_bits) - 1))),  # overflow
        await bench.matrix(enc.replace(row_counts=np.r_[enc.row_counts[:-1], 0])),      # entries left unused
    ]
    assert flags == [1, 1, 1, 1], f"every malformed matrix must raise error: {flags}"
    bench.finish()


@cocotb.test()
async def test_csr_truncated_arrays(dut):
    """Each array cut short, then all three emptied, each after a full matrix filled the
    memories with other words: reads past a cut give 0 like the golden decoder's, each short
    array counts once in ``truncated``, ``error`` rises, the decoder finishes (watchdog)."""
    bench = CsrBench(dut, "truncated", stall_prob=0.2)
    await bench.start()
    p = bench.params
    cuts = ({"values": 0.5}, {"col_idx": 0.6}, {"row_counts": 0.4}, {k: 0 for k in CSR_ARRAYS})
    for cut in cuts:
        await bench.matrix(encode_csr(random_matrix(bench.rng, p, 0.1), p.csr_index_bits))
        enc = encode_csr(random_matrix(bench.rng, p, 0.4), p.csr_index_bits)
        while enc.n_rows < 2 or enc.n_entries < 8:  # room for a cut to remove whole entries
            enc = encode_csr(random_matrix(bench.rng, p, 0.4), p.csr_index_bits)
        await bench.matrix(enc, cut=cut)
    assert bench.expected["truncated"] == sum(len(c) for c in cuts), bench.expected
    bench.finish()


@cocotb.test()
async def test_csr_empty_matrix(dut):
    """A matrix of no rows (found untested by make sim COVERAGE=1): no weight, no error, no counter
    moves, like the golden decoder's; the next matrix decodes as usual."""
    bench = CsrBench(dut, "empty")
    await bench.start()
    p = bench.params
    before = len(bench.monitor.items)
    assert await bench.matrix(encode_csr(np.zeros((0, 5), dtype=np.int64), p.csr_index_bits)) == 0
    assert len(bench.monitor.items) == before and not any(bench.expected.values())
    await bench.matrix(encode_csr(random_matrix(bench.rng, p, 0.5), p.csr_index_bits))
    bench.finish()
