"""Real network slices through the RRAM accelerator RTL: a VGG-11 conv tile set, the digits CNN."""

from __future__ import annotations

import numpy as np

from hymem.golden.fixed import bias_to_acc
from hymem.golden.nn import ops
from hymem.golden.nn.model import plan
from hymem.golden.rram.functional import conv2d
from hymem.golden.rram.rtl_params import Order
from hymem.golden.rram.rtl_timing import Tile
from hymem.tb.rram.layout import Requant


def layer_region(layer, x, oy0: int, th: int, ox0: int, tw: int):
    """The stored input rows/columns and padding of output rows [oy0, oy0+th) x cols [ox0, ox0+tw)
    of a square-kernel conv ``layer`` (input ``x``: (C, H, W)); returns (crop, pad)."""
    k, s, (pt, pl, _, _) = layer.kernel_h, layer.stride_h, layer.pad
    y_lo, x_lo = oy0 * s - pt, ox0 * s - pl
    y_hi, x_hi = (oy0 + th - 1) * s - pt + k, (ox0 + tw - 1) * s - pl + k  # one past
    crop = x[:, max(y_lo, 0) : min(y_hi, x.shape[1]), max(x_lo, 0) : min(x_hi, x.shape[2])]
    pad = (max(-y_lo, 0), max(-x_lo, 0), max(y_hi - x.shape[1], 0), max(x_hi - x.shape[2], 0))
    return crop, pad


def region_reference(layer, x, w, oy0, th, ox0, tw):
    """Golden results of the region from the whole padded map (independent of the crop logic)."""
    k, s, (pt, pl, pb, pr) = layer.kernel_h, layer.stride_h, layer.pad
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr)))
    window = xp[:, oy0 * s : (oy0 + th - 1) * s + k, ox0 * s : (ox0 + tw - 1) * s + k]
    return conv2d(window, w, s)


async def run_region(h, name, layer, x, w, oy0, th, ox0, tw, order, groups, requant=None, pixel_groups="row"):
    """One tile of ``layer`` (an output region, the output channels of ``w``), checked exactly
    (raw sums and their requantisation ``requant``); ``pixel_groups`` "raster" needs full-width
    regions of a stride-1 'same' layer."""
    crop, pad = layer_region(layer, x, oy0, th, ox0, tw)
    tile = Tile(
        crop.shape[0],
        w.shape[0],
        layer.kernel_h,
        layer.stride_h,
        crop.shape[1],
        crop.shape[2],
        pad,
        order,
        groups,
        pixel_groups,
    )
    assert (tile.out_h, tile.out_w) == (th, tw), f"{name}: tile is {tile.out_h}x{tile.out_w}"
    result, delta = await h.check_tile(name, crop, w, tile, requant=requant)
    want = region_reference(layer, x, w, oy0, th, ox0, tw)
    assert (result == want).all(), f"{name}: region differs from the whole-layer reference"
    return delta


def conv_view(layer, weights, in_shape):
    """A conv or fc layer as (square kernel, stride, padding, 4-D weights) for the array:
    an fc over a (C, H, W) map (flattened C-major) is the H x W convolution (H = W) of it."""
    if layer.kind == "conv":
        return layer.kernel_h, layer.stride_h, layer.pad, weights
    c, side, _ = in_shape
    return side, 1, (0, 0, 0, 0), weights.reshape(layer.out_ch, c, side, side)


async def run_digits(h, qparams: dict, x_int: np.ndarray, fmt, order=Order.PIXEL_FIRST, groups=4):
    """The digits CNN's integer forward pass with every conv/fc on the RTL (one image at a time),
    requantised by the RTL (bias, SHIFT = ``fmt.frac``, RELU); the int8 ``q`` a layer produced is
    the next layer's input as it came out.  Max-pooling (not on the RTL) is golden.nn.ops.
    Returns (logits, the int8 activations of every conv/fc layer of the last image)."""
    logits, acts = [], {}
    for image in x_int:
        a = image[None].astype(np.int64)  # (1, C, H, W)
        for step in plan():
            lay = step.layer
            if lay.kind == "maxpool":
                a = ops.maxpool(a, lay)[0]
                continue
            k, s, pad, w = conv_view(lay, qparams[f"{lay.name}.w"], a.shape[1:])
            tile = Tile(w.shape[1], w.shape[0], k, s, a.shape[2], a.shape[3], pad, order, groups)
            requant = Requant(fmt.frac, step.relu, bias_to_acc(qparams[f"{lay.name}.b"], fmt))
            await h.load_tile(a[0], w, tile, requant=requant)
            _, _, items = await h.run_tile(tile, requant=requant)
            acts[lay.name] = h.requantised(items, tile)
            a = acts[lay.name][None]
        logits.append(a.reshape(-1))
    return np.array(logits), acts
