"""SHyCache endurance counter: bits flipped by STT-MRAM line writes (seed 000, §VI-C)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out


def popcount(m: Module, value, name: str):
    """A balanced adder tree over the bits of ``value``; returns the count signal."""
    level = [value[i] for i in range(len(value))]
    depth = 0
    while len(level) > 1:
        pairs = []
        for i in range(0, len(level) - 1, 2):
            s = Signal(range(2 ** (depth + 1) + 1), name=f"{name}_l{depth}_{i // 2}")
            m.d.comb += s.eq(level[i] + level[i + 1])
            pairs.append(s)
        if len(level) % 2:
            pairs.append(level[-1])
        level, depth = pairs, depth + 1
    return level[0]


class BitFlipCounter(wiring.Component):
    """Adds popcount(old XOR new) at every line write: every 0->1 and 1->0 flip (§VI-C).

    Parameters
    ----------
    line_bits, counter_width : int

    Members
    -------
    write : In(1)
        A line write this cycle.
    old_line, new_line : In(line_bits)
        The content the write replaces, and the content written (not ``old``/``new``:
        ``new`` is a C++ keyword, which Verilator rejects as a port name).
    flips : Out(counter_width)
        Bits flipped so far (wraps at 2**counter_width).

    Latency and throughput
    ----------------------
    ``flips`` includes a write from the next cycle; one write per cycle.
    """

    def __init__(self, line_bits: int, counter_width: int):
        self.line_bits, self.counter_width = line_bits, counter_width
        super().__init__({
            "write": In(1),
            "old_line": In(line_bits),
            "new_line": In(line_bits),
            "flips": Out(counter_width),
        })

    def elaborate(self, platform):
        m = Module()
        changed = Signal(self.line_bits)
        m.d.comb += changed.eq(self.old_line ^ self.new_line)
        count = popcount(m, changed, "flips")
        with m.If(self.write):
            m.d.sync += self.flips.eq(self.flips + count)
        return m
