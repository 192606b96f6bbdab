"""The tile registers of the RRAM accelerator as one struct, and the counts derived from them."""

from __future__ import annotations

from amaranth.hdl import Mux, Signal
from amaranth.lib import data
from amaranth.utils import exact_log2

from hymem.golden.rram.rtl_params import Order, Reg, RtlParams


def tile_layout(rtl: RtlParams) -> data.StructLayout:
    """One field per :class:`Reg`, ``reg_bits`` wide (limits are checked at START)."""
    return data.StructLayout({reg.name.lower(): rtl.reg_bits for reg in Reg})


def ceil_shift(value, size: int):
    """ceil(value / size) for a power-of-two ``size``."""
    return (value + size - 1) >> exact_log2(size)


def derived(mod, tile, rtl: RtlParams, prefix: str = "") -> dict:
    """Signals derived from the registers: channel groups, pixel groups per line, g_eff.

    A *line* is what the pixel groups tile: one output row (``PIXEL_GROUPS`` = 0), or the
    whole map in raster order (1: one line of out_rows·out_cols pixels)."""
    sig = {
        name: Signal(rtl.reg_bits, name=f"{prefix}{name}")
        for name in ("in_groups", "out_groups", "batch", "lines")
    }
    wide = 2 * rtl.reg_bits
    sig |= {name: Signal(wide, name=f"{prefix}{name}") for name in ("line_pixels", "row_groups", "total")}
    sig["acc_buffer"] = Signal(name=f"{prefix}acc_buffer")
    sig["raster"] = Signal(name=f"{prefix}raster")
    pixel_first = tile.order == Order.PIXEL_FIRST
    raster = sig["raster"]
    mod.d.comb += [
        raster.eq(tile.pixel_groups[0]),
        sig["lines"].eq(Mux(raster, 1, tile.out_rows)),
        sig["line_pixels"].eq(Mux(raster, tile.out_rows * tile.out_cols, tile.out_cols)),
        sig["total"].eq(sig["lines"] * sig["row_groups"]),
        sig["in_groups"].eq(ceil_shift(tile.in_ch, rtl.m)),
        sig["out_groups"].eq(ceil_shift(tile.out_ch, rtl.n)),
        sig["row_groups"].eq(ceil_shift(sig["line_pixels"], rtl.p)),
        sig["batch"].eq(Mux(pixel_first & (tile.groups != 0), tile.groups, 1)),
        sig["acc_buffer"].eq(pixel_first & (tile.groups != 0)),
    ]
    return sig


def clamp(value, limit: int):
    """min(value, limit) for an unsigned value."""
    return Mux(value > limit, limit, value)
