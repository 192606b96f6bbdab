"""Watchdog: a stuck design fails the test fast with a message, never hangs the run."""

from __future__ import annotations

import cocotb
from cocotb.triggers import Timer

from hymem.tb.common.clock import CLOCK_PERIOD_NS


class Watchdog:
    """Fails the test when ``progress()`` has not changed for ``max_stall_cycles``.

    It wakes every ``max_stall_cycles`` cycles on a simulator timer (no Python
    per cycle).  ``progress`` returns anything comparable, e.g. the number of
    items received.
    """

    def __init__(self, progress, max_stall_cycles: int, what: str = "design",
                 period_ns: int = CLOCK_PERIOD_NS):
        self.progress = progress
        self.max_stall_cycles = max_stall_cycles
        self.what = what
        self.period_ns = period_ns
        self.task = None

    def start(self):
        self.task = cocotb.start_soon(self._run())
        return self

    def stop(self):
        if self.task is not None:
            self.task.cancel()

    async def _run(self):
        last = self.progress()
        while True:
            await Timer(self.max_stall_cycles * self.period_ns, unit="ns")
            now = self.progress()
            if now == last:
                raise AssertionError(
                    f"watchdog: {self.what} made no progress for {self.max_stall_cycles} cycles (at {now!r})"
                )
            last = now
