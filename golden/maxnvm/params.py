"""MaxNVM parameters (``configs/maxnvm.toml``) as frozen dataclasses.

Source: seed ``003_c9260994367bf47c.txt``.  Sections: ``[codec]`` (the
encodings, owned by the codec model), ``[mlc]`` (the MLC cell fault model,
golden/maxnvm/mlc.py) and ``[study]`` (the real-model fault-injection study,
golden/maxnvm/study.py).  Each TOML number carries its source or assumption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from golden.config import ConfigError, config_path, from_dict, load_toml

LEVEL_CODES = ("gray", "binary")
TECHNOLOGIES = ("ctt", "rram")


# --- [mlc] -------------------------------------------------------------------

@dataclass(frozen=True)
class MlcTech:
    """One eNVM technology's level distributions on a normalized [0, 1] signal window.

    sigma        -- std of a programmed level's read signal (fraction of the window)
    sigma_erased -- std of level 0, the unprogrammed / erased state
    erased_gap   -- spacing level 0 -> level 1 in units of the regular level spacing (>= 1)
    sense_offset -- shift of every threshold, in units of ``sigma`` (sense-amp offset)
    """

    sigma: float
    sigma_erased: float
    erased_gap: float = 1.0
    sense_offset: float = 0.0

    def __post_init__(self):
        if not 0 < self.sigma < 1 or not 0 < self.sigma_erased < 1:
            raise ConfigError(f"mlc: sigma={self.sigma}, sigma_erased={self.sigma_erased}: "
                              "must be in (0, 1) (fractions of the signal window)")
        if self.erased_gap < 1:
            raise ConfigError(f"mlc: erased_gap={self.erased_gap}: must be >= 1")
        if abs(self.sense_offset) >= 1:
            raise ConfigError(f"mlc: sense_offset={self.sense_offset}: must be in (-1, 1) sigmas")


@dataclass(frozen=True)
class MlcParams:
    ctt: MlcTech
    rram: MlcTech
    level_code: str = "gray"

    def __post_init__(self):
        if self.level_code not in LEVEL_CODES:
            raise ConfigError(f"mlc.level_code={self.level_code!r}; valid: {', '.join(LEVEL_CODES)}")

    def tech(self, name: str) -> MlcTech:
        """The parameter set of technology ``name``; unknown names list the valid ones."""
        if name not in TECHNOLOGIES:
            raise ConfigError(f"unknown technology {name!r}; valid: {', '.join(TECHNOLOGIES)}")
        return getattr(self, name)


# --- [study] -----------------------------------------------------------------

@dataclass(frozen=True)
class StudyParams:
    seed: int = 2019
    trials: int = 40
    prune_fraction: float = 0.7
    index_bits: int = 4
    itn_retrains: int = 5
    itn_sigmas: float = 1.0

    def __post_init__(self):
        if self.trials < 1:
            raise ConfigError(f"study.trials={self.trials}: must be >= 1")
        if not 0.0 <= self.prune_fraction < 1.0:
            raise ConfigError(f"study.prune_fraction={self.prune_fraction}: must be in [0, 1)")
        if not 4 <= self.index_bits <= 7:
            raise ConfigError(f"study.index_bits={self.index_bits}: must be in 4..7 "
                              "(seed 003 §3.1.2: 16 to 128 clusters)")
        if self.itn_retrains < 2:
            raise ConfigError(f"study.itn_retrains={self.itn_retrains}: a variance needs >= 2")
        if self.itn_sigmas <= 0:
            raise ConfigError(f"study.itn_sigmas={self.itn_sigmas}: must be > 0")


# --- the whole file ----------------------------------------------------------

@dataclass(frozen=True)
class MaxnvmConfig:
    mlc: MlcParams
    study: StudyParams = field(default_factory=StudyParams)


def load_maxnvm_config(path: Path | str | None = None) -> MaxnvmConfig:
    """Load ``configs/maxnvm.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(MaxnvmConfig, load_toml(path or config_path("maxnvm")), "maxnvm")
