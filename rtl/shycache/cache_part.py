"""SHyCache cache part: the tag array, data array and write-busy timers of one memory type."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out
from amaranth.utils import ceil_log2

from hymem.golden.shycache.rtl_params import LevelParams
from hymem.rtl.shycache.bit_flip_counter import BitFlipCounter
from hymem.rtl.shycache.layouts import PartSignature
from hymem.rtl.shycache.tag_array import TagArray
from hymem.rtl.shycache.write_busy_timer import WriteBusyTimer


class CachePart(wiring.Component):
    """The SRAM or the STT-MRAM half of a hybrid level (seed 000, Fig. 2-b: each bitcell
    array has its own tag array).

    set = line mod sets, tag = line // sets (bit fields of the line address when
    sets is a power of two; a modulo and a division by the constant otherwise, so
    the paper's 4:1 area-rule sizes such as 24 KB or 896 KB build too); the
    data array holds one line per (set, way) at ``set * ways + way``.  Out of
    reset the part sweeps its arrays (``sets * ways`` cycles): every row is
    cleared and every data line set to 0, so a run starts from the same state
    as the golden model (line contents 0) whatever an earlier run left; the
    port's ``ready`` rises when the sweep is done.  An STT part starts its
    subarray's busy timer (subarray = set mod ``stt_subarrays``) on every line
    write and counts the bits each write flips against the line it replaces:
    the frame's content, which is the line last read from it unless a write
    came since (a store miss writes the fill, then the store; the controller
    always reads a frame before it writes it).

    Parameters
    ----------
    params : LevelParams
    part : "sram" | "stt"

    Members
    -------
    port : In(PartSignature)
        The controller's interface (see :class:`PartSignature`): ``lookup`` in
        cycle t gives ``hit``/``way``/``way_valid``/``way_dirty``/``victim_line`` in
        t + 1 (compared with ``line`` of t + 1); ``read`` gives ``read_data`` in the
        next cycle, held until the next read; ``write`` and ``update`` take effect at
        the end of their cycle; ``busy`` answers ``probe_line`` combinationally.
    flips : Out(counter_width)
        STT part: bits flipped by line writes; an SRAM part leaves it 0.

    Latency and throughput
    ----------------------
    As the port; one operation of each kind per cycle.
    """

    def __init__(self, params: LevelParams, part: str):
        self.params, self.part = params, part
        self.sets = params.sets(part)
        self.set_bits = ceil_log2(self.sets)
        self.power_of_two = self.sets == 1 << self.set_bits
        # tag = line // sets < 2**line_addr_bits / 2**floor(log2(sets))
        self.tag_bits = params.line_addr_bits - (self.sets.bit_length() - 1)
        super().__init__({"port": In(PartSignature(params)), "flips": Out(params.counter_width)})

    def elaborate(self, platform):
        m = Module()
        p, port, ways = self.params, self.port, self.params.ways
        stt = self.part == "stt"
        m.submodules.tags = tags = TagArray(self.sets, ways, self.tag_bits)
        m.submodules.lines = lines = Memory(shape=p.line_bits, depth=self.sets * ways, init=[])
        rd, wr = lines.read_port(), lines.write_port()
        subarrays = p.stt_subarrays if stt else 1
        m.submodules.timer = timer = WriteBusyTimer(subarrays, p.stt_write_cycles if stt else 0,
                                                    p.stt_queued_writes)

        sweep = Signal(range(self.sets * ways + 1))
        sweeping = Signal()
        m.d.comb += [sweeping.eq(sweep != self.sets * ways), port.ready.eq(~sweeping)]
        with m.If(sweeping):
            m.d.sync += sweep.eq(sweep + 1)

        set_, tag = self._split(port.line)
        m.d.comb += [
            tags.lookup.eq(port.lookup),
            tags.set.eq(Mux(sweeping, sweep, set_)),
            tags.tag.eq(tag),
            tags.clear.eq(sweeping & (sweep < self.sets)),
            tags.update.eq(port.update),
            tags.update_way.eq(port.use_way),
            tags.update_dirty.eq(port.dirty),
            port.hit.eq(tags.hit),
            port.way.eq(tags.way),
            port.way_valid.eq(tags.way_valid),
            port.way_dirty.eq(tags.way_dirty),
            port.victim_line.eq(self._join(set_, tags.way_tag)),
        ]
        frame = set_ * ways + port.use_way
        m.d.comb += [
            rd.addr.eq(frame), rd.en.eq(port.read), port.read_data.eq(rd.data),
            wr.addr.eq(frame), wr.data.eq(port.write_data), wr.en.eq(port.write),
        ]
        with m.If(sweeping):
            m.d.comb += [wr.addr.eq(sweep), wr.data.eq(0), wr.en.eq(1)]

        m.d.comb += [
            timer.start.eq(port.write),
            timer.start_index.eq(set_ % subarrays),
            timer.probe_index.eq(self._split(port.probe_line)[0] % subarrays),
            port.busy.eq(timer.busy & ~self._bypassed(m, timer, port)),
        ]
        if stt:
            self._count_flips(m, port, rd)
        return m

    def _split(self, line):
        """(set, tag) of a line address."""
        if self.power_of_two:
            return line[:self.set_bits], line[self.set_bits:]
        return line % self.sets, line // self.sets

    def _join(self, set_, tag):
        """The line address of (set, tag)."""
        if self.power_of_two:
            return Cat(set_, tag)
        return tag * self.sets + set_

    def _bypassed(self, m, timer, port):
        """With ``stt_bypass``: the probed line is the one last written into its subarray, and is
        served from the write buffer while the subarray is busy (the golden reference's
        ``stt.write_buffer_bypass``)."""
        p = self.params
        if self.part != "stt" or not p.stt_bypass:
            return 0
        hit = Signal()
        for s in range(p.stt_subarrays):
            last = Signal(p.line_addr_bits, name=f"last_line{s}")
            known = Signal(name=f"last_known{s}")
            with m.If(port.write & (timer.start_index == s)):
                m.d.sync += [last.eq(port.line), known.eq(1)]
            with m.If(timer.probe_index == s):
                m.d.comb += hit.eq(known & (last == port.probe_line))
        return hit

    def _count_flips(self, m, port, rd):
        """STT: popcount(frame content XOR written line) at every line write."""
        p = self.params
        last_written = Signal(p.line_bits)   # the frame's content when written since the read
        written = Signal()
        with m.If(port.write):
            m.d.sync += [last_written.eq(port.write_data), written.eq(1)]
        with m.Elif(port.read):
            m.d.sync += written.eq(0)
        m.submodules.flip_counter = flip_counter = BitFlipCounter(p.line_bits, p.counter_width)
        m.d.comb += [flip_counter.write.eq(port.write),
                     flip_counter.old_line.eq(Mux(written, last_written, rd.data)),
                     flip_counter.new_line.eq(port.write_data), self.flips.eq(flip_counter.flips)]
