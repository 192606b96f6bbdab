"""Bit-exact function of the RRAM accelerator's array: int8 convolution, int32 accumulation.

Overflow rule (identical in ``rtl/rram``): every product of two int8 values and every sum of
m of them is exact; the partial sums of a pixel and output channel are accumulated modulo
2^32 (two's-complement wrap at ``acc_bits`` = 32, seed 002 §5.1's "32bit accumulation"), so
the result is the exact integer sum wrapped once to int32 — the order of the additions
cannot change it.  No rounding, no saturation: the array delivers raw accumulators; a
network's requantisation between layers is ``golden.fixed`` (round half up, saturate).
Padding taps multiply zeros.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hymem.golden.config import ConfigError
from hymem.golden.fixed import FixedFormat, wrap

# The digits CNN in int8 for the RTL (seed 002 §5.1: 8-bit operands, 32-bit accumulation).
# ASSUMPTION: Q2.5 (5 fractional bits): inputs are in [0, 1] and the trained weights within
# +-4; requantisation between layers is golden.fixed's (round half up, saturate to int8).
DIGITS_INT8 = FixedFormat(width=8, frac=5, acc_width=32)


def conv2d(
    x: np.ndarray, w: np.ndarray, stride: int = 1, pad=(0, 0, 0, 0), acc_bits: int = 32
) -> np.ndarray:
    """(C, H, W) int8 activations * (M, C, K, K) int8 weights -> (M, Ho, Wo) wrapped to acc_bits.

    ``pad`` is (top, left, bottom, right) zero padding; the output is
    ``Ho = (H + top + bottom - K) // stride + 1`` rows (likewise columns).
    """
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 3 or w.ndim != 4 or w.shape[1] != x.shape[0] or w.shape[2] != w.shape[3]:
        raise ConfigError(
            f"conv2d: activations (C, H, W) {x.shape} and weights (M, C, K, K) {w.shape} do not fit"
        )
    for name, arr in (("activations", x), ("weights", w)):
        if arr.size and (arr.min() < -128 or arr.max() > 127):
            raise ConfigError(f"conv2d: {name} must be int8 values")
    top, left, bottom, right = pad
    k = w.shape[2]
    padded = np.pad(x.astype(np.int64), ((0, 0), (top, bottom), (left, right)))
    windows = sliding_window_view(padded, (k, k), axis=(1, 2))[:, ::stride, ::stride]
    sums = np.einsum("chwyx,mcyx->mhw", windows, w.astype(np.int64))
    return wrap(sums, acc_bits)


def requantize_sums(
    acc, bias, shift: int, relu: bool, acc_bits: int = 32, out_bits: int = 8
) -> np.ndarray:
    """The accelerator's output requantiser (``rtl/rram/requantizer.py``): raw sums -> int8.

    ``acc`` is (M, ...) accumulators, ``bias`` (M,) biases already aligned to the accumulator
    (``golden.fixed.bias_to_acc``).  ``z = wrap(acc + bias, acc_bits)``; the result is
    ``clip((z + 2^(shift-1)) >> shift, -2^(out_bits-1), 2^(out_bits-1) - 1)`` (no rounding
    term when shift = 0, ``>>`` arithmetic: round half up, as ``golden.fixed.requantize``,
    which it equals for shift < out_bits), then ``max(., 0)`` when ``relu``.  Any shift in
    0 .. acc_bits - 1 is allowed: a deep layer's int32 sums need more than 7.
    """
    if not 0 <= shift < acc_bits:
        raise ConfigError(f"requantize_sums: shift {shift} not in 0..{acc_bits - 1}")
    acc = np.asarray(acc, dtype=np.int64)
    bias = np.asarray(bias, dtype=np.int64).reshape((-1,) + (1,) * (acc.ndim - 1))
    z = wrap(acc + bias, acc_bits)
    if shift:
        z = z + (np.int64(1) << (shift - 1))
    q = np.clip(z >> shift, -(1 << (out_bits - 1)), (1 << (out_bits - 1)) - 1)
    return np.maximum(q, 0) if relu else q


def array_step(act: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """One MAC-array step (Fig. 1b): A_{p x m} x B_{m x n}, exact (an m-term int8 sum fits)."""
    return np.asarray(act, dtype=np.int64) @ np.asarray(weight, dtype=np.int64)
