"""Kernel-first line register: pixels a row pass already read feed the later kernel columns."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.rtl.rram.mac_array import act_layout


class LineRegister(wiring.Component):
    """Assembles the MAC array's activations from fresh RAM words and the last two windows.

    In kernel-first order the window of kernel column kx overlaps the one of kx - s shifted
    by one PE row (seed 002 §3.2: "as the feature map window slides ... each feature map
    pixel is accessed only once").  A *kept* lane i takes PE row i + 1's activation of s
    steps before (s = 1 or 2, the last two fired windows are held); every other lane takes
    the I/O buffer's word (zero when it was not read).

    Parameters
    ----------
    p, m, act_bits : int

    Members
    -------
    fresh : In(act_layout)
        The I/O buffer's window.
    keep : In(p)
        Per PE row: take the line register's pixel instead.
    stride2 : In(1)
        Keep from two steps back (stride 2) instead of one.
    step : In(1)
        ``act`` is consumed by a step this cycle (the history shifts).
    act : Out(act_layout)
        The step's activations.

    Latency and throughput
    ----------------------
    Combinational; the history advances one window per step.
    """

    def __init__(self, p: int, m: int, act_bits: int = 8):
        self.p = p
        layout = act_layout(p, m, act_bits)
        super().__init__(
            {
                "fresh": In(layout),
                "keep": In(p),
                "stride2": In(1),
                "step": In(1),
                "act": Out(layout),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        shape = self.act.shape()
        last, before = Signal(shape), Signal(shape)  # windows of 1 and 2 steps ago
        with mod.If(self.step):
            mod.d.sync += [last.eq(self.act), before.eq(last)]
        for i in range(self.p):
            mod.d.comb += self.act[i].eq(self.fresh[i])
            if i + 1 < self.p:  # the group's last lane always reads
                with mod.If(self.keep[i]):
                    mod.d.comb += self.act[i].eq(Mux(self.stride2, before[i + 1], last[i + 1]))
        return mod
