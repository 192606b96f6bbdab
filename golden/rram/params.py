"""RRAM weight-buffer accelerator parameters (``configs/rram.toml``) as frozen dataclasses.

Source of the paper values: seed ``002_bb2b11849ffc909b.txt`` §3.1 and §5.1; each value's
section is beside it in the TOML.  Per-access energies, bandwidths and leakages are Tables 4
and 5, read from the tech table named by ``RramConfig.tech``
(``configs/tech/rram_buffer_22nm.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from golden.config import ConfigError, config_path, from_dict, load_toml


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
class RramConfig:
    tech: str = "rram_buffer_22nm"
    array: ArrayParams = field(default_factory=ArrayParams)


def load_params(path: Path | str | None = None) -> RramConfig:
    """Load ``configs/rram.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(RramConfig, load_toml(path or config_path("rram")), "rram")


__all__ = ["ArrayParams", "ConfigError", "RramConfig", "load_params"]
