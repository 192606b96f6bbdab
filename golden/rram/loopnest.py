"""Exact per-layer event counts of the loop nest the RRAM accelerator's array executes.

This is the contract between the golden cost model and ``rtl/rram``: the RTL's event counters
must equal :func:`loop_counts` exactly for the same layer, array and loop order.  Table 3 of
seed 002 (the formulas as printed, for one K x K convolution on g·p pixels) is in
:mod:`golden.rram.table3`; this module counts a *real* layer: stride, padding, ragged pixel
groups at the end of a row, channel remainders and the ceiling of every tile.

Geometry and data layout (the choices seed 002 leaves open, named here)
-----------------------------------------------------------------------
* Array (§3.1, Fig. 1b): ``p`` output pixels of one output row x ``n`` output channels, each
  PE an inner product over ``m`` input channels; one *cycle* = one kernel position (kh, kw) of
  one input-channel tile for one pixel group and one output-channel tile (p·n·m MAC lanes).
* A *pixel group* is up to ``p`` consecutive output pixels of one output row; a row of width
  Wo has ``ceil(Wo / p)`` groups, the last one ragged (``pe = Wo - j·p`` pixels).  Groups never
  span rows.  Groups are numbered row-major: (row y, group j) -> y·ceil(Wo/p) + j.
  That is ``pixel_groups = "row"``; ``"raster"`` (below) lets groups span rows.
* Channel tiles: ``T_i = ceil(C / m)`` input tiles, ``T_o = ceil(M / n)`` output tiles; the last
  ones ragged.  Grouped convolutions run as ``groups`` independent convolutions of C/groups
  inputs and M/groups outputs (every count below is per group and multiplied by ``groups``).
* I/O buffer word (the unit of ``io_reads`` / ``io_writes``): one pixel x one channel tile =
  ``m`` activations (m·act_bits = 64 bits, the 8 B width of a Table 4 SRAM macro).  A feature
  map is stored channel-tile-major: tile t, pixel (y, x) -> one word; absent channels of a
  ragged tile are zero lanes of the word.  Pixel x of a row lives in bank ``x mod p``
  (Fig. 1c: p independent RAMs, so p consecutive pixels are one access each, in parallel).
  Padding pixels are not stored: the read path makes their zeros, and they are not counted.
* Weight tile (the unit of ``weight_tile_reads``): the n x m weights of one (output tile,
  input tile, kernel position), stored zero-padded to the full n x m whatever the remainders;
  ``weight_reads`` = tile reads x ``ceil(n·m·weight_bits / 8 / weight_word_bytes)`` words of
  the weight macro's width (32 B RRAM, 8 B SRAM: Table 4).
* Output write: after the last accumulation of a (pixel, output tile), its ``n_eff`` outputs
  (requantised to act_bits; ``n_eff`` = n, or the remainder in the last tile) are written as
  ``ceil(n_eff / m)`` I/O words (``n`` must be a multiple of ``m`` so words stay aligned).
* Accumulation buffer (pixel-first only): one per PE, depth ``2g`` 32-bit words (ping-pong).
  Per PE, per (group, output tile): the first of its T_i·Kh·Kw accumulations writes without
  reading, each later one reads and writes, and the drain to the I/O buffer reads once; so
  reads = writes = T_i·Kh·Kw per PE per (group, output tile).  Every PE of the array takes
  part in every cycle (lanes of absent pixels/channels accumulate zeros), so
  ``acc_reads = acc_writes = cycles · p · n``.  Kernel-first keeps its sum in the PE's
  accumulator register: no accumulation-buffer access.

The loop nests (pseudo-code; ``in_bounds`` = the input pixel is not padding)
----------------------------------------------------------------------------
Kernel-first (§3.2: the K x K convolution of one group, then the next group)::

    for to in range(T_o):                          # output-channel tile
      for y in range(Ho): for j in range(ceil(Wo/p)):   # pixel group, pe pixels
        for ti in range(T_i):                      # input-channel tile
          for kh in range(Kh):
            r = y*sh + kh - pad_top
            if 0 <= r < H:                         # line register: each used pixel once
              io_reads += |{x0 + i*sw + kw : i < pe, kw < Kw} ∩ [0, W-1]|,  x0 = j*p*sw - pad_left
            for kw in range(Kw):
              cycles += 1; weight_tile_reads += 1  # a new n x m weight tile every cycle
        io_writes += pe * ceil(n_eff/m)            # results leave the PE accumulators once

Raster pixel groups (``pixel_groups = "raster"``; an architecture option, not seed 002's)
-----------------------------------------------------------------------------------------
Seed 002 §3.1 does not say a group stays in one row, but its Table 6 time does
(``tests/test_rram_paper.py::test_table6_time_needs_row_local_pixel_groups``), so ``"row"``
is the paper's and the default.  ``"raster"``: group G is the output pixels G·p .. G·p+p-1
of the map in raster order (``ceil(Ho·Wo / p)`` groups, only the map's last one ragged), and
input pixel (y, x) is stored in RAM ``(y·W + x) mod p`` at word ``(y·W + x) div p`` of its
channel tile.  Why every window is still one cycle (one distinct RAM per lane): with stride 1
and Wo = W ("same" width), lane i's input for tap (kh, kw) has linear index
``(y + kh - pt)·W + x + kw - pl = q + (kh - pt)·W + (kw - pl)`` (q = y·Wo + x its output's
linear index), a constant offset from q whenever the pixel is inside the map; lanes outside
read nothing (padding).  p consecutive q -> p distinct RAMs.  It breaks, so ``"row"`` is kept,
when (``raster_blocker``) a stride is not 1 (input index 2q + y·W + c: not q + constant),
Wo != W ("valid" padding: lanes after a row break are shifted by W - Wo: RAMs collide), or
Wo < p (a group would span more than two output rows; the RTL decides each lane's row with
one comparison).  ``"auto"``: raster for each layer where it applies, row for the others.
Kernel-first's line register reuses lane i+1's pixel of the previous kernel column only
inside one output row: a lane whose right neighbour is in the next row (a *row break*) reads,
so per (group, kernel row) the reads are the span of each row segment of the group.

Pixel-first (§3.2: one weight over g groups, then the next weight), g = acc_depth / 2::

    for to in range(T_o):
      for block in chunks(all groups, g):          # g consecutive groups (last block ragged)
        for ti in range(T_i): for kh in range(Kh): for kw in range(Kw):
          weight_tile_reads += 1                   # held for the whole block
          for (y, j) in block:
            cycles += 1
            io_reads += #{i < pe : input pixel (y*sh+kh-pt, (j*p+i)*sw+kw-pl) in_bounds}
            acc_reads += p*n; acc_writes += p*n    # (0 when there is no accumulation buffer)
        for (y, j) in block: io_writes += pe * ceil(n_eff/m)   # drain

With no accumulation buffer (``acc_depth = 0``) pixel-first is only possible with g = 1 (the PE
accumulator is the only storage): the same nest with blocks of one group, no acc traffic.

Closed forms (what :func:`loop_counts` computes, vectorised over layers)
-----------------------------------------------------------------------
With ``R = #{(y, kh) : 0 <= y*sh + kh - pt < H}`` (valid kernel rows summed over output rows),
``Xw = #{(x, kw) : 0 <= x*sw + kw - pl < W}`` (valid window columns over all output columns),
``Xs`` = kernel-first columns read, summed over one row's groups: the used columns of group j
are the whole span ``[x0, x0 + (pe-1)·sw + Kw - 1]`` when ``Kw >= sw`` (windows overlap or touch)
and ``pe·Kw`` separate columns when ``Kw < sw``, each counted when in ``[0, W)`` (``Xs = Xw``
then),
``P = Ho·ceil(Wo/p)`` groups (raster: ``ceil(Ho·Wo/p)``, and Xs summed over the row segments
of every group, weighted by their rows' valid kernel rows, in place of ``R·Xs``) and
``KK = Kh·Kw``, per convolution group:

    cycles            = T_o · T_i · KK · P
    macs              = M · C · KK · Ho · Wo            (padding taps included, as Layer.macs)
    io_writes         = ceil(M / m) · Ho · Wo
    io_reads          = T_o · T_i · R · Xs              (kernel-first)
                      = T_o · T_i · R · Xw              (pixel-first)
    weight_tile_reads = cycles                          (kernel-first)
                      = T_o · T_i · KK · ceil(P / g)    (pixel-first)
    acc_reads = acc_writes = cycles · p · n             (pixel-first with a buffer), else 0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.rram.params import PIXEL_GROUPS, ArrayParams  # "auto": raster where raster_blocker() is None
from hymem.golden.workloads.layers import Layer

ORDERS = ("kernel_first", "pixel_first")

COUNTS = ("cycles", "macs", "io_reads", "io_writes", "weight_tile_reads", "weight_reads",
          "acc_reads", "acc_writes")


class LoopNestError(ConfigError):
    """A layer, array or loop order the loop nest cannot run."""


@dataclass(frozen=True)
class LoopCounts:
    """Event counts of :func:`loop_counts`, each an int64 array with one entry per layer."""

    cycles: np.ndarray             # ideal array cycles (one kernel position of one tile each)
    macs: np.ndarray               # useful multiply-accumulates
    io_reads: np.ndarray           # I/O buffer words read (m activations of one pixel)
    io_writes: np.ndarray          # I/O buffer words written by the array (its outputs)
    weight_tile_reads: np.ndarray  # n x m weight tiles read from the weight buffer
    weight_reads: np.ndarray       # weight-buffer words of weight_word_bytes read
    acc_reads: np.ndarray          # 32-bit accumulation-buffer words read
    acc_writes: np.ndarray         # 32-bit accumulation-buffer words written

    def as_dict(self, index: int | None = None) -> dict:
        """Plain ints: totals over layers, or layer ``index``'s counts."""
        pick = (lambda a: int(a.sum())) if index is None else (lambda a: int(a[index]))
        return {f.name: pick(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class LayerShape:
    """The geometry of conv-like layers as int64 arrays (one entry per layer)."""

    groups: np.ndarray
    c: np.ndarray      # input channels per group
    h: np.ndarray
    w: np.ndarray
    mo: np.ndarray     # output channels per group
    ho: np.ndarray
    wo: np.ndarray
    kh: np.ndarray
    kw: np.ndarray
    sh: np.ndarray
    sw: np.ndarray
    pt: np.ndarray
    pl: np.ndarray


def layer_shapes(layers: Sequence[Layer]) -> LayerShape:
    """Stack the geometry of conv/fc layers; other kinds are an error naming the layer."""
    rows = []
    for lay in layers:
        if lay.kind not in ("conv", "fc"):
            raise LoopNestError(f"layer {lay.name!r}: kind {lay.kind!r} does not run on the MAC "
                                "array; valid: conv, fc")
        g = lay.groups
        rows.append((g, lay.in_ch // g, lay.in_h, lay.in_w, lay.out_ch // g, lay.out_h,
                     lay.out_w, lay.kernel_h, lay.kernel_w, lay.stride_h, lay.stride_w,
                     lay.pad[0], lay.pad[1]))
    if not rows:
        raise LoopNestError("no conv/fc layers to count")
    cols = np.asarray(rows, dtype=np.int64).T
    return LayerShape(*cols)


def _ceil_div(a, b):
    return -(-a // b)


def _check(array: ArrayParams, order: str, acc_depth: int) -> int:
    """Validate the order and accumulation depth; return g (pixel groups per block)."""
    if order not in ORDERS:
        raise LoopNestError(f"unknown loop order {order!r}; valid: {', '.join(ORDERS)}")
    if array.n % array.m:
        raise LoopNestError(f"array: n={array.n} must be a multiple of m={array.m} "
                            "(outputs are written as I/O words of m channels)")
    if acc_depth < 0 or acc_depth % 2:
        raise LoopNestError(f"accumulation depth {acc_depth} must be 0 (none) or a positive "
                            "even number (2g: ping-pong halves of g)")
    return max(1, acc_depth // 2)


def _row_valid(s: LayerShape) -> np.ndarray:
    """R = #{(y, kh): 0 <= y*sh + kh - pt < H}, per layer."""
    return np.array([_valid_taps(int(ho), int(k), int(st), int(pad), int(size))
                     for ho, k, st, pad, size in zip(s.ho, s.kh, s.sh, s.pt, s.h)],
                    dtype=np.int64)


def _valid_taps(n_out: int, k: int, stride: int, pad: int, size: int) -> int:
    """#{(o, t) : o < n_out, t < k, 0 <= o*stride + t - pad < size}, vectorised over t."""
    t = np.arange(k)
    first = np.clip(_ceil_div(pad - t, stride), 0, n_out)          # smallest o in bounds
    last = np.clip((size - 1 + pad - t) // stride + 1, 0, n_out)   # one past the largest
    return int(np.maximum(last - first, 0).sum())


def _span_columns(wo: int, k: int, stride: int, pad: int, size: int, p: int) -> int:
    """Xs = Σ_j |[j*p*s - pad, j*p*s - pad + (pe_j - 1)*s + k - 1] ∩ [0, size - 1]|."""
    j = np.arange(_ceil_div(wo, p))
    pe = np.minimum(p, wo - j * p)
    lo = j * p * stride - pad
    hi = lo + (pe - 1) * stride + k - 1
    return int(np.maximum(np.minimum(hi, size - 1) - np.maximum(lo, 0) + 1, 0).sum())


def words_per_tile(array: ArrayParams, weight_word_bytes: int) -> int:
    """Weight-buffer words of ``weight_word_bytes`` in one zero-padded n x m weight tile."""
    if weight_word_bytes < 1:
        raise LoopNestError(f"weight word of {weight_word_bytes} B: must be >= 1")
    return math.ceil(array.n * array.m * array.weight_bits / 8 / weight_word_bytes)


def _raster_reason(s: LayerShape, i: int, p: int) -> str | None:
    """Why layer ``i`` of ``s`` cannot use raster pixel groups of ``p`` (None: it can)."""
    if s.sh[i] != 1 or s.sw[i] != 1:
        return (f"stride ({s.sh[i]}, {s.sw[i]}) is not 1: a lane's input index is not its output "
                "index + a constant, so a group's window can need one RAM twice")
    if s.wo[i] != s.w[i]:
        return (f"output width {s.wo[i]} != input width {s.w[i]} (not 'same' padding): lanes "
                "after a row break are shifted by the difference, so RAMs collide")
    if s.wo[i] < p:
        return (f"output width {s.wo[i]} < p = {p}: a group would span more than two output rows "
                "(the RTL gives each lane one of two rows)")
    return None


def raster_blocker(layer: Layer, p: int) -> str | None:
    """Why raster pixel groups (module docstring) cannot run ``layer`` with p-pixel groups, or
    None when they can (stride 1, output width = input width, output width >= p)."""
    return _raster_reason(layer_shapes([layer]), 0, p)


def pixel_group_modes(layers: Sequence[Layer], p: int, pixel_groups: str = "row") -> list[str]:
    """The pixel grouping ("row" or "raster") each layer runs with under ``pixel_groups``:
    "row", "raster" (an error naming the layer and the failing constraint where it cannot
    apply) or "auto" (raster where it applies)."""
    if pixel_groups not in PIXEL_GROUPS:
        raise LoopNestError(f"unknown pixel_groups {pixel_groups!r}; valid: {', '.join(PIXEL_GROUPS)}")
    s = layer_shapes(layers)
    if pixel_groups == "row":
        return ["row"] * len(layers)
    modes = []
    for i, lay in enumerate(layers):
        reason = _raster_reason(s, i, p)
        if reason and pixel_groups == "raster":
            raise LoopNestError(f"layer {lay.name!r}: pixel_groups = 'raster' cannot run it: {reason}; "
                                "use 'row' or 'auto'")
        modes.append("row" if reason else "raster")
    return modes


def raster_segments(ho: int, wo: int, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row segments of raster groups: (output row, first column, last column) of each maximal
    run of a group's pixels inside one output row, in raster order."""
    total = ho * wo
    cuts = np.union1d(np.union1d(np.arange(0, total, p), np.arange(0, total, wo)), [total])
    start, end = cuts[:-1], cuts[1:]
    y = start // wo
    return y, start - y * wo, end - 1 - y * wo


def _raster_kernel_first_reads(s: LayerShape, i: int, p: int) -> int:
    """Σ over row segments of (valid kernel rows of its row) x (its span's columns in the map)."""
    y, xa, xb = raster_segments(int(s.ho[i]), int(s.wo[i]), p)
    kh, kw, pt, pl, h, w = (int(getattr(s, f)[i]) for f in ("kh", "kw", "pt", "pl", "h", "w"))
    rows = np.maximum(np.minimum(kh, h - y + pt) - np.maximum(0, pt - y), 0)
    cols = np.maximum(np.minimum(xb + kw - 1 - pl, w - 1) - np.maximum(xa - pl, 0) + 1, 0)
    return int((rows * cols).sum())


def loop_counts(layers: Sequence[Layer], array: ArrayParams, order: str, acc_depth: int = 0,
                weight_word_bytes: int = 32, pixel_groups: str = "row") -> LoopCounts:
    """Exact counts of the loop nest (module docstring) for each layer, vectorised.

    ``acc_depth``: accumulation-buffer depth 2g (0 = none); ignored by kernel-first.
    ``weight_word_bytes``: width of one weight-buffer access (32 B RRAM, 8 B SRAM; Table 4).
    ``pixel_groups``: "row" (seed 002's, as Table 6's time shows), "raster" or "auto"
    (:func:`pixel_group_modes`).
    """
    g = _check(array, order, acc_depth)
    s = layer_shapes(layers)
    p, n, m = array.p, array.n, array.m
    raster = np.array([mode == "raster" for mode in pixel_group_modes(layers, p, pixel_groups)])
    t_o, t_i = _ceil_div(s.mo, n), _ceil_div(s.c, m)
    kk = s.kh * s.kw
    n_groups = np.where(raster, _ceil_div(s.ho * s.wo, p), s.ho * _ceil_div(s.wo, p))
    cycles = t_o * t_i * kk * n_groups
    rows = _row_valid(s)
    if order == "kernel_first":
        cols = np.array([_span_columns(int(wo), int(k), int(st), int(pad), int(size), p)
                         if k >= st else _valid_taps(int(wo), int(k), int(st), int(pad), int(size))
                         for wo, k, st, pad, size in zip(s.wo, s.kw, s.sw, s.pl, s.w)],
                        dtype=np.int64)
        window = rows * cols
        for i in np.flatnonzero(raster):
            window[i] = _raster_kernel_first_reads(s, int(i), p)
        tiles = cycles
        acc = np.zeros_like(cycles)
    else:
        cols = np.array([_valid_taps(int(wo), int(k), int(st), int(pad), int(size))
                         for wo, k, st, pad, size in zip(s.wo, s.kw, s.sw, s.pl, s.w)],
                        dtype=np.int64)
        window = rows * cols   # each (pixel, tap) inside the map once, whatever the grouping
        tiles = t_o * t_i * kk * _ceil_div(n_groups, g)
        acc = cycles * p * n if acc_depth else np.zeros_like(cycles)
    gr = s.groups
    return LoopCounts(
        cycles=gr * cycles,
        macs=gr * s.mo * s.c * kk * s.ho * s.wo,
        io_reads=gr * t_o * t_i * window,
        io_writes=gr * _ceil_div(s.mo, m) * s.ho * s.wo,
        weight_tile_reads=gr * tiles,
        weight_reads=gr * tiles * words_per_tile(array, weight_word_bytes),
        acc_reads=gr * acc,
        acc_writes=gr * acc,
    )


def pixel_group_lanes(ho: int, wo: int, p: int, mode: str) -> list[list[tuple[int, int]]]:
    """Every pixel group's output pixels (y, x) lane by lane, in the nest's order."""
    if mode == "raster":
        return [[divmod(q, wo) for q in range(start, min(start + p, ho * wo))]
                for start in range(0, ho * wo, p)]
    return [[(y, x) for x in range(j * p, min(j * p + p, wo))]
            for y in range(ho) for j in range(_ceil_div(wo, p))]


def reference_counts(layer: Layer, array: ArrayParams, order: str, acc_depth: int = 0,
                     weight_word_bytes: int = 32, pixel_groups: str = "row") -> dict:
    """Walk the loop nest of the module docstring in plain Python and count (tests only).

    Kernel-first reads follow the line-register rule lane by lane (the closed form uses the
    spans): lane i keeps lane i+1's pixel of ``sw`` columns before when kw >= sw and lane i+1
    is in the same output row; every other lane inside the map reads."""
    g = _check(array, order, acc_depth)
    mode, = pixel_group_modes([layer], array.p, pixel_groups)
    s = layer_shapes([layer])
    gr, c, h, w, mo, ho, wo, kh_, kw_, sh, sw, pt, pl = (int(getattr(s, f.name)[0])
                                                         for f in fields(s))
    n, m = array.n, array.m
    counts = dict.fromkeys(COUNTS, 0)
    groups = pixel_group_lanes(ho, wo, array.p, mode)
    for _ in range(gr):
        for to in range(_ceil_div(mo, n)):
            n_eff = min(n, mo - to * n)
            blocks = [[grp] for grp in groups] if order == "kernel_first" else \
                [groups[i:i + g] for i in range(0, len(groups), g)]
            for block in blocks:
                _walk_block(block, counts, order, acc_depth, (c, h, w, kh_, kw_, sh, sw, pt, pl),
                            array)
                for lanes in block:
                    counts["io_writes"] += len(lanes) * _ceil_div(n_eff, m)
                    counts["macs"] += len(lanes) * n_eff * c * kh_ * kw_
    counts["weight_reads"] = counts["weight_tile_reads"] * words_per_tile(array,
                                                                          weight_word_bytes)
    return counts


def _walk_block(block, counts, order, acc_depth, geom, array):
    c, h, w, kh_, kw_, sh, sw, pt, pl = geom
    p, n, m = array.p, array.n, array.m

    def inside(y, x, kh, kw):
        return 0 <= y * sh + kh - pt < h and 0 <= x * sw + kw - pl < w

    for _ti in range(_ceil_div(c, m)):
        for kh in range(kh_):
            for kw in range(kw_):
                counts["weight_tile_reads"] += 1
                for lanes in block:
                    counts["cycles"] += 1
                    for i, (y, x) in enumerate(lanes):
                        kept = (order == "kernel_first" and kw >= sw and i + 1 < len(lanes)
                                and lanes[i + 1][0] == y)
                        counts["io_reads"] += inside(y, x, kh, kw) and not kept
                    if order == "pixel_first" and acc_depth:
                        counts["acc_reads"] += p * n
                        counts["acc_writes"] += p * n


__all__ = ["COUNTS", "ORDERS", "PIXEL_GROUPS", "LayerShape", "LoopCounts", "LoopNestError",
           "layer_shapes", "loop_counts", "pixel_group_lanes", "pixel_group_modes", "raster_blocker",
           "raster_segments", "reference_counts", "words_per_tile"]
