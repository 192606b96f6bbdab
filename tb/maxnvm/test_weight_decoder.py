"""cocotb regression of ``rtl/maxnvm/weight_decoder.py`` (BitMask surfaces of bit-packed
``index_bits``-bit cluster indices → per-lane ClusterLut → FX16 weights) against
``golden.maxnvm.codecs.weights`` (function and counters) and
``golden.maxnvm.codecs.cost.busy_cycles_through_stage`` (busy cycles behind the lookup stage).

Random layers of cluster indices at random sparsity (0-95 %), encoded by the golden
encoder in the packed format with IdxSync counters (some stored raw), each with its own
random codebook (entry 0 = 0 as MaxNVM's clustering makes it, except one layer; some
codebooks shorter than ``2**index_bits`` so indices fall outside), decoded with IdxSync on
and off at full rate, with idle gaps while loading, and under back-pressure: every output
beat equals the golden one, every counter the golden prediction, and the dense weights
equal ``codebook[index]`` of the clean layer computed here.  Surfaces read through MLC
cells (``tb.common.mlc_cells``) decode exactly like the golden decoder under the same faults.
"""

from __future__ import annotations

import cocotb
import numpy as np

from golden.maxnvm.codecs import decode_weights_report, encode_bitmask
from golden.maxnvm.codecs.cost import busy_cycles_through_stage
from tb.common.hdl import write
from tb.common.stream import StreamDriver, idle_gaps
from tb.maxnvm.test_bitmask import SURFACE_CODES, BitmaskBench, random_layer, read_through_cells


class WeightBench(BitmaskBench):
    """:class:`BitmaskBench` with a codebook: expectations are FX16 lookups of the decoded indices."""

    def __init__(self, dut, name, stall_prob=0.0, idle_prob=0.0):
        super().__init__(dut, name, stall_prob, idle_prob)
        self.params = self.component.index_params  # the BitMask side decodes index_bits-wide elements
        self.codebook_driver = StreamDriver(dut, self.component, "codebook")
        self.book = np.zeros(1, dtype=np.int64)

    async def load_codebook(self, book):
        """Write ``book`` (FX16 entries 0..len-1) into every lane's LUT and set ``n_entries``."""
        book = np.asarray(book, dtype=np.int64)
        items = [{"index": i, "weight": int(v)} for i, v in enumerate(book)]
        await self.codebook_driver.send(items, idle_gaps(self.rng, len(items), self.idle_prob))
        write(self.dut, self.component, "n_entries", value=len(book))
        self.book = book
        self.expected["codebook_loads"] += len(book)

    def random_codebook(self, full=True, zero_first=True):
        """A codebook of ``2**index_bits`` FX16 entries (``full``) or fewer."""
        size = 1 << self.params.data_bits
        if not full:
            size -= int(self.rng.integers(1, size // 2))
        lim = 1 << (self.params.weight_bits - 1)
        book = self.rng.integers(-lim, lim, size)
        if zero_first:
            book[0] = 0
        return book

    def golden(self, surfaces, shape, idxsync: bool, data_elems: int):
        r = decode_weights_report(surfaces, shape, self.book, idxsync, data_elems)
        return r.indices, r.weights, {"lookups": r.lookups, "out_of_range": r.out_of_range}

    busy_model = staticmethod(busy_cycles_through_stage)  # the lookup stage sits before the monitor


def lookup_here(book, indices) -> np.ndarray:
    """``book[index]``, 0 past the codebook: the expected weights, computed independently."""
    padded = np.concatenate([np.asarray(book, dtype=np.int64), np.zeros(128, dtype=np.int64)])
    flat = np.asarray(indices).reshape(-1)
    return np.where(flat < len(book), padded[flat], 0)


async def random_weight_layers(dut, name, n_layers=6, stall_prob=0.0, idle_prob=0.0):
    bench = WeightBench(dut, name, stall_prob, idle_prob)
    await bench.start()
    p = bench.params
    for i in range(n_layers):
        w = random_layer(bench.rng, p, sparsity=[0.0, 0.95][i] if i < 2 else None)
        book = bench.random_codebook(full=i % 2 == 0, zero_first=i != 3)
        await bench.load_codebook(book)
        surfaces = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=bool(i % 3 == 2))
        for idxsync in (True, False):
            out = await bench.layer(surfaces, w.shape, idxsync)
            assert np.array_equal(out, lookup_here(book, w)), f"layer {i}: FX16 weights differ"
    bench.finish()


@cocotb.test()
async def test_weights_full_rate(dut):
    await random_weight_layers(dut, "full_rate")


@cocotb.test()
async def test_weights_idle_load(dut):
    await random_weight_layers(dut, "idle_load", n_layers=3, idle_prob=0.3)


@cocotb.test()
async def test_weights_backpressure(dut):
    await random_weight_layers(dut, "backpressure", n_layers=3, stall_prob=0.4)


@cocotb.test()
async def test_weights_mlc_faults_match_golden(dut):
    """Every surface read through MLC cells: RTL weights and counters equal the golden decoder's
    under the same faults, IdxSync on and off."""
    bench = WeightBench(dut, "faults", stall_prob=0.1)
    await bench.start()
    p = bench.params
    cells = bench.mlc_faults()
    for i in range(3):
        w = random_layer(bench.rng, p)
        await bench.load_codebook(bench.random_codebook())
        s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
        faulty = read_through_cells(cells, s, int(np.count_nonzero(w)), tuple(SURFACE_CODES))
        for idxsync in (True, False):
            await bench.layer(faulty, w.shape, idxsync)
    cells.assert_injected(SURFACE_CODES)
    bench.finish()
