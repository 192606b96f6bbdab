"""RANA parameters (``configs/rana.toml``) as frozen dataclasses.

Source of the paper values: seed ``004_17b579f82c765fa8.txt`` (§III-A, Fig. 5,
Tables II–IV, §IV-B, §V-C); every value's source is beside it in the TOML.
Per-event energies live in the tech table named by ``RanaConfig.tech``
(``configs/tech/rana_65nm.toml``, Table III).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from hymem.golden.config import ConfigError, check_range, config_path, from_dict, load_toml
from hymem.golden.rana.config_words import (
    BANK_COUNT_BITS,
    FIELDS,
    PERIOD_BITS,
    TILE_BITS,
    words_per_layer,
)

#: largest bank count the 16-bit banks_in/banks_out/banks_w fields (words 4-5) can allocate
MAX_BANKS = (1 << BANK_COUNT_BITS) - 1
#: largest tile the 16-bit tm/tn/tr/tc fields (words 1-2) hold
MAX_TILE = (1 << TILE_BITS) - 1
#: largest clock-divider period the 24-bit period field (word 0) holds
MAX_PERIOD = (1 << PERIOD_BITS) - 1


def field_name(name: str) -> str:
    """``"word 0 [23:0] period"``: where a configuration field lives, for error messages."""
    word, lsb, width = FIELDS[name]
    return f"the {width}-bit field {name} (word {word} [{lsb + width - 1}:{lsb}]) of the RTL layer configuration"


def _positive(where: str, **values) -> None:
    bad = {k: v for k, v in values.items() if not v > 0}
    if bad:
        raise ConfigError(f"{where}: " + ", ".join(f"{k}={v!r}" for k, v in bad.items()) + " must be > 0")


@dataclass(frozen=True)
class PlatformParams:
    pe_rows: int = 16        # §III-A: 16 output channels in parallel
    pe_cols: int = 16        # §III-A: 16x16 PE array
    freq_hz: float = 200.0e6  # §III-A
    data_bits: int = 16      # Table III
    col_dim: str = "c"       # what the PE columns parallelize: output columns "c" (§III-A) or inputs "n"

    def __post_init__(self):
        _positive("platform", pe_rows=self.pe_rows, pe_cols=self.pe_cols, freq_hz=self.freq_hz,
                  data_bits=self.data_bits)
        check_range("platform.pe_rows", self.pe_rows, 1, MAX_TILE, why="a row tile Tm of "
                    + field_name("tm"))
        check_range("platform.pe_cols", self.pe_cols, 1, MAX_TILE, why="a column tile of "
                    + field_name("tc"))
        if self.data_bits % 8:
            raise ConfigError(f"platform.data_bits={self.data_bits}: must be a multiple of 8 "
                              "(words are counted in bytes)")
        if self.col_dim not in ("c", "n"):
            raise ConfigError(f"platform.col_dim={self.col_dim!r}: valid: c, n")

    @property
    def macs(self) -> int:
        return self.pe_rows * self.pe_cols

    @property
    def data_bytes(self) -> int:
        return self.data_bits // 8


@dataclass(frozen=True)
class CoreParams:
    """Core-local storage limits in data words (§IV-C3); split assumed (see TOML)."""

    r_i: int = 6144
    r_o: int = 6144
    r_w: int = 6144

    def __post_init__(self):
        _positive("core", r_i=self.r_i, r_o=self.r_o, r_w=self.r_w)


@dataclass(frozen=True)
class SramParams:
    capacity_bytes: int = 393216  # §III-A: 384 KB

    def __post_init__(self):
        _positive("sram", capacity_bytes=self.capacity_bytes)


@dataclass(frozen=True)
class EdramParams:
    """Unified eDRAM buffer: n_banks × rows_per_bank × row_bits (1.454 MB, §III-A)."""

    n_banks: int = 64
    rows_per_bank: int = 727
    row_bits: int = 256
    counter_width: int = 32
    refresh_max_wait: int = 4         # RTL arbitration: deferrals before a refresh stalls an access
    config_memory_words: int = 1024   # RTL layer-configuration memory depth (32-bit words)

    def __post_init__(self):
        _positive("edram", n_banks=self.n_banks, rows_per_bank=self.rows_per_bank, row_bits=self.row_bits,
                  config_memory_words=self.config_memory_words)
        check_range("edram.n_banks", self.n_banks, 1, MAX_BANKS,
                    why="banks are allocated in " + field_name("banks_in"))
        per_layer = words_per_layer(self.n_banks)
        if self.config_memory_words < per_layer:
            raise ConfigError(f"edram.config_memory_words={self.config_memory_words}: cannot hold one "
                              f"layer's {per_layer} configuration words at n_banks={self.n_banks}")
        if self.refresh_max_wait < 0:
            raise ConfigError(f"edram.refresh_max_wait={self.refresh_max_wait}: must be >= 0")
        if self.row_bits % 8:
            raise ConfigError(f"edram.row_bits={self.row_bits}: must be a whole number of bytes")
        if not 8 <= self.counter_width <= 64:
            raise ConfigError(f"edram.counter_width={self.counter_width}: must be in 8..64")

    @property
    def bank_bytes(self) -> int:
        return self.rows_per_bank * self.row_bits // 8

    @property
    def capacity_bytes(self) -> int:
        return self.n_banks * self.bank_bytes

    def words_per_row(self, data_bits: int) -> int:
        return self.row_bits // data_bits


RETENTION_MODELS = ("power_law", "table")


@dataclass(frozen=True)
class RetentionParams:
    """Fig. 8 retention distribution: two points, or a measured table."""

    model: str = "power_law"
    table_path: str = ""
    typical_us: float = 45.0
    typical_failure_rate: float = 3.0e-6
    tolerable_us: float = 734.0
    tolerable_failure_rate: float = 1.0e-5

    def __post_init__(self):
        if self.model not in RETENTION_MODELS:
            raise ConfigError(f"retention.model={self.model!r}: valid: {', '.join(RETENTION_MODELS)}")
        if self.model == "table" and not self.table_path:
            raise ConfigError("retention.model='table' needs retention.table_path")
        _positive("retention", typical_us=self.typical_us, tolerable_us=self.tolerable_us,
                  typical_failure_rate=self.typical_failure_rate,
                  tolerable_failure_rate=self.tolerable_failure_rate)
        for name in ("typical_failure_rate", "tolerable_failure_rate"):
            check_range(f"retention.{name}", getattr(self, name), 0, 1, lo_open=True,
                        why="a probability")
        if not (self.typical_us < self.tolerable_us and self.typical_failure_rate < self.tolerable_failure_rate):
            raise ConfigError("retention: the failure rate must grow with retention time "
                              f"({self.typical_us} us -> {self.typical_failure_rate}, "
                              f"{self.tolerable_us} us -> {self.tolerable_failure_rate})")


@dataclass(frozen=True)
class DaDianNaoParams:
    """One DaDianNao node as RANA models it (§V-C)."""

    par_m: int = 64
    par_n: int = 64
    freq_hz: float = 606.0e6
    capacity_bytes: int = 37748736
    tm: int = 64
    tn: int = 64
    tr: int = 1
    tc: int = 1

    def __post_init__(self):
        _positive("dadiannao", par_m=self.par_m, par_n=self.par_n, freq_hz=self.freq_hz,
                  capacity_bytes=self.capacity_bytes, tm=self.tm, tn=self.tn, tr=self.tr, tc=self.tc)
        for name in ("par_m", "par_n", "tm", "tn", "tr", "tc"):
            check_range(f"dadiannao.{name}", getattr(self, name), 1, MAX_TILE,
                        why="a tile of " + field_name("tm"))

    @property
    def macs(self) -> int:
        return self.par_m * self.par_n

    def platform(self, data_bits: int = 16) -> PlatformParams:
        """The node as a PE array: output channels on rows, input channels on columns."""
        return PlatformParams(self.par_m, self.par_n, self.freq_hz, data_bits, "n")


@dataclass(frozen=True)
class RanaConfig:
    tech: str = "rana_65nm"
    platform: PlatformParams = field(default_factory=PlatformParams)
    core: CoreParams = field(default_factory=CoreParams)
    sram: SramParams = field(default_factory=SramParams)
    edram: EdramParams = field(default_factory=EdramParams)
    retention: RetentionParams = field(default_factory=RetentionParams)
    dadiannao: DaDianNaoParams = field(default_factory=DaDianNaoParams)

    def __post_init__(self):
        if self.edram.row_bits % self.platform.data_bits:
            raise ConfigError(f"edram.row_bits={self.edram.row_bits} is not a multiple of "
                              f"platform.data_bits={self.platform.data_bits}")
        longest = max(self.retention.typical_us, self.retention.tolerable_us)
        period = self.period_cycles(longest)
        if period > MAX_PERIOD:
            raise ConfigError(f"platform.freq_hz={self.platform.freq_hz:g}: a {longest:g} us refresh "
                              f"interval is {period} cycles, more than {MAX_PERIOD} = "
                              + field_name("period"))

    @property
    def refresh_words_per_row(self) -> int:
        """Data words one row refresh restores (Table III refresh energy is per 16-bit word)."""
        return self.edram.words_per_row(self.platform.data_bits)

    def period_cycles(self, retention_us: float) -> int:
        """Clock-divider period (reference-clock cycles) for a refresh interval in µs.

        Rounded down, so the interval never exceeds the retention time it stands for
        (the tolerance absorbs float noise such as 734e-6 · 200e6 = 146799.99…)."""
        return math.floor(retention_us * self.platform.freq_hz / 1e6 + 1e-6)


def load_rana_config(path: Path | str | None = None) -> RanaConfig:
    """Load ``configs/rana.toml`` (or ``path``) strictly; errors name the TOML key."""
    return from_dict(RanaConfig, load_toml(path or config_path("rana")), "rana")
