"""cocotb-side MLC eNVM cells: encoded structures stored in cells and read back with faults.

Each structure (a byte surface such as a BitMask WMB, or an array of
fixed-width words such as CSR row counters) is a flat little-endian bit
stream stored ``bpc`` bits per cell, its own bits per cell per structure
(seed 003 §4: values, mask, counters, ... each choose SLC / MLC2 / MLC3).  The
faults come from the golden cell model (:func:`golden.maxnvm.mlc.inject`:
level mapping, Gaussian level distributions, adjacent-level misreads; the
technology's parameter set from ``configs/maxnvm.toml [mlc]``).

Accelerated test: at the configured rates (CTT MLC3 ~1e-3, SLC ~1e-57) a
test-sized structure of a few hundred cells would usually read back clean, so
:class:`MlcFaults` multiplies the cell model's per-level rates by the factor
(>= 1, :func:`acceleration_for`) that makes the structure's *used* cells expect
``expected_faults`` faulty cells, given the levels they store.  Which levels fault, and in which direction,
keeps the model's per-level profile; a Gray-coded level fault flips one bit.
The padding cells of a surface are stored and read at the same rate.  With
``at_least_one`` (the default) a read is conditioned on at least one flipped
bit in the used part: fault maps are redrawn until one has a fault, so every
read of a test really is faulty.
"""

from __future__ import annotations

import numpy as np

from hymem.golden.fixed import from_unsigned, to_unsigned
from hymem.golden.maxnvm.mlc import CELL_NAMES, adjacent_rates, cells_of, inject, levels_of_bits
from hymem.golden.maxnvm.storage import bits_to_bytes, bits_to_words, bytes_to_bits, words_to_bits

MAX_LEVEL_RATE = 0.5  # accelerated rates stay below this for every level
MAX_DRAWS = 1000      # fault maps drawn at most when a read must have a fault


def acceleration_for(tech, bpc: int, bits: np.ndarray, expected_faults: float, code: str = "gray") -> float:
    """Factor on the cell model's rates so the cells holding ``bits`` expect ``expected_faults``
    faulty cells (each cell at its stored level's rate); never below 1 (the model's own rate),
    never above a level rate of ``MAX_LEVEL_RATE``."""
    p_level = np.add(*adjacent_rates(tech, bpc))
    base = float(p_level[levels_of_bits(np.asarray(bits, np.uint8), bpc, code)].sum())
    cap = MAX_LEVEL_RATE / float(p_level.max())
    return float(max(1.0, min(expected_faults / base if base > 0 else cap, cap)))


class MlcFaults:
    """Reads structures back through MLC cells of one technology; keeps per-structure totals.

    ``faulty_cells[name]`` (padding cells included) and ``flipped_bits[name]`` (bits flipped
    in the used part) accumulate over every read of ``name``; :meth:`assert_injected`
    checks that each named structure really got faults where they matter.
    """

    def __init__(self, tech, code: str, rng: np.random.Generator, expected_faults: float = 3.0,
                 at_least_one: bool = True, log=None):
        self.tech, self.code, self.rng = tech, code, rng
        self.expected_faults = expected_faults
        self.at_least_one = at_least_one
        self.log = log
        self.faulty_cells: dict[str, int] = {}
        self.flipped_bits: dict[str, int] = {}
        self.reads = 0

    def bits(self, name: str, bits: np.ndarray, bpc: int, used_bits: int | None = None) -> np.ndarray:
        """``bits`` (flat 0/1) stored at ``bpc`` bits per cell and read back with faults."""
        bits = np.asarray(bits, np.uint8).reshape(-1)
        used = bits.size if used_bits is None else min(int(used_bits), bits.size)
        a = acceleration_for(self.tech, bpc, bits[:used], self.expected_faults, self.code)
        for draws in range(1, MAX_DRAWS + 1):  # with at_least_one: conditioned on a fault in the used bits
            res = inject(bits, bpc, self.tech, self.rng, self.code, acceleration=a)
            if not self.at_least_one or np.any(res.bits[:used] != bits[:used]):
                break
        else:
            raise AssertionError(f"{name}: no fault in {MAX_DRAWS} cell-model reads at rates x{a:.3g}")
        flipped = int(np.sum(res.bits != bits))
        flipped_used = int(np.sum(res.bits[:used] != bits[:used]))
        self.faulty_cells[name] = self.faulty_cells.get(name, 0) + res.faulty_cells
        self.flipped_bits[name] = self.flipped_bits.get(name, 0) + flipped_used
        self.reads += 1
        if self.log:
            self.log(f"{CELL_NAMES[bpc]} {name}: {res.cells} cells ({cells_of(used, bpc)} used), "
                     f"rates x{a:.3g}, {res.faulty_cells} faulty cells, {flipped} bits flipped ({flipped_used} used)"
                     f"{f' ({draws} draws)' if draws > 1 else ''}")
        return res.bits

    def surface(self, name: str, buf: np.ndarray, bpc: int, used_bits: int | None = None) -> np.ndarray:
        """A uint8 surface (little-endian bits) read back through cells."""
        return bits_to_bytes(self.bits(name, bytes_to_bits(buf), bpc, used_bits))

    def words(self, name: str, words: np.ndarray, width: int, bpc: int, signed: bool = False) -> np.ndarray:
        """``width``-bit words (two's complement when ``signed``) read back through cells."""
        words = np.asarray(words, np.int64)
        if not len(words):
            return words
        out = bits_to_words(self.bits(name, words_to_bits(to_unsigned(words, width), width), bpc), width)
        return from_unsigned(out, width) if signed else np.asarray(out, np.int64)

    def assert_injected(self, names) -> None:
        """Every structure in ``names`` had at least one bit flipped in its used part over the test."""
        missing = [n for n in names if not self.flipped_bits.get(n)]
        assert not missing, f"no MLC faults were injected into {missing} (used bits flipped: {self.flipped_bits})"
