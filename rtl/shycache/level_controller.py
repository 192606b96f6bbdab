"""SHyCache hybrid level controller: one request at a time through the SRAM or the STT part."""

from __future__ import annotations

from types import SimpleNamespace

from amaranth.hdl import Module, Mux, Signal
from amaranth.lib import enum, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.shycache.rtl_params import LevelParams, Op
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.shycache.layouts import (
    PartSignature,
    index_bits,
    mem_request_layout,
    response_layout,
    routed_layout,
)

CONTROLLER_COUNTERS = ("sram_hits", "sram_misses", "sram_writebacks", "stt_hits", "stt_misses",
                       "stt_writebacks", "stall_cycles", "requests", "bad_requests")


class State(enum.Enum, shape=4):
    INIT = 0        # the parts sweep their arrays after reset
    IDLE = 1        # take a request (unless its STT subarray is busy)
    TAG = 2         # compare tags, read the hit or victim line
    DATA = 3        # line in hand: finish a hit, or start a miss
    WRITEBACK = 4   # dirty victim to the next level
    FILL = 5        # ask the next level for the line
    FILL_WAIT = 6   # take the fill and write it
    STORE = 7       # a store miss writes its word into the filled line
    RESPOND = 8     # offer the response


class LevelController(wiring.Component):
    """Write-back, write-allocate hybrid cache level, in order, one request at a time.

    The predecoder's ``stt`` bit names the one part a request looks up (seed
    000 §III: only one tag/data array is accessed per access).  A hit is
    counted for the part whose tags hold the line, else a miss, which
    allocates (loads and stores alike); a valid dirty victim is written back
    to the next level (one write-back of that part) before the fill is
    requested; a clean victim is dropped.  A store writes its word into the
    line (on a miss: the fill is written, then the store, two line writes as in
    the golden reference, whose bit flips count each).  An STT line write
    makes its subarray busy (:class:`WriteBusyTimer`); a request offered in
    IDLE whose STT subarray is busy waits, one stall cycle per cycle.

    Malformed requests (an opcode that is not an ``Op``, or an address not
    aligned to ``word_bytes``) are answered at once with ``error`` set in the
    response, raise the sticky ``error`` and count in ``bad_requests``; they touch
    no array, and the controller goes on with the next request.

    Parameters
    ----------
    params : LevelParams

    Members
    -------
    req : In(stream.Signature(routed_layout))
        Routed requests {op, addr, data, stt} from the predecoder.
    resp : Out(stream.Signature(response_layout))
        One response per request {data, hit, stt, error}.
    mem_req : Out(stream.Signature(mem_request_layout))
        To the next level: write-back {write 1, line, data}, then fill {write 0, line}.
    mem_resp : In(stream.Signature(line_bits))
        The fill's line.
    sram, stt : Out(PartSignature)
        The two parts (an absent part's port is left unconnected and never selected).
    error : Out(1)
        Sticky: a malformed request was seen.
    counters.<event> : Out(counter_width)
        Hits, misses and write-backs per part, stall cycles, well-formed and malformed requests.

    Latency and throughput
    ----------------------
    After the reset sweep, a request taken in cycle a (IDLE) is answered in
    a + 3 on a hit; on a miss the write-back (if any) is offered in a + 3, the
    fill request next, the fill taken when the next level answers, the response
    in the cycle after; IDLE follows the cycle in which the response is taken.
    A malformed request is answered in a + 1.  ``golden.shycache.rtl_timing``
    is the cycle model of exactly this.
    """

    def __init__(self, params: LevelParams):
        self.params = params
        super().__init__({
            "req": In(stream.Signature(routed_layout(params))),
            "resp": Out(stream.Signature(response_layout(params))),
            "mem_req": Out(stream.Signature(mem_request_layout(params))),
            "mem_resp": In(stream.Signature(params.line_bits)),
            "sram": Out(PartSignature(params)),
            "stt": Out(PartSignature(params)),
            "error": Out(1),
            "counters": Out(counter_signature(CONTROLLER_COUNTERS, params.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        p = self.params
        offset = (p.line_bytes - 1).bit_length()
        req = self.req
        state = Signal(State)
        cur = Signal(routed_layout(p))            # the request being served
        idle = state == State.IDLE
        incoming_line = req.payload.addr[offset:]
        parts = (("sram", self.sram, 0), ("stt", self.stt, 1))
        for _, port, is_stt in parts:
            m.d.comb += [
                port.line.eq(Mux(idle, incoming_line, cur.addr[offset:])),
                port.probe_line.eq(incoming_line),
                port.lookup.eq(idle & req.valid & req.ready & ~self._malformed(req.payload)
                               & (req.payload.stt == is_stt)),
                port.read.eq((state == State.TAG) & (cur.stt == is_stt)),
            ]
        ready_all = Signal()
        m.d.comb += ready_all.eq(sum(port.ready for name, port, _ in parts if name in p.parts)
                                 == len(p.parts))
        path = self._datapath(m, state, cur, offset)
        # One If per state (not m.Switch/m.FSM): Verilator -Wall rejects the incomplete case
        # statements those emit (as in rtl/rana/config_loader.py); the states are exclusive.
        with m.If((state == State.INIT) & ready_all):
            m.d.sync += state.eq(State.IDLE)
        with m.If(state == State.IDLE):
            self._take(m, state, cur)
        with m.If(state == State.RESPOND):
            m.d.comb += self.resp.valid.eq(1)
            with m.If(self.resp.ready):
                m.d.sync += state.eq(State.IDLE)
        self._serve(m, cur, offset, path)
        return m

    def _malformed(self, payload):
        """Not an ``Op``, or an address not aligned to ``word_bytes``."""
        align = (self.params.word_bytes - 1).bit_length()
        return (payload.op > max(Op)) | ((payload.addr[:align] != 0) if align else 0)

    def _pick(self, cur, field):
        """Input ``field`` of the part serving the current request."""
        return Mux(cur.stt, getattr(self.stt, field), getattr(self.sram, field))

    def _take(self, m, state, cur):
        """IDLE: take the offered request unless its subarray is busy (a stall cycle)."""
        req, c, resp = self.req, self.counters, self.resp.payload
        malformed = self._malformed(req.payload)
        busy = Mux(req.payload.stt, self.stt.busy, self.sram.busy)
        m.d.comb += req.ready.eq(malformed | ~busy)
        with m.If(req.valid & ~malformed & busy):
            m.d.sync += c.stall_cycles.eq(c.stall_cycles + 1)
        with m.If(req.valid & req.ready):
            m.d.sync += [cur.eq(req.payload), resp.error.eq(malformed),
                         resp.stt.eq(req.payload.stt),
                         resp.hit.eq(0), resp.data.eq(0)]
            with m.If(malformed):
                m.d.sync += [self.error.eq(1), c.bad_requests.eq(c.bad_requests + 1),
                             state.eq(State.RESPOND)]
            with m.Else():
                m.d.sync += [c.requests.eq(c.requests + 1), state.eq(State.TAG)]

    def _datapath(self, m, state, cur, offset) -> SimpleNamespace:
        """The line path of TAG .. STORE: what the found line is, what a write puts in the frame,
        the part strobes, and the response when a state says ``respond``."""
        p = self.params
        mem_resp, resp = self.mem_resp, self.resp.payload
        way = Signal(index_bits(p.ways))
        hit, way_dirty = Signal(), Signal()       # way_dirty: the selected way (hit or victim)
        victim_line = Signal(p.line_addr_bits)
        filled = Signal(p.line_bits)              # the fill, for a store miss's second write
        store = cur.op == Op.STORE
        word_index = cur.addr[(p.word_bytes - 1).bit_length():offset]
        line_in = Signal(p.line_bits)             # the line as found: in the array, or the fill
        line_out = Signal(p.line_bits)            # what a write puts in the frame
        write, update, dirty, respond = Signal(), Signal(), Signal(), Signal()
        for _, port, is_stt in (("sram", self.sram, 0), ("stt", self.stt, 1)):
            mine = cur.stt == is_stt
            m.d.comb += [port.use_way.eq(Mux(state == State.TAG, port.way, way)),
                         port.write.eq(write & mine), port.update.eq(update & mine),
                         port.dirty.eq(dirty), port.write_data.eq(line_out)]
        m.d.comb += [line_in.eq(Mux(state == State.FILL_WAIT, mem_resp.payload,
                                    self._pick(cur, "read_data"))),
                     line_out.eq(line_in)]
        with m.If(store & (state != State.FILL_WAIT)):    # a hit's or the STORE state's merge
            m.d.comb += line_out.word_select(word_index, p.word_bits).eq(cur.data)
        with m.If(respond):
            m.d.sync += [resp.hit.eq(hit), state.eq(State.RESPOND),
                         resp.data.eq(Mux(store, cur.data,
                                          line_in.word_select(word_index, p.word_bits)))]
        return SimpleNamespace(state=state, way=way, hit=hit, way_dirty=way_dirty,
                               victim_line=victim_line, filled=filled, store=store, line_in=line_in,
                               write=write, update=update, dirty=dirty, respond=respond)

    def _serve(self, m, cur, offset, d: SimpleNamespace):
        """The states TAG .. STORE: look up, then finish a hit or fetch the line, writing back a
        dirty victim first."""
        mem_req, mem_resp, state = self.mem_req, self.mem_resp, d.state
        with m.If(state == State.TAG):
            m.d.sync += [d.hit.eq(self._pick(cur, "hit")), d.way.eq(self._pick(cur, "way")),
                         d.victim_line.eq(self._pick(cur, "victim_line")),
                         d.way_dirty.eq(self._pick(cur, "way_valid")
                                        & self._pick(cur, "way_dirty")),
                         state.eq(State.DATA)]
            self._count(m, cur, self._pick(cur, "hit"))
        with m.If(state == State.DATA):
            m.d.comb += [d.respond.eq(d.hit), d.update.eq(d.hit), d.write.eq(d.hit & d.store),
                         d.dirty.eq(d.store | d.way_dirty)]
            with m.If(~d.hit):
                m.d.sync += state.eq(Mux(d.way_dirty, State.WRITEBACK, State.FILL))
        with m.If(state == State.WRITEBACK):
            m.d.comb += [mem_req.valid.eq(1), mem_req.payload.write.eq(1),
                         mem_req.payload.line.eq(d.victim_line),
                         mem_req.payload.data.eq(self._pick(cur, "read_data"))]
            with m.If(mem_req.ready):
                m.d.sync += state.eq(State.FILL)
                self._count_writeback(m, cur)
        with m.If(state == State.FILL):
            m.d.comb += [mem_req.valid.eq(1), mem_req.payload.line.eq(cur.addr[offset:])]
            with m.If(mem_req.ready):
                m.d.sync += state.eq(State.FILL_WAIT)
        with m.If(state == State.FILL_WAIT):
            m.d.comb += [mem_resp.ready.eq(1), d.write.eq(mem_resp.valid),
                         d.update.eq(mem_resp.valid),
                         d.dirty.eq(d.store), d.respond.eq(mem_resp.valid & ~d.store)]
            with m.If(mem_resp.valid):
                m.d.sync += d.filled.eq(mem_resp.payload)
                with m.If(d.store):
                    m.d.sync += state.eq(State.STORE)
        with m.If(state == State.STORE):
            m.d.comb += [d.line_in.eq(d.filled), d.write.eq(1), d.respond.eq(1)]

    def _count(self, m, cur, hit):
        c = self.counters
        for is_stt, hits, misses in ((0, c.sram_hits, c.sram_misses),
                                     (1, c.stt_hits, c.stt_misses)):
            with m.If(cur.stt == is_stt):
                with m.If(hit):
                    m.d.sync += hits.eq(hits + 1)
                with m.Else():
                    m.d.sync += misses.eq(misses + 1)

    def _count_writeback(self, m, cur):
        c = self.counters
        for is_stt, counter in ((0, c.sram_writebacks), (1, c.stt_writebacks)):
            with m.If(cur.stt == is_stt):
                m.d.sync += counter.eq(counter + 1)
