"""Per-layer configuration words: what the RANA scheduler emits and the RTL loads.

A network is a sequence of :class:`LayerConfig`; :func:`pack_words` turns it
into the 32-bit words of the configuration memory read by the RTL layer
configuration loader, :func:`unpack_words` is its exact inverse (and the
reference check of what the loader must accept or flag as malformed).

Word layout (32-bit words, field bit ranges inclusive, LSB = bit 0).  Each
layer occupies ``words_per_layer(n_banks) = HEADER_WORDS + ceil(n_banks / 32)``
consecutive words; layer ``k`` starts at word ``k * words_per_layer(n_banks)``::

    word 0  [23:0]  period       clock-divider period, reference-clock cycles
                                 (refresh interval; 0 = divider stopped, no pulses:
                                 then every refresh flag must be 0)
            [25:24] pattern      0 = ID, 1 = OD, 2 = WD (3 is malformed)
            [26]    last         1 on the final layer of the network only
            [31:27] reserved     0
    word 1  [15:0]  tm           tile of loop M (output channels), >= 1
            [31:16] tn           tile of loop N (input channels), >= 1
    word 2  [15:0]  tr           tile of loop R (output rows), >= 1
            [31:16] tc           tile of loop C (output columns), >= 1
    word 3  [31:0]  layer_cycles the layer's execution time, reference-clock cycles
    word 4  [15:0]  banks_in     banks allocated to inputs
            [31:16] banks_out    banks allocated to outputs
    word 5  [15:0]  banks_w      banks allocated to weights
            [31:16] reserved     0
    word 6+j [31:0] refresh flags of banks 32j .. 32j+31 (bit i = bank 32j+i;
                                 1 = refresh this bank at every pulse);
                                 bits of banks >= n_banks are 0

Bank allocation is contiguous from bank 0: inputs ``[0, banks_in)``, outputs
``[banks_in, banks_in + banks_out)``, weights after them; banks beyond hold no
data.  ``banks_in + banks_out + banks_w <= n_banks``.  A word stream violating
any of these rules (reserved bits, pattern 3, a zero tile, a flag beyond
``n_banks``, over-allocated banks, ``last`` missing or early, refresh flags with
period 0, a length that is not a multiple of ``words_per_layer``) is malformed: :func:`unpack_words`
raises :class:`ConfigWordError` naming the layer, word and rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from hymem.golden.config import ConfigError

WORD_BITS = 32
HEADER_WORDS = 6
PERIOD_BITS = 24
PATTERN_BITS = 2
TILE_BITS = 16
LAYER_CYCLES_BITS = 32
BANK_COUNT_BITS = 16
FLAG_BITS_PER_WORD = WORD_BITS

# (word, lsb, width) of each header field
FIELDS: dict[str, tuple[int, int, int]] = {
    "period": (0, 0, PERIOD_BITS),
    "pattern": (0, 24, PATTERN_BITS),
    "last": (0, 26, 1),
    "tm": (1, 0, TILE_BITS),
    "tn": (1, 16, TILE_BITS),
    "tr": (2, 0, TILE_BITS),
    "tc": (2, 16, TILE_BITS),
    "layer_cycles": (3, 0, LAYER_CYCLES_BITS),
    "banks_in": (4, 0, BANK_COUNT_BITS),
    "banks_out": (4, 16, BANK_COUNT_BITS),
    "banks_w": (5, 0, BANK_COUNT_BITS),
}
# bits of each header word that must be zero
RESERVED_MASKS = (0xF800_0000, 0, 0, 0, 0, 0xFFFF_0000)


class Pattern(IntEnum):
    """Computation patterns of Fig. 10 (ID/OD/WD)."""

    ID = 0
    OD = 1
    WD = 2


class ConfigWordError(ConfigError):
    """A LayerConfig that does not fit its fields, or a malformed word stream."""


def flag_words(n_banks: int) -> int:
    return -(-n_banks // FLAG_BITS_PER_WORD)


def words_per_layer(n_banks: int) -> int:
    return HEADER_WORDS + flag_words(n_banks)


@dataclass(frozen=True)
class LayerConfig:
    """One layer's configuration as loaded by the RTL (see module docstring)."""

    period: int
    refresh_flags: int
    pattern: Pattern
    tm: int
    tn: int
    tr: int
    tc: int
    layer_cycles: int
    banks_in: int
    banks_out: int
    banks_w: int

    def __post_init__(self):
        object.__setattr__(self, "pattern", _pattern(self.pattern))
        for name in ("period", "tm", "tn", "tr", "tc", "layer_cycles", "banks_in", "banks_out", "banks_w"):
            word, lsb, width = FIELDS[name]
            value = getattr(self, name)
            if not 0 <= value < 1 << width:
                raise ConfigWordError(f"{name}={value}: does not fit the {width}-bit field "
                                      f"word {word} [{lsb + width - 1}:{lsb}] of the RTL layer "
                                      "configuration")
        for name in ("tm", "tn", "tr", "tc"):
            if getattr(self, name) < 1:
                raise ConfigWordError(f"{name}={getattr(self, name)}: a tile must be >= 1")
        if self.refresh_flags < 0:
            raise ConfigWordError(f"refresh_flags={self.refresh_flags}: must be a non-negative bitmask")
        if self.period == 0 and self.refresh_flags:
            raise ConfigWordError(f"period=0 with refresh_flags={self.refresh_flags:#x}: the divider is "
                                  "stopped, so flagged banks would never be refreshed")

    @property
    def banks_used(self) -> int:
        return self.banks_in + self.banks_out + self.banks_w

    def flagged_banks(self) -> list[int]:
        return [b for b in range(self.refresh_flags.bit_length()) if self.refresh_flags >> b & 1]

    def check_banks(self, n_banks: int) -> None:
        if self.banks_used > n_banks:
            raise ConfigWordError(f"banks_in+banks_out+banks_w={self.banks_used} > n_banks={n_banks}")
        if self.refresh_flags >> n_banks:
            raise ConfigWordError(f"refresh_flags={self.refresh_flags:#x} flags a bank >= n_banks={n_banks}")


