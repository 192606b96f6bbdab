"""MaxNVM weight decoder: packed cluster-index BitMask surfaces → ClusterLut → FX16 dense weights."""

from __future__ import annotations

from dataclasses import replace

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.params import CodecParams
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.maxnvm.bitmask_decoder import BITMASK_COUNTERS, layer_ports, weights_layout
from hymem.rtl.maxnvm.bitmask_harness import BitmaskHarness
from hymem.rtl.maxnvm.cluster_lut import ClusterLut

WEIGHT_COUNTERS = (*BITMASK_COUNTERS, "lookups", "out_of_range", "codebook_loads")


class WeightDecoder(wiring.Component):
    """Streams a layer's dense FX16 weights, ``lanes`` per cycle, out of BitMask surfaces whose
    data surface holds bit-packed ``index_bits``-bit cluster indices (the format seed 003's
    Table 2 counts), through a per-layer codebook.

    A :class:`BitmaskHarness` (``BitmaskDecoder`` + surface memories, elaborated at
    ``data_bits = index_bits``) emits index beats; each lane's index goes through its own
    :class:`ClusterLut` (``lanes`` copies of the codebook, loaded together, so a beat's
    lanes translate in one cycle).  The lookups form a one-deep register stage; the beat's
    ``count`` and ``last`` travel in a register beside them.  Golden twin:
    ``golden.maxnvm.codecs.weights.decode_weights_report`` (function and counters) and
    ``golden.maxnvm.codecs.cost.busy_cycles_through_stage`` (busy cycles).

    Parameters
    ----------
    params : CodecParams
        ``index_bits`` (4..7, the packed element width), ``weight_bits`` (FX16),
        ``lut_entries`` (>= 2**index_bits), ``lanes``, ``idxsync_block``, ``max_weights``,
        ``counter_width``.

    Members
    -------
    load : In(stream.Signature(StructLayout{surface: BitmaskSurface (2 bits), addr, word: 32}))
        Surface words, as :class:`BitmaskHarness` (0 WGS, 1 WMB, 2 packed indices, 3 IdxSync).
    codebook : In(stream.Signature(StructLayout{index, weight: signed(weight_bits)}))
        Writes one codebook entry (into every lane's LUT) per cycle; always ready.
    n_entries : In(range(lut_entries + 1))
        Entries of the current codebook; indices at or past it give 0 (``out_of_range``).
    start, n_weights, group_elems, compressed, idxsync, data_elems : In
        The layer, as :class:`BitmaskDecoder` (``data_elems``: packed indices loaded).
    weights : Out(stream.Signature(StructLayout{w0..w{lanes-1}: signed(weight_bits), count, last}))
        ``count`` FX16 weights in lanes ``0..count-1`` (others 0); ``last`` on the layer's final beat.
    busy : Out(1)
        The decoder is in a layer or a beat is still in the lookup stage.
    error : Out(1)
        The BitMask decoder's malformed-input flag.
    counters.blocks ... busy_cycles : Out(counter_width)
        The BitMask decoder's counters (``busy_cycles``: the decoder's busy cycles).
    counters.lookups / out_of_range / codebook_loads : Out(counter_width)
        Indices translated (summed over lanes), of those past ``n_entries``, codebook entries written.

    Latency and throughput
    ----------------------
    As :class:`BitmaskDecoder` (one set-up cycle per group, then one beat of up to
    ``lanes`` weights per cycle) plus one cycle of lookup latency; full rate when
    ``weights.ready`` stays high.  Under back-pressure the stage holds one beat.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        self.index_params = replace(params, data_bits=params.index_bits)
        self.harness = BitmaskHarness(self.index_params)
        self.luts = [ClusterLut(params) for _ in range(params.lanes)]
        e = params.lut_entries
        super().__init__({
            "load": self.harness.signature.members["load"],  # the same load port as the harness
            "codebook": In(stream.Signature(data.StructLayout(
                {"index": range(e), "weight": signed(params.weight_bits)}))),
            "n_entries": In(range(e + 1)),
            **layer_ports(self.index_params),
            "weights": Out(stream.Signature(weights_layout(params, signed(params.weight_bits)))),
            "busy": Out(1),
            "error": Out(1),
            "counters": Out(counter_signature(WEIGHT_COUNTERS, params.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        lanes = self.params.lanes
        m.submodules.bitmask = h = self.harness
        m.d.comb += [h.load.valid.eq(self.load.valid), h.load.payload.eq(self.load.payload),
                     self.load.ready.eq(h.load.ready)]
        for name in layer_ports(self.index_params):
            m.d.comb += getattr(h, name).eq(getattr(self, name))

        # The lookup stage: every LUT and the count/last register move together.
        beat = h.weights
        full = Signal()
        count = Signal(range(lanes + 1))
        last = Signal()
        accept = Signal()
        m.d.comb += [beat.ready.eq(~full | self.weights.ready), accept.eq(beat.valid & beat.ready)]
        with m.If(accept):
            m.d.sync += [full.eq(1), count.eq(beat.payload.count), last.eq(beat.payload.last)]
        with m.Elif(self.weights.ready):
            m.d.sync += full.eq(0)
        m.d.comb += [self.weights.valid.eq(full), self.weights.payload.count.eq(count),
                     self.weights.payload.last.eq(last), self.codebook.ready.eq(1)]
        for i, lut in enumerate(self.luts):
            m.submodules[f"lut{i}"] = lut
            m.d.comb += [
                lut.load.valid.eq(self.codebook.valid), lut.load.payload.eq(self.codebook.payload),
                lut.n_entries.eq(self.n_entries),
                lut.indices.valid.eq(accept & (i < beat.payload.count)),
                lut.indices.payload.eq(beat.payload[f"w{i}"]),
                lut.weights.ready.eq(self.weights.ready),
                self.weights.payload[f"w{i}"].eq(Mux(lut.weights.valid, lut.weights.payload, 0)),
            ]

        m.d.comb += [self.busy.eq(h.busy | full), self.error.eq(h.error)]
        for name in BITMASK_COUNTERS:
            m.d.comb += getattr(self.counters, name).eq(getattr(h.counters, name))
        m.d.comb += [
            self.counters.lookups.eq(sum(lut.counters.lookups for lut in self.luts)),
            self.counters.out_of_range.eq(sum(lut.counters.out_of_range for lut in self.luts)),
            self.counters.codebook_loads.eq(self.luts[0].counters.loads),
        ]
        return m
