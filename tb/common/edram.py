"""cocotb-side eDRAM model: per-cell retention, per-row restore time, decayed bits read random.

The model sits behind a refresh controller and acts only on events (an access
the controller issued, a row it refreshed), never on every cycle.  Time is in
controller cycles; ``us_per_cycle`` converts it to the real time of the
retention distribution (a co-simulation at a compressed time scale passes the
compression there, so retention ratios hold).

Retention: a cell fails once its charge has not been restored for longer than
its retention time; ``F(t)`` (``golden.rana.retention``) is the fraction of
cells with retention ≤ t.  Only cells that can fail within the run matter, so
the model draws them exactly: the number of cells with retention ≤ ``t_max`` is
Binomial(cells, F(t_max)), their positions are uniform and their retention times
follow F restricted to [0, t_max] (inverse transform); every other cell keeps
its value for the whole run.  A write or a refresh restores a row (reads do not:
the paper counts only writes as self-refresh, §IV-C1).  At any event on a row,
each of its cells whose retention has expired since the last restore takes a
random value (once per restore epoch); a refresh then stores that value, which
is how a missed refresh corrupts data for good.
"""

from __future__ import annotations

import numpy as np


class EdramModel:
    """``n_banks`` × ``rows`` rows of ``row_bits`` bits; data kept as bit arrays."""

    def __init__(self, n_banks: int, rows: int, row_bits: int, distribution, t_max_us: float,
                 us_per_cycle: float, rng: np.random.Generator):
        self.shape = (n_banks, rows)
        self.row_bits = row_bits
        self.us_per_cycle = us_per_cycle
        self.rng = rng
        self.bits = np.zeros((n_banks, rows, row_bits), dtype=np.uint8)
        self.restored = np.full(self.shape, -np.inf)
        cells = n_banks * rows * row_bits
        f_max = float(distribution.failure_rate(t_max_us))
        n_weak = int(rng.binomial(cells, f_max))
        flat = rng.choice(cells, size=n_weak, replace=False)
        retention_us = distribution.retention_us(rng.random(n_weak) * f_max) if n_weak else np.zeros(0)
        self.weak = {}  # (bank, row) -> (bit indices, retention in cycles, epoch of last decay)
        for cell, ret in zip(flat, np.atleast_1d(retention_us)):
            bank, rest = divmod(int(cell), rows * row_bits)
            row, bit = divmod(rest, row_bits)
            entry = self.weak.setdefault((bank, row), [[], [], []])
            entry[0].append(bit)
            entry[1].append(ret / us_per_cycle)
            entry[2].append(-np.inf)
        self.n_weak = n_weak
        self.decays = 0
        self.refreshes = 0

    def _decay(self, cycle: int, bank: int, row: int):
        entry = self.weak.get((bank, row))
        if entry is None:
            return
        restored = self.restored[bank, row]
        for i, (bit, ret) in enumerate(zip(entry[0], entry[1])):
            if cycle - restored > ret and entry[2][i] != restored:
                self.bits[bank, row, bit] = self.rng.integers(0, 2)
                entry[2][i] = restored
                self.decays += 1

    def write(self, cycle: int, bank: int, row: int, bits: np.ndarray):
        self.bits[bank, row] = bits
        self.restored[bank, row] = cycle

    def refresh(self, cycle: int, bank: int, row: int):
        self._decay(cycle, bank, row)
        self.restored[bank, row] = cycle
        self.refreshes += 1

    def read(self, cycle: int, bank: int, row: int) -> np.ndarray:
        self._decay(cycle, bank, row)
        return self.bits[bank, row].copy()

    def refresh_rows(self, cycle: int, banks: np.ndarray, rows: np.ndarray):
        """Refresh several rows in one cycle (one per bank)."""
        for bank, row in zip(banks, rows):
            if (bank, row) in self.weak:
                self._decay(cycle, int(bank), int(row))
        self.restored[banks, rows] = cycle
        self.refreshes += len(banks)
