"""Requantisation of a drained entry: int32 sums -> int8 activations (golden.fixed's rounding)."""

from __future__ import annotations

from amaranth.hdl import Const, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.mac_array import dot_layout


def bias_layout(n: int, acc_bits: int = 32) -> data.ArrayLayout:
    """n biases of one output-channel group, aligned to the accumulator."""
    return data.ArrayLayout(signed(acc_bits), n)


def q_layout(p: int, n: int, out_bits: int = 8) -> data.ArrayLayout:
    """A requantised entry, [pixel][channel] (element [i][j] at bit (i·n + j)·out_bits)."""
    return data.ArrayLayout(data.ArrayLayout(signed(out_bits), n), p)


class Requantizer(wiring.Component):
    """Bias, round half up, saturate and optional ReLU of p x n accumulators (one entry).

    ``golden.rram.functional.requantize_sums`` (``golden.fixed.requantize``'s arithmetic for
    a format of ``out_bits`` bits with ``shift`` fractional bits and an ``acc_bits``
    accumulator, any shift below ``acc_bits``): ``z = wrap(acc + bias[j], acc_bits)`` (the
    bias already aligned to the accumulator),
    ``q = clip((z + 2^(shift-1)) >> shift, -2^(out_bits-1), 2^(out_bits-1)-1)``
    (no rounding term when shift = 0; the sum is formed at acc_bits + 1 bits so the half LSB
    cannot overflow; ``>>`` is arithmetic), then ``max(q, 0)`` when ``relu``.

    Parameters
    ----------
    p, n : int
        Pixels and output channels of an entry.
    acc_bits, out_bits : int
        Accumulator and result widths (32 and 8 in seed 002 §5.1).

    Members
    -------
    acc : In(dot_layout(p, n, acc_bits))
        The entry's sums, [pixel][channel].
    bias : In(ArrayLayout(signed(acc_bits), n))
        Per output channel, aligned to the accumulator's fractional bits.
    shift : In(range(acc_bits))
        Right shift of the biased sum (the result format's ``frac`` for golden.fixed's layers).
    relu : In(1)
        Clamp negative results to 0.
    q : Out(ArrayLayout(ArrayLayout(signed(out_bits), n), p))
        The requantised entry.

    Latency and throughput
    ----------------------
    Combinational: an entry per cycle.
    """

    def __init__(self, p: int, n: int, acc_bits: int = 32, out_bits: int = 8):
        self.p, self.n, self.acc_bits, self.out_bits = p, n, acc_bits, out_bits
        super().__init__(
            {
                "acc": In(dot_layout(p, n, acc_bits)),
                "bias": In(bias_layout(n, acc_bits)),
                "shift": In(range(acc_bits)),
                "relu": In(1),
                "q": Out(q_layout(p, n, out_bits)),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        lo, hi = -(1 << (self.out_bits - 1)), (1 << (self.out_bits - 1)) - 1
        half = Signal(self.acc_bits)  # 2^(shift-1), 0 when shift = 0
        mod.d.comb += half.eq((Const(1, self.acc_bits + 1) << self.shift) >> 1)
        for i in range(self.p):
            for j in range(self.n):
                mod.d.comb += self.q[i][j].eq(self.one(mod, i, j, half, lo, hi))
        return mod

    def one(self, mod, i: int, j: int, half, lo: int, hi: int):
        """The result of pixel i, channel j."""
        z = Signal(signed(self.acc_bits), name=f"z_{i}_{j}")
        rounded = Signal(signed(self.acc_bits + 1), name=f"r_{i}_{j}")
        shifted = Signal(signed(self.acc_bits + 1), name=f"s_{i}_{j}")
        mod.d.comb += [
            z.eq(self.acc[i][j] + self.bias[j]),  # truncated to acc_bits: the wrap
            rounded.eq(z + half),
            shifted.eq(rounded >> self.shift),
        ]
        low = Mux(self.relu, 0, lo)  # ReLU after saturation = a floor of 0
        return Mux(shifted > hi, hi, Mux(shifted < low, low, shifted))
