"""Hydra parameters (``configs/hydra.toml``) as frozen dataclasses.

Source of the paper values: seed ``001_fbb152c140f97399.txt``, Table I.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from golden.config import ConfigError, config_path, from_dict, load_toml
from golden.fixed import FixedFormat


@dataclass(frozen=True)
class SystemParams:
    n_units: int = 16      # seed 001, Table I
    n_macs: int = 32       # seed 001, Table I
    freq_hz: float = 3.0e9  # seed 001, Table I / §IV-B

    def __post_init__(self):
        if self.n_units < 1 or self.n_macs < 1:
            raise ConfigError(f"system: n_units={self.n_units}, n_macs={self.n_macs} must be >= 1")


@dataclass(frozen=True)
class MacParams:
    counter_width: int = 32

    def __post_init__(self):
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"mac.counter_width={self.counter_width}: must be in 8..64")


@dataclass(frozen=True)
class HydraConfig:
    system: SystemParams = field(default_factory=SystemParams)
    fixed: FixedFormat = field(default_factory=FixedFormat)
    mac: MacParams = field(default_factory=MacParams)


def load_hydra_config(path: Path | str | None = None) -> HydraConfig:
    """Load ``configs/hydra.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(HydraConfig, load_toml(path or config_path("hydra")), "hydra")
