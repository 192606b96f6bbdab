"""The memory clock as a strobe in the unit clock domain: a fractional divider."""

from __future__ import annotations

from fractions import Fraction

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


class MemoryStrobe(wiring.Component):
    """``tick`` is high in ``num`` of every ``den`` unit cycles, evenly spread (a fractional
    divider: phase accumulator ``acc += num``, tick and ``acc -= den`` on overflow).

    Why a strobe and not a second clock domain: the device models then run in the unit clock
    domain with no clock-domain crossing, and the golden model predicts every tick exactly
    (``golden.hydra.command_stream``: tick in cycle c iff floor((c+1)·num/den) > floor(c·num/den),
    cycle 0 being the cycle after ``clear``).

    Parameters
    ----------
    ratio : Fraction
        Ticks per unit cycle, ``0 < ratio <= 1``.

    Members
    -------
    clear : In(1)   restart the phase (cycle 0 is the next cycle)
    tick : Out(1)   strobe, combinational from the phase register

    Latency and throughput: one tick decision per cycle.
    """

    def __init__(self, ratio: Fraction):
        ratio = Fraction(ratio)
        if not 0 < ratio <= 1:
            raise ValueError(f"strobe ratio {ratio} must be in (0, 1]")
        self.num, self.den = ratio.numerator, ratio.denominator
        super().__init__({"clear": In(1), "tick": Out(1)})

    def elaborate(self, platform):
        m = Module()
        acc = Signal(range(self.den + self.num), name="phase")
        m.d.comb += self.tick.eq(acc + self.num >= self.den)
        with m.If(self.clear):
            m.d.sync += acc.eq(0)
        with m.Elif(self.tick):
            m.d.sync += acc.eq(acc + self.num - self.den)
        with m.Else():
            m.d.sync += acc.eq(acc + self.num)
        return m
