"""Data-access traces of CNN inference on one in-order core (ARM Compute Library style).

A model of how an ACL-style float32 kernel walks memory at batch 1 (seed 000 §V-B), built
vectorised in NumPy from a zoo network.  Tensors are NHWC float32.  Per convolution
(per group) the GEMM is ``C[M x N] = A[M x K] B[K x N]`` with M = output pixels,
K = input channels per group x kernel area, N = output channels per group:

1. **im2col** (skipped for 1x1, stride-1, unpadded convolutions, whose input already is
   A): for each output pixel and kernel tap, the tap's input channels are copied with
   128-bit loads and stores into the im2col buffer; taps in the padding store zeros.
2. **A interleave** (arm_gemm style): per k-block, each block of ``tile_m`` rows is
   copied into a panel (``tile_m`` floats per k, contiguous).
3. **Blocked SGEMM**: ``for k-block: for x-block: for row-block: for 12-column strip:
   for k:`` the micro-kernel loads 2 A vectors (8 floats) and 3 B vectors (12 floats),
   128-bit each, spending ``compute_cycles_per_kstep`` cycles on its FMLAs; after the
   k-block it stores the 8 x 12 C tile (loading it first when accumulating a later
   k-block).  B (the weights) is pre-transposed at load time into 12-column strips per
   k-block and lives in the reserved eNVRAM range (§IV-B); everything else does not.
   Blocking: ``k_block`` and ``x_block`` are balanced over K and N (at most the
   configured sizes).
4. **Pooling, residual add, concatenation**: 128-bit loads of every input run and
   stores of the output run per output pixel.

Fully connected layers are GEMMs with M = 1.  Activations (ReLU) and batch norm are
fused into the convolution (no accesses).  Accesses that would cross a 64-byte line are
split in two at the line boundary.

Scale (stated, because the full trace of Inception-v4 is ~0.7 G accesses): when
``max_rows > 0`` each layer computes only its first ``max_rows`` output pixels (all
output channels, all weights): every weight is still read, but only
``ceil(max_rows / tile_m)`` times instead of ``ceil(M / tile_m)`` times.  The mix of
access kinds per MAC is unchanged; weight reuse is shortened.

Values: weights are float32 uniform in ±``weight_scale`` (the memory image); every store
writes a fresh float32 activation (half zeros after ReLU, the rest uniform in [0, 1)),
drawn from a seeded generator; the network input image is float32 uniform in ±0.5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from hymem.golden.workloads import get_network

from .trace import Region, Trace

F32 = 4
VEC = 16          # 128-bit NEON vector
LINE = 64
WEIGHT_SCALE = 0.05


@dataclass
class _Emitter:
    """Accumulates access batches (addr, size, write, gap) in program order."""

    addr: list = field(default_factory=list)
    size: list = field(default_factory=list)
    write: list = field(default_factory=list)
    gap: list = field(default_factory=list)

    def emit(self, addr, size, write, gap=0) -> None:
        addr = np.asarray(addr, dtype=np.int64)
        if not addr.size:
            return
        shape = addr.shape
        self.addr.append(addr.ravel())
        for dest, value, dt in ((self.size, size, np.int64), (self.write, write, np.uint8),
                                (self.gap, gap, np.int64)):
            dest.append(np.broadcast_to(np.asarray(value, dt), shape).ravel())

    def arrays(self):
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        return (cat(self.addr, np.int64), cat(self.size, np.int64), cat(self.write, np.uint8),
                cat(self.gap, np.int64))


def _chunks(nbytes: int) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and sizes of the 128-bit vectors covering a run of ``nbytes``."""
    offs = np.arange(0, nbytes, VEC, dtype=np.int64)
    return offs, np.minimum(VEC, nbytes - offs)


def _copy(em: _Emitter, src: np.ndarray, dst: np.ndarray, nbytes: int,
          load_mask: np.ndarray | None = None) -> None:
    """Copy runs of ``nbytes`` (vector by vector: load then store); masked runs only store."""
    offs, sizes = _chunks(nbytes)
    runs = len(dst)
    a = np.empty((runs, len(offs), 2), np.int64)
    a[:, :, 0] = src[:, None] + offs
    a[:, :, 1] = dst[:, None] + offs
    s = np.broadcast_to(sizes[None, :, None], a.shape)
    w = np.broadcast_to(np.array([0, 1], np.uint8), a.shape)
    keep = np.ones(a.shape, bool)
    if load_mask is not None:
        keep[:, :, 0] = load_mask[:, None]
    em.emit(a[keep], s[keep], w[keep])


