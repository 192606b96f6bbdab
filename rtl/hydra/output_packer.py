"""Packs the Hydra system's output values into memory beats for the write-back."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out


class OutputPacker(wiring.Component):
    """Values ``i`` of a beat in bits ``[i*width, (i+1)*width)``, ``per_beat`` values a beat; a
    ``flush`` pushes a partly filled beat (zero-padded).  Beats wait in a FIFO of ``depth`` (a
    whole READ's outputs: the write-back starts after the READ).  ``error``: a beat with the FIFO
    full (sticky until ``clear``).

    Members
    -------
    values : In(stream(signed(width)))  always ready
    beats : Out(stream(per_beat*width))
    flush, clear : In(1)
    error : Out(1)

    Latency: a full beat is in the FIFO one cycle after its last value; one value per cycle.
    """

    def __init__(self, width: int, per_beat: int, depth: int):
        self.width, self.per_beat, self.depth = width, per_beat, depth
        super().__init__(
            {
                "values": In(stream.Signature(signed(width))),
                "beats": Out(stream.Signature(per_beat * width)),
                "flush": In(1),
                "clear": In(1),
                "error": Out(1),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.fifo = fifo = SyncFIFOBuffered(
            width=self.per_beat * self.width, depth=self.depth
        )
        word = Signal(self.per_beat * self.width)
        count = Signal(range(self.per_beat))
        value = self.values.payload.as_unsigned()
        with_value = word | (value << (count * self.width))
        m.d.comb += [
            self.values.ready.eq(1),
            self.beats.payload.eq(fifo.r_data),
            self.beats.valid.eq(fifo.r_rdy),
            fifo.r_en.eq(self.beats.ready),
        ]
        with m.If(self.values.valid):
            with m.If(count == self.per_beat - 1):
                m.d.comb += [fifo.w_data.eq(with_value), fifo.w_en.eq(1)]
                m.d.sync += [word.eq(0), count.eq(0)]
            with m.Else():
                m.d.sync += [word.eq(with_value), count.eq(count + 1)]
        with m.Elif(self.flush & (count != 0)):
            m.d.comb += [fifo.w_data.eq(word), fifo.w_en.eq(1)]
            m.d.sync += [word.eq(0), count.eq(0)]
        with m.If(fifo.w_en & ~fifo.w_rdy):
            m.d.sync += self.error.eq(1)
        with m.If(self.clear):
            m.d.sync += self.error.eq(0)
        return m
