"""Bit errors in stored fixed-point values: RANA's "random value 0/1" model (seed 004 §IV-A).

A failing eDRAM cell (retention time exceeded) reads back a random value: each
bit of a stored ``width``-bit word is, with probability ``rate``, replaced by a
random bit, 0 or 1 with equal probability.  Half of those random bits equal
the stored bit, so the observed flip probability per bit is ``rate / 2``.
"""

from __future__ import annotations

import numpy as np

from hymem.golden.fixed import FixedFormat, fixed_to_float, float_to_fixed, from_unsigned, to_unsigned

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


def dynamic_formats(params: dict, x_calibration: np.ndarray, width: int = 16) -> dict[tuple[str, str], FixedFormat]:
    """Per-layer ("dynamic") fixed point: a format per (conv/fc layer, input/weight).

    Each array gets the most fractional bits with which its largest magnitude
    still fits a signed ``width``-bit word: the layer's weights, and its inputs
    as the float model sees them on ``x_calibration`` (the training images).
    This is how 16-bit accelerators of the paper's time store each layer
    (Envision, seed 004 ref. [10], scales precision per layer): one global Q8.8
    would leave a 0.01 weight 2–3 significant bits.  A bit error then changes a
    word by at most about twice the array's range.
    """
    from .model import _float_neuron, _run

    _, traces = _run(params, np.asarray(x_calibration, dtype=np.float64), None, _float_neuron)
    formats = {}
    for trace in traces:
        if trace.weight is None:
            continue
        for kind, values in (("input", trace.input), ("weight", trace.weight)):
            peak = float(np.max(np.abs(values)))
            int_bits = max(0, int(np.floor(np.log2(peak))) + 1) if peak > 0 else 0   # peak < 2**int_bits
            formats[trace.name, kind] = FixedFormat(width, max(0, width - 1 - int_bits))
    return formats


def bit_error_transform(rate: float | dict[str, float], rng: np.random.Generator,
                        fmt: FixedFormat | dict = DEFAULT_FORMAT, kinds=TRANSFORM_KINDS) -> Transform:
    """A transform for :func:`~golden.nn.model.forward`, ``train`` and ``forward_fixed``.

    ``rate`` is one rate for all conv/fc layers or a dict ``{layer: rate}``
    (e.g. per-layer retention times; layers not named get no errors).
    Arrays of the listed ``kinds`` get fresh errors at every call.  Integer
    arrays (the fixed-point pass) are taken as ``fmt`` words and corrupted
    directly; float arrays are quantized to ``fmt``, corrupted and converted
    back, so the float model also sees the quantization (and, in training, the
    gradient passes straight through).  ``fmt`` is one format for every array
    or a ``{(layer, kind): format}`` map such as :func:`dynamic_formats`.
    """
    kinds = tuple(kinds)
    unknown = sorted(set(kinds) - set(TRANSFORM_KINDS))
    if unknown:
        raise NNError(f"unknown transform kind(s) {', '.join(unknown)}; valid: {', '.join(TRANSFORM_KINDS)}")
    rates = _rates_by_layer(rate)

    def transform(layer_name: str, kind: str, array: np.ndarray) -> np.ndarray:
        if kind not in kinds:
            return array
        f = fmt[layer_name, kind] if isinstance(fmt, dict) else fmt
        if array.dtype.kind in "iu":
            return inject_bit_errors(array, rates[layer_name], rng, f.width)
        words = float_to_fixed(array, f)
        return fixed_to_float(inject_bit_errors(words, rates[layer_name], rng, f.width), f)

    return transform
