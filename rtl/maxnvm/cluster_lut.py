"""Per-layer cluster codebook: cluster index → FX16 weight (seed 003 §3.1.2)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, signed
from amaranth.lib import data, memory, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.params import CodecParams
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.maxnvm.stage import register_stage

LUT_COUNTERS = ("loads", "lookups", "out_of_range")


class ClusterLut(wiring.Component):
    """A codebook of up to ``lut_entries`` (16–128) FX16 values, loaded before a layer.

    Golden twin: ``golden.maxnvm.codecs.lut.lut_lookup`` (an index at or past
    ``n_entries`` gives 0 and counts as out of range).

    Parameters
    ----------
    params : CodecParams
        ``lut_entries`` (power of two; index width log2 of it), ``weight_bits``
        (FX16 weight width), ``counter_width``.

    Members
    -------
    load : In(stream.Signature(StructLayout{index, weight: signed(weight_bits)}))
        Writes one codebook entry per cycle (always ready).
    n_entries : In(range(lut_entries + 1))
        Entries of the current codebook.
    indices : In(stream.Signature(range(lut_entries)))
        Cluster indices of the layer's weights.
    weights : Out(stream.Signature(signed(weight_bits)))
        The codebook values.
    counters.loads / lookups / out_of_range : Out(counter_width)
        Entries written, indices translated, indices at or past ``n_entries``.

    Latency and throughput
    ----------------------
    One registered stage: an index accepted at t gives its weight at t + 1; one per cycle.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        e = params.lut_entries
        super().__init__({
            "load": In(stream.Signature(data.StructLayout({"index": range(e), "weight": signed(params.weight_bits)}))),
            "n_entries": In(range(e + 1)),
            "indices": In(stream.Signature(range(e))),
            "weights": Out(stream.Signature(signed(params.weight_bits))),
            "counters": Out(counter_signature(LUT_COUNTERS, params.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.params
        m.submodules.book = book = memory.Memory(shape=signed(p.weight_bits), depth=p.lut_entries, init=[])
        wr = book.write_port()
        m.d.comb += [wr.addr.eq(self.load.payload.index), wr.data.eq(self.load.payload.weight),
                     wr.en.eq(self.load.valid), self.load.ready.eq(1)]
        rd = book.read_port(domain="comb")
        index = self.indices.payload
        outside = index >= self.n_entries
        m.d.comb += rd.addr.eq(index)
        counters = self.counters
        with m.If(self.load.valid):
            m.d.sync += counters.loads.eq(counters.loads + 1)
        with m.If(register_stage(m, self.indices, self.weights, {})):
            m.d.sync += [self.weights.payload.eq(Mux(outside, 0, rd.data)),
                         counters.lookups.eq(counters.lookups + 1),
                         counters.out_of_range.eq(counters.out_of_range + outside)]
        return m
