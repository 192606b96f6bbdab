"""Packs the Hydra system's output values into memory beats for the write-back."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out

from hymem.rtl.hydra.unit_signatures import transfer_layout


class OutputPacker(wiring.Component):
    """Values ``i`` of a beat in bits ``[i*width, (i+1)*width)``, ``per_beat`` values a beat, the
    values of consecutive transfers back to back (a transfer of ``count`` < R values does not leave
    a gap); a ``flush`` pushes a partly filled beat (zero-padded).  Beats wait in a FIFO of
    ``depth`` (a whole READ's outputs: the write-back starts after the READ).  ``error``: a beat
    with the FIFO full (sticky until ``clear``).

    Parameters
    ----------
    width : int     bits of a value
    per_beat : int  values of a beat
    depth : int     FIFO beats
    per_transfer : int
        R (``[system] rau_entries``), at most ``per_beat``: values offered per cycle.

    Members
    -------
    values : In(stream(transfer_layout(signed(width), R)))  always ready; ``values[0 … count-1]``
    beats : Out(stream(per_beat*width))
    flush, clear : In(1)
    error : Out(1)

    Latency: a full beat is in the FIFO one cycle after the transfer that fills it; one transfer
    per cycle.
    """

    def __init__(self, width: int, per_beat: int, depth: int, per_transfer: int = 1):
        if not 1 <= per_transfer <= per_beat:
            raise ValueError(f"OutputPacker: {per_transfer} values per transfer must be 1 … {per_beat} "
                             "(the values of a beat): [system] rau_entries too large for the write-back beat")
        self.width, self.per_beat, self.depth, self.per_transfer = width, per_beat, depth, per_transfer
        super().__init__(
            {
                "values": In(stream.Signature(transfer_layout(signed(width), per_transfer))),
                "beats": Out(stream.Signature(per_beat * width)),
                "flush": In(1),
                "clear": In(1),
                "error": Out(1),
            }
        )

    def elaborate(self, platform):
        m = Module()
        w, n, r = self.width, self.per_beat, self.per_transfer
        m.submodules.fifo = fifo = SyncFIFOBuffered(width=n * w, depth=self.depth)
        word = Signal(n * w)
        count = Signal(range(n))
        incoming = self.values.payload
        # The transfer's values (lanes beyond ``count`` zeroed) placed after the ``count`` held.
        lanes = Cat(*[Mux(i < incoming.count, incoming.values[i][:w], 0) for i in range(r)])
        joined = Signal((n + r) * w)
        total = Signal(range(n + r + 1))
        m.d.comb += [
            joined.eq(word | (lanes << (count * w))),
            total.eq(count + incoming.count),
            self.values.ready.eq(1),
            self.beats.payload.eq(fifo.r_data),
            self.beats.valid.eq(fifo.r_rdy),
            fifo.r_en.eq(self.beats.ready),
        ]
        with m.If(self.values.valid):
            with m.If(total >= n):   # a beat is full: push it, keep the rest
                m.d.comb += [fifo.w_data.eq(joined[: n * w]), fifo.w_en.eq(1)]
                m.d.sync += [word.eq(joined[n * w :]), count.eq(total - n)]
            with m.Else():
                m.d.sync += [word.eq(joined), count.eq(total)]
        with m.Elif(self.flush & (count != 0)):
            m.d.comb += [fifo.w_data.eq(word), fifo.w_en.eq(1)]
            m.d.sync += [word.eq(0), count.eq(0)]
        with m.If(fifo.w_en & ~fifo.w_rdy):
            m.d.sync += self.error.eq(1)
        with m.If(self.clear):
            m.d.sync += self.error.eq(0)
        return m
