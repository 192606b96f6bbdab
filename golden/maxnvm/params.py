"""MaxNVM parameters (``configs/maxnvm.toml``) as frozen dataclasses.

Source of the paper values: seed ``003_c9260994367bf47c.txt`` (§3.1–3.3, Fig. 4,
Table 2) and NVDLA's public ``doc/hw/format.rst`` (sparse weight format).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from golden.config import ConfigError, config_path, from_dict, load_toml

#: NVDLA kernels per weight group for each element width (format.rst, "Sparse Compression option").
NVDLA_GROUP_KERNELS = {16: 16, 8: 32}


@dataclass(frozen=True)
class CodecParams:
    """Widths and sizes of the bit-exact codecs (golden/maxnvm/codecs, rtl/maxnvm)."""

    data_bits: int = 16
    lanes: int = 4
    idxsync_block: int = 1024
    csr_index_bits: int = 4
    csr_counter_bits: int = 16
    secded_data_bits: int = 32
    lut_entries: int = 128
    max_weights: int = 16384
    counter_width: int = 32

    def __post_init__(self):
        if self.data_bits not in NVDLA_GROUP_KERNELS:
            raise ConfigError(f"codec.data_bits={self.data_bits}: NVDLA sparse format supports 8 or 16")
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
        if self.max_weights < 64 or self.max_weights & (self.max_weights - 1):
            raise ConfigError(f"codec.max_weights={self.max_weights}: must be a power of two >= 64")
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"codec.counter_width={self.counter_width}: must be in 8..64")

    @property
    def group_kernels(self) -> int:
        """Kernels per NVDLA weight group (16 for 16-bit data, 32 for 8-bit)."""
        return NVDLA_GROUP_KERNELS[self.data_bits]


@dataclass(frozen=True)
class MaxnvmConfig:
    codec: CodecParams = field(default_factory=CodecParams)


def load_maxnvm_config(path: Path | str | None = None) -> MaxnvmConfig:
    """Load ``configs/maxnvm.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(MaxnvmConfig, load_toml(path or config_path("maxnvm")), "maxnvm")
