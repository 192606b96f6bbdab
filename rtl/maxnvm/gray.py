"""Gray-code encoder and decoder for the MLC level mapping (seed 003 §3.3)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.params import CodecParams
from hymem.rtl.maxnvm.stage import register_stage


class Gray(wiring.Component):
    """Binary → Gray (``to_gray``) and Gray → binary (``from_gray``) on ``data_bits``-bit words.

    Golden twin: ``golden.maxnvm.codecs.gray`` (``g = b ^ (b >> 1)``; ``b`` the
    prefix XOR of ``g`` from the top bit down).

    Parameters
    ----------
    params : CodecParams
        ``data_bits``: word width.

    Members
    -------
    enc_in : In(stream.Signature(data_bits)), enc_out : Out(stream.Signature(data_bits))
        Binary words in, their Gray codes out.
    dec_in : In(stream.Signature(data_bits)), dec_out : Out(stream.Signature(data_bits))
        Gray codes in, binary words out.

    Latency and throughput
    ----------------------
    One registered stage per path (valid at t + 1), one word per cycle per path.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        w = params.data_bits
        super().__init__({
            "enc_in": In(stream.Signature(w)),
            "enc_out": Out(stream.Signature(w)),
            "dec_in": In(stream.Signature(w)),
            "dec_out": Out(stream.Signature(w)),
        })

    def elaborate(self, platform):
        m = Module()
        w = self.params.data_bits
        b = self.enc_in.payload
        with m.If(register_stage(m, self.enc_in, self.enc_out, {})):
            m.d.sync += self.enc_out.payload.eq(b ^ (b >> 1))
        g = self.dec_in.payload
        binary = Signal(w)
        m.d.comb += binary[w - 1].eq(g[w - 1])
        for i in reversed(range(w - 1)):
            m.d.comb += binary[i].eq(binary[i + 1] ^ g[i])
        with m.If(register_stage(m, self.dec_in, self.dec_out, {})):
            m.d.sync += self.dec_out.payload.eq(binary)
        return m
