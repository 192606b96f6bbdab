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

from hymem.golden.maxnvm.codecs import decode_weights_report
from hymem.golden.maxnvm.codecs.cost import busy_cycles_through_stage
from hymem.tb.common.hdl import write
from hymem.tb.common.stream import StreamDriver, idle_gaps
from hymem.tb.maxnvm.harness import BitmaskBench, mlc_fault_layers, random_layers, truncated_layers


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

    async def clean_output(self, i: int, w: np.ndarray) -> np.ndarray:
        """A fresh codebook per layer: short ones on odd layers, entry 0 non-zero on layer 3."""
        book = self.random_codebook(full=i % 2 == 0, zero_first=i != 3)
        await self.load_codebook(book)
        return lookup_here(book, w)


def lookup_here(book, indices) -> np.ndarray:
    """``book[index]``, 0 past the codebook: the expected weights, computed independently."""
    padded = np.concatenate([np.asarray(book, dtype=np.int64), np.zeros(128, dtype=np.int64)])
    flat = np.asarray(indices).reshape(-1)
    return np.where(flat < len(book), padded[flat], 0)


VARIANTS = {"full_rate": (6, 0.0, 0.0), "idle_load": (3, 0.0, 0.3), "backpressure": (3, 0.4, 0.0)}


@cocotb.test()
@cocotb.parametrize(variant=list(VARIANTS))
async def test_weights_random_layers(dut, variant):
    """Random layers and codebooks at full rate, with idle gaps while loading, under back-pressure."""
    n_layers, stall_prob, idle_prob = VARIANTS[variant]
    await random_layers(dut, variant, n_layers, stall_prob, idle_prob, bench_class=WeightBench)


@cocotb.test()
async def test_weights_mlc_faults_match_golden(dut):
    await mlc_fault_layers(dut, n_layers=4, bench_class=WeightBench)


@cocotb.test()
async def test_weights_truncated_surfaces_flag_error_and_finish(dut):
    await truncated_layers(dut, bench_class=WeightBench)
