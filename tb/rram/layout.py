"""How a tile's operands lie in the RTL's buffers (``rtl.rram.window_select``), as load words.

Pure NumPy packing, shared by the cocotb harness, the benchmark and pytest checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from hymem.golden.rram.rtl_params import LoadTarget, Reg, RtlParams
from hymem.golden.rram.rtl_timing import Tile

TARGET_IO, TARGET_WEIGHT, TARGET_BIAS = (int(t) for t in LoadTarget)


@dataclass(frozen=True, eq=False)
class Requant:
    """A tile's output requantisation (``golden.rram.functional.requantize_sums``): SHIFT,
    RELU and the per-output-channel biases, aligned to the accumulator (empty = zeros)."""

    shift: int = 0
    relu: bool = False
    bias: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def biases(self, out_ch: int) -> np.ndarray:
        return self.bias if len(self.bias) else np.zeros(out_ch, dtype=np.int64)


def io_strides(tile: Tile, rtl: RtlParams) -> dict[str, int]:
    """CHAN/ROW/PHASE strides of the input map: ``(x mod s, (x div s) div p)`` words per row;
    raster groups: ``ceil(H·W / p)`` words per channel group (row and phase strides unused)."""
    if tile.pixel_groups == "raster":
        return {"phase": 0, "row": 0, "chan": math.ceil(tile.in_h * tile.in_w / rtl.p)}
    phase = math.ceil(math.ceil(tile.in_w / tile.stride) / rtl.p)
    row = tile.stride * phase
    return {"phase": phase, "row": row, "chan": tile.in_h * row}


def pack_lanes(values: np.ndarray, bits: int) -> list[int]:
    """Rows of signed lanes -> one int per row, lane k at bits [k·bits, (k+1)·bits)."""
    values = np.asarray(values, dtype=np.int64) & ((1 << bits) - 1)
    words = np.zeros(values.shape[0], dtype=object)
    for k in range(values.shape[1]):
        words = words + (values[:, k].astype(object) << (k * bits))
    return [int(w) for w in words]


def io_words(x: np.ndarray, tile: Tile, rtl: RtlParams) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """(ram, addr, word) of every stored word of (C, H, W) int8 activations (padding not stored)."""
    groups = math.ceil(tile.in_ch / rtl.m)
    lanes = np.zeros((groups * rtl.m, tile.in_h, tile.in_w), dtype=np.int64)
    lanes[: tile.in_ch] = x
    st = io_strides(tile, rtl)
    cg, y, col = np.meshgrid(
        np.arange(groups), np.arange(tile.in_h), np.arange(tile.in_w), indexing="ij"
    )
    cg, y, col = cg.ravel(), y.ravel(), col.ravel()
    data = lanes.reshape(groups, rtl.m, tile.in_h, tile.in_w)[cg, :, y, col]  # (words, m)
    if tile.pixel_groups == "raster":  # pixel j = y·W + x of the map in RAM j mod p
        j = y * tile.in_w + col
        return j % rtl.p, cg * st["chan"] + j // rtl.p, pack_lanes(data, 8)
    q = col // tile.stride
    addr = cg * st["chan"] + y * st["row"] + (col % tile.stride) * st["phase"] + q // rtl.p
    return q % rtl.p, addr, pack_lanes(data, 8)


def weight_words(w: np.ndarray, tile: Tile, rtl: RtlParams) -> list[int]:
    """Weight tile (o, c, ky, kx) -> word (o·in_groups + c)·K² + ky·K + kx, element [c'][j] at
    bits (c'·n + j)·8 = w[o·n + j, c·m + c', ky, kx] (zero beyond the channels)."""
    k, m, n = tile.kernel, rtl.m, rtl.n
    go, gi = math.ceil(tile.out_ch / n), math.ceil(tile.in_ch / m)
    full = np.zeros((go * n, gi * m, k, k), dtype=np.int64)
    full[: tile.out_ch, : tile.in_ch] = w
    tiles = full.reshape(go, n, gi, m, k, k).transpose(0, 2, 4, 5, 3, 1)  # o, c, ky, kx, c', j
    return pack_lanes(tiles.reshape(-1, m * n), 8)


def bias_words(bias: np.ndarray, rtl: RtlParams, acc_bits: int = 32) -> list[int]:
    """(M,) accumulator-aligned biases -> one word per output-channel group, channel j of the
    group at bits [j·acc_bits, (j+1)·acc_bits) (zero beyond the channels)."""
    groups = math.ceil(len(bias) / rtl.n)
    full = np.zeros(groups * rtl.n, dtype=np.int64)
    full[: len(bias)] = bias
    return pack_lanes(full.reshape(groups, rtl.n), acc_bits)


def registers(
    tile: Tile, rtl: RtlParams, weight_base: int = 0, requant: Requant | None = None, bias_base: int = 0
) -> dict[Reg, int]:
    st = io_strides(tile, rtl)
    requant = requant or Requant()
    return {
        Reg.IN_CH: tile.in_ch,
        Reg.OUT_CH: tile.out_ch,
        Reg.KERNEL: tile.kernel,
        Reg.STRIDE: tile.stride,
        Reg.IN_ROWS: tile.in_h,
        Reg.IN_COLS: tile.in_w,
        Reg.OUT_ROWS: tile.out_h,
        Reg.OUT_COLS: tile.out_w,
        Reg.PAD_TOP: tile.pad[0],
        Reg.PAD_LEFT: tile.pad[1],
        Reg.ORDER: int(tile.order),
        Reg.GROUPS: tile.groups,
        Reg.CHAN_STRIDE: st["chan"],
        Reg.ROW_STRIDE: st["row"],
        Reg.PHASE_STRIDE: st["phase"],
        Reg.WEIGHT_BASE: weight_base,
        Reg.PIXEL_GROUPS: int(tile.pixel_groups == "raster"),
        Reg.SHIFT: requant.shift,
        Reg.RELU: int(requant.relu),
        Reg.BIAS_BASE: bias_base,
    }


def unpack_entry(bits: int, rtl: RtlParams, acc_bits: int = 32) -> np.ndarray:
    """An ``out`` entry's data -> (p, n) signed accumulators ([i][j] at bit (i·n + j)·acc_bits)."""
    mask, half = (1 << acc_bits) - 1, 1 << (acc_bits - 1)
    vals = [(bits >> (k * acc_bits)) & mask for k in range(rtl.p * rtl.n)]
    return np.array(
        [v - (1 << acc_bits) if v >= half else v for v in vals], dtype=np.int64
    ).reshape(rtl.p, rtl.n)


def entry_coords(tile: Tile, rtl: RtlParams) -> list[tuple[int, int, int]]:
    """(oc, row, col) of every ``out`` entry a tile drains (raster: row 0, col = group in the map)."""
    if tile.pixel_groups == "raster":
        lines, per_line = 1, math.ceil(tile.out_h * tile.out_w / rtl.p)
    else:
        lines, per_line = tile.out_h, math.ceil(tile.out_w / rtl.p)
    return [(o, r, c) for o in range(math.ceil(tile.out_ch / rtl.n)) for r in range(lines)
            for c in range(per_line)]


def lines_view(out: np.ndarray, tile: Tile) -> np.ndarray:
    """The (M, Ho, Wo) result as ``place_entry`` addresses it: itself, or (M, 1, Ho·Wo) with
    raster groups (a view: writes land in ``out``)."""
    if tile.pixel_groups == "raster":
        view = out.view()
        view.shape = (out.shape[0], 1, out.shape[1] * out.shape[2])
        return view
    return out


def unpack_q(bits: int, rtl: RtlParams) -> np.ndarray:
    """An ``out`` entry's ``q`` -> (p, n) int8 ([i][j] at bit (i·n + j)·8)."""
    return np.array(unpack_acts(bits, rtl.p, rtl.n), dtype=np.int64)


def place_entry(
    out: np.ndarray, entry: np.ndarray, oc: int, row: int, col: int, rtl: RtlParams
) -> None:
    """Write an entry's valid pixels and channels into the (M, lines, pixels per line) result
    (``lines_view``)."""
    m_total, _, wo = out.shape
    x0, c0 = col * rtl.p, oc * rtl.n
    px, ch = min(rtl.p, wo - x0), min(rtl.n, m_total - c0)
    out[c0 : c0 + ch, row, x0 : x0 + px] = entry[:px, :ch].T


def unpack_acts(bits: int, p: int, m: int) -> list:
    """A p x m activation port (``act_layout``) -> signed values, [i][c] at bit (i·m + c)·8."""
    lanes = [(bits >> (8 * k)) & 0xFF for k in range(p * m)]
    return np.array([v - 256 if v >= 128 else v for v in lanes]).reshape(p, m).tolist()
