"""RANA programmable clock divider: the refresh pulse (seed 004, §IV-D2, Fig. 14)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.rtl.common.counters import counter_signature

DIVIDER_COUNTERS = ("pulses",)


class ClockDivider(wiring.Component):
    """Divides the reference clock by a programmable period and emits the refresh pulse.

    The pulse period equals the eDRAM's tolerable retention time in reference-clock
    cycles (734 µs at 200 MHz is 146 800 cycles).  Reloading is glitch-free: a new
    period is written to a shadow register and takes effect when the interval in
    progress ends, so consecutive pulses are always exactly the old or the new
    period apart — never a runt interval and never a stretched one.  While stopped
    (after reset), a load starts the divider at once: the first pulse comes
    ``period`` cycles after the load.  Golden twin: ``golden.rana.controller``.

    Parameters
    ----------
    width : int
        Width of the period and of the down-counter (at least 24 bits).
    counter_width : int
        Width of the event counters.

    Members
    -------
    period : In(width)
        Period in reference-clock cycles; sampled when ``load`` is high.
    load : In(1)
        Writes ``period`` to the shadow register (0 stops the divider).
    pulse : Out(1)
        High for one cycle at the end of every period.
    running : Out(1)
        A period has been loaded; pulses are being produced.
    counters.pulses : Out(counter_width)
        Pulses emitted.

    Latency and throughput
    ----------------------
    A load in cycle t on a stopped divider gives pulses in cycles
    t + period, t + 2·period, …; on a running divider the pulse already
    scheduled comes with the old period, the following ones with the new.
    """

    def __init__(self, width: int, counter_width: int):
        if width < 24:
            raise ValueError(f"ClockDivider: width={width} must be >= 24 bits (146 800 cycles need 18)")
        self.width = width
        self.counter_width = counter_width
        super().__init__({
            "period": In(width),
            "load": In(1),
            "pulse": Out(1),
            "running": Out(1),
            "counters": Out(counter_signature(DIVIDER_COUNTERS, counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        count = Signal(self.width)    # cycles left in the current interval, minus one
        shadow = Signal(self.width)   # period of the next interval
        expire = Signal()
        m.d.comb += [
            expire.eq(self.running & (count == 0)),
            self.pulse.eq(expire),
        ]
        with m.If(self.load & ~self.running):
            m.d.sync += [count.eq(self.period - 1), self.running.eq(self.period != 0)]
        with m.Elif(expire):
            next_period = Mux(self.load, self.period, shadow)  # a load at the pulse applies at once
            m.d.sync += [count.eq(next_period - 1), self.running.eq(next_period != 0)]
        with m.Elif(self.running):
            m.d.sync += count.eq(count - 1)
        with m.If(self.load):
            m.d.sync += shadow.eq(self.period)

        with m.If(expire):
            m.d.sync += self.counters.pulses.eq(self.counters.pulses + 1)
        return m
