"""The host's command sequence, issued from a command memory to the Hydra system."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import data, enum, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.command_stream import (
    SRC_DRAM,
    SRC_END,
    SRC_NONE,
    SRC_PCM,
    STREAMER_COUNTERS,
    command_fields,
)
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.states import goto
from hymem.rtl.hydra.image_ram import ImageRam
from hymem.rtl.hydra.memory_device import request_layout
from hymem.rtl.hydra.system import system_cmd_layout


class StreamerState(enum.Enum):
    IDLE = 0
    ISSUE = 1  # offer the entry at pc to the system (and start its device read)
    WAIT_SYS = 2  # before a write-back: wait for the system (overlap: for its read engine)
    FLUSH = 3  # push the last, partial beat of outputs
    WRITE_BACK = 4  # ask the DRAM to take the outputs
    WAIT_DEV = 5  # ... and wait until it has
    DONE = 6


class CommandStreamer(wiring.Component):
    """Issues the command memory's entries (``golden.hydra.command_stream.command_fields``; the
    memory is an :class:`ImageRam` loaded from ``cmd.hex``) to the system one after the other,
    from ``start`` until an END entry.  An entry whose ``src`` names a device is offered only
    when that device is idle, and in the cycle the system accepts it the device is asked for
    ``arg`` beats from ``mem_addr`` (its read beats go to the system's ``wdata``).  An entry
    with ``out_beats`` (a READ that finishes outputs) is followed by: wait until the system is
    idle, flush the output packer, DRAM write of ``out_beats`` beats at ``mem_addr``, wait until
    the DRAM is idle.  With [system] overlap the write-back comes *before* offering the entry that
    carries it (the READ or END after the one that finished the outputs), and waits for the read
    engine (``sys_reading``) instead of the whole system.  With overlap and ``[sim_top]
    pcm_prefetch_beats`` the PCM reads are the :class:`PcmPrefetcher`'s: a PCM entry is offered
    once the prefetcher's pc (``prefetched``) has passed it.  Cycle-exact twin:
    ``golden.hydra.command_stream.program_cost``.

    Members
    -------
    start : In(1)  (from IDLE or DONE) pc = 0, counters cleared
    done : Out(1)
    cmd : Out(stream(system_cmd_layout(n_units)))   to the system
    sys_busy : In(1)
    sys_reading : In(1)  the system's read engine drains (overlap)
    dram_req, pcm_req : Out(stream(request_layout))   (pcm_req unused with the prefetcher)
    prefetched : In(cmd address bits)   the prefetcher's pc (with the prefetcher)
    wsrc : Out(2)  the device of the last WRITE the system accepted (whose beats it takes)
    flush : Out(1)  to the output packer
    load : In(1)   load ``cmd.hex``
    counters : Out(cycles, commands)   cycles from start to done; commands accepted
    """

    def __init__(self, config, abits: int):
        self.config = config
        self.overlap = bool(getattr(config.system, "overlap", False))
        self.prefetch = self.overlap and config.sim_top.pcm_prefetch_beats > 0
        self.layout = data.StructLayout(dict(command_fields(config)))
        self.ram = ImageRam("cmd", self.layout.size, config.sim_top.cmd_depth)
        req = stream.Signature(request_layout(abits))
        super().__init__(
            {
                "start": In(1),
                "done": Out(1),
                "cmd": Out(stream.Signature(system_cmd_layout(config.system.n_units))),
                "sys_busy": In(1),
                "sys_reading": In(1),
                "dram_req": Out(req),
                "pcm_req": Out(req),
                "prefetched": In(self.ram.abits),
                "wsrc": Out(2),
                "flush": Out(1),
                "load": In(1),
                "counters": Out(counter_signature(STREAMER_COUNTERS, config.mac.counter_width)),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = self.ram
        state, pc = Signal(StreamerState, name="state"), Signal(ram.abits, name="pc")
        entry = data.View(self.layout, ram.rdata)
        out_addr, out_beats = Signal.like(entry.mem_addr), Signal.like(entry.out_beats)
        written = Signal(name="written")  # overlap: the entry at pc has had its write-back
        cnt = self.counters
        m.d.comb += [
            ram.load.eq(self.load),
            ram.raddr.eq(pc),
            self.done.eq(state == StreamerState.DONE),
        ]
        for field in ("op", "unit", "addr", "arg"):
            m.d.comb += getattr(self.cmd.payload, field).eq(getattr(entry, field))
        for req in (self.dram_req, self.pcm_req):
            m.d.comb += [req.payload.addr.eq(entry.mem_addr), req.payload.count.eq(entry.arg)]
        with m.If((state != StreamerState.IDLE) & (state != StreamerState.DONE)):
            m.d.sync += cnt.cycles.eq(cnt.cycles + 1)
        with m.If(self.start):
            m.d.sync += [pc.eq(0), cnt.cycles.eq(0), cnt.commands.eq(0), written.eq(0)]
            goto(m, state, StreamerState.ISSUE)
        with m.Elif(state == StreamerState.ISSUE):
            self.issue(m, state, pc, entry, out_addr, out_beats, written)
        waited = self.sys_reading if self.overlap else self.sys_busy
        with m.Elif(state == StreamerState.WAIT_SYS), m.If(~waited):
            goto(m, state, StreamerState.FLUSH)
        with m.Elif(state == StreamerState.FLUSH):
            m.d.comb += self.flush.eq(1)
            goto(m, state, StreamerState.WRITE_BACK)
        with m.Elif(state == StreamerState.WRITE_BACK):
            m.d.comb += [
                self.dram_req.valid.eq(1),
                self.dram_req.payload.write.eq(1),
                self.dram_req.payload.addr.eq(out_addr),
                self.dram_req.payload.count.eq(out_beats),
            ]
            with m.If(self.dram_req.ready):
                goto(m, state, StreamerState.WAIT_DEV)
        with m.Elif(state == StreamerState.WAIT_DEV), m.If(self.dram_req.ready):
            m.d.sync += written.eq(self.overlap)
            goto(m, state, StreamerState.ISSUE)
        return m

    def issue(self, m, state, pc, entry, out_addr, out_beats, written):
        """Offer the entry at ``pc``; on acceptance start its device read and move on; END: done.
        With overlap an entry with ``out_beats`` first has the write-back done."""
        write_back_first = (entry.out_beats != 0) & ~written if self.overlap else 0
        with m.If(write_back_first):
            m.d.sync += [out_addr.eq(entry.mem_addr), out_beats.eq(entry.out_beats)]
            goto(m, state, StreamerState.WAIT_SYS)
        with m.Elif(entry.src == SRC_END), m.If(~self.sys_busy):
            goto(m, state, StreamerState.DONE)
        with m.Else():
            self.offer(m, state, pc, entry, out_addr, out_beats, written)

    def offer(self, m, state, pc, entry, out_addr, out_beats, written):
        cnt = self.counters
        pcm_ready = self.prefetched > pc if self.prefetch else self.pcm_req.ready
        device_idle = (
            (entry.src == SRC_NONE)
            | ((entry.src == SRC_DRAM) & self.dram_req.ready)
            | ((entry.src == SRC_PCM) & pcm_ready)
        )
        m.d.comb += self.cmd.valid.eq(device_idle)
        with m.If(self.cmd.valid & self.cmd.ready):
            m.d.sync += [pc.eq(pc + 1), cnt.commands.eq(cnt.commands + 1), written.eq(0)]
            m.d.comb += self.dram_req.valid.eq(entry.src == SRC_DRAM)
            if not self.prefetch:
                m.d.comb += self.pcm_req.valid.eq(entry.src == SRC_PCM)
            with m.If(entry.src != SRC_NONE):
                m.d.sync += self.wsrc.eq(entry.src)
            if not self.overlap:  # serial: the READ's own outputs are written back after it
                with m.If(entry.out_beats != 0):
                    m.d.sync += [out_addr.eq(entry.mem_addr), out_beats.eq(entry.out_beats)]
                    goto(m, state, StreamerState.WAIT_SYS)
