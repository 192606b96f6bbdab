"""Hydra FX16 MAC with a sequential radix-4 Booth multiplier (seed 001; SPEC §5.1 timing option)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, Value, signed
from amaranth.lib import wiring

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.params import MacParams
from hymem.rtl.hydra.mac import accumulate_stage, mac_signature


def booth_step(booth: Value, multiplicand: Value) -> Value:
    """One radix-4 Booth digit times the multiplicand, the digit from the three low bits of
    ``booth``: (-2*b2 + b1 + b0) * multiplicand."""
    b0, b1, b2 = booth[0], booth[1], booth[2]
    one = b0 ^ b1
    two = (b2 & ~b1 & ~b0) | (~b2 & b1 & b0)
    magnitude = Mux(two, multiplicand << 1, Mux(one, multiplicand, 0))
    return Mux(b2 & (one | two), -magnitude, magnitude)


class MacSeq(wiring.Component):
    """Sequential fixed-point MAC: a radix-4 Booth multiplier, ``ceil(width/2)`` cycles per pair.

    Same ports, counters and results as :class:`rtl.hydra.mac.Mac` (bit-identical
    function); only the timing differs.  The multiplier retires two multiplier
    bits per cycle (Booth digit in {-2, -1, 0, 1, 2} times the shifted
    multiplicand), so an FX16 pair takes 8 cycles — the ≈ 8.1 cycles per MAC the
    paper's latencies imply (SPEC §5.1).  Golden twin: ``golden.hydra.mac`` with
    ``variant="sequential"``.

    Parameters
    ----------
    fixed : FixedFormat
        Operand/accumulator widths, rounding and overflow (``[fixed]`` of hydra.toml).
    params : MacParams
        ``counter_width`` of the event counters.

    Members
    -------
    pairs, results, bias, bias_load, busy, counters.macs, counters.busy_cycles
        As for :class:`rtl.hydra.mac.Mac`; ``busy`` is also high while multiplying.
    clear : In(1)
        Abandons the open neuron: the pair being multiplied, a finished product of
        that neuron and its partial sum.  A finished product that closes the
        previous neuron (it can still wait here, unlike in ``Mac``) is kept.

    Latency and throughput
    ----------------------
    A pair accepted at cycle t is multiplied in cycles t+1 … t+n (n = ceil(width/2));
    the product enters the sum at t+n+1 and a neuron's result is valid at t+n+2.
    The next pair can be accepted at t+n (the cycle the product leaves the
    multiplier), so throughput is one pair per n cycles; stalls as in ``Mac``.
    """

    variant = "sequential"

    def __init__(self, fixed: FixedFormat, params: MacParams):
        self.fixed = fixed
        self.params = params
        self.iterations = (fixed.width + 1) // 2   # radix 4: two multiplier bits per cycle
        super().__init__(mac_signature(fixed, params))

    def elaborate(self, platform):
        m = Module()
        fmt = self.fixed
        n = self.iterations
        prod_shape = signed(2 * fmt.width)

        p_valid = Signal()
        p_last = Signal()
        p_prod = Signal(prod_shape)
        count = Signal(range(n + 1))        # iterations left; 0 = multiplier idle
        m_last = Signal()
        multiplicand = Signal(prod_shape)   # multiplicand << 2i
        booth = Signal(2 * n + 1)           # multiplier (sign-extended) with a 0 below bit 0
        sum_ = Signal(prod_shape)

        # clear abandons the open neuron: the pair in the multiplier, a waiting product of
        # that neuron and its partial sum.  A waiting product that closes the previous
        # neuron (accepted one multiply earlier) is kept and completes that neuron.
        closing_waits = p_valid & p_last
        advance = accumulate_stage(m, self, p_valid, p_last, p_prod, multiplying=count != 0,
                                   drop_partial=self.clear & ~closing_waits)

        sum_next = Signal(prod_shape)
        m.d.comb += sum_next.eq(sum_ + booth_step(booth, multiplicand))

        slot_free = ~p_valid | advance
        last_iteration = count == 1
        finish = last_iteration & slot_free & ~self.clear
        m.d.comb += self.pairs.ready.eq(((count == 0) | finish) & ~self.clear)

        with m.If(count != 0):
            with m.If(~last_iteration):
                m.d.sync += [
                    sum_.eq(sum_next),
                    multiplicand.eq(multiplicand << 2),
                    booth.eq(booth.as_signed() >> 2),
                    count.eq(count - 1),
                ]
            with m.Elif(finish):
                m.d.sync += [count.eq(0), p_prod.eq(sum_next), p_last.eq(m_last)]

        with m.If(finish):
            m.d.sync += p_valid.eq(1)
        with m.Elif(advance | (self.clear & ~p_last)):
            m.d.sync += p_valid.eq(0)
        with m.If(self.clear):
            m.d.sync += count.eq(0)

        with m.If(self.pairs.valid & self.pairs.ready):
            a = self.pairs.payload.a.as_signed()
            m.d.sync += [
                count.eq(n),
                m_last.eq(self.pairs.payload.last),
                multiplicand.eq(self.pairs.payload.w.as_signed()),
                booth.eq(Cat(0, a, a[-1].replicate(2 * n - fmt.width))),
                sum_.eq(0),
            ]
        return m
