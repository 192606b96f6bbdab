"""The bias store of the RRAM accelerator's output path: n biases per output-channel group."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.requantizer import bias_layout


class BiasStore(wiring.Component):
    """``depth`` words of n ``acc_bits`` biases, one word per output-channel group.

    The host writes a word through the accelerator's ``load`` port (target ``TARGET_BIAS``);
    the requantiser reads the word of the entry being drained (``BIAS_BASE`` + its
    output-channel group).  Biases are stored aligned to the accumulator
    (``golden.fixed.bias_to_acc``).

    Parameters
    ----------
    n : int
        Output channels of a group.
    depth : int
        Words (output-channel groups).
    acc_bits : int

    Members
    -------
    wr_en : In(1), wr_addr : In(range(depth)), wr_data : In(bias_layout(n, acc_bits))
        Write port.
    rd_addr : In(range(depth)), rd_data : Out(bias_layout(n, acc_bits))
        Read port.

    Latency and throughput
    ----------------------
    A write per cycle, visible from the next cycle; the read is combinational (a word per
    cycle, as the drain takes an entry per cycle).
    """

    def __init__(self, n: int, depth: int, acc_bits: int = 32):
        self.n, self.depth, self.acc_bits = n, depth, acc_bits
        super().__init__(
            {
                "wr_en": In(1),
                "wr_addr": In(range(depth)),
                "wr_data": In(bias_layout(n, acc_bits)),
                "rd_addr": In(range(depth)),
                "rd_data": Out(bias_layout(n, acc_bits)),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        mod.submodules.mem = mem = Memory(shape=bias_layout(self.n, self.acc_bits), depth=self.depth, init=[])
        read, write = mem.read_port(domain="comb"), mem.write_port()
        mod.d.comb += [
            read.addr.eq(self.rd_addr),
            self.rd_data.eq(read.data),
            write.en.eq(self.wr_en),
            write.addr.eq(self.wr_addr),
            write.data.eq(self.wr_data),
        ]
        return mod
