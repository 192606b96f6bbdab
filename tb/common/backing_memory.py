"""The next memory level behind a cache under test: holds line data, answers fills after a latency.

A :class:`BackingMemory` serves a cache's two memory-side streams: requests
(``{write, line, data}``: a write-back stores ``data``, a fill asks for the
line) and fill responses (the line's data).  It holds every line written back
and reads never-written lines from an ``image`` function (the golden
reference's :class:`golden.shycache.reference.LineMemory` convention:
``image(line byte address, line_bytes) -> bytes``; zeros by default), so read
data the cache returns can be checked against it, and it logs each
transaction with its cycle.

Timing is either fixed — requests are always accepted, a fill's line is
offered exactly ``latency`` cycles after its request was taken (what
``golden.shycache.rtl_timing`` assumes) — or randomly back-pressured from a
seeded generator: each request waits 1..``max_stall`` cycles before ``ready``,
each fill 1..``max_latency`` cycles.  Python runs once per transaction, never
per cycle: the model sleeps on the request ``valid`` edge and on timers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.tb.common.clock import cycle_now
from hymem.tb.common.hdl import handle, members, unpack
from hymem.tb.common.stream import clock_edges


@dataclass
class MemoryTiming:
    """``rng`` None: fixed timing (always ready, fills after ``latency``); else random."""

    latency: int = 4
    rng: np.random.Generator | None = None
    max_stall: int = 6
    max_latency: int = 12

    def __post_init__(self):
        if self.latency < 1 or self.max_stall < 1 or self.max_latency < 1:
            raise ValueError(f"MemoryTiming: latency={self.latency}, max_stall={self.max_stall}, "
                             f"max_latency={self.max_latency} must be >= 1")

    def request_stall(self) -> int:
        return 0 if self.rng is None else int(self.rng.integers(1, self.max_stall + 1))

    def fill_latency(self) -> int:
        return self.latency if self.rng is None else int(self.rng.integers(1, self.max_latency + 1))


@dataclass
class BackingMemory:
    """Lines of ``line_bytes`` (little-endian ints on the bus) behind ``req``/``resp`` streams."""

    line_bytes: int
    image: object = None                      # image(line byte address, line_bytes) -> bytes
    lines: dict = field(default_factory=dict)  # line index -> int, every line written back
    log: list = field(default_factory=list)    # (cycle, "fill" | "writeback", line index)
    base_cycle: int = 0

    def read(self, line: int) -> int:
        if line in self.lines:
            return self.lines[line]
        if self.image is None:
            return 0
        return int.from_bytes(bytes(self.image(line * self.line_bytes, self.line_bytes)), "little")

    def word(self, addr: int, nbytes: int) -> int:
        """The ``nbytes`` at byte address ``addr`` as the memory holds them now."""
        line, offset = divmod(addr, self.line_bytes)
        return (self.read(line) >> (8 * offset)) & ((1 << (8 * nbytes)) - 1)

    def count(self, kind: str) -> int:
        return sum(1 for _, k, _ in self.log if k == kind)

    def start(self, dut, component, timing: MemoryTiming, req: str = "mem_req",
              resp: str = "mem_resp"):
        """Serve the component's ``req``/``resp`` streams (call right after a rising edge)."""
        self.base_cycle = cycle_now()
        return cocotb.start_soon(self._serve(dut, component, timing, req, resp))

    async def _serve(self, dut, component, timing: MemoryTiming, req: str, resp: str):
        h = {(name, part): handle(dut, component, name, part)
             for name in (req, resp) for part in ("valid", "ready", "payload")}
        req_shape = members(component)[(req, "payload")].shape
        always_ready = timing.rng is None
        h[req, "ready"].value = int(always_ready)
        h[resp, "valid"].value = 0
        while True:
            await ReadOnly()
            if not h[req, "valid"].value.is_resolvable:   # X before the first edge out of reset
                await RisingEdge(dut.clk)
                continue
            if not int(h[req, "valid"].value):
                await RisingEdge(h[req, "valid"])
                continue
            if not always_ready:   # seen in cycle c: ready from cycle c + stall
                stall = timing.request_stall()
                await RisingEdge(dut.clk)
                if stall > 1:
                    await clock_edges(dut.clk, stall - 1)
                h[req, "ready"].value = 1
                await ReadOnly()
            item = unpack(req_shape, int(h[req, "payload"].value))
            taken = cycle_now() - self.base_cycle
            await RisingEdge(dut.clk)
            if not always_ready:
                h[req, "ready"].value = 0
            if item["write"]:
                self.lines[item["line"]] = item["data"]
                self.log.append((taken, "writeback", item["line"]))
                continue
            self.log.append((taken, "fill", item["line"]))
            await self._answer(dut, h, resp, self.read(item["line"]), timing.fill_latency())

    async def _answer(self, dut, h, resp: str, line_data: int, latency: int):
        """Offer the fill ``latency`` cycles after its request (called in the cycle after it)."""
        if latency > 1:
            await clock_edges(dut.clk, latency - 1)
        h[resp, "payload"].value = line_data
        h[resp, "valid"].value = 1
        while True:
            await ReadOnly()
            accepted = int(h[resp, "ready"].value)
            await RisingEdge(dut.clk)
            if accepted:
                break
        h[resp, "valid"].value = 0
