"""Window selection: which I/O-buffer words a step reads, per PE row (seed 002 Fig. 1c)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
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

    Raster groups (``PIXEL_GROUPS`` = 1; stride 1, out_cols = in_cols >= p, checked at
    START): group gi is the map's output pixels gi·p + i in raster order, its first at
    (oy, ox); lane i is in row oy, or oy + 1 when ox + i >= out_cols.  Input pixel (y, x) is
    word ``c·chan_stride + (y·W + x) div p`` of RAM ``(y·W + x) mod p``; a valid lane's pixel
    is L0 + i with L0 = (oy + ky - pad_top)·W + ox + kx - pad_left, so the window is again p
    different RAMs rotated by ``L0 mod p``.  A lane keeps only when lane i + 1 is in its row.

    Parameters
    ----------
    rtl : RtlParams

    Members
    -------
    tile : In(tile_layout)
    c, oy, gi, ky, kx : In
        The step's input-channel group, output row, group in the row, kernel position
        (raster: row of the group's first pixel, group in the map).
    ox : In(reg_bits)
        Raster groups: the output column of the group's first pixel.
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
                "ox": In(bits),
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
        raster = t.pixel_groups[0]
        row = Signal(signed(2 * bits + 2))  # input row y (of lane 0's output row)
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
            first_pixel.eq(self.gi << exact_log2(p)),
        ]
        raster_base, raster_rotate = self.raster_address(mod, row, e)
        with mod.If(raster):
            mod.d.comb += [base.eq(raster_base), self.rotate.eq(raster_rotate)]
        with mod.Else():
            mod.d.comb += [
                base.eq(
                    self.c * t.chan_stride
                    + row.as_unsigned() * t.row_stride
                    + phase * t.phase_stride
                    + self.gi
                    + (d >> exact_log2(p)).as_unsigned()
                ),
                self.rotate.eq(d[: exact_log2(p)] if p > 1 else 0),
            ]
        kernel_first = t.order == Order.KERNEL_FIRST
        wrap = [Signal(name=f"wrap{i}") for i in range(p)]  # raster: lane i in row oy + 1
        exists = [Signal(name=f"exists{i}") for i in range(p)]
        for i in range(p):
            x = Signal(signed(2 * bits + 4), name=f"col{i}")
            y = Signal(signed(2 * bits + 3), name=f"row{i}")
            mod.d.comb += [
                wrap[i].eq(raster & (self.ox + i >= t.out_cols)),
                y.eq(row + wrap[i]),
                x.eq(Mux(raster, self.ox + i - Mux(wrap[i], t.out_cols, 0), (first_pixel + i) << two) + e),
                exists[i].eq(Mux(raster, first_pixel + i < t.out_rows * t.out_cols, first_pixel + i < t.out_cols)),
                self.valid[i].eq(exists[i] & (y >= 0) & (y < t.in_rows) & (x >= 0) & (x < t.in_cols)),
            ]
        for i in range(p):
            # lane i + 1 of s steps before read this pixel (never the group's last lane, nor a
            # lane whose neighbour is in the next output row)
            mod.d.comb += [
                self.keep[i].eq(
                    kernel_first & (self.kx >= t.stride) & exists[i + 1] & (wrap[i] == wrap[i + 1])
                    if i + 1 < p
                    else 0
                ),
                self.read[i].eq(self.valid[i] & ~self.keep[i]),
            ]
        mod.d.comb += self.pixels.eq(sum(exists))
        for r in range(p):  # RAM r holds the window's pixel of the next word row when r < rotate
            mod.d.comb += self.addr[r].eq(base + (self.rotate > r) if r < p - 1 else base)
        return mod

    def raster_address(self, mod, row, e):
        """Raster storage: (word of lane 0's pixel L0 in RAM 0's row, L0 mod p)."""
        t, p, bits = self.tile, self.rtl.p, self.rtl.reg_bits
        lin = Signal(signed(4 * bits + 4), name="raster_l0")  # L0, negative in the padding
        base = Signal(4 * bits + 4, name="raster_base")
        mod.d.comb += [
            lin.eq(row * t.in_cols + self.ox + e),
            base.eq(self.c * t.chan_stride + (lin >> exact_log2(p)).as_unsigned()),
        ]
        return base, (lin[: exact_log2(p)] if p > 1 else 0)
