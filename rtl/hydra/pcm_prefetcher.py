"""Starts the PCM reads of the command stream ahead of the streamer (simulation top, issue 18)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.command_stream import SRC_END, SRC_PCM, command_fields
from hymem.rtl.hydra.image_ram import ImageRam
from hymem.rtl.hydra.memory_device import request_layout


class PcmPrefetcher(wiring.Component):
    """Walks the command memory (its own copy, loaded from ``cmd.hex`` like the streamer's) one
    entry per cycle from ``start`` and asks the PCM for each PCM entry's beats as soon as the PCM
    is idle and the prefetch FIFO is empty, so a job's weights stream from PCM while the system
    takes its activations from DRAM.  It stops at the END entry.  The streamer offers a PCM entry
    only once ``pc`` has passed it (its read has started); the system then takes the beats from
    the FIFO.  Golden twin: ``golden.hydra.command_stream.PcmPrefetch``.

    Why the FIFO must be empty: a request then never finds the FIFO short of room (a request is
    at most the FIFO's depth, which the golden model checks), so no beat is ever refused, and the
    prefetch runs at most one PCM request ahead of the system.

    Parameters
    ----------
    config : HydraConfig   ``[sim_top] cmd_depth`` and the command entry (``command_fields``)
    abits : int            device request address bits

    Members
    -------
    start : In(1)        pc = 0, walk from the next cycle
    load : In(1)         load ``cmd.hex``
    fifo_empty : In(1)   the prefetch FIFO holds no beat
    pcm_req : Out(stream(request_layout))   to the PCM model (ready: the PCM is idle)
    pc : Out(cmd address bits)   entries before ``pc`` have had their PCM read started

    Latency and throughput: one entry per cycle; a PCM entry in the cycle the PCM is idle and the
    FIFO empty.
    """

    def __init__(self, config, abits: int):
        self.layout = data.StructLayout(dict(command_fields(config)))
        self.ram = ImageRam("cmd", self.layout.size, config.sim_top.cmd_depth)
        super().__init__(
            {
                "start": In(1),
                "load": In(1),
                "fifo_empty": In(1),
                "pcm_req": Out(stream.Signature(request_layout(abits))),
                "pc": Out(self.ram.abits),
            }
        )

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = self.ram
        entry = data.View(self.layout, ram.rdata)
        walking = Signal(name="walking")
        m.d.comb += [
            ram.load.eq(self.load),
            ram.raddr.eq(self.pc),
            self.pcm_req.payload.write.eq(0),
            self.pcm_req.payload.addr.eq(entry.mem_addr),
            self.pcm_req.payload.count.eq(entry.arg),
        ]
        is_pcm = entry.src == SRC_PCM
        with m.If(self.start):
            m.d.sync += [self.pc.eq(0), walking.eq(1)]
        with m.Elif(walking & (entry.src != SRC_END)):
            m.d.comb += self.pcm_req.valid.eq(is_pcm & self.fifo_empty)
            with m.If(~is_pcm | (self.pcm_req.valid & self.pcm_req.ready)):
                m.d.sync += self.pc.eq(self.pc + 1)
        return m