class _Layout:
    """Addresses: weights in the reserved range, activations and scratch outside it."""

    def __init__(self, wp):
        self.w_next = wp.nvm_base
        self.w_end = wp.nvm_base + wp.nvm_size
        self.a_next = wp.act_base
        self.scratch = wp.scratch_base
        self.tensors: dict[str, tuple[int, int, int, int]] = {}  # name -> addr, C, H, W

    def weights(self, nbytes: int) -> int:
        addr = self.w_next
        self.w_next += -(-nbytes // LINE) * LINE
        if self.w_next > self.w_end:
            raise ValueError(f"weights need {self.w_next - addr} B more than the reserved "
                             f"range of {self.w_end - addr} B")
        return addr

    def tensor(self, name: str, c: int, h: int, w: int) -> int:
        addr = self.a_next
        self.a_next += -(-(c * h * w * F32) // LINE) * LINE
        self.tensors[name] = (addr, c, h, w)
        return addr


def _balanced(total: int, limit: int, unit: int = 1) -> int:
    """Block size <= limit (a multiple of ``unit``) splitting ``total`` into equal blocks."""
    blocks = _ceil_div(total, limit)
    return _ceil_div(_ceil_div(total, blocks), unit) * unit


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _conv_like(em, lay, layout, wp, rows: int, src: tuple, out_addr: int) -> None:
    """im2col + interleave + blocked SGEMM of a conv or fc layer (every group)."""
    in_addr, cin, _h, _w = src
    g = lay.groups if lay.kind == "conv" else 1
    cin_g, n = cin // g, lay.out_ch // g
    kh, kw = (lay.kernel_h, lay.kernel_w) if lay.kind == "conv" else (1, 1)
    k = cin_g * kh * kw if lay.kind == "conv" else lay.in_ch  # fc: the flattened input
    m_total = lay.out_h * lay.out_w if lay.kind == "conv" else 1
    m = m_total if not rows else min(rows, m_total)
    direct = lay.kind == "fc" or (kh == kw == 1 and lay.stride_h == lay.stride_w == 1
                                  and not any(lay.pad))
    for grp in range(g):
        if direct:
            a_rows = in_addr + (np.arange(m) * (cin if lay.kind == "conv" else k)
                                + grp * cin_g) * F32
        else:
            a_rows = _im2col(em, lay, layout, m, src, grp, cin_g, k)
        _gemm(em, layout, wp, a_rows, m, k, n, out_addr + grp * n * F32, lay.out_ch)


def _im2col(em, lay, layout, m, src, grp, cin_g, k) -> np.ndarray:
    in_addr, cin, h, w = src
    pix = np.arange(m)
    oh, ow = pix // lay.out_w, pix % lay.out_w
    ti, tj = np.divmod(np.arange(lay.kernel_h * lay.kernel_w), lay.kernel_w)
    ih = oh[:, None] * lay.stride_h - lay.pad[0] + ti[None, :]
    iw = ow[:, None] * lay.stride_w - lay.pad[1] + tj[None, :]
    inside = (ih >= 0) & (ih < h) & (iw >= 0) & (iw < w)
    src_addr = in_addr + ((np.clip(ih, 0, h - 1) * w + np.clip(iw, 0, w - 1)) * cin
                          + grp * cin_g) * F32
    a_base = layout.scratch
    a_rows = a_base + np.arange(m) * k * F32
    dst = a_rows[:, None] + np.arange(lay.kernel_h * lay.kernel_w)[None, :] * cin_g * F32
    _copy(em, src_addr.ravel(), dst.ravel(), cin_g * F32, inside.ravel())
    return a_rows


def _gemm(em, layout, wp, a_rows, m, k, n, c_addr, c_stride_ch) -> None:
    tm, tn = wp.tile_m, wp.tile_n
    n_pad = -(-n // tn) * tn
    b_addr = layout.weights(k * n_pad * F32)
    kb = _balanced(k, wp.k_block)
    xb = _balanced(n_pad, wp.x_block, tn)
    row_blocks = -(-m // tm)
    panel = layout.scratch + 0x0400_0000   # A panels, after the im2col buffer
    for k0 in range(0, k, kb):
        kl = min(kb, k - k0)
        _interleave(em, a_rows, m, k0, kl, tm, panel)
        for x0 in range(0, n_pad, xb):
            strips = np.arange(x0, min(x0 + xb, n_pad), tn) // tn
            for r0 in range(0, row_blocks, 64):  # bounded memory for long layers
                _kernel_block(em, wp, panel, b_addr + k0 * n_pad * F32,
                              np.arange(r0, min(r0 + 64, row_blocks)), strips, kl, m, n,
                              c_addr, c_stride_ch, accumulate=k0 > 0)


def _interleave(em, a_rows, m, k0, kl, tm, panel) -> None:
    """Copy rows ``k0:k0+kl`` of A into ``tm``-row panels (load 8 rows, store the panel)."""
    row_blocks = -(-m // tm)
    offs, sizes = _chunks(kl * F32)
    rows = np.arange(row_blocks * tm)
    valid = rows < m
    src = np.where(valid, a_rows[np.minimum(rows, m - 1)], 0) + k0 * F32
    loads = (src.reshape(row_blocks, tm)[:, None, :] + offs[None, :, None])
    # the panel holds tm floats per k: a chunk of 4 k values of tm rows is tm vectors
    stores = (panel + np.arange(row_blocks)[:, None, None] * kl * tm * F32
              + offs[None, :, None] * tm + np.arange(tm)[None, None, :] * VEC)
    ops = np.concatenate([loads, stores], axis=2)           # (rb, chunk, 2 tm)
    size = np.broadcast_to(np.concatenate([np.broadcast_to(sizes[:, None], (len(offs), tm)),
                                           np.broadcast_to(sizes[:, None] * 0 + VEC,
                                                           (len(offs), tm))], axis=1),
                           ops.shape)
    write = np.broadcast_to(np.repeat(np.array([0, 1], np.uint8), tm), ops.shape)
    keep = np.concatenate([np.broadcast_to(valid.reshape(row_blocks, 1, tm), loads.shape),
                           np.ones(stores.shape, bool)], axis=2)
    em.emit(ops[keep], size[keep], write[keep])


def _kernel_block(em, wp, panel, b_kblock, rb, strips, kl, m, n, c_addr, c_stride,
                  accumulate: bool) -> None:
    """Micro-kernel over (row-block, strip, k) for one (k-block, x-block), then C tiles."""
    tm, tn = wp.tile_m, wp.tile_n
    row_blocks = len(rb)
    ks = np.arange(kl)
    a_vecs = (panel + rb[:, None, None, None] * kl * tm * F32 + ks[None, None, :, None] * tm * F32
              + np.arange(tm // 4)[None, None, None, :] * VEC)
    b_vecs = (b_kblock + strips[None, :, None, None] * kl * tn * F32
              + ks[None, None, :, None] * tn * F32 + np.arange(tn // 4)[None, None, None, :] * VEC)
    shape = (row_blocks, len(strips), kl)
    loads = np.concatenate([np.broadcast_to(a_vecs, shape + (tm // 4,)),
                            np.broadcast_to(b_vecs, shape + (tn // 4,))], axis=3)
    per_k = loads.shape[3]
    gap = np.zeros(per_k, np.int64)
    gap[0] = wp.compute_cycles_per_kstep
    loads = loads.reshape(row_blocks * len(strips), kl * per_k)
    gaps = np.broadcast_to(np.tile(gap, kl), loads.shape)
    # C tile: rows x vectors of the strip's valid columns; load (if accumulating) + store
    rows = rb[:, None, None, None] * tm + np.arange(tm)[None, None, :, None]
    cols = strips[None, :, None, None] * tn + np.arange(0, tn, 4)[None, None, None, :]
    valid = np.broadcast_to((rows < m) & (cols < n), (row_blocks, len(strips), tm, tn // 4))
    c = np.broadcast_to(c_addr + (rows * c_stride + cols) * F32, valid.shape)
    c_size = np.broadcast_to(np.minimum(4, n - cols) * F32, valid.shape)
    if accumulate:
        c_ops = np.stack([c, c], axis=4)
        c_w = np.broadcast_to(np.array([0, 1], np.uint8), c_ops.shape)
        c_sz = np.stack([c_size, c_size], axis=4)
        c_keep = np.stack([valid, valid], axis=4)
    else:
        c_ops, c_w, c_sz, c_keep = c[..., None], np.ones(c.shape + (1,), np.uint8), \
            c_size[..., None], valid[..., None]
    flat = row_blocks * len(strips)
    c_ops, c_w, c_sz, c_keep = (x.reshape(flat, -1) for x in (c_ops, c_w, c_sz, c_keep))
    ops = np.concatenate([loads, c_ops], axis=1)
    keep = np.concatenate([np.ones(loads.shape, bool), c_keep], axis=1)
    size = np.concatenate([np.full(loads.shape, VEC, np.int64), c_sz], axis=1)
    write = np.concatenate([np.zeros(loads.shape, np.uint8), c_w], axis=1)
    gap = np.concatenate([gaps, np.zeros(c_ops.shape, np.int64)], axis=1)
    em.emit(ops[keep], size[keep], write[keep], gap[keep])


def _elementwise(em, lay, layout, rows: int, srcs: list, out_addr: int) -> None:
    """Pooling, add, concat: per sampled output pixel, load input runs, store the output."""
    m_total = lay.out_h * lay.out_w
    m = m_total if not rows else min(rows, m_total)
    pix = np.arange(m)
    oh, ow = pix // lay.out_w, pix % lay.out_w
    if lay.kind in ("maxpool", "avgpool"):
        in_addr, c, h, w = srcs[0]
        ti, tj = np.divmod(np.arange(lay.kernel_h * lay.kernel_w), lay.kernel_w)
        ih = oh[:, None] * lay.stride_h - lay.pad[0] + ti[None, :]
        iw = ow[:, None] * lay.stride_w - lay.pad[1] + tj[None, :]
        inside = (ih >= 0) & (ih < h) & (iw >= 0) & (iw < w)
        offs, sizes = _chunks(c * F32)
        src = in_addr + (ih * w + iw) * c * F32
        for p in range(m):  # window loads, then the output run
            em.emit(src[p, inside[p]][:, None] + offs[None, :],
                    np.broadcast_to(sizes, (int(inside[p].sum()), len(offs))), 0)
            em.emit(out_addr + p * c * F32 + offs, sizes, 1)
        return
    ch0 = 0
    for in_addr, c, _h, _w in srcs:
        if lay.kind == "add":   # out = sum of inputs: load each, store once below
            offs, sizes = _chunks(c * F32)
            em.emit(in_addr + pix[:, None] * c * F32 + offs[None, :],
                    np.broadcast_to(sizes, (m, len(offs))), 0)
        else:                   # concat: copy the input's channels into its output slice
            _copy(em, in_addr + pix * c * F32, out_addr + (pix * lay.out_ch + ch0) * F32,
                  c * F32)
        ch0 += c
    if lay.kind == "add":
        offs, sizes = _chunks(lay.out_ch * F32)
        em.emit(out_addr + pix[:, None] * lay.out_ch * F32 + offs[None, :],
                np.broadcast_to(sizes, (m, len(offs))), 1)


def _split_lines(addr, size, write, gap):
    """Split accesses crossing a 64-byte line into two (the second with no gap)."""
    cross = (addr % LINE) + size > LINE
    if not cross.any():
        return addr, size, write, gap
    first = np.where(cross, LINE - addr % LINE, size)
    reps = np.where(cross, 2, 1)
    idx = np.repeat(np.arange(len(addr)), reps)
    second = np.zeros(len(idx), bool)
    second[np.cumsum(reps)[cross] - 1] = True
    a = addr[idx] + np.where(second, first[idx], 0)
    s = np.where(second, size[idx] - first[idx], first[idx])
    g = np.where(second, 0, gap[idx])
    return a, s, write[idx], g


def network_trace(name: str, config, max_rows: int | None = None) -> Trace:
    """The inference trace of zoo network ``name`` under ``config.workload``."""
    wp = config.workload
    rows = wp.max_rows if max_rows is None else max_rows
    net = get_network(name)
    layout = _Layout(wp)
    em = _Emitter()
    layout.tensor("input", *net.input_shape)
    for lay in net.layers:
        srcs = [layout.tensors[x] for x in lay.inputs]
        out = layout.tensor(lay.name, lay.out_ch, lay.out_h, lay.out_w)
        if lay.kind in ("conv", "fc"):
            _conv_like(em, lay, layout, wp, rows, srcs[0], out)
        else:
            _elementwise(em, lay, layout, rows, srcs, out)
    addr, size, write, gap = _split_lines(*em.arrays())
    rng = np.random.default_rng(wp.seed)
    n_st = int(write.sum())
    act = rng.random((n_st, 4), dtype=np.float32)
    act[rng.random((n_st, 4)) < 0.5] = 0.0
    image = (Region(wp.nvm_base, layout.w_next, "float32", wp.seed, WEIGHT_SCALE),
             Region(*_input_region(layout), "float32", wp.seed + 1, 0.5))
    meta = {"network": net.name, "max_rows": rows, "weights_bytes": layout.w_next - wp.nvm_base,
            "activation_bytes": layout.a_next - wp.act_base,
            "kernel": f"sgemm {wp.tile_m}x{wp.tile_n}, k_block<={wp.k_block}, "
                      f"x_block<={wp.x_block}"}
    return Trace(addr.astype(np.uint64), write, size, gap,
                 act.astype("<f4").view(np.uint8).reshape(n_st, 16), image, meta)


def _input_region(layout) -> tuple[int, int]:
    addr, c, h, w = layout.tensors["input"]
    return addr, addr + math.ceil(c * h * w * F32 / LINE) * LINE
