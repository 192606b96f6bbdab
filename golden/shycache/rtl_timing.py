"""Cycle model of the SHyCache RTL level (``rtl/shycache``): when each request is taken and
answered, and how many cycles requests wait on busy STT subarrays.

The golden reference (:mod:`golden.shycache.reference`) decides *what* happens to
each access (part, set, hit, dirty victim); this model says *when*, for the
RTL's own pipeline, under the deterministic stimulus of the regressions: the
core side offers request i ``gap[i]`` cycles after request i - 1 was taken
by the predecoder and always takes responses; the next level always takes
requests and offers a fill exactly ``memory_latency`` cycles after its
request.  (Random back-pressure changes these cycles but never the event
counts; the testbench checks the counts then, and the cycles only here.)

The RTL, cycle by cycle (cycle 0 is the first out of reset):

* the parts sweep their arrays for ``max(sets * ways)`` cycles; the controller
  is IDLE from the cycle after the sweep ends;
* the predecoder takes request i at ``p = max(offer, a[i-1])`` (its one
  register is free in the cycle the controller takes the previous request)
  and offers it to the controller from ``p + 1``;
* IDLE takes it at ``a``, the first cycle >= the offer and >= IDLE in which
  its STT subarray is not busy (each cycle waited is a stall cycle); a
  malformed request is taken at once and answered at ``a + 1``;
* TAG at ``a + 1``, DATA at ``a + 2``: a hit is answered at ``a + 3`` (a store hit
  writes at ``a + 2``); a miss offers the write-back of a dirty victim at
  ``a + 3`` and the fill request in the next cycle ``f``, takes the fill at
  ``f + memory_latency`` and writes it, then a store writes its word in the next
  cycle; the response follows the last write; IDLE follows the response;
* an STT line write at cycle w leaves its subarray busy until
  ``max(w + 1, busy) + write_cycles`` (exclusive), at most ``max_queued`` writes'
  worth past ``w + 1`` (the timer saturates);
* with ``bypass`` a request for the line last written into its subarray does
  not wait for it (the write buffer serves it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TimedRequest:
    """What the reference says about one request (``malformed``: not given to the reference)."""

    malformed: bool = False
    stt: bool = False
    line: int = -1
    subarray: int = 0
    hit: bool = False
    victim_dirty: bool = False
    store: bool = False


@dataclass
class RtlTiming:
    init_cycles: int
    write_cycles: int
    subarrays: int
    memory_latency: int
    bypass: bool = False
    max_queued: int = 8

    def __post_init__(self):
        if self.memory_latency < 1:
            raise ValueError(f"memory_latency={self.memory_latency}: the RTL takes a fill at the "
                             "earliest in the cycle after its request")

    def run(self, requests, gaps, start: int = 0) -> dict:
        """Cycles of ``requests`` offered after ``gaps`` (request i: ``gaps[i]`` idle cycles after
        the cycle following request i - 1's entry into the predecoder; request 0 at
        ``start + gaps[0]``).

        Returns ``{"taken", "answered"}`` (cycle per request), ``"stall_cycles"``, ``"fills"``
        (fill request cycles), ``"writebacks"`` (write-back cycles) and ``"end"`` (first IDLE
        cycle after the last response)."""
        busy = [0] * self.subarrays                 # first cycle each subarray is free
        self._last = [None] * self.subarrays        # line last written into each subarray
        idle = self.init_cycles + 1                 # first cycle in IDLE
        entered = -1                                # predecoder take of the previous request
        taken_prev = 0
        out = {"taken": [], "answered": [], "stall_cycles": 0, "fills": [], "writebacks": []}
        for i, (req, gap) in enumerate(zip(requests, gaps)):
            offer = (start if i == 0 else entered + 1) + int(gap)
            entered = offer if i == 0 else max(offer, taken_prev)
            ready = max(entered + 1, idle)
            waits = req.stt and not req.malformed and not (
                self.bypass and self._last[req.subarray] == req.line)
            a = max(ready, busy[req.subarray]) if waits else ready
            out["stall_cycles"] += a - ready
            answered = self._serve(req, a, busy, out)
            out["taken"].append(a)
            out["answered"].append(answered)
            idle, taken_prev = answered + 1, a
        out["end"] = idle
        return out

    def _serve(self, req: TimedRequest, a: int, busy: list, out: dict) -> int:
        """The response cycle of a request taken at ``a``; records writes, fills and write-backs."""
        if req.malformed:
            return a + 1
        if req.hit:
            if req.store:
                self._write(req, a + 2, busy)
            return a + 3
        fill = a + 3
        if req.victim_dirty:
            out["writebacks"].append(a + 3)
            fill = a + 4
        out["fills"].append(fill)
        last_write = fill + self.memory_latency
        self._write(req, last_write, busy)
        if req.store:
            last_write += 1
            self._write(req, last_write, busy)
        return last_write + 1

    def _write(self, req: TimedRequest, w: int, busy: list) -> None:
        if req.stt and self.write_cycles:
            left = max(busy[req.subarray] - w - 1, 0) + self.write_cycles
            busy[req.subarray] = w + 1 + min(left, self.max_queued * self.write_cycles)
        if req.stt:
            self._last[req.subarray] = req.line
