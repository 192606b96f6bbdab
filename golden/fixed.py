"""Fixed-point arithmetic shared by every golden model (SPEC §3, "Bit-exact function").

Default FX16 is signed 16-bit Q8.8.  A product of two Qm.f values is a 32-bit
Q(2m).(2f) value; products accumulate in a wide two's-complement accumulator
(``acc_width`` bits, default 48) that wraps exactly like the RTL register;
requantization shifts the accumulator back by ``frac`` bits with the configured
rounding, then saturates (or wraps) to ``width`` bits.  The RTL twin is
``rtl/common/fixed.py``; both read the same :class:`FixedFormat` from the
system's TOML.

All functions take and return ``numpy.int64`` arrays (or scalars); int64 holds
every intermediate exactly because ``acc_width <= 62`` is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError

ROUNDING_MODES = ("half_up", "floor")
OVERFLOW_MODES = ("saturate", "wrap")


@dataclass(frozen=True)
class FixedFormat:
    """A signed fixed-point format and its arithmetic policy.

    width     -- bits of an operand and of a requantized result (FX16: 16)
    frac      -- fractional bits of an operand (Q8.8: 8)
    acc_width -- accumulator bits; SPEC §3 asks for >= 40 so a layer never overflows
    rounding  -- "half_up": add half an LSB then arithmetic-shift (SPEC default);
                 "floor": arithmetic shift only (truncation toward -inf)
    overflow  -- "saturate" (SPEC default) or "wrap" when narrowing to ``width``
    """

    width: int = 16
    frac: int = 8
    acc_width: int = 48
    rounding: str = "half_up"
    overflow: str = "saturate"

    def __post_init__(self):
        if not 2 <= self.width <= 30:
            raise ConfigError(f"fixed.width={self.width}: must be in 2..30")
        if not 0 <= self.frac < self.width:
            raise ConfigError(f"fixed.frac={self.frac}: must be in 0..width-1 ({self.width - 1})")
        if not 2 * self.width <= self.acc_width <= 62:
            raise ConfigError(
                f"fixed.acc_width={self.acc_width}: must hold a full product "
                f"(>= 2*width = {2 * self.width}) and fit int64 arithmetic (<= 62)"
            )
        if self.rounding not in ROUNDING_MODES:
            raise ConfigError(f"fixed.rounding={self.rounding!r}; valid: {', '.join(ROUNDING_MODES)}")
        if self.overflow not in OVERFLOW_MODES:
            raise ConfigError(f"fixed.overflow={self.overflow!r}; valid: {', '.join(OVERFLOW_MODES)}")

    @property
    def min_value(self) -> int:
        return -(1 << (self.width - 1))

    @property
    def max_value(self) -> int:
        return (1 << (self.width - 1)) - 1


def wrap(x, bits: int):
    """Two's-complement wrap of integers to ``bits`` bits (what a register of that width holds)."""
    x = np.asarray(x, dtype=np.int64)
    half = np.int64(1) << (bits - 1)
    return ((x + half) & ((np.int64(1) << bits) - 1)) - half


def to_unsigned(x, bits: int):
    """Bit pattern of ``x`` as an unsigned ``bits``-bit integer (for driving HDL ports)."""
    return np.asarray(x, dtype=np.int64) & ((np.int64(1) << bits) - 1)


def from_unsigned(x, bits: int):
    """Signed value of an unsigned ``bits``-bit pattern (Amaranth ports drop signedness)."""
    return wrap(np.asarray(x, dtype=np.int64), bits)


def product(w, a):
    """Exact product of two operands (fits 2*width bits)."""
    return np.asarray(w, dtype=np.int64) * np.asarray(a, dtype=np.int64)


def bias_to_acc(bias, fmt: FixedFormat):
    """A Q(width-frac).frac bias aligned to the accumulator's 2*frac fractional bits."""
    return wrap(np.asarray(bias, dtype=np.int64) << fmt.frac, fmt.acc_width)


def requantize(acc, fmt: FixedFormat):
    """Accumulator (2*frac fractional bits) → ``width``-bit result with ``frac`` fractional bits.

    Rounding happens at ``acc_width + 1`` bits in the RTL so that adding half an
    LSB can never overflow; int64 here is the same exact arithmetic.
    """
    acc = np.asarray(acc, dtype=np.int64)
    shift = fmt.frac
    if fmt.rounding == "half_up" and shift > 0:
        acc = acc + (np.int64(1) << (shift - 1))
    shifted = acc >> shift  # numpy >> on int64 is arithmetic
    if fmt.overflow == "saturate":
        return np.clip(shifted, fmt.min_value, fmt.max_value)
    return wrap(shifted, fmt.width)


def float_to_fixed(x, fmt: FixedFormat):
    """Nearest representable value (round half away from zero, saturating), for building data."""
    scaled = np.round(np.asarray(x, dtype=np.float64) * (1 << fmt.frac))
    return np.clip(scaled, fmt.min_value, fmt.max_value).astype(np.int64)


def fixed_to_float(x, fmt: FixedFormat):
    return np.asarray(x, dtype=np.float64) / (1 << fmt.frac)
