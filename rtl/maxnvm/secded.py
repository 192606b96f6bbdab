"""Extended-Hamming SEC-DED encoder and decoder (seed 003 §3.3, §4.3)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.maxnvm.params import CodecParams
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.maxnvm.stage import register_stage

SECDED_COUNTERS = ("encoded", "decoded", "corrected", "uncorrectable")


def parity_bits(k: int) -> int:
    """Hamming parity bits r for k data bits: the least r with 2^r >= k + r + 1."""
    r = 0
    while (1 << r) < k + r + 1:
        r += 1
    return r


def codeword_bits(k: int) -> int:
    """Stored bits of a codeword: data, Hamming parity and the overall parity bit."""
    return k + parity_bits(k) + 1


def data_positions(k: int) -> list[int]:
    """Hamming positions (1-based) of data bits 0 .. k-1: the positions that are not powers of two."""
    return [p for p in range(1, k + parity_bits(k) + 1) if p & (p - 1)][:k]


def xor_of(bits):
    out = 0
    for b in bits:
        out = out ^ b
    return out


class SecDed(wiring.Component):
    """SEC-DED encoder and decoder side by side, ``k = secded_data_bits`` data bits.

    Golden twin: ``golden.maxnvm.codecs.secded`` (same codeword layout: bit ``p``
    is Hamming position ``p``, parity bits at powers of two, overall parity at bit 0).

    Parameters
    ----------
    params : CodecParams
        ``secded_data_bits`` (k, 1..57) and ``counter_width``.

    Members
    -------
    enc_in : In(stream.Signature(k))
        Data words to encode.
    enc_out : Out(stream.Signature(codeword_bits(k)))
        Their codewords.
    dec_in : In(stream.Signature(codeword_bits(k)))
        Codewords read back (possibly with bit errors).
    dec_out : Out(stream.Signature(StructLayout{data: k, corrected: 1, uncorrectable: 1}))
        Data (single errors corrected; double errors flagged, data uncorrected).
    counters.encoded / decoded / corrected / uncorrectable : Out(counter_width)
        Words through each path and the decoder's flags.

    Latency and throughput
    ----------------------
    One registered stage per path: a word accepted at cycle t is valid at t + 1;
    one word per cycle per path.
    """

    def __init__(self, params: CodecParams):
        self.params = params
        k = params.secded_data_bits
        self.k, self.r, self.n = k, parity_bits(k), codeword_bits(k)
        super().__init__({
            "enc_in": In(stream.Signature(k)),
            "enc_out": Out(stream.Signature(self.n)),
            "dec_in": In(stream.Signature(self.n)),
            "dec_out": Out(stream.Signature(data.StructLayout({"data": k, "corrected": 1, "uncorrectable": 1}))),
            "counters": Out(counter_signature(SECDED_COUNTERS, params.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        k, r, n = self.k, self.r, self.n
        dpos = data_positions(k)
        counters = self.counters

        # Encoder: parity bit j covers the Hamming positions with bit j set.
        word = self.enc_in.payload
        code = Signal(n)
        for i, p in enumerate(dpos):
            m.d.comb += code[p].eq(word[i])
        for j in range(r):
            m.d.comb += code[1 << j].eq(xor_of(word[i] for i, p in enumerate(dpos) if p >> j & 1))
        m.d.comb += code[0].eq(xor_of(code[p] for p in range(1, n)))
        with m.If(register_stage(m, self.enc_in, self.enc_out, {})):
            m.d.sync += [self.enc_out.payload.eq(code), counters.encoded.eq(counters.encoded + 1)]

        # Decoder: syndrome = XOR of the set positions, overall parity over all bits.
        cw = self.dec_in.payload
        syndrome = Signal(r)
        for j in range(r):
            m.d.comb += syndrome[j].eq(xor_of(cw[p] for p in range(1, n) if p >> j & 1))
        overall = Signal()
        m.d.comb += overall.eq(xor_of(cw[p] for p in range(n)))
        single = overall & (syndrome < n)
        fixed = Signal(k)
        for i, p in enumerate(dpos):
            m.d.comb += fixed[i].eq(cw[p] ^ (single & (syndrome == p)))
        uncorrectable = (~overall & (syndrome != 0)) | (overall & (syndrome >= n))
        accept = register_stage(m, self.dec_in, self.dec_out,
                                {"data": fixed, "corrected": single, "uncorrectable": uncorrectable})
        with m.If(accept):
            m.d.sync += [counters.decoded.eq(counters.decoded + 1),
                         counters.corrected.eq(counters.corrected + single),
                         counters.uncorrectable.eq(counters.uncorrectable + uncorrectable)]
        return m
