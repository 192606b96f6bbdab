"""SHyCache STT-MRAM write-busy timers: one per subarray (seed 000, §V-A, Table I)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.rtl.shycache.layouts import index_bits


class WriteBusyTimer(wiring.Component):
    """A subarray written at cycle t cannot be accessed in cycles t + 1 .. t + ``write_cycles``;
    a write to a subarray still busy queues behind the one in progress.

    §V-A: "During this time, the subarrays being written to cannot be
    accessed; therefore, this time is not pipelined and subsequent accesses to
    busy subarrays are blocked."  One down-counter per subarray of the busy
    cycles left; a write adds ``write_cycles`` to what is left after this cycle
    (the golden reference's ``busy = max(t, busy) + write``).  The counter holds
    ``max_queued`` writes and saturates beyond (a subarray is written at most
    twice per request, and a request waits for it to be idle unless its line
    is the one in the write buffer).

    Parameters
    ----------
    subarrays : int
        Independent subarrays of the array.
    write_cycles : int
        Busy cycles after a write (STT write time x clock; 0: never busy).
    max_queued : int
        Writes the counter can hold at once (it saturates beyond).

    Members
    -------
    start : In(1)
        A line is written to subarray ``start_index`` this cycle.
    start_index : In(index_bits(subarrays))
    probe_index : In(index_bits(subarrays))
        The subarray an access wants.
    busy : Out(1)
        ``probe_index`` is being written (combinational).

    Latency and throughput
    ----------------------
    ``busy`` from the cycle after ``start``; one start per cycle.
    """

    def __init__(self, subarrays: int, write_cycles: int, max_queued: int = 2):
        self.subarrays, self.write_cycles, self.max_queued = subarrays, write_cycles, max_queued
        super().__init__({
            "start": In(1),
            "start_index": In(index_bits(subarrays)),
            "probe_index": In(index_bits(subarrays)),
            "busy": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        if self.write_cycles == 0:
            return m
        for s in range(self.subarrays):
            limit = self.max_queued * self.write_cycles
            left = Signal(range(limit + 1), name=f"left{s}")
            with m.If(self.start & (self.start_index == s)):
                after = left - (left != 0) + self.write_cycles
                m.d.sync += left.eq(Mux(after > limit, limit, after))
            with m.Elif(left != 0):
                m.d.sync += left.eq(left - 1)
            with m.If(self.probe_index == s):
                m.d.comb += self.busy.eq(left != 0)
        return m
