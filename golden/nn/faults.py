"""Bit errors in stored fixed-point values: RANA's "random value 0/1" model (seed 004 §IV-A).

A failing eDRAM cell (retention time exceeded) reads back a random value: each
bit of a stored ``width``-bit word is, with probability ``rate``, replaced by a
random bit, 0 or 1 with equal probability.  Half of those random bits equal
the stored bit, so the observed flip probability per bit is ``rate / 2``.
"""

from __future__ import annotations

import numpy as np

from golden.fixed import FixedFormat, fixed_to_float, float_to_fixed, from_unsigned, to_unsigned

from .errors import NNError
from .model import DEFAULT_FORMAT, TRANSFORM_KINDS, WEIGHTED_KINDS, Transform, plan


def inject_bit_errors(values_int, rate: float, rng: np.random.Generator, width: int = 16) -> np.ndarray:
    """Signed ``width``-bit integers with each bit independently replaced by a random bit w.p. ``rate``."""
    if not 0.0 <= rate <= 1.0:
        raise NNError(f"bit error rate {rate}: must be in [0, 1]")
    if not 1 <= width <= 62:
        raise NNError(f"width={width}: must be in 1..62")
    values = np.asarray(values_int)
    if values.dtype.kind not in "iu":
        raise NNError(f"inject_bit_errors needs integers, got {values.dtype}")
    values = values.astype(np.int64)
    lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
    if values.size and (values.min() < lo or values.max() > hi):
        raise NNError(f"values outside the signed {width}-bit range {lo}..{hi}")
    if rate == 0.0:
        return values.copy()
    replaced = np.zeros(values.shape, np.int64)
    for bit in range(width):  # one Bernoulli draw per bit; width is small, the arrays are not
        replaced |= (rng.random(values.shape) < rate).astype(np.int64) << bit
    random_bits = rng.integers(0, 1 << width, size=values.shape, dtype=np.int64)
    pattern = (to_unsigned(values, width) & ~replaced) | (random_bits & replaced)
    return from_unsigned(pattern, width)


def _rates_by_layer(rate: float | dict[str, float]) -> dict[str, float]:
    """One rate for every conv/fc layer, or per-layer rates (layers not named get 0)."""
    layers = [step.layer.name for step in plan() if step.layer.kind in WEIGHTED_KINDS]
    rates = dict.fromkeys(layers, rate) if not isinstance(rate, dict) else {**dict.fromkeys(layers, 0.0), **rate}
    unknown = sorted(set(rates) - set(layers))
    if unknown:
        raise NNError(f"unknown layer(s) {', '.join(unknown)} in rates; valid: {', '.join(layers)}")
    for name, r in rates.items():
        if not 0.0 <= r <= 1.0:
            raise NNError(f"bit error rate {r} for {name}: must be in [0, 1]")
    return rates


def bit_error_transform(rate: float | dict[str, float], rng: np.random.Generator,
                        fmt: FixedFormat = DEFAULT_FORMAT, kinds=TRANSFORM_KINDS) -> Transform:
    """A transform for :func:`~golden.nn.model.forward`, ``train`` and ``forward_fixed``.

    ``rate`` is one rate for all conv/fc layers or a dict ``{layer: rate}``
    (e.g. per-layer retention times; layers not named get no errors).
    Arrays of the listed ``kinds`` get fresh errors at every call.  Integer
    arrays (the fixed-point pass) are taken as ``fmt`` words and corrupted
    directly; float arrays are quantized to ``fmt``, corrupted and converted
    back, so the float model also sees the quantization (and, in training, the
    gradient passes straight through).
    """
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(TRANSFORM_KINDS))
    if unknown:
        raise NNError(f"unknown transform kind(s) {', '.join(unknown)}; valid: {', '.join(TRANSFORM_KINDS)}")
    rates = _rates_by_layer(rate)

    def transform(layer_name: str, kind: str, array: np.ndarray) -> np.ndarray:
        if kind not in kinds:
            return array
        if array.dtype.kind in "iu":
            return inject_bit_errors(array, rates[layer_name], rng, fmt.width)
        words = float_to_fixed(array, fmt)
        return fixed_to_float(inject_bit_errors(words, rates[layer_name], rng, fmt.width), fmt)

    return transform
