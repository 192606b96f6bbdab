"""Window selection: which I/O-buffer words a step reads, per PE row (seed 002 Fig. 1c)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.rram.rtl_params import Order, RtlParams
from hymem.rtl.rram.tile import tile_layout


class WindowSelect(wiring.Component):
    """Addresses and lane enables of the window of one step (combinational).

    Storage (padding is not stored): input pixel (channel group c, row y, column x) is the
    word at ``c·chan_stride + y·row_stride + (x mod s)·phase_stride + (q div p)`` of RAM
    ``q mod p``, with q = x div s.  So the p pixels x0 + i·s of a window are p consecutive
    q of one stride phase: p different RAMs, one cycle (for stride 1 this is Fig. 1c's
    "pixel x in RAM x mod p").

    For PE row i of output group gi, row oy, kernel position (ky, kx): input row
    y = oy·s + ky - pad_top, column x = (gi·p + i)·s + kx - pad_left.  Lane i is *valid*
    when the output pixel exists (gi·p + i < Wo) and (y, x) is inside the map; padding and
    absent pixels are zeros that are not read.  In kernel-first order a line register
    (``LineRegister``) supplies the pixels an earlier kernel column of the same row pass
    already read: lane i *keeps* when kx >= s and i is not the group's last pixel (its pixel
    is lane i + 1's of s steps before); only the other valid lanes are *read*.

    Parameters
    ----------
    rtl : RtlParams

    Members
    -------
    tile : In(tile_layout)
    c, oy, gi, ky, kx : In
        The step's input-channel group, output row, group in the row, kernel position.
    addr : Out(ArrayLayout(range(io_depth), p))
        Address in each RAM.
    rotate : Out(range(p))
        RAM of PE row 0's pixel.
    valid, read, keep : Out(p)
        Per PE row: inside the map; read from the RAMs; taken from the line register.
    pixels : Out(range(p + 1))
        Output pixels of the group (pe: p, or fewer in a row's ragged last group).
    """

    def __init__(self, rtl: RtlParams):
        self.rtl = rtl
        bits = rtl.reg_bits
        super().__init__(
            {
                "tile": In(tile_layout(rtl)),
                "c": In(bits),
                "oy": In(bits),
                "gi": In(bits),
                "ky": In(range(rtl.max_kernel)),
                "kx": In(range(rtl.max_kernel)),
                "addr": Out(data.ArrayLayout(range(rtl.io_depth), rtl.p)),
                "rotate": Out(range(rtl.p)),
                "valid": Out(rtl.p),
                "read": Out(rtl.p),
                "keep": Out(rtl.p),
                "pixels": Out(range(rtl.p + 1)),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        rtl, t, p = self.rtl, self.tile, self.rtl.p
        bits = rtl.reg_bits
        two = t.stride == 2
        row = Signal(signed(2 * bits + 2))  # input row y
        e = Signal(signed(bits + 2))  # kx - pad_left
        d = Signal(signed(bits + 2))  # e div s (floor): column shift in q units
        phase = Signal()
        base = Signal(4 * bits + 4)
        first_pixel = Signal(bits + exact_log2(p))  # gi·p
        mod.d.comb += [
            row.eq(self.oy * t.stride + self.ky - t.pad_top),
            e.eq(self.kx - t.pad_left),
            d.eq(e >> two),
            phase.eq(two & e[0]),
            base.eq(
                self.c * t.chan_stride
                + row.as_unsigned() * t.row_stride
                + phase * t.phase_stride
                + self.gi
                + (d >> exact_log2(p)).as_unsigned()
            ),
            self.rotate.eq(d[: exact_log2(p)] if p > 1 else 0),
            first_pixel.eq(self.gi << exact_log2(p)),
        ]
        row_ok = (row >= 0) & (row < t.in_rows)
        kernel_first = t.order == Order.KERNEL_FIRST
        pixels = 0
        for i in range(p):
            x = Signal(signed(2 * bits + 4), name=f"col{i}")
            exists = Signal(name=f"exists{i}")
            mod.d.comb += [
                x.eq(((first_pixel + i) << two) + e),
                exists.eq(first_pixel + i < t.out_cols),
                self.valid[i].eq(exists & row_ok & (x >= 0) & (x < t.in_cols)),
                # lane i + 1 of s steps before read this pixel (never for the group's last lane)
                self.keep[i].eq(
                    kernel_first & (self.kx >= t.stride) & (first_pixel + i + 1 < t.out_cols)
                    if i + 1 < p
                    else 0
                ),
                self.read[i].eq(self.valid[i] & ~self.keep[i]),
            ]
            pixels = pixels + exists
        mod.d.comb += self.pixels.eq(pixels)
        for r in range(p):  # RAM r holds the window's pixel of the next word row when r < rotate
            mod.d.comb += self.addr[r].eq(base + (self.rotate > r) if r < p - 1 else base)
        return mod
