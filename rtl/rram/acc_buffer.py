"""The accumulation buffer: depth 2g, two ping-pong halves (seed 002 §3.2, Fig. 1b, Table 5)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.mac_array import dot_layout

ACC_BUFFER_COUNTERS = ("acc_reads", "acc_writes")


class AccBuffer(wiring.Component):
    """2 g_max entries of p x n ``acc_bits`` partial sums; one half accumulates, one drains.

    An entry holds the partial sums of one pixel group (p pixels x n output channels).
    The accumulate port does a read-modify-write in one cycle: ``acc[addr] <- dot`` on a
    batch's first step (no read), ``acc[addr] <- acc[addr] + dot`` otherwise (one read,
    one write), wrapping modulo 2^acc_bits (the overflow rule; golden ``functional.py``
    wraps the same way).  The drain port reads an entry combinationally.  Which half is
    which is the controller's business (``addr`` includes the half).

    Parameters
    ----------
    p, n : int
        PE rows and columns.
    depth : int
        Entries (2 g_max).
    acc_bits : int
        Width of one partial sum.
    counter_width : int
        Width of the event counters.

    Members
    -------
    acc_en : In(1)
        Accumulate ``dot`` into entry ``acc_addr`` this cycle.
    acc_first : In(1)
        The step is the batch's first for this entry: overwrite, do not read.
    acc_addr : In(range(depth))
        Entry to accumulate into.
    dot : In(dot_layout)
        The MAC array's p x n inner products.
    drain_addr : In(range(depth))
        Entry to drain.
    drain_en : In(1)
        The entry at ``drain_addr`` is taken this cycle (counted).
    drain_data : Out(dot_layout)
        Entry ``drain_addr`` (combinational; a write this cycle shows next cycle).
    counting : In(1)
        The tile uses an accumulation buffer.  Without one (kernel-first, or pixel-first with
        depth "none") the entries in use play the PEs' accumulator registers and their
        output registers, which are not accumulation-buffer accesses: nothing is counted.
    counters.acc_reads : Out(counter_width)
        32-bit words read: p·n per read-modify-write (a step that is not its block's first)
        and p·n per entry drained.
    counters.acc_writes : Out(counter_width)
        32-bit words written: p·n per step.

    Latency and throughput
    ----------------------
    One accumulation and one drain per cycle; a write is visible to both ports the next cycle.
    """

    def __init__(self, p: int, n: int, depth: int, acc_bits: int, counter_width: int):
        self.p, self.n, self.depth, self.acc_bits = p, n, depth, acc_bits
        layout = dot_layout(p, n, acc_bits)
        self.layout = layout
        super().__init__(
            {
                "acc_en": In(1),
                "acc_first": In(1),
                "acc_addr": In(range(depth)),
                "dot": In(layout),
                "drain_addr": In(range(depth)),
                "drain_en": In(1),
                "drain_data": Out(layout),
                "counting": In(1),
                "counters": Out(
                    wiring.Signature({name: Out(counter_width) for name in ACC_BUFFER_COUNTERS})
                ),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.mem = mem = Memory(shape=self.layout, depth=self.depth, init=[])
        old = mem.read_port(domain="comb")
        drain = mem.read_port(domain="comb")
        write = mem.write_port()
        mod.d.comb += [
            old.addr.eq(self.acc_addr),
            write.addr.eq(self.acc_addr),
            write.en.eq(self.acc_en),
            drain.addr.eq(self.drain_addr),
            self.drain_data.eq(drain.data),
        ]
        for i in range(self.p):
            for j in range(self.n):
                base = Signal.like(self.dot[i][j], name=f"base_{i}_{j}")
                mod.d.comb += [
                    base.eq(old.data[i][j]),
                    write.data[i][j].eq(
                        self.dot[i][j] + Mux(self.acc_first, 0, base)
                    ),  # wraps at acc_bits
                ]
        c, words = self.counters, self.p * self.n
        reads = Signal(2)
        mod.d.comb += reads.eq((self.acc_en & ~self.acc_first) + self.drain_en)
        with mod.If(self.counting):
            mod.d.sync += c.acc_reads.eq(c.acc_reads + reads * words)
            with mod.If(self.acc_en):
                mod.d.sync += c.acc_writes.eq(c.acc_writes + words)
        return mod
