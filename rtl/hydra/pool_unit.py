"""A Hydra unit's pool unit: N comparators, one per lane (seed 001, §III-B, Table I)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out


class PoolUnit(wiring.Component):
    """Max-pool: each lane keeps the largest window slot of its output position.

    Parameters
    ----------
    n_lanes : int
    fmt : FixedFormat
        ``width`` of a value and ``acc_width`` of an output-buffer entry.

    Members
    -------
    start : In(1)
        A group begins: the next slot is its first.
    valid : In(1)
        ``slots`` holds one window slot per lane.
    last : In(1)
        ... its window's last slot.
    slots : In(ArrayLayout(signed(width), n_lanes))
    word : Out(n_lanes * acc_width)
        The lanes' maxima, sign-extended to ``acc_width`` (an output-buffer word).
    word_valid : Out(1)
        One-cycle pulse: ``word`` is final (the cycle after the last slot).

    Latency and throughput
    ----------------------
    One slot per cycle; ``word_valid`` one cycle after the last slot.
    """

    def __init__(self, n_lanes: int, fmt):
        self.fmt = fmt
        super().__init__({
            "start": In(1),
            "valid": In(1),
            "last": In(1),
            "slots": In(data.ArrayLayout(signed(fmt.width), n_lanes)),
            "word": Out(n_lanes * fmt.acc_width),
            "word_valid": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        fmt, n = self.fmt, len(self.slots)
        maxima = [Signal(signed(fmt.width), name=f"pool{j}_max") for j in range(n)]
        first_tap = Signal()
        with m.If(self.start):
            m.d.sync += first_tap.eq(1)
        with m.If(self.valid):
            m.d.sync += first_tap.eq(self.last)
            for j in range(n):
                a = self.slots[j]
                m.d.sync += maxima[j].eq(Mux(first_tap | (a > maxima[j]), a, maxima[j]))
        m.d.sync += self.word_valid.eq(self.valid & self.last)
        m.d.comb += self.word.eq(Cat(*[Cat(v, v[-1].replicate(fmt.acc_width - fmt.width))
                                       for v in maxima]))
        return m
