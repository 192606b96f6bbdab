"""Step sequencer: the tile's loop nest, one MAC-array step per cycle (seed 002 §3.2)."""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.rram.rtl_params import RtlParams
from hymem.rtl.rram.tile import derived, tile_layout


def batch_layout(rtl: RtlParams) -> data.StructLayout:
    """A finished block for the drain: its half, length, channel group and first pixel group."""
    return data.StructLayout(
        {
            "half": 1,
            "length": range(rtl.max_groups + 1),
            "oc": rtl.reg_bits,
            "row": rtl.reg_bits,
            "col": rtl.reg_bits,
        }
    )


class StepSequencer(wiring.Component):
    """Runs the loop nest of one conv tile (``golden.rram.loopnest``) and issues its steps.

    Loop nest (outermost first)::

        for o in out_groups:                            # n output channels
          for block in pixel groups, b at a time:       # row-major, the last block ragged
            for c in in_groups:                         # m input channels
              for ky in K: for kx in K:                 # one weight tile per (o, c, ky, kx, block)
                for j in block:                         # step: p pixels x m x n MACs
                  acc[half][j] (+)= window(c, group j, ky, kx) x W[o][c][ky][kx]

    b is 1 in kernel-first order and with no accumulation buffer, else ``groups`` (g).
    Consecutive blocks alternate between the accumulation buffer's halves; a block starts
    only when its half has been drained.  A step fires when the tile runs, its weight tile
    is there (a block's j = 0 steps take a new one) and, on a block's first step, its half
    is free.

    Parameters
    ----------
    rtl : RtlParams

    Members
    -------
    tile : In(tile_layout)
    start : In(1)
        Begin the tile.
    weight_valid : In(1)
        A weight tile is queued.
    weight_take : Out(1)
        This step takes the queued weight tile.
    half_free : In(2)
        Bit h: half h of the accumulation buffer may be overwritten.
    fire : Out(1)
        A step issues this cycle; the fields below describe it.
    o, c, oy, gi, ky, kx : Out
        Its output-channel group, input-channel group, output row, group in the row, kernel
        position.  With raster groups (``PIXEL_GROUPS`` = 1) ``gi`` is the group's index in
        the map and ``oy`` the output row of its first pixel.
    ox : Out(reg_bits)
        The output column of the group's first pixel (gi·p with row-local groups).
    acc_addr : Out(range(2 g_max)), acc_first : Out(1)
        The accumulation-buffer entry and whether this is the block's first step.
    batch_end : Out(1), batch : Out(batch_layout)
        The step is its block's last; which block (for the drain).
    done : Out(1)
        Every step of the tile has issued (until the next ``start``).
    weight_wait, half_wait : Out(1)
        A step was due but its weight tile, or its half, was not there.

    Latency and throughput
    ----------------------
    Combinational issue, one step per cycle.
    """

    def __init__(self, rtl: RtlParams):
        self.rtl = rtl
        bits, k = rtl.reg_bits, range(rtl.max_kernel)
        super().__init__(
            {
                "tile": In(tile_layout(rtl)),
                "start": In(1),
                "weight_valid": In(1),
                "weight_take": Out(1),
                "half_free": In(2),
                "fire": Out(1),
                "o": Out(bits),
                "c": Out(bits),
                "oy": Out(bits),
                "gi": Out(bits),
                "ox": Out(bits),
                "ky": Out(k),
                "kx": Out(k),
                "acc_addr": Out(range(rtl.max_acc_depth)),
                "acc_first": Out(1),
                "batch_end": Out(1),
                "batch": Out(batch_layout(rtl)),
                "done": Out(1),
                "weight_wait": Out(1),
                "half_wait": Out(1),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        rtl, t = self.rtl, self.tile
        bits = rtl.reg_bits
        v = SimpleNamespace(
            b_oy=Signal(bits),
            b_gi=Signal(bits),  # the block's first group
            b_ox=Signal(bits),
            j=Signal(range(rtl.max_groups)),
            length=Signal(range(rtl.max_groups + 1)),
            left=Signal(2 * bits),  # groups of o from this block on
            half=Signal(),
            running=Signal(),
            **derived(mod, t, rtl, "seq_"),
        )
        v.nxt = self.next_group(mod, v)
        first_pos = (self.c == 0) & (self.ky == 0) & (self.kx == 0)
        last_pos = (
            (self.c == v.in_groups - 1) & (self.ky == t.kernel - 1) & (self.kx == t.kernel - 1)
        )
        need_weight = v.j == 0
        weight_ok = ~need_weight | self.weight_valid
        half_ok = ~(need_weight & first_pos) | (self.half_free >> v.half)[0]
        mod.d.comb += [
            self.fire.eq(v.running & weight_ok & half_ok),
            self.weight_take.eq(self.fire & need_weight),
            self.weight_wait.eq(v.running & ~weight_ok),
            self.half_wait.eq(v.running & ~half_ok),
            self.acc_addr.eq(v.half * rtl.max_groups + v.j),
            self.acc_first.eq(first_pos),
            self.batch_end.eq(self.fire & last_pos & (v.j == v.length - 1)),
            self.batch.half.eq(v.half),
            self.batch.length.eq(v.length),
            self.batch.oc.eq(self.o),
            self.batch.row.eq(Mux(v.raster, 0, v.b_oy)),  # raster: one line, the whole map
            self.batch.col.eq(v.b_gi),
            self.done.eq(~v.running),
        ]
        with mod.If(self.start):
            self.restart_output_group(mod, v, first=True)
        with mod.Elif(self.fire):
            with mod.If(v.j != v.length - 1):  # next group of the block
                self.advance_group(mod, v)
                mod.d.sync += v.j.eq(v.j + 1)
            with mod.Elif(~last_pos):  # next kernel position, back to the first group
                mod.d.sync += [v.j.eq(0), self.oy.eq(v.b_oy), self.gi.eq(v.b_gi), self.ox.eq(v.b_ox)]
                self.advance_position(mod)
            with mod.Else():
                self.next_block(mod, v)
        return mod

    def next_group(self, mod, v):
        """(oy, gi, ox) of the group after the cursor's (combinational): row-major along a row,
        or p pixels on in raster order (a group spans at most two rows: out_cols >= p)."""
        t, p = self.tile, self.rtl.p
        nxt = SimpleNamespace(**{k: Signal(self.rtl.reg_bits, name=f"next_{k}") for k in ("oy", "gi", "ox")})
        wraps = Signal(name="next_wraps")
        mod.d.comb += [
            wraps.eq(Mux(v.raster, self.ox + p >= t.out_cols, self.gi + 1 == v.row_groups)),
            nxt.oy.eq(self.oy + wraps),
            nxt.gi.eq(Mux(wraps & ~v.raster, 0, self.gi + 1)),
            nxt.ox.eq(Mux(wraps, Mux(v.raster, self.ox + p - t.out_cols, 0), self.ox + p)),
        ]
        return nxt

    def advance_group(self, mod, v):
        """Cursor to the next pixel group."""
        mod.d.sync += [self.gi.eq(v.nxt.gi), self.oy.eq(v.nxt.oy), self.ox.eq(v.nxt.ox)]

    def advance_position(self, mod):
        t = self.tile
        mod.d.sync += self.kx.eq(self.kx + 1)
        with mod.If(self.kx == t.kernel - 1):
            mod.d.sync += [self.kx.eq(0), self.ky.eq(self.ky + 1)]
            with mod.If(self.ky == t.kernel - 1):
                mod.d.sync += [self.ky.eq(0), self.c.eq(self.c + 1)]

    def restart_output_group(self, mod, v, first: bool):
        """Cursor to group 0 of output-channel group 0 (``first``) or the next one."""
        mod.d.sync += [
            self.oy.eq(0),
            self.gi.eq(0),
            self.ox.eq(0),
            v.b_oy.eq(0),
            v.b_gi.eq(0),
            v.b_ox.eq(0),
            v.left.eq(v.total),
            v.length.eq(Mux(v.total < v.batch, v.total, v.batch)),
            self.o.eq(0 if first else self.o + 1),
        ]
        if first:
            mod.d.sync += [
                v.running.eq(1),
                self.c.eq(0),
                self.ky.eq(0),
                self.kx.eq(0),
                v.j.eq(0),
                v.half.eq(0),
            ]

    def next_block(self, mod, v):
        """After a block's last step: the next block of this o, the next o, or the end."""
        rest = Signal.like(v.left, name="rest")
        mod.d.comb += rest.eq(v.left - v.length)
        mod.d.sync += [v.j.eq(0), self.c.eq(0), self.ky.eq(0), self.kx.eq(0), v.half.eq(~v.half)]
        with mod.If(rest != 0):  # starts at the group after this one
            self.advance_group(mod, v)
            mod.d.sync += [
                v.b_gi.eq(v.nxt.gi),
                v.b_oy.eq(v.nxt.oy),
                v.b_ox.eq(v.nxt.ox),
                v.left.eq(rest),
                v.length.eq(Mux(rest < v.batch, rest, v.batch)),
            ]
        with mod.Elif(self.o + 1 != v.out_groups):
            self.restart_output_group(mod, v, first=False)
        with mod.Else():
            mod.d.sync += v.running.eq(0)
