"""Fixed-point expressions for the RTL: the hardware twin of ``golden/fixed.py``.

Every function takes a :class:`golden.fixed.FixedFormat` (read from the system's
TOML) and returns Amaranth values with exactly the golden semantics.
"""

from __future__ import annotations

from amaranth.hdl import Const, Mux, Value, signed
from amaranth.lib import data

from hymem.golden.fixed import FixedFormat


def operand_shape(fmt: FixedFormat):
    return signed(fmt.width)


def acc_shape(fmt: FixedFormat):
    return signed(fmt.acc_width)


def pair_layout(fmt: FixedFormat) -> data.StructLayout:
    """A ⟨W, A⟩ pair and the flag that closes one output neuron."""
    return data.StructLayout({"w": operand_shape(fmt), "a": operand_shape(fmt), "last": 1})


def result_layout(fmt: FixedFormat) -> data.StructLayout:
    """A finished neuron: requantized value plus the raw accumulator."""
    return data.StructLayout({"value": operand_shape(fmt), "acc": acc_shape(fmt)})


def wrap_to(value: Value, bits: int) -> Value:
    """Two's-complement wrap to ``bits`` (keep the low bits, reinterpret as signed)."""
    return value[:bits].as_signed()


def bias_to_acc(bias: Value, fmt: FixedFormat) -> Value:
    """Align a ``frac``-fractional-bit bias to the accumulator's ``2*frac`` fractional bits."""
    return wrap_to(bias.as_signed() << fmt.frac, fmt.acc_width)


def requantize(acc: Value, fmt: FixedFormat) -> Value:
    """Accumulator → ``width``-bit result; golden twin: ``golden.fixed.requantize``.

    Amaranth widens the addition by one bit, so adding half an LSB cannot overflow.
    """
    rounded = acc.as_signed()
    if fmt.rounding == "half_up" and fmt.frac > 0:
        rounded = rounded + Const(1 << (fmt.frac - 1), signed(fmt.frac + 1))
    shifted = rounded >> fmt.frac  # arithmetic: the operand is signed
    if fmt.overflow == "wrap":
        return wrap_to(shifted, fmt.width)
    lo = Const(fmt.min_value, signed(fmt.width))
    hi = Const(fmt.max_value, signed(fmt.width))
    return Mux(shifted > hi, hi, Mux(shifted < lo, lo, shifted))[:fmt.width].as_signed()
