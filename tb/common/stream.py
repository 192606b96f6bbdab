"""Valid/ready stream driver and monitor (``amaranth.lib.stream`` ports).

Timing is explicit and seeded so that a golden cycle model can replay it: the
driver takes the idle gap before each item, the monitor takes ``ready`` per
cycle.  Both act in cycle steps: drive after a rising edge, sample the
handshake in the ReadOnly phase, and count the transfer at the next edge.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge, Timer

from hymem.tb.common.clock import CLOCK_PERIOD_NS
from hymem.tb.common.hdl import handle, members, pack, unpack


def idle_gaps(rng: np.random.Generator, n: int, idle_prob: float, max_gap: int = 4) -> np.ndarray:
    """Idle cycles before each of ``n`` items: zero with probability ``1 - idle_prob``."""
    gaps = rng.integers(1, max_gap + 1, size=n)
    return np.where(rng.random(n) < idle_prob, gaps, 0)


def ready_pattern(rng: np.random.Generator, n_cycles: int, stall_prob: float) -> np.ndarray:
    """Per-cycle sink ``ready`` with back-pressure probability ``stall_prob``."""
    return rng.random(n_cycles) >= stall_prob


async def clock_edges(clk, n: int, period_ns: int = CLOCK_PERIOD_NS) -> None:
    """Return right after the ``n``-th rising edge from now (called right after an edge).

    One timer to the middle of the last cycle and one edge trigger, instead of a
    Python wake-up per cycle (long gaps: DRAM/PCM latency before a WRITE)."""
    if n > 1:
        await Timer((n - 1) * period_ns + period_ns // 2, unit="ns")
    await RisingEdge(clk)


class _StreamPorts:
    def __init__(self, dut, component, name: str):
        self.clk = dut.clk
        self.valid = handle(dut, component, name, "valid")
        self.ready = handle(dut, component, name, "ready")
        self.payload = handle(dut, component, name, "payload")
        self.shape = members(component)[(name, "payload")].shape


class StreamDriver(_StreamPorts):
    """Drives a component's input stream ``name``."""

    def __init__(self, dut, component, name: str):
        super().__init__(dut, component, name)
        self.valid.value = 0
        self.sent = 0

    async def send(self, items, gaps=None, on_beat=None):
        """Send ``items`` (ints or dicts), item ``i`` after ``gaps[i]`` idle cycles.

        Call right after a rising edge; returns right after the edge that
        completed the last transfer, so the caller can act in the next cycle.
        ``on_beat(i, item)`` is called in the ReadOnly phase of the cycle in
        which item ``i`` is transferred (so it sees that cycle's time and
        outputs; it must not write signals).
        """
        gaps = np.zeros(len(items), dtype=np.int64) if gaps is None else gaps
        valid = False  # what `valid` was last set to: a write per change, not per beat (each costs a callback)
        for i, (item, gap) in enumerate(zip(items, gaps)):
            if gap:
                self.valid.value, valid = 0, False
                await clock_edges(self.clk, int(gap))
            self.payload.value = pack(self.shape, item)
            if not valid:
                self.valid.value, valid = 1, True
            while True:
                await ReadOnly()
                transferred = bool(int(self.ready.value))
                if transferred and on_beat is not None:
                    on_beat(i, item)
                await RisingEdge(self.clk)
                if transferred:
                    break
            self.sent += 1
        self.valid.value = 0


class StreamMonitor(_StreamPorts):
    """Accepts a component's output stream ``name`` with a given ``ready`` pattern.

    ``ready[c]`` drives cycle ``c`` counted from :meth:`start`; past the end of
    the pattern the monitor is always ready.  Each received payload (decoded per
    the signature) goes to ``on_item`` and to :attr:`items`; with ``expand``, each of the
    items ``expand(payload)`` returns does (a beat carrying several values).
    """

    def __init__(self, dut, component, name: str, ready=None, on_item=None, expand=None):
        super().__init__(dut, component, name)
        self.pattern = np.ones(0, dtype=bool) if ready is None else np.asarray(ready, dtype=bool)
        self.on_item = on_item
        self.expand = expand
        self.items = []
        self.cycle = 0
        self.ready.value = 0

    def start(self):
        """Begin in the current cycle (call right after a rising edge)."""
        return cocotb.start_soon(self._run())

    async def _run(self):
        pattern, n = self.pattern, len(self.pattern)
        driven = None  # `ready` is written when it changes only (each write costs a callback)
        while True:
            ready = bool(pattern[self.cycle]) if self.cycle < n else True
            if ready != driven:
                self.ready.value, driven = int(ready), ready
            await ReadOnly()
            if ready and int(self.valid.value):
                payload = unpack(self.shape, int(self.payload.value))
                for item in (payload,) if self.expand is None else self.expand(payload):
                    self.items.append(item)
                    if self.on_item is not None:
                        self.on_item(item)
            await RisingEdge(self.clk)
            self.cycle += 1
