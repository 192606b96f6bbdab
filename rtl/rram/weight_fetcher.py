"""Weight prefetcher: walks the tile's weight-word sequence ahead of the MAC steps."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import SyncFIFO
from amaranth.lib.wiring import In, Out

from hymem.golden.rram.rtl_params import RtlParams
from hymem.rtl.rram.mac_array import weight_layout
from hymem.rtl.rram.tile import derived, tile_layout


class WeightFetcher(wiring.Component):
    """Issues the tile's weight-buffer reads in consumption order and queues the words.

    The sequence is the step loop nest's (``StepSequencer``): for each output-channel group
    o, for each block of pixel groups, the ``in_groups x K x K`` weight tiles
    ``weight_base + o·in_groups·K² + (c·K + ky)·K + kx`` (one word each: n x m weights,
    zero-padded).  A read is issued when the words in flight plus the words queued are fewer
    than ``weight_fifo_depth`` (so responses, which cannot be back-pressured, always find
    room) and the weight buffer accepts it.

    Parameters
    ----------
    rtl : RtlParams

    Members
    -------
    tile : In(tile_layout)
    start : In(1)
        Begin the tile's sequence (registers are stable from now until the tile ends).
    req : Out(stream.Signature(range(weight_depth)))
        Reads to the weight buffer.
    resp_valid, resp_data : In
        The weight buffer's responses.
    word : Out(stream.Signature(weight_layout(m, n)))
        The next weight word for the MAC steps (taken when ``ready``).

    Latency and throughput
    ----------------------
    One read per cycle at best; a response is in ``word`` the cycle after it arrives.
    """

    def __init__(self, rtl: RtlParams):
        self.rtl = rtl
        self.layout = weight_layout(rtl.m, rtl.n, 8)
        super().__init__(
            {
                "tile": In(tile_layout(rtl)),
                "start": In(1),
                "req": Out(stream.Signature(range(rtl.weight_depth))),
                "resp_valid": In(1),
                "resp_data": In(self.layout),
                "word": Out(stream.Signature(self.layout)),
            }
        )

    def elaborate(self, platform):
        mod = Module()
        rtl, t = self.rtl, self.tile
        depth = rtl.weight_fifo_depth
        mod.submodules.fifo = fifo = SyncFIFO(width=self.layout.size, depth=depth)
        mod.d.comb += [
            fifo.w_en.eq(self.resp_valid),
            fifo.w_data.eq(self.resp_data.as_value()),
            self.word.valid.eq(fifo.r_rdy),
            self.word.payload.eq(fifo.r_data),
            fifo.r_en.eq(self.word.ready),
        ]
        reserved = Signal(range(depth + 1))  # reads in flight + words queued
        issue = self.req.valid & self.req.ready
        pop = self.word.valid & self.word.ready
        mod.d.sync += reserved.eq(reserved + issue - pop)

        active = Signal()
        addr = Signal(range(rtl.weight_depth + 1))
        pass_base = Signal.like(addr)  # first word of this output-channel group
        left_in_pass = Signal(4 * rtl.reg_bits)  # words left in this batch's pass
        groups_left = Signal(2 * rtl.reg_bits)  # pixel groups of this o not yet in a block
        o = Signal(rtl.reg_bits)
        pass_words = Signal.like(left_in_pass)
        total = Signal(2 * rtl.reg_bits)
        d = derived(mod, t, rtl, "fetch_")
        batch = d["batch"]
        mod.d.comb += [
            pass_words.eq(d["in_groups"] * t.kernel * t.kernel),
            total.eq(d["total"]),
            self.req.valid.eq(active & (reserved < depth)),
            self.req.payload.eq(addr),
        ]
        with mod.If(self.start):
            mod.d.sync += [
                active.eq(1),
                addr.eq(t.weight_base),
                pass_base.eq(t.weight_base),
                left_in_pass.eq(pass_words),
                groups_left.eq(total),
                o.eq(0),
            ]
        with mod.Elif(issue):
            mod.d.sync += [addr.eq(addr + 1), left_in_pass.eq(left_in_pass - 1)]
            with mod.If(left_in_pass == 1):  # this batch's pass ends
                mod.d.sync += left_in_pass.eq(pass_words)
                with mod.If(groups_left > batch):  # another batch of this o: same words again
                    mod.d.sync += [addr.eq(pass_base), groups_left.eq(groups_left - batch)]
                with mod.Elif(o + 1 < d["out_groups"]):  # next output-channel group
                    mod.d.sync += [pass_base.eq(addr + 1), groups_left.eq(total), o.eq(o + 1)]
                with mod.Else():
                    mod.d.sync += active.eq(0)
        return mod
