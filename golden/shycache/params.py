"""SHyCache parameters (``configs/shycache.toml``) as frozen dataclasses.

Source of the paper values: seed ``000_b3f53970f1bc690d.txt`` (Table I, §IV-A, §V-A,
§V-B, Fig. 3); every value's source and every assumption is beside it in the TOML.
Per-access energies and leakage live in the tech table named by ``ShyConfig.tech``
(``configs/tech/shycache_28nm.toml``).

Geometry labels are ``"STT/SRAM"`` in KB as on the Fig. 3 axes (``"64/16"`` = 64 KB of
STT-MRAM + 16 KB of SRAM); ``"none"`` is the No-L2 column.  :func:`parse_geometry`
turns a label into a :class:`Geometry`; a label off the configured grid is an error
listing the valid ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hymem.golden.config import ConfigError, config_path, from_dict, load_toml
from hymem.golden.shycache.rtl_params import RtlParams

INCLUSION_POLICIES = ("mostly", "strict", "exclusive")
NO_L2 = "none"


def _positive(where: str, **values) -> None:
    bad = {k: v for k, v in values.items() if not v > 0}
    if bad:
        raise ConfigError(f"{where}: " + ", ".join(f"{k}={v!r}" for k, v in bad.items())
                          + " must be > 0")


@dataclass(frozen=True)
class CoreParams:
    freq_hz: float = 2.0e9  # Table I

    def __post_init__(self):
        _positive("core", freq_hz=self.freq_hz)


@dataclass(frozen=True)
class CacheParams:
    line_bytes: int = 64
    l1_ways: int = 4
    l2_ways: int = 16
    l1_latency_cycles: int = 2
    l2_latency_cycles: int = 20
    l1_sram_area_kb: int = 32
    l2_sram_area_kb: int = 1024
    stt_density: int = 4
    inclusion: str = "mostly"

    def __post_init__(self):
        _positive("cache", line_bytes=self.line_bytes, l1_ways=self.l1_ways,
                  l2_ways=self.l2_ways, l1_latency_cycles=self.l1_latency_cycles,
                  l2_latency_cycles=self.l2_latency_cycles, stt_density=self.stt_density,
                  l1_sram_area_kb=self.l1_sram_area_kb, l2_sram_area_kb=self.l2_sram_area_kb)
        if self.line_bytes % 4:
            raise ConfigError(f"cache.line_bytes={self.line_bytes}: must be a multiple of 4")
        if self.inclusion not in INCLUSION_POLICIES:
            raise ConfigError(f"cache.inclusion={self.inclusion!r}; valid: "
                              f"{', '.join(INCLUSION_POLICIES)}")


@dataclass(frozen=True)
class GeometryParams:
    l1: tuple = ("0/32", "32/24", "64/16", "96/8", "128/0")
    l2: tuple = (NO_L2, "0/1024", "512/896", "1024/768", "2048/512", "3072/256", "4096/0")

    def __post_init__(self):
        object.__setattr__(self, "l1", tuple(self.l1))
        object.__setattr__(self, "l2", tuple(self.l2))


@dataclass(frozen=True)
class SttParams:
    write_time_ns: float = 50.0  # Table I
    subarrays: int = 8           # assumption (TOML)
    write_buffer_bypass: bool = True  # assumption (TOML)

    def __post_init__(self):
        _positive("stt", write_time_ns=self.write_time_ns, subarrays=self.subarrays)


@dataclass(frozen=True)
class MemoryParams:
    latency_ns: float = 60.0  # assumption (TOML)

    def __post_init__(self):
        _positive("memory", latency_ns=self.latency_ns)


@dataclass(frozen=True)
class WorkloadParams:
    nvm_base: int = 0x8000_0000
    nvm_size: int = 0x4000_0000
    act_base: int = 0x1000_0000
    scratch_base: int = 0x0800_0000
    k_block: int = 256
    x_block: int = 1020
    tile_m: int = 8
    tile_n: int = 12
    max_rows: int = 32
    compute_cycles_per_kstep: int = 24
    seed: int = 15

    def __post_init__(self):
        _positive("workload", nvm_size=self.nvm_size, k_block=self.k_block,
                  x_block=self.x_block, tile_m=self.tile_m, tile_n=self.tile_n)
        if self.tile_m % 4 or self.tile_n % 4:
            raise ConfigError("workload.tile_m and tile_n must be multiples of 4 "
                              "(128-bit vectors of float32)")
        if self.x_block % self.tile_n:
            raise ConfigError(f"workload.x_block={self.x_block}: must be a multiple of "
                              f"tile_n={self.tile_n}")
        if self.max_rows < 0 or self.compute_cycles_per_kstep < 0:
            raise ConfigError("workload.max_rows and compute_cycles_per_kstep must be >= 0")

    @property
    def nvm_range(self) -> tuple[int, int]:
        return (self.nvm_base, self.nvm_base + self.nvm_size)


@dataclass(frozen=True)
class Geometry:
    """One hybrid level: STT-MRAM and SRAM capacities in KB (either may be 0)."""

    label: str
    stt_kb: int
    sram_kb: int

    @property
    def stt_bytes(self) -> int:
        return self.stt_kb * 1024

    @property
    def sram_bytes(self) -> int:
        return self.sram_kb * 1024


@dataclass(frozen=True)
class ShyConfig:
    tech: str = "shycache_28nm"
    core: CoreParams = field(default_factory=CoreParams)
    cache: CacheParams = field(default_factory=CacheParams)
    geometry: GeometryParams = field(default_factory=GeometryParams)
    stt: SttParams = field(default_factory=SttParams)
    memory: MemoryParams = field(default_factory=MemoryParams)
    workload: WorkloadParams = field(default_factory=WorkloadParams)
    rtl: RtlParams = field(default_factory=RtlParams)   # the simulated RTL level (rtl_params.py)

    def __post_init__(self):
        for label in self.geometry.l1:
            self._check(label, "l1")
        for label in self.geometry.l2:
            if label != NO_L2:
                self._check(label, "l2")

    def _check(self, label: str, level: str) -> Geometry:
        geo = _split_label(label, level)
        ways = self.cache.l1_ways if level == "l1" else self.cache.l2_ways
        area = self.cache.l1_sram_area_kb if level == "l1" else self.cache.l2_sram_area_kb
        line = self.cache.line_bytes
        if geo.stt_kb + geo.sram_kb == 0:
            raise ConfigError(f"{level} geometry {label!r}: both parts are empty")
        if geo.stt_kb + geo.sram_kb * self.cache.stt_density != area * self.cache.stt_density:
            raise ConfigError(f"{level} geometry {label!r}: STT/{self.cache.stt_density} + SRAM "
                              f"must equal the {area} KB SRAM area (§V-A area rule)")
        for part, nbytes in (("STT", geo.stt_bytes), ("SRAM", geo.sram_bytes)):
            if nbytes % (line * ways):
                raise ConfigError(f"{level} geometry {label!r}: {part} part {nbytes} B is not a "
                                  f"whole number of {ways}-way sets of {line} B lines")
        return geo

    @property
    def clock_ns(self) -> float:
        return 1e9 / self.core.freq_hz

    def cycles(self, ns: float) -> int:
        """A time in ns as whole core cycles, rounded up (a wait is never shortened)."""
        import math
        return math.ceil(ns * self.core.freq_hz / 1e9 - 1e-9)

    @property
    def stt_write_cycles(self) -> int:
        return self.cycles(self.stt.write_time_ns)

    @property
    def memory_cycles(self) -> int:
        return self.cycles(self.memory.latency_ns)

    def geometry_of(self, label: str, level: str) -> Geometry | None:
        """The geometry of ``label`` at ``level`` (``"l1"``/``"l2"``); ``None`` for No-L2.

        Only labels on the configured grid are accepted; others list the valid ones."""
        grid = self.geometry.l1 if level == "l1" else self.geometry.l2
        if label not in grid:
            raise ConfigError(f"unknown {level.upper()} geometry {label!r}; valid: "
                              f"{', '.join(grid)}")
        if label == NO_L2:
            return None
        return self._check(label, level)


def _split_label(label: str, level: str) -> Geometry:
    try:
        stt, sram = (int(x) for x in label.split("/"))
    except ValueError:
        raise ConfigError(f"{level} geometry {label!r}: expected STT/SRAM in KB, "
                          "e.g. 64/16") from None
    if stt < 0 or sram < 0:
        raise ConfigError(f"{level} geometry {label!r}: capacities must be >= 0")
    return Geometry(label, stt, sram)


def load_shycache_config(path: Path | str | None = None) -> ShyConfig:
    """Load ``configs/shycache.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(ShyConfig, load_toml(path or config_path("shycache")), "shycache")
