"""RRAM weight-buffer accelerator parameters (``configs/rram.toml``) as frozen dataclasses.

Source of the paper values: seed ``002_bb2b11849ffc909b.txt`` §3.1 and §5.1; each value's
section is beside it in the TOML.  Per-access energies, bandwidths and leakages are Tables 4
and 5, read from the tech table named by ``RramConfig.tech``
(``configs/tech/rram_buffer_22nm.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hymem.golden.config import ConfigError, config_path, from_dict, load_toml
from hymem.golden.rram.rtl_params import RtlParams

# model.kernel_first_input: the loop nest's line register (the RTL's count), or Table 3 as printed
KERNEL_FIRST_INPUTS = ("line_register", "table3")
# model.pixel_groups: row-local (seed 002, Table 6), raster (groups across rows), auto (golden/rram/loopnest.py)
PIXEL_GROUPS = ("row", "raster", "auto")


@dataclass(frozen=True)
class ArrayParams:
    """``[array]``: the p x n PE array of size-m inner products and its buffers' banking.

    ``p`` pixels of one output row are computed together (rows of A), ``n`` output channels
    (columns of B), ``m`` input channels per inner product (seed 002 §3.1, Fig. 1b).
    """

    p: int = 8                # seed 002 §5.1
    n: int = 8                # seed 002 §5.1
    m: int = 8                # seed 002 §5.1
    freq_hz: float = 1.0e9    # seed 002 §5.1
    act_bits: int = 8         # seed 002 §5.1
    weight_bits: int = 8      # seed 002 §5.1
    acc_bits: int = 32        # seed 002 §5.1, Table 5
    io_banks: int = 8         # seed 002 §5.1
    weight_banks: int = 8     # seed 002 §5.1

    def __post_init__(self):
        ints = ("p", "n", "m", "act_bits", "weight_bits", "acc_bits", "io_banks", "weight_banks")
        bad = [f"{k}={getattr(self, k)!r}" for k in ints if getattr(self, k) < 1]
        if not self.freq_hz > 0:
            bad.append(f"freq_hz={self.freq_hz!r}")
        if bad:
            raise ConfigError(f"array: {', '.join(bad)} must be > 0")
        if self.acc_bits < self.act_bits + self.weight_bits:
            raise ConfigError(f"array: acc_bits={self.acc_bits} must hold one product "
                              f"(>= act_bits + weight_bits = {self.act_bits + self.weight_bits})")

    @property
    def macs_per_cycle(self) -> int:
        return self.p * self.n * self.m


@dataclass(frozen=True)
class ModelParams:
    """``[model]``: the cost model's choices where seed 002 leaves one open (TOML notes)."""

    mac_energy_pj: float = 0.07027          # calibrated on seed 002 Table 6 'calculate'
    ddr_bytes_per_access: int = 1           # seed 002 §5.1: energy per read/write byte
    pool_on_write: bool = True
    fixed_weights_preloaded: bool = True
    io_buffers: int = 2                     # separate input and output buffers (TOML note)
    kernel_first_input: str = "line_register"   # kernel-first I/O reads (TOML note)
    band_overlap: bool = True               # row bands re-read their K - s overlap rows
    pixel_groups: str = "row"               # row-local pixel groups, as Table 6's time shows (TOML)

    def __post_init__(self):
        if self.io_buffers not in (1, 2):
            raise ConfigError(f"model.io_buffers={self.io_buffers}: valid: 1 (one buffer shared "
                              "by input and output), 2 (an input and an output buffer)")
        if self.kernel_first_input not in KERNEL_FIRST_INPUTS:
            raise ConfigError(f"model.kernel_first_input={self.kernel_first_input!r}: valid: "
                              f"{', '.join(KERNEL_FIRST_INPUTS)}")
        if self.pixel_groups not in PIXEL_GROUPS:
            raise ConfigError(f"model.pixel_groups={self.pixel_groups!r}: valid: {', '.join(PIXEL_GROUPS)}")
        if not self.fixed_weights_preloaded:
            raise ConfigError("model.fixed_weights_preloaded=false is not modelled; valid: true")
        if not self.mac_energy_pj >= 0:
            raise ConfigError(f"model.mac_energy_pj={self.mac_energy_pj!r} must be >= 0")
        if self.ddr_bytes_per_access < 1:
            raise ConfigError(f"model.ddr_bytes_per_access={self.ddr_bytes_per_access}: "
                              "must be >= 1")


@dataclass(frozen=True)
class SpaceParams:
    """``[space]``: the three axes of the §5.2 design space (Table 4 macro names, Table 5 depths;
    0 = no accumulation buffer)."""

    io_macros: tuple[str, ...] = ("sram_16k", "sram_32k", "sram_64k", "sram_128k", "sram_256k")
    rram_weight_macros: tuple[str, ...] = ("rram_128k", "rram_256k", "rram_512k", "rram_1m",
                                           "rram_2m")
    sram_weight_macros: tuple[str, ...] = ("sram_16k", "sram_32k", "sram_64k", "sram_128k",
                                           "sram_256k")
    acc_depths: tuple[int, ...] = (0, 16, 32, 64, 128)

    def __post_init__(self):
        for name in ("io_macros", "rram_weight_macros", "sram_weight_macros", "acc_depths"):
            value = getattr(self, name)
            if isinstance(value, str) or not value:
                raise ConfigError(f"space.{name}={value!r}: must be a non-empty list")
            object.__setattr__(self, name, tuple(value))
        bad = [d for d in self.acc_depths if not isinstance(d, int) or d < 0 or d % 2]
        if bad:
            raise ConfigError(f"space.acc_depths: {bad} must be 0 (none) or positive even depths")


@dataclass(frozen=True)
class RramConfig:
    tech: str = "rram_buffer_22nm"
    array: ArrayParams = field(default_factory=ArrayParams)
    model: ModelParams = field(default_factory=ModelParams)
    space: SpaceParams = field(default_factory=SpaceParams)
    rtl: RtlParams = field(default_factory=RtlParams)   # the simulated RTL instance


def load_params(path: Path | str | None = None) -> RramConfig:
    """Load ``configs/rram.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(RramConfig, load_toml(path or config_path("rram")), "rram")


__all__ = ["KERNEL_FIRST_INPUTS", "ArrayParams", "ConfigError", "ModelParams", "RramConfig",
           "SpaceParams", "load_params"]
