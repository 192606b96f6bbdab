"""golden.fixed against hand values and an independent exact-rational reference."""

import math
from fractions import Fraction

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.fixed import FixedFormat, bias_to_acc, from_unsigned, requantize, to_unsigned, wrap

Q88 = FixedFormat()


def reference_requantize(acc: int, fmt: FixedFormat) -> int:
    """Round half up on the exact rational value, then clamp (or wrap) — no shifts involved."""
    value = Fraction(acc, 1 << fmt.frac)
    rounded = math.floor(value + Fraction(1, 2)) if fmt.rounding == "half_up" else math.floor(value)
    if fmt.overflow == "saturate":
        return max(fmt.min_value, min(fmt.max_value, rounded))
    return (rounded + (1 << (fmt.width - 1))) % (1 << fmt.width) - (1 << (fmt.width - 1))


@pytest.mark.parametrize("acc, want", [
    (128, 1), (127, 0), (129, 1),          # +0.5 LSB rounds up, just below rounds down
    (-128, 0), (-129, -1), (-127, 0),      # -0.5 LSB rounds up (toward +inf)
    (384, 2), (-384, -1),                  # ±1.5 → 2 and -1
    (256 * 32767 + 127, 32767),            # largest value that does not saturate
    (256 * 32767 + 128, 32767),            # would round to 32768: saturates
    (-256 * 32768, -32768), (-256 * 32768 - 129, -32768),
    (1 << 46, 32767), (-(1 << 46), -32768),
])
def test_requantize_half_up_saturate_by_hand(acc, want):
    assert requantize(acc, Q88) == want


@pytest.mark.parametrize("fmt", [
    Q88,
    FixedFormat(rounding="floor"),
    FixedFormat(overflow="wrap"),
    FixedFormat(width=8, frac=4, acc_width=24),
    FixedFormat(width=12, frac=0, acc_width=40),
])
def test_requantize_matches_rational_reference(fmt):
    rng = np.random.default_rng(1)
    accs = np.concatenate([
        rng.integers(-(1 << (fmt.acc_width - 1)), 1 << (fmt.acc_width - 1), 2000),
        rng.integers(-(1 << (fmt.width + fmt.frac + 1)), 1 << (fmt.width + fmt.frac + 1), 2000),
    ])
    got = requantize(accs, fmt)
    want = [reference_requantize(int(a), fmt) for a in accs]
    assert got.tolist() == want


def test_wrap_and_port_conversions():
    assert wrap(1 << 47, 48) == -(1 << 47)
    assert wrap((1 << 47) - 1, 48) == (1 << 47) - 1
    assert wrap(-(1 << 47) - 1, 48) == (1 << 47) - 1
    assert to_unsigned(-1, 16) == 0xFFFF
    assert from_unsigned(0x8000, 16) == -32768
    assert bias_to_acc(-1, Q88) == -256  # -1/256 in Q8.8 is -256/65536 in Q16.16


@pytest.mark.parametrize("kwargs, complaint", [
    ({"acc_width": 31}, "acc_width=31"),
    ({"acc_width": 64}, "acc_width=64"),
    ({"frac": 16}, "frac=16"),
    ({"rounding": "even"}, "valid: half_up, floor"),
    ({"overflow": "clip"}, "valid: saturate, wrap"),
])
def test_impossible_formats_say_which_constraint(kwargs, complaint):
    with pytest.raises(ConfigError, match=complaint):
        FixedFormat(**kwargs)
