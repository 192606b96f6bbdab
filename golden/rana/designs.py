"""The six designs of Table IV (seed 004) and DaDianNao's node (§V-C).

=============  ======  =========  ==============  ============  ========  ==========
design         buffer  capacity   patterns        failure rate  interval  controller
=============  ======  =========  ==============  ============  ========  ==========
S+ID           SRAM    384 KB     ID              –             –         –
eD+ID          eDRAM   1.454 MB   ID              0 (3e-6)      45 µs     normal
eD+OD          eDRAM   1.454 MB   OD              0 (3e-6)      45 µs     normal
RANA(0)        eDRAM   1.454 MB   OD+WD           0 (3e-6)      45 µs     normal
RANA(E-5)      eDRAM   1.454 MB   OD+WD           1e-5          734 µs    normal
RANA*(E-5)     eDRAM   1.454 MB   OD+WD           1e-5          734 µs    optimized
=============  ======  =========  ==============  ============  ========  ==========

The refresh interval is not a constant here: it is the retention time of the
design's tolerable failure rate under the configured distribution
(:mod:`golden.rana.retention`), 45 µs at 3e-6 and 734 µs at 1e-5 by
construction of the default power law.  The SRAM baseline's 384 KB is
12 banks of Table II's 32 KB SRAM macro.
"""

from __future__ import annotations

from dataclasses import dataclass

from hymem.golden.config import ConfigError, resolve_name
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.cost import Buffer
from hymem.golden.rana.params import MAX_BANKS, MAX_PERIOD, RanaConfig, field_name
from hymem.golden.rana.retention import distribution, tolerable_retention_us

SRAM_BANK_BYTES = 32 * 1024  # Table II: 32 KB SRAM macro


@dataclass(frozen=True)
class Design:
    name: str
    buffer_kind: str                 # "sram" | "edram"
    patterns: tuple[Pattern, ...]
    failure_rate: float | None       # tolerable failure rate; None: typical (weakest cell) rate
    controller: str                  # "none" | "normal" | "optimized"


DESIGNS: dict[str, Design] = {d.name: d for d in (
    Design("S+ID", "sram", (Pattern.ID,), None, "none"),
    Design("eD+ID", "edram", (Pattern.ID,), None, "normal"),
    Design("eD+OD", "edram", (Pattern.OD,), None, "normal"),
    Design("RANA(0)", "edram", (Pattern.OD, Pattern.WD), None, "normal"),
    Design("RANA(E-5)", "edram", (Pattern.OD, Pattern.WD), 1e-5, "normal"),
    Design("RANA*(E-5)", "edram", (Pattern.OD, Pattern.WD), 1e-5, "optimized"),
)}


def get_design(name: str) -> Design:
    """A Table IV design by name; case and punctuation are optional, so the shell-safe
    spellings ``s-id``, ``ed-id``, ``ed-od``, ``rana-0``, ``rana-e5`` and ``rana-star-e5``
    work (``golden.config.name_key``)."""
    return DESIGNS[resolve_name("design", name, DESIGNS)]


def refresh_interval_us(design: Design, cfg: RanaConfig) -> float:
    """Refresh interval of a design: retention time at its failure rate (0 for SRAM)."""
    if design.buffer_kind == "sram":
        return 0.0
    if design.failure_rate is None:
        return cfg.retention.typical_us
    return tolerable_retention_us(distribution(cfg.retention), design.failure_rate)


def design_buffer(design: Design, cfg: RanaConfig, capacity_scale: float = 1.0,
                  n_banks: int | None = None, interval_us: float | None = None) -> Buffer:
    """The buffer of ``design``; ``capacity_scale`` scales the eDRAM bank count (Fig. 18)."""
    words_per_byte = 8 / cfg.platform.data_bits
    if design.buffer_kind == "sram":
        bank_words = int(SRAM_BANK_BYTES * words_per_byte)
        banks = n_banks or round(cfg.sram.capacity_bytes * capacity_scale / SRAM_BANK_BYTES)
        return Buffer("sram", banks, bank_words, "none", 0)
    bank_words = int(cfg.edram.bank_bytes * words_per_byte)
    banks = n_banks or round(cfg.edram.n_banks * capacity_scale)
    if banks < 1:
        raise ConfigError(f"capacity scale {capacity_scale}: fewer than one bank")
    if banks > MAX_BANKS:
        raise ConfigError(f"capacity scale {capacity_scale:g} x edram.n_banks={cfg.edram.n_banks} = "
                          f"{banks} banks: more than {MAX_BANKS}, the most "
                          + field_name("banks_in") + " can allocate")
    interval = refresh_interval_us(design, cfg) if interval_us is None else interval_us
    period = cfg.period_cycles(interval)
    if period > MAX_PERIOD:
        raise ConfigError(f"refresh interval {interval:g} us = {period} cycles at platform.freq_hz="
                          f"{cfg.platform.freq_hz:g}: more than {MAX_PERIOD} = " + field_name("period"))
    return Buffer("edram", banks, bank_words, design.controller, period)
