"""An independent check of a device model's command timing (the RTL twin of
``tb.common.dram_pcm.MemoryDevice.check_timing``)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.command_stream import DeviceTicks

SATURATE = 255


class DeviceTimingChecker(wiring.Component):
    """Watches the commands a device issues and raises ``error`` (sticky until ``clear``) on any
    that comes too early: ACT < tRP after PRE; RD/WR < tRCD after ACT or < tCCD after the previous
    column command of the same row; PRE < tRTP after RD or < tWL + tCCD + tWR after WR.  Ticks
    since each command are counted on their own (saturating at 255), not taken from the device's
    timers.

    Members
    -------
    tick, clear : In(1)
    pre, act, rd, wr : In(1)   the device issues that command in this (tick) cycle
    error : Out(1)

    Latency: the flag rises the cycle after the offending command.
    """

    def __init__(self, ticks: DeviceTicks):
        self.ticks = ticks
        super().__init__(
            {
                "tick": In(1),
                "clear": In(1),
                "pre": In(1),
                "act": In(1),
                "rd": In(1),
                "wr": In(1),
                "error": Out(1),
            }
        )

    def elaborate(self, platform):
        m = Module()
        t = self.ticks
        since = {
            name: Signal(8, init=SATURATE, name=f"since_{name}")
            for name in ("pre", "act", "rd", "wr")
        }
        col_in_row = Signal()  # a column command since the last ACT
        last_col = Signal(8, init=SATURATE)
        col = self.rd | self.wr
        early = Signal()
        m.d.comb += early.eq(
            (self.act & (since["pre"] < t.tRP))
            | (col & ((since["act"] < t.tRCD) | (col_in_row & (last_col < t.tCCD))))
            | (self.pre & ((since["rd"] < t.tRTP) | (since["wr"] < t.write_recovery)))
        )
        with m.If(self.clear):
            m.d.sync += [self.error.eq(0), col_in_row.eq(0), last_col.eq(SATURATE)]
            m.d.sync += [s.eq(SATURATE) for s in since.values()]
        with m.Elif(self.tick):
            for name, s in since.items():
                with m.If(getattr(self, name)):
                    m.d.sync += s.eq(1)
                with m.Elif(s != SATURATE):
                    m.d.sync += s.eq(s + 1)
            with m.If(col):
                m.d.sync += [last_col.eq(1), col_in_row.eq(1)]
            with m.Elif(last_col != SATURATE):
                m.d.sync += last_col.eq(last_col + 1)
            with m.If(self.act):
                m.d.sync += col_in_row.eq(0)
            with m.If(early):
                m.d.sync += self.error.eq(1)
        return m
