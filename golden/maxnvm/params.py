"""MaxNVM parameters (``configs/maxnvm.toml``) as frozen dataclasses.

Source of the paper values: seed ``003_c9260994367bf47c.txt`` (§3.1–3.3, Fig. 4,
Table 2) and NVDLA's public ``doc/hw/format.rst`` (sparse weight format).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from hymem.golden.config import ConfigError, config_path, from_dict, load_toml, resolve_name

LEVEL_CODES = ("gray", "binary")
TECHNOLOGIES = ("ctt", "rram")


# --- [mlc] -------------------------------------------------------------------

class BitmaskSurface(IntEnum):
    """Load-port ``surface`` codes of the BitMask decoder top (``rtl/maxnvm/bitmask_harness.py``):
    which surface memory a loaded word goes to."""

    WGS = 0
    WMB = 1
    DATA = 2
    IDXSYNC = 3


class CsrArray(IntEnum):
    """Load-port ``array`` codes of the CSR decoder (``rtl/maxnvm/csr_decoder.py``), in the order of
    ``golden.maxnvm.codecs.csr.CSR_ARRAYS``."""

    VALUES = 0
    COL_IDX = 1
    ROW_COUNTS = 2


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
        return getattr(self, resolve_name("technology", name, TECHNOLOGIES))


# --- [study] -----------------------------------------------------------------

@dataclass(frozen=True)
class StudyParams:
    seed: int = 2019
    trials: int = 100
    prune_fraction: float = 0.6
    retrain_epochs: int = 20
    retrain_lr: float = 0.005
    index_bits: int = 4
    itn_retrains: int = 5
    itn_sigmas: float = 1.0
    idxsync_block: int = 8

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
        if self.retrain_epochs < 0 or not self.retrain_lr > 0:
            raise ConfigError(f"study: retrain_epochs={self.retrain_epochs} must be >= 0 and "
                              f"retrain_lr={self.retrain_lr} > 0")
        if self.idxsync_block < 8 or self.idxsync_block % 8:
            raise ConfigError(f"study.idxsync_block={self.idxsync_block}: must be a multiple of 8 "
                              "mask bits, >= 8")


#: NVDLA kernels per weight group for each element width (format.rst, "Sparse Compression option").
NVDLA_GROUP_KERNELS = {16: 16, 8: 32}
#: Widths of bit-packed, unsigned cluster-index elements (seed 003 §3.1.2: 16..128 clusters).
PACKED_BITS = (4, 5, 6, 7)
#: Element widths the BitMask and CSR codecs store: packed indices and NVDLA's int8 / int16.
ELEMENT_BITS = (*PACKED_BITS, 8, 16)
#: Kernels per group for packed indices. ASSUMPTION: the 16 of the 16-bit (FX16) weights the
#: indices stand for; the storage accounting of seed 003 Table 2 counts one WGS word per 16 kernels.
PACKED_GROUP_KERNELS = 16


def group_kernels_of(data_bits: int) -> int:
    """Kernels per weight group for ``data_bits``-bit elements (NVDLA's, or the packed indices')."""
    if data_bits not in ELEMENT_BITS:
        raise ConfigError(f"data_bits={data_bits}: element widths are "
                          f"{', '.join(map(str, ELEMENT_BITS))} (packed indices, int8, int16)")
    return NVDLA_GROUP_KERNELS.get(data_bits, PACKED_GROUP_KERNELS)


def is_packed(data_bits: int) -> bool:
    """Sub-byte elements: unsigned cluster indices, bit-packed (8 and 16 are signed NVDLA bytes)."""
    return data_bits in PACKED_BITS


@dataclass(frozen=True)
class CodecParams:
    """Widths and sizes of the bit-exact codecs (golden/maxnvm/codecs, rtl/maxnvm)."""

    data_bits: int = 16
    index_bits: int = 7
    weight_bits: int = 16
    lanes: int = 4
    idxsync_block: int = 1024
    csr_index_bits: int = 4
    csr_counter_bits: int = 16
    secded_data_bits: int = 32
    lut_entries: int = 128
    max_weights: int = 16384
    counter_width: int = 32

    def __post_init__(self):
        if self.data_bits not in ELEMENT_BITS:
            raise ConfigError(f"codec.data_bits={self.data_bits}: must be one of "
                              f"{', '.join(map(str, ELEMENT_BITS))} (packed indices 4..7, NVDLA int8, int16)")
        if not 2 <= self.weight_bits <= 32:
            raise ConfigError(f"codec.weight_bits={self.weight_bits}: must be in 2..32")
        if not 1 <= self.lanes <= 16:
            raise ConfigError(f"codec.lanes={self.lanes}: must be in 1..16")
        if self.idxsync_block < 8 or self.idxsync_block % 8:
            raise ConfigError(f"codec.idxsync_block={self.idxsync_block}: must be a multiple of 8 mask bits, >= 8")
        if not 1 <= self.csr_index_bits <= 16:
            raise ConfigError(f"codec.csr_index_bits={self.csr_index_bits}: must be in 1..16")
        if not 1 <= self.csr_counter_bits <= 32:
            raise ConfigError(f"codec.csr_counter_bits={self.csr_counter_bits}: must be in 1..32")
        if not 1 <= self.secded_data_bits <= 57:
            raise ConfigError(f"codec.secded_data_bits={self.secded_data_bits}: must be in 1..57 "
                              "(the extended-Hamming codeword must fit 64 bits)")
        if not 2 <= self.lut_entries <= 128 or self.lut_entries & (self.lut_entries - 1):
            raise ConfigError(f"codec.lut_entries={self.lut_entries}: must be a power of two in 2..128")
        if self.index_bits not in PACKED_BITS or 1 << self.index_bits > self.lut_entries:
            raise ConfigError(f"codec.index_bits={self.index_bits}: must be in 4..7 with 2**index_bits <= "
                              f"lut_entries={self.lut_entries}")
        if self.max_weights < 64 or self.max_weights & (self.max_weights - 1):
            raise ConfigError(f"codec.max_weights={self.max_weights}: must be a power of two >= 64")
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"codec.counter_width={self.counter_width}: must be in 8..64")

    @property
    def group_kernels(self) -> int:
        """Kernels per weight group (16 for 16-bit data and packed indices, 32 for 8-bit)."""
        return group_kernels_of(self.data_bits)


@dataclass(frozen=True)
class MaxnvmConfig:
    mlc: MlcParams
    codec: CodecParams = field(default_factory=CodecParams)
    study: StudyParams = field(default_factory=StudyParams)


def load_maxnvm_config(path: Path | str | None = None) -> MaxnvmConfig:
    """Load ``configs/maxnvm.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(MaxnvmConfig, load_toml(path or config_path("maxnvm")), "maxnvm")
