"""Vectorized layer kernels shared by the float and the integer forward passes.

Convolution is im2col + one matrix product; the column order (channel, kernel
row, kernel column) equals the C-order flattening of a weight tensor
(out, in, kh, kw), so ``cols @ w.reshape(out, -1).T`` is the convolution.  The
same code runs on float64 and on int64 (exact integer products and sums).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from hymem.golden.workloads.layers import Layer


def pad_input(x: np.ndarray, layer: Layer) -> np.ndarray:
    top, left, bottom, right = layer.pad
    return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))


def im2col(x: np.ndarray, layer: Layer) -> np.ndarray:
    """(N, C, H, W) → (N·OH·OW, C·kh·kw): one row per output position, zero padding included."""
    windows = sliding_window_view(pad_input(x, layer), (layer.kernel_h, layer.kernel_w), axis=(2, 3))
    windows = windows[:, :, ::layer.stride_h, ::layer.stride_w][:, :, :layer.out_h, :layer.out_w]
    n = x.shape[0]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * layer.out_h * layer.out_w, -1)


def col2im(dcols: np.ndarray, layer: Layer, n: int) -> np.ndarray:
    """Adjoint of :func:`im2col`: sums each column gradient back onto the input pixel it read."""
    top, left, bottom, right = layer.pad
    kh, kw, sh, sw = layer.kernel_h, layer.kernel_w, layer.stride_h, layer.stride_w
    oh, ow = layer.out_h, layer.out_w
    dcols = dcols.reshape(n, oh, ow, layer.in_ch, kh, kw)
    dx = np.zeros((n, layer.in_ch, layer.in_h + top + bottom, layer.in_w + left + right), dcols.dtype)
    for i in range(kh):
        for j in range(kw):
            dx[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw] += \
                dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dx[:, :, top:top + layer.in_h, left:left + layer.in_w]


def rows_to_maps(rows: np.ndarray, layer: Layer, n: int) -> np.ndarray:
    """(N·OH·OW, out) matrix-product result → (N, out, OH, OW) feature maps."""
    return rows.reshape(n, layer.out_h, layer.out_w, layer.out_ch).transpose(0, 3, 1, 2)


def maps_to_rows(maps: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rows_to_maps`."""
    return maps.transpose(0, 2, 3, 1).reshape(-1, maps.shape[1])


def _pool_windows(x: np.ndarray, layer: Layer) -> np.ndarray:
    """(N, C, OH, OW, k·k) non-overlapping windows (kernel == stride, no padding: checked by the plan)."""
    k_h, k_w, oh, ow = layer.kernel_h, layer.kernel_w, layer.out_h, layer.out_w
    n, c = x.shape[:2]
    tiles = x[:, :, :oh * k_h, :ow * k_w].reshape(n, c, oh, k_h, ow, k_w)
    return tiles.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh, ow, k_h * k_w)


def maxpool(x: np.ndarray, layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Max over each window; also returns the winner's index in its window (first on ties)."""
    windows = _pool_windows(x, layer)
    winner = windows.argmax(axis=-1)
    return np.take_along_axis(windows, winner[..., None], axis=-1)[..., 0], winner


def maxpool_backward(dout: np.ndarray, winner: np.ndarray, layer: Layer, in_shape) -> np.ndarray:
    """Routes each output gradient to its window's winner; pixels outside every window get 0."""
    k_h, k_w, oh, ow = layer.kernel_h, layer.kernel_w, layer.out_h, layer.out_w
    n, c = dout.shape[:2]
    onehot = np.zeros((n, c, oh, ow, k_h * k_w), dout.dtype)
    np.put_along_axis(onehot, winner[..., None], dout[..., None], axis=-1)
    dx = np.zeros(in_shape, dout.dtype)
    dx[:, :, :oh * k_h, :ow * k_w] = (onehot.reshape(n, c, oh, ow, k_h, k_w)
                                      .transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * k_h, ow * k_w))
    return dx
