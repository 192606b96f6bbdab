"""SHyCache address predecoder: reserved ranges route a request to the STT part (seed 000 §IV-A)."""

from __future__ import annotations

from amaranth.hdl import C, Cat, Module, Signal
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.shycache.rtl_params import LevelParams
from hymem.rtl.shycache.layouts import range_layout, request_layout, routed_layout


class AddressPredecoder(wiring.Component):
    """Routes each core request to exactly one array of the hybrid level.

    ``n_ranges`` base/limit register pairs hold the reserved eNVRAM ranges of
    §IV-A; a request whose line (its byte address with the offset bits
    cleared, as the golden reference routes) lies in any [base, limit) goes
    to the STT part, every other request to the SRAM part; line-aligned
    ranges are the meaningful ones (a line lives in one part).  When the level has one
    part only (``sram_bytes`` or ``stt_bytes`` is 0) every request goes to the
    part that exists, as the golden model's counting rules say.  A pair with
    base = limit is empty (the reset state: no reserved range).

    Malformed input: a range write with ``index >= n_ranges`` or ``base > limit``
    is dropped and raises ``range_error`` (sticky until reset).

    Parameters
    ----------
    params : LevelParams
        ``addr_bits``, ``n_ranges`` and which parts exist.

    Members
    -------
    ranges : In(stream.Signature(StructLayout{index, base, limit}))
        Range-register writes; always ready, effective for requests taken from the next cycle.
    req : In(stream.Signature(request_layout))
        Core requests {op, addr, data}.
    out : Out(stream.Signature(routed_layout))
        The same requests with ``stt``: 1 when routed to the STT part.
    range_error : Out(1)
        Sticky: a malformed range write was dropped.

    Latency and throughput
    ----------------------
    One register stage: a request taken in cycle t is offered on ``out`` in
    t + 1; one request per cycle when ``out`` is ready (``req.ready`` is
    ``~out.valid | out.ready``).
    """

    def __init__(self, params: LevelParams):
        self.params = params
        super().__init__({
            "ranges": In(stream.Signature(range_layout(params))),
            "req": In(stream.Signature(request_layout(params))),
            "out": Out(stream.Signature(routed_layout(params))),
            "range_error": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.params
        bases = [Signal(p.addr_bits, name=f"base{i}") for i in range(p.n_ranges)]
        limits = [Signal(p.addr_bits, name=f"limit{i}") for i in range(p.n_ranges)]

        w = self.ranges.payload
        m.d.comb += self.ranges.ready.eq(1)
        well_formed = (w.index < p.n_ranges) & (w.base <= w.limit)
        with m.If(self.ranges.valid):
            with m.If(well_formed):
                for i in range(p.n_ranges):
                    with m.If(w.index == i):
                        m.d.sync += [bases[i].eq(w.base), limits[i].eq(w.limit)]
            with m.Else():
                m.d.sync += self.range_error.eq(1)

        addr = self.req.payload.addr
        offset = (p.line_bytes - 1).bit_length()
        line_base = Cat(C(0, offset), addr[offset:])
        reserved = Signal()
        m.d.comb += reserved.eq(Cat(*[(base <= line_base) & (line_base < limit)
                                      for base, limit in zip(bases, limits)]).any())
        if p.parts == ("sram", "stt"):
            route = reserved
        else:
            route = int(p.parts == ("stt",))

        m.d.comb += self.req.ready.eq(~self.out.valid | self.out.ready)
        with m.If(self.out.ready):
            m.d.sync += self.out.valid.eq(0)
        with m.If(self.req.valid & self.req.ready):
            m.d.sync += [
                self.out.valid.eq(1),
                self.out.payload.op.eq(self.req.payload.op),
                self.out.payload.addr.eq(addr),
                self.out.payload.data.eq(self.req.payload.data),
                self.out.payload.stt.eq(route),
            ]
        return m
