"""BitmaskDecoder with its four surface memories and a load port (simulation and benchmark top)."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import data, memory, stream, wiring
from amaranth.lib.wiring import In

from hymem.golden.maxnvm.codecs.bitmask import SURFACE_ALIGN
from hymem.golden.maxnvm.params import BitmaskSurface, CodecParams
from hymem.rtl.maxnvm.bitmask_decoder import (
    BITMASK_COUNTERS,
    WORD,
    BitmaskDecoder,
    align_up,
    layer_ports,
    status_ports,
)

SURFACES = {"wgs": BitmaskSurface.WGS, "wmb": BitmaskSurface.WMB, "data": BitmaskSurface.DATA,
            "sync": BitmaskSurface.IDXSYNC}  # memory name -> load-port ``surface`` code


class BitmaskHarness(wiring.Component):
    """The eNVM side of a BitMask layer: four 32-bit-word memories loaded through
    ``load``, read asynchronously by a :class:`BitmaskDecoder`.

    Parameters
    ----------
    params : CodecParams
        As for :class:`BitmaskDecoder`; memory depths follow ``max_weights``.

    Members
    -------
    load : In(stream.Signature(StructLayout{surface: BitmaskSurface (2 bits), addr, word: 32}))
        Writes ``word`` at ``addr`` of surface ``surface`` (``golden.maxnvm.params.BitmaskSurface``:
        WGS, WMB, data, IdxSync counters): the surface bytes as little-endian 32-bit words.
        Always ready (one word per cycle).
    start, n_weights, group_elems, compressed, idxsync, data_elems : In
        Forwarded to the decoder (``data_elems``: packed elements loaded).
    weights : Out(stream)
        The decoder's dense output beats.
    busy, error : Out(1)
        The decoder's.
    counters.* : Out(counter_width)
        The decoder's counters.

    Latency and throughput
    ----------------------
    Loading: one word per cycle.  Decoding: as :class:`BitmaskDecoder`.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        self.decoder = BitmaskDecoder(params)
        data_bytes = align_up(-(-params.max_weights * params.data_bits // 8), SURFACE_ALIGN)
        self.depths = {  # 32-bit words; spare words where the decoder reads ``addr + 1`` (a window)
            "wgs": self.decoder.max_groups,
            "wmb": params.max_weights // WORD + 2,
            "data": data_bytes // 4 + self.decoder.window,
            "sync": self.decoder.sync_words + 1,
        }
        addr_bits = max(d for d in self.depths.values()).bit_length()
        super().__init__({
            "load": In(stream.Signature(data.StructLayout(
                {"surface": BitmaskSurface, "addr": addr_bits, "word": WORD}))),
            **layer_ports(params),
            **status_ports(params),
        })

    def elaborate(self, platform):
        m = Module()
        dec = self.decoder
        m.submodules.decoder = dec

        mems = {name: memory.Memory(shape=WORD, depth=depth, init=[]) for name, depth in self.depths.items()}
        for name, mem in mems.items():
            m.submodules[f"{name}_mem"] = mem
            wr = mem.write_port()
            m.d.comb += [wr.addr.eq(self.load.payload.addr), wr.data.eq(self.load.payload.word),
                         wr.en.eq(self.load.valid & (self.load.payload.surface == SURFACES[name]))]
        m.d.comb += self.load.ready.eq(1)

        def read(name, addr):
            port = mems[name].read_port(domain="comb")
            m.d.comb += port.addr.eq(addr)
            return port.data

        m.d.comb += [
            dec.wmb_lo.eq(read("wmb", dec.wmb_addr)), dec.wmb_hi.eq(read("wmb", dec.wmb_addr + 1)),
            dec.sync_lo.eq(read("sync", dec.sync_addr)), dec.sync_hi.eq(read("sync", dec.sync_addr + 1)),
            dec.wgs_word.eq(read("wgs", dec.wgs_addr)),
        ]
        for k in range(dec.window):
            m.d.comb += dec.data_words[k].eq(read("data", dec.data_addr + k))

        for name in layer_ports(self.params):
            m.d.comb += getattr(dec, name).eq(getattr(self, name))
        wiring.connect(m, wiring.flipped(self.weights), dec.weights)
        m.d.comb += [self.busy.eq(dec.busy), self.error.eq(dec.error)]
        for name in BITMASK_COUNTERS:
            m.d.comb += getattr(self.counters, name).eq(getattr(dec.counters, name))
        return m
