"""Drain of the accumulation buffer's finished half to the I/O-buffer write port."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out
from amaranth.utils import exact_log2

from hymem.golden.rram.rtl_params import RtlParams
from hymem.rtl.rram.mac_array import dot_layout
from hymem.rtl.rram.step_sequencer import batch_layout
from hymem.rtl.rram.tile import ceil_shift, clamp, derived, tile_layout


def out_layout(rtl: RtlParams, acc_bits: int) -> data.StructLayout:
    """One drained entry: p pixels x n output channels of output channel group ``oc``,
    output row ``row``, pixel group ``col`` of that row (raster groups: row 0, ``col`` the
    group's index in the map, lane i its pixel col·p + i in raster order)."""
    return data.StructLayout(
        {
            "oc": rtl.reg_bits,
            "row": rtl.reg_bits,
            "col": rtl.reg_bits,
            "data": dot_layout(rtl.p, rtl.n, acc_bits),
        }
    )


class Drainer(wiring.Component):
    """Streams each finished block's entries out while the other half accumulates.

    A finished block (``done_batch``; at most one pending per half) is drained entry by
    entry, halves in the order they finished (0, 1, 0, ... from ``start``): entry j of
    half h is ``acc[h·g_max + j]``, the block's j-th pixel group (row-major).  When the
    last entry of a half is taken, ``freed`` says which half may be overwritten again.
    Each entry taken writes ``pe · ceil(n_eff / m)`` I/O-buffer words (the group's pixels
    times the words of m channels its output-channel group fills); that is counted.

    Parameters
    ----------
    rtl : RtlParams
    acc_bits : int

    Members
    -------
    tile : In(tile_layout)
    start : In(1)
        A tile starts: its first block is in half 0.
    done_batch_valid : In(1), done_batch : In(batch_layout)
        A block's last accumulation has been written (its entries are final).
    drain_addr : Out(range(2 g_max)), drain_data : In(dot_layout)
        The accumulation buffer's drain port.
    drain_en : Out(1)
        The entry at ``drain_addr`` is taken this cycle.
    out : Out(stream.Signature(out_layout))
        The I/O-buffer write port (back-pressure allowed).
    freed : Out(2)
        Bit h: half h's last entry is taken this cycle.
    idle : Out(1)
        No block is pending.
    counters.io_writes : Out(counter_width)
        I/O-buffer words written.

    Latency and throughput
    ----------------------
    An entry per cycle when ``out.ready``; a block finished in cycle t can be sent from t + 1.
    """

    def __init__(self, rtl: RtlParams, acc_bits: int):
        self.rtl = rtl
        super().__init__(
            {
                "tile": In(tile_layout(rtl)),
                "start": In(1),
                "done_batch_valid": In(1),
                "done_batch": In(batch_layout(rtl)),
                "drain_addr": Out(range(rtl.max_acc_depth)),
                "drain_data": In(dot_layout(rtl.p, rtl.n, acc_bits)),
                "drain_en": Out(1),
                "out": Out(stream.Signature(out_layout(rtl, acc_bits))),
                "freed": Out(2),
                "idle": Out(1),
                "counters": Out(wiring.Signature({"io_writes": Out(rtl.counter_width)})),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        rtl = self.rtl
        slots = [Signal(batch_layout(rtl), name=f"slot{h}") for h in range(2)]
        pending = Signal(2)
        turn = Signal()  # the half to drain next
        j = Signal(range(rtl.max_groups))
        row, col = Signal(rtl.reg_bits), Signal(rtl.reg_bits)  # entry j's group when j > 0
        slot = Signal(batch_layout(rtl))
        mod.d.comb += slot.eq(Mux(turn, slots[1], slots[0]))
        take, last = Signal(), Signal()
        payload = self.out.payload
        mod.d.comb += [
            self.out.valid.eq((pending >> turn)[0]),
            payload.oc.eq(slot.oc),
            payload.row.eq(Mux(j == 0, slot.row, row)),
            payload.col.eq(Mux(j == 0, slot.col, col)),
            payload.data.eq(self.drain_data),
            self.drain_addr.eq(turn * rtl.max_groups + j),
            take.eq(self.out.valid & self.out.ready),
            self.drain_en.eq(take),
            last.eq(take & (j == slot.length - 1)),
            self.freed.eq(last << turn),
            self.idle.eq(pending == 0),
        ]
        d = derived(mod, self.tile, rtl, "drain_")
        wraps = payload.col + 1 == d["row_groups"]
        with mod.If(take):
            mod.d.sync += [
                j.eq(j + 1),
                col.eq(Mux(wraps, 0, payload.col + 1)),
                row.eq(payload.row + wraps),
            ]
        with mod.If(last):
            mod.d.sync += [j.eq(0), turn.eq(~turn)]
        with mod.If(self.start):
            mod.d.sync += [j.eq(0), turn.eq(0)]
        arrive = Signal(2)
        mod.d.comb += arrive.eq(self.done_batch_valid << self.done_batch.half)
        for h in range(2):
            with mod.If(arrive[h]):
                mod.d.sync += slots[h].eq(self.done_batch)
        mod.d.sync += pending.eq((pending & ~self.freed) | arrive)
        self.count_writes(mod, take, payload, d["line_pixels"])
        return mod

    def count_writes(self, mod, take, payload, line_pixels):
        """io_writes += pe · ceil(n_eff / m) for each entry taken (pe: the group's pixels in its
        line: an output row, or the whole map with raster groups)."""
        rtl, t = self.rtl, self.tile
        pixels = Signal(range(rtl.p + 1))
        words = Signal(range(rtl.n // rtl.m + 1))
        mod.d.comb += [
            pixels.eq(clamp(line_pixels - (payload.col << exact_log2(rtl.p)), rtl.p)),
            words.eq(ceil_shift(clamp(t.out_ch - (payload.oc << exact_log2(rtl.n)), rtl.n), rtl.m)),
        ]
        with mod.If(take):
            mod.d.sync += self.counters.io_writes.eq(self.counters.io_writes + pixels * words)
