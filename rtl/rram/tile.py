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
    """Signals derived from the registers: channel groups, pixel groups per row, g_eff."""
    sig = {
        name: Signal(rtl.reg_bits, name=f"{prefix}{name}")
        for name in ("in_groups", "out_groups", "row_groups", "batch")
    }
    sig["acc_buffer"] = Signal(name=f"{prefix}acc_buffer")
    pixel_first = tile.order == Order.PIXEL_FIRST
    mod.d.comb += [
        sig["in_groups"].eq(ceil_shift(tile.in_ch, rtl.m)),
        sig["out_groups"].eq(ceil_shift(tile.out_ch, rtl.n)),
        sig["row_groups"].eq(ceil_shift(tile.out_cols, rtl.p)),
        sig["batch"].eq(Mux(pixel_first & (tile.groups != 0), tile.groups, 1)),
        sig["acc_buffer"].eq(pixel_first & (tile.groups != 0)),
    ]
    return sig


def clamp(value, limit: int):
    """min(value, limit) for an unsigned value."""
    return Mux(value > limit, limit, value)
