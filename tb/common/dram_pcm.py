"""Bus-functional DRAM and PCM devices with the timings of a technology table (Hydra: seed 001, Table I).

A :class:`MemoryDevice` is one device (one bank, open-row policy) on a bus that
moves one ``beat_bits`` beat per cycle; a column command moves ``tCCD`` beats.
It schedules the commands of a read or write stream (ACT, RD/WR, PRE) at the
earliest cycles the timings allow, records them, and returns the cycle at
which each data beat is on the bus.  :meth:`MemoryDevice.check_timing` then
re-checks the recorded command log against every constraint independently
(tRCD, tCL/tWL, tRP, tCCD, tWR, tRTP), and the device counts the bits read
and written.  Testbenches run the device on the simulation's cycle count and
turn the beat cycles into idle gaps on the stream that carries them
(:func:`beat_gaps`): the first beat waits for the access latency, the others
for the device's row openings and column spacing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hymem.golden.hydra.memory import DeviceTiming  # Table I's timings: one definition, in golden

__all__ = ["DeviceTiming", "MemoryDevice", "beat_gaps"]


@dataclass
class MemoryDevice:
    name: str
    timing: DeviceTiming
    row_bytes: int = 8192
    beat_bits: int = 64
    commands: list = field(default_factory=list)   # (cycle, command, row)
    bits_read: int = 0
    bits_written: int = 0
    open_row: int | None = None
    next_col: int = 0          # earliest next column command (tCCD)
    next_pre: int = 0          # earliest precharge (tRTP after a read, tWR after write data)
    next_act: int = 0          # earliest activate (tRP after a precharge)

    def _open(self, row: int, now: int) -> int:
        """Make ``row`` the open row no earlier than ``now``; returns the earliest column-command cycle."""
        if self.open_row == row:
            return max(now, self.next_col)
        t = now
        if self.open_row is not None:
            t = max(t, self.next_pre)
            self.commands.append((t, "PRE", self.open_row))
            self.next_act = t + self.timing.tRP
        t = max(t, self.next_act)
        self.commands.append((t, "ACT", row))
        self.open_row = row
        return max(t + self.timing.tRCD, self.next_col)

    def _stream(self, write: bool, address: int, n_beats: int, now: int, bits: int | None) -> np.ndarray:
        t_ = self.timing
        beat_bytes = self.beat_bits // 8
        cycles = np.empty(n_beats, dtype=np.int64)
        beat = 0
        while beat < n_beats:
            row = (address + beat * beat_bytes) // self.row_bytes
            col = self._open(row, now)
            burst = min(t_.tCCD, n_beats - beat)
            self.commands.append((col, "WR" if write else "RD", row))
            latency = t_.tWL if write else t_.tCL
            cycles[beat:beat + burst] = col + latency + np.arange(burst)
            self.next_col = col + t_.tCCD
            self.next_pre = max(self.next_pre, col + t_.tRTP) if not write else \
                max(self.next_pre, col + t_.tWL + t_.tCCD + t_.tWR)  # a column slot is tCCD beats
            now, beat = col, beat + burst
        moved = n_beats * self.beat_bits if bits is None else bits
        if write:
            self.bits_written += moved
        else:
            self.bits_read += moved
        return cycles

    def read(self, address: int, n_beats: int, now: int = 0, bits: int | None = None) -> np.ndarray:
        """Cycles at which the ``n_beats`` read beats from ``address`` are on the bus
        (``bits``: the bits used when beats are not full)."""
        return self._stream(False, address, n_beats, now, bits)

    def write(self, address: int, n_beats: int, now: int = 0, bits: int | None = None) -> np.ndarray:
        """Cycles at which the device takes the ``n_beats`` write beats to ``address``
        (``bits``: valid bits when the last beat is partly filled)."""
        return self._stream(True, address, n_beats, now, bits)

    def check_timing(self):
        """Every recorded command obeys the device timings (raises naming the violated one)."""
        t_ = self.timing
        last = {"ACT": None, "PRE": None, "RD": None, "WR": None}
        for cycle, command, row in self.commands:
            if command == "ACT":
                if last["PRE"] is not None and cycle - last["PRE"] < t_.tRP:
                    raise AssertionError(
                        f"{self.name}: ACT at {cycle} only {cycle - last['PRE']} after PRE (tRP={t_.tRP})")
            elif command in ("RD", "WR"):
                if cycle - last["ACT"] < t_.tRCD:
                    raise AssertionError(
                        f"{self.name}: {command} at {cycle} {cycle - last['ACT']} after ACT (tRCD={t_.tRCD})")
                for prev in ("RD", "WR"):
                    if last[prev] is not None and last[prev] >= last["ACT"] and cycle - last[prev] < t_.tCCD:
                        raise AssertionError(f"{self.name}: {command} at {cycle} {cycle - last[prev]} after {prev} "
                                             f"(tCCD={t_.tCCD})")
            else:  # PRE
                if last["RD"] is not None and cycle - last["RD"] < t_.tRTP:
                    raise AssertionError(f"{self.name}: PRE at {cycle} {cycle - last['RD']} after RD (tRTP={t_.tRTP})")
                if last["WR"] is not None and cycle - (last["WR"] + t_.tWL + t_.tCCD) < t_.tWR:
                    raise AssertionError(f"{self.name}: PRE at {cycle} within tWR={t_.tWR} of write data")
            last[command] = cycle


def beat_gaps(cycles: np.ndarray, start: int | None = None) -> np.ndarray:
    """Idle cycles before each beat when beat ``i`` cannot go before ``cycles[i]``; the first beat
    waits ``cycles[0] - start`` cycles (the access latency) when the stream is offered at ``start``,
    none when ``start`` is None."""
    cycles = np.asarray(cycles, dtype=np.int64)
    first = 0 if start is None else max(0, int(cycles[0]) - start)
    return np.concatenate([[first], np.maximum(np.diff(cycles) - 1, 0)]).astype(np.int64)
