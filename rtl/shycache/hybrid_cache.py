"""SHyCache hybrid cache level: predecoder, controller, SRAM and STT parts (seed 000 Fig. 2-b)."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.wiring import Out, connect, flipped

from hymem.golden.shycache.rtl_params import LevelParams
from hymem.rtl.shycache.address_predecoder import AddressPredecoder
from hymem.rtl.shycache.cache_part import CachePart
from hymem.rtl.shycache.level_controller import CONTROLLER_COUNTERS, LevelController

HYBRID_COUNTERS = (*CONTROLLER_COUNTERS, "stt_bitflips")


class HybridCache(wiring.Component):
    """One hybrid cache level as SHyCache builds it.

    An :class:`AddressPredecoder` routes each request by the reserved ranges to
    one part; a :class:`LevelController` serves it (write-back,
    write-allocate, LRU) through that part's :class:`CachePart` only; the STT
    part's write-busy timers block later accesses to a subarray being written,
    and its flip counter counts the endurance events of §VI-C.  A part of 0
    bytes is not built (all-SRAM or all-STT geometry).  Golden twins:
    ``golden.shycache.reference`` (event counts, line contents) and
    ``golden.shycache.rtl_timing`` (cycles, stalls).

    Parameters
    ----------
    params : LevelParams

    Members
    -------
    ranges : In(stream)
        Predecoder range-register writes {index, base, limit} (see :class:`AddressPredecoder`).
    req : In(stream)
        Core requests {op, addr, data}; ``op`` is a ``golden.shycache.rtl_params.Op``.
    resp : Out(stream)
        One response per request {data, hit, stt, error}, in request order.
    mem_req : Out(stream)
        To the next level: write-backs {write 1, line, data} and fills {write 0, line}.
    mem_resp : In(stream)
        Fill lines from the next level.
    range_error, error : Out(1)
        Sticky: a malformed range write; a malformed request.
    counters.<event> : Out(counter_width)
        ``sram_hits``, ``sram_misses``, ``sram_writebacks``, ``stt_hits``, ``stt_misses``,
        ``stt_writebacks``, ``stall_cycles``, ``requests``, ``bad_requests``, ``stt_bitflips``.

    Latency and throughput
    ----------------------
    The predecoder's register stage, then the controller's (see there): a hit
    offered to an idle level is answered four cycles after it is taken.
    """

    def __init__(self, params: LevelParams):
        self.params = params
        self._predecoder = AddressPredecoder(params)
        self._controller = LevelController(params)
        self._parts = {name: CachePart(params, name) for name in params.parts}
        ctrl = self._controller.signature.members
        super().__init__({
            "ranges": self._predecoder.signature.members["ranges"],
            "req": self._predecoder.signature.members["req"],
            "resp": ctrl["resp"],
            "mem_req": ctrl["mem_req"],
            "mem_resp": ctrl["mem_resp"],
            "range_error": Out(1),
            "error": Out(1),
            "counters": Out(wiring.Signature({name: Out(params.counter_width)
                                              for name in HYBRID_COUNTERS})),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.predecoder = pre = self._predecoder
        m.submodules.controller = ctrl = self._controller
        connect(m, flipped(self.ranges), pre.ranges)
        connect(m, flipped(self.req), pre.req)
        connect(m, pre.out, ctrl.req)
        connect(m, ctrl.resp, flipped(self.resp))
        connect(m, ctrl.mem_req, flipped(self.mem_req))
        connect(m, flipped(self.mem_resp), ctrl.mem_resp)
        for name, part in self._parts.items():
            m.submodules[name] = part
            connect(m, getattr(ctrl, name), part.port)
        m.d.comb += [self.range_error.eq(pre.range_error), self.error.eq(ctrl.error)]
        for name in CONTROLLER_COUNTERS:
            m.d.comb += getattr(self.counters, name).eq(getattr(ctrl.counters, name))
        if "stt" in self._parts:
            m.d.comb += self.counters.stt_bitflips.eq(self._parts["stt"].flips)
        return m
