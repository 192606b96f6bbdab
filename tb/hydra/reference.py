"""A NumPy reference of a Hydra layer, independent of the golden model's job and pass structure
(it shares only the fixed-point helpers) and free of cocotb: what the system co-simulation and
``tests/test_golden_hydra_system.py`` check outputs against."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hymem.golden.fixed import bias_to_acc, wrap
from hymem.golden.hydra.system import requantize_by


def reference_layer(layer, x, w, b, relu, fmt, shift=None) -> np.ndarray:
    """Independent NumPy layer: padded sliding windows, exact int64 sums, one requantization
    (at bit ``shift``, default ``fmt.frac``)."""
    shift = fmt.frac if shift is None else shift
    if layer.kind == "fc":
        acc = np.asarray(w, np.int64).reshape(layer.out_ch, -1) @ np.asarray(x, np.int64).reshape(-1)
        acc = wrap(acc + bias_to_acc(np.asarray(b, np.int64), fmt), fmt.acc_width)
        return requantize_by(np.maximum(acc, 0) if relu else acc, shift, fmt).reshape(-1, 1, 1)
    k, s = layer.kernel_h, layer.stride_h
    pt, pl, pb, pr = layer.pad
    extra_h = max(0, (layer.out_h - 1) * s + k - (layer.in_h + pt + pb))
    extra_w = max(0, (layer.out_w - 1) * s + k - (layer.in_w + pl + pr))
    fill = fmt.min_value if layer.kind == "maxpool" else 0
    xp = np.pad(np.asarray(x, np.int64), ((0, 0), (pt, pb + extra_h), (pl, pr + extra_w)), constant_values=fill)
    win = sliding_window_view(xp, (k, k), axis=(1, 2))[:, ::s, ::s][:, :layer.out_h, :layer.out_w]
    if layer.kind == "maxpool":
        return win.max(axis=(3, 4))
    # float64 products and sums are exact here (|x·w| < 2^30, fewer than 2^23 terms) and use BLAS:
    # whole VGG-16 layers check in seconds.
    assert k * k * layer.in_ch < 1 << 23, "float64 reference would not be exact"
    acc = np.tensordot(win.astype(np.float64), np.asarray(w, np.float64), axes=([0, 3, 4], [1, 2, 3]))
    acc = np.moveaxis(acc, 2, 0).astype(np.int64)
    acc = wrap(acc + bias_to_acc(np.asarray(b, np.int64), fmt)[:, None, None], fmt.acc_width)
    return requantize_by(np.maximum(acc, 0) if relu else acc, shift, fmt)
