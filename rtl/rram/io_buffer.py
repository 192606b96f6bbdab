"""The window-selecting I/O-buffer read path: p independent RAMs (seed 002 §3.1, Fig. 1c)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal
from amaranth.lib import data, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.mac_array import act_layout


class IoBuffer(wiring.Component):
    """p RAMs of ``depth`` words; a word is the m activations of one pixel (one channel group).

    Pixel column q of a (padded, stride-phase) input row lives in RAM ``q mod p``, so any p
    consecutive columns are in p different RAMs and a window of p pixels is one read of every
    RAM (Fig. 1c).  The controller gives each RAM its own address and says which RAM holds
    the window's first pixel (``rotate``); the read path rotates the p words so PE row i
    gets pixel i.

    Parameters
    ----------
    p, m, depth : int
        RAMs, activations per word, words per RAM.
    act_bits : int
        Activation width.
    counter_width : int
        Width of the event counter.

    Members
    -------
    rd_lanes : In(p)
        Bit i: read PE row i's pixel this cycle (lanes not read give zeros next cycle).
    rd_addr : In(ArrayLayout(range(depth), p))
        Address in RAM r.
    rd_rotate : In(range(p))
        RAM holding the window's pixel 0.
    window : Out(act_layout(p, m))
        The window read one cycle earlier, pixel i in row i (zero where not read).
    wr_en, wr_ram, wr_addr, wr_data : In
        Load port: write ``wr_data`` (m activations) at ``wr_addr`` of RAM ``wr_ram``.
    counters.io_reads : Out(counter_width)
        Words read (one per lane read).

    Latency and throughput
    ----------------------
    One window per cycle, one cycle latency (synchronous RAM reads).
    """

    def __init__(self, p: int, m: int, depth: int, act_bits: int, counter_width: int):
        self.p, self.m, self.depth = p, m, depth
        self.word = data.ArrayLayout(act_layout(p, m, act_bits).elem_shape.elem_shape, m)
        super().__init__(
            {
                "rd_lanes": In(p),
                "rd_addr": In(data.ArrayLayout(range(depth), p)),
                "rd_rotate": In(range(p)),
                "window": Out(act_layout(p, m, act_bits)),
                "wr_en": In(1),
                "wr_ram": In(range(p)),
                "wr_addr": In(range(depth)),
                "wr_data": In(self.word),
                "counters": Out(wiring.Signature({"io_reads": Out(counter_width)})),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        p = self.p
        words = []
        ram_en = Signal(p)  # RAM r serves PE row (r - rotate) mod p
        with mod.Switch(self.rd_rotate):
            for rot in range(p):
                with mod.Case(rot):
                    mod.d.comb += ram_en.eq(Cat(self.rd_lanes[(r - rot) % p] for r in range(p)))
        for r in range(p):
            mem = Memory(shape=self.word, depth=self.depth, init=[])
            mod.submodules[f"ram{r}"] = mem
            rd = mem.read_port()
            wr = mem.write_port()
            mod.d.comb += [
                rd.addr.eq(self.rd_addr[r]),
                rd.en.eq(ram_en[r]),
                wr.addr.eq(self.wr_addr),
                wr.data.eq(self.wr_data),
                wr.en.eq(self.wr_en & (self.wr_ram == r)),
            ]
            words.append(rd.data)
        rotate = Signal.like(self.rd_rotate)
        lanes = Signal(p)
        mod.d.sync += [rotate.eq(self.rd_rotate), lanes.eq(self.rd_lanes)]
        for i in range(p):  # PE row i <- RAM (i + rotate) mod p
            with mod.If(lanes[i]), mod.Switch(rotate):
                for rot in range(p):
                    with mod.Case(rot):
                        mod.d.comb += self.window[i].eq(words[(i + rot) % p])
        reads = Signal(range(p + 1))
        mod.d.comb += reads.eq(sum(self.rd_lanes[i] for i in range(p)))
        with mod.If(self.rd_lanes.any()):
            mod.d.sync += self.counters.io_reads.eq(self.counters.io_reads + reads)
        return mod