def _pattern(value) -> Pattern:
    if isinstance(value, str):
        try:
            return Pattern[value]
        except KeyError:
            raise ConfigWordError(f"pattern {value!r}: valid: {', '.join(p.name for p in Pattern)}") from None
    try:
        return Pattern(int(value))
    except ValueError:
        raise ConfigWordError(f"pattern {value!r}: valid: "
                              + ", ".join(f"{p.value} ({p.name})" for p in Pattern)) from None


def _default_n_banks() -> int:
    # read from the shipped TOML directly: golden.rana.params imports this module's field widths
    from hymem.golden.config import config_path, load_toml

    return int(load_toml(config_path("rana"))["edram"]["n_banks"])


def pack_words(configs: list[LayerConfig], n_banks: int | None = None) -> np.ndarray:
    """Configuration memory image (uint32) of ``configs``; ``last`` set on the final layer.

    ``n_banks`` defaults to ``edram.n_banks`` of ``configs/rana.toml``.
    """
    n_banks = _default_n_banks() if n_banks is None else n_banks
    if not configs:
        raise ConfigWordError("no layers to pack")
    per_layer = words_per_layer(n_banks)
    words = np.zeros(len(configs) * per_layer, dtype=np.uint32)
    for k, cfg in enumerate(configs):
        cfg.check_banks(n_banks)
        values = {name: int(getattr(cfg, name)) for name in FIELDS if name != "last"}
        values["last"] = int(k == len(configs) - 1)
        base = k * per_layer
        for name, (word, lsb, _width) in FIELDS.items():
            words[base + word] |= np.uint32(values[name] << lsb)
        for j in range(flag_words(n_banks)):
            words[base + HEADER_WORDS + j] = (cfg.refresh_flags >> (FLAG_BITS_PER_WORD * j)) & 0xFFFF_FFFF
    return words


def unpack_words(words, n_banks: int | None = None) -> list[LayerConfig]:
    """Inverse of :func:`pack_words`; malformed streams raise :class:`ConfigWordError`."""
    n_banks = _default_n_banks() if n_banks is None else n_banks
    words = [int(w) for w in np.asarray(words, dtype=np.uint64).ravel()]
    if any(w >> WORD_BITS for w in words):
        raise ConfigWordError("a configuration word exceeds 32 bits")
    per_layer = words_per_layer(n_banks)
    if not words or len(words) % per_layer:
        raise ConfigWordError(f"{len(words)} words is not a positive multiple of {per_layer} words per layer")
    n_layers = len(words) // per_layer
    configs = []
    for k in range(n_layers):
        chunk = words[k * per_layer:(k + 1) * per_layer]
        for w, mask in enumerate(RESERVED_MASKS):
            if chunk[w] & mask:
                raise ConfigWordError(f"layer {k} word {w}: reserved bits set ({chunk[w] & mask:#010x})")
        values = {name: chunk[word] >> lsb & ((1 << width) - 1) for name, (word, lsb, width) in FIELDS.items()}
        if values.pop("last") != int(k == n_layers - 1):
            raise ConfigWordError(f"layer {k} word 0: 'last' must be set on the final layer only")
        flags = sum(chunk[HEADER_WORDS + j] << (FLAG_BITS_PER_WORD * j) for j in range(flag_words(n_banks)))
        try:
            cfg = LayerConfig(refresh_flags=flags, **values)
            cfg.check_banks(n_banks)
        except ConfigWordError as exc:
            raise ConfigWordError(f"layer {k}: {exc}") from None
        configs.append(cfg)
    return configs
