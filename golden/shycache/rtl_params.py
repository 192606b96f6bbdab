"""SHyCache RTL instance parameters (``[rtl]`` of ``configs/shycache.toml``) and request opcodes.

The RTL is one hybrid cache level (seed 000 §III, Fig. 2-b): an SRAM part and
an STT-MRAM part, each with its own tag and data array, behind an address
predecoder (§IV-A).  The simulated instance is deliberately small (a few sets,
a short line) so cocotb runs take seconds; the paper's geometry (Table I: 64 B
lines, L1 4-way, L2 16-way) is the same RTL with other numbers here.  Pure
Python: the golden side never imports Amaranth.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from enum import IntEnum

from hymem.golden.config import ConfigError


class Op(IntEnum):
    """Core-side request opcodes (the 2-bit ``op`` field); codes 2 and 3 are malformed."""

    LOAD = 0
    STORE = 1


OP_BITS = 2


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


@dataclass(frozen=True)
class RtlParams:
    """One simulated hybrid cache level.

    Capacities are in bytes; a part of 0 bytes is absent (all-SRAM or all-STT
    geometries), and the predecoder then routes every request to the other part.
    Sets per part = bytes / (line_bytes * ways), at least 2, any number (set = line
    address mod sets: a bit field for a power of two, a constant modulo otherwise).
    """

    addr_bits: int = 32
    word_bytes: int = 4            # one float32 per core request (seed 000 §V-B: float32 weights)
    line_bytes: int = 16           # sim choice; the paper's line is 64 B (a Table I cache)
    ways: int = 2                  # sim choice; Table I: L1 4-way, L2 16-way
    sram_bytes: int = 128
    stt_bytes: int = 256
    n_ranges: int = 2              # predecoder base/limit register pairs (§IV-A reserved ranges)
    counter_width: int = 32
    stt_queued_writes: int = 8     # line writes a subarray's busy timer holds (it saturates beyond)

    def __post_init__(self):
        for name in ("addr_bits", "word_bytes", "line_bytes", "ways", "n_ranges", "counter_width",
                     "stt_queued_writes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"rtl.{name}={getattr(self, name)}: must be >= 1")
        for name in ("word_bytes", "line_bytes"):
            if not _power_of_two(getattr(self, name)):
                raise ConfigError(f"rtl.{name}={getattr(self, name)}: must be a power of two")
        if self.line_bytes < self.word_bytes:
            raise ConfigError(f"rtl.line_bytes={self.line_bytes} < "
                              f"rtl.word_bytes={self.word_bytes}")
        if self.sram_bytes == 0 and self.stt_bytes == 0:
            raise ConfigError("rtl: sram_bytes and stt_bytes are both 0; a level needs a part")
        for part in ("sram", "stt"):
            size = getattr(self, f"{part}_bytes")
            if size and (size % (self.line_bytes * self.ways) or self.sets(part) < 2):
                raise ConfigError(f"rtl.{part}_bytes={size}: must be a whole number >= 2 of "
                                  f"sets of line_bytes x ways = {self.line_bytes * self.ways} B")
        offset = int(math.log2(self.line_bytes))
        if self.addr_bits <= offset + max(self.sets(p).bit_length() - 1 for p in self.parts):
            raise ConfigError(f"rtl.addr_bits={self.addr_bits} leaves no tag bits")

    def sets(self, part: str) -> int:
        return getattr(self, f"{part}_bytes") // (self.line_bytes * self.ways)

    @property
    def parts(self) -> tuple[str, ...]:
        """The parts present, SRAM first."""
        return tuple(p for p in ("sram", "stt") if getattr(self, f"{p}_bytes"))

    @property
    def word_bits(self) -> int:
        return 8 * self.word_bytes

    @property
    def line_bits(self) -> int:
        return 8 * self.line_bytes

    @property
    def line_addr_bits(self) -> int:
        return self.addr_bits - int(math.log2(self.line_bytes))


@dataclass(frozen=True)
class LevelParams(RtlParams):
    """What the RTL is elaborated from: the ``[rtl]`` sizes plus the STT timing of the system
    config (one source: ``[stt] write_time_ns`` x ``[core] freq_hz``, ``[stt] subarrays``,
    ``[stt] write_buffer_bypass``).  Build it with :func:`level_params`."""

    stt_write_cycles: int = 100    # 50 ns x 2 GHz (Table I)
    stt_subarrays: int = 8
    stt_bypass: bool = True        # the line last written to a busy subarray is served anyway

    def __post_init__(self):
        super().__post_init__()
        if self.stt_write_cycles < 0 or not _power_of_two(self.stt_subarrays):
            raise ConfigError(f"stt_write_cycles={self.stt_write_cycles} must be >= 0 and "
                              f"stt.subarrays={self.stt_subarrays} a power of two")
        if self.stt_bytes and self.sets("stt") % self.stt_subarrays:
            raise ConfigError(f"stt.subarrays={self.stt_subarrays} must divide the RTL STT part's "
                              f"{self.sets('stt')} sets (rtl.stt_bytes={self.stt_bytes})")


def level_params(config, **overrides) -> LevelParams:
    """The RTL level of ``config`` (a ``ShyConfig``), ``[rtl]`` fields replaced by ``overrides``
    (test variants: ``stt_bytes=0`` for an all-SRAM level, ...)."""
    sizes = {f.name: getattr(config.rtl, f.name) for f in fields(RtlParams)}
    return LevelParams(**{**sizes, **overrides}, stt_write_cycles=config.stt_write_cycles,
                       stt_subarrays=config.stt.subarrays,
                       stt_bypass=config.stt.write_buffer_bypass)
