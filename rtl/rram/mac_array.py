"""The p x n MAC array of size-m inner products (seed 002 §3.1, Fig. 1b)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out


def act_layout(p: int, m: int, bits: int) -> data.ArrayLayout:
    """``act[i][c]``: activation of input channel c at pixel i."""
    return data.ArrayLayout(data.ArrayLayout(signed(bits), m), p)


def weight_layout(m: int, n: int, bits: int) -> data.ArrayLayout:
    """``weight[c][j]``: weight from input channel c to output channel j (B of A x B)."""
    return data.ArrayLayout(data.ArrayLayout(signed(bits), n), m)


def dot_layout(p: int, n: int, bits: int) -> data.ArrayLayout:
    """``dot[i][j]``: inner product for pixel i and output channel j."""
    return data.ArrayLayout(data.ArrayLayout(signed(bits), n), p)


class MacArray(wiring.Component):
    """A_{p x m} x B_{m x n}: p x n PEs, each the size-m inner product of 8-bit operands.

    Products are exact (``act_bits + weight_bits`` bits) and their sum of m terms is exact
    in ``act_bits + weight_bits + ceil(log2 m)`` bits, then sign-extended to ``acc_bits``
    (it always fits: the config checks ``acc_bits`` against one product, and m is small).

    Parameters
    ----------
    p, n, m : int
        Pixels, output channels, inner-product size.
    act_bits, weight_bits, acc_bits : int
        Operand and result widths (8, 8, 32 in seed 002 §5.1).

    Members
    -------
    act : In(act_layout)
        p pixels x m input channels, signed.
    weight : In(weight_layout)
        m x n weights, signed.
    valid : In(1)
        The operands are a step to compute.
    dot : Out(dot_layout)
        p x n inner products of the step presented one cycle earlier.
    dot_valid : Out(1)
        ``dot`` holds a step's result.

    Latency and throughput
    ----------------------
    One cycle (one pipeline register after the adder trees); one step per cycle.
    """

    def __init__(
        self, p: int, n: int, m: int, act_bits: int = 8, weight_bits: int = 8, acc_bits: int = 32
    ):
        self.p, self.n, self.m = p, n, m
        self.sum_bits = act_bits + weight_bits + max(m - 1, 1).bit_length()
        if self.sum_bits > acc_bits:
            raise ValueError(
                f"MacArray: a size-{m} inner product needs {self.sum_bits} bits, "
                f"acc_bits={acc_bits}"
            )
        super().__init__(
            {
                "act": In(act_layout(p, m, act_bits)),
                "weight": In(weight_layout(m, n, weight_bits)),
                "valid": In(1),
                "dot": Out(dot_layout(p, n, acc_bits)),
                "dot_valid": Out(1),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        for i in range(self.p):
            for j in range(self.n):
                total = Signal(signed(self.sum_bits), name=f"pe_{i}_{j}")
                mod.d.comb += total.eq(
                    sum(self.act[i][c] * self.weight[c][j] for c in range(self.m))
                )
                mod.d.sync += self.dot[i][j].eq(total)
        mod.d.sync += self.dot_valid.eq(self.valid)
        return mod
