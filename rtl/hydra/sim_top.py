"""Hydra simulation top: command streamer + DRAM/PCM device models + the Hydra system."""

from __future__ import annotations

from amaranth.hdl import Module
from amaranth.lib import wiring
from amaranth.lib.fifo import SyncFIFOBuffered
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.command_stream import (
    DEVICE_COUNTERS,
    SRC_DRAM,
    SRC_PCM,
    STREAMER_COUNTERS,
    tick_ratio,
)
from hymem.golden.hydra.system import system_counter_names
from hymem.golden.hydra.unit import UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.hydra.command_streamer import CommandStreamer
from hymem.rtl.hydra.dram_model import DramModel
from hymem.rtl.hydra.image_ram import VERILOG as IMAGE_RAM_VERILOG
from hymem.rtl.hydra.memory_strobe import MemoryStrobe
from hymem.rtl.hydra.output_packer import OutputPacker
from hymem.rtl.hydra.pcm_model import PcmModel
from hymem.rtl.hydra.pcm_prefetcher import PcmPrefetcher
from hymem.rtl.hydra.system import HydraSystem


def sim_top_counter_names(n_units: int) -> tuple[str, ...]:
    return (
        system_counter_names(n_units)
        + tuple(f"dram_{n}" for n in DEVICE_COUNTERS)
        + tuple(f"pcm_{n}" for n in DEVICE_COUNTERS)
        + STREAMER_COUNTERS
    )


class HydraSimTop(wiring.Component):
    """A whole layer with no testbench on the data path: the testbench writes ``cmd.hex``,
    ``dram.hex`` and ``pcm.hex`` (``golden.hydra.command_stream.layer_program``), pulses ``load``
    then ``start``, awaits ``done``, pulses ``dump`` (DRAM beats ``dump_from … dump_to`` to
    ``dram_dump.hex``: the outputs) and reads the counters.

    The streamer issues the command memory to :class:`HydraSystem`; WRITE beats come from the
    DRAM (activation tiles) or PCM (weights, biases) model, the outputs go through the
    :class:`OutputPacker` back into the DRAM model.  The device models run on a data-rate strobe
    (:class:`MemoryStrobe`, ``[memory] clock_hz × [sim_top] data_beats_per_clock`` per
    ``[system] freq_hz``).  With overlap and ``[sim_top] pcm_prefetch_beats`` the PCM reads are
    started by the :class:`PcmPrefetcher` into a FIFO of that many beats (``SyncFIFOBuffered``),
    which the system drains when it takes the WRITE.  Cycles and device/streamer counters:
    ``golden.hydra.command_stream.program_cost`` (per run; cleared by ``start``); system
    counters: ``golden.hydra.system.system_counts`` (cumulative since reset); the units' counters
    (``u<i>_``) show their counts :attr:`counter_latency` cycles after ``done`` (each unit module
    sends its counters one per cycle, see :class:`HydraSystem`).

    Members
    -------
    start, load, dump : In(1)
    dump_from, dump_to : In(DRAM address bits)
    done : Out(1)    the run is over (until the next start)
    error : Out(1)   the system, a device model or the packer flagged an error
    counters : Out(system counters, dram_*, pcm_*, cycles, commands)
    """

    UNIT_MODULE = "hymem_hydra_unit"  # the units: instances of one Verilog module (HydraSystem)

    def __init__(self, config):
        self.config = config
        # each unit behind a reset flip-flop of its own, its counters sent one per cycle: faster
        # on Verilator (HydraSystem)
        self.system = HydraSystem(config, unit_module=self.UNIT_MODULE, unit_reset_flop=True,
                                  unit_counter_readout=True)
        self.geo = UnitGeometry.from_config(config)
        self.dram, self.pcm = DramModel(config), PcmModel(config)
        abits = self.dram.req_abits
        n_units = config.system.n_units
        per_beat = n_units * self.geo.values_per_word
        fifo_depth = -(-n_units * self.geo.ob_words * self.geo.n_macs // per_beat) + 1
        self.packer = OutputPacker(config.fixed.width, per_beat, fifo_depth, self.geo.rau_entries)
        self.streamer = CommandStreamer(config, abits)
        self.strobe = MemoryStrobe(tick_ratio(config))
        self.prefetcher = None
        if self.streamer.prefetch:
            self.prefetcher = PcmPrefetcher(config, abits)
            beat_bits = n_units * config.unit.bus_width
            self.pcm_fifo = SyncFIFOBuffered(width=beat_bits, depth=config.sim_top.pcm_prefetch_beats)
        super().__init__(
            {
                "start": In(1),
                "load": In(1),
                "dump": In(1),
                "dump_from": In(self.dram.abits),
                "dump_to": In(self.dram.abits),
                "done": Out(1),
                "error": Out(1),
                "counters": Out(
                    counter_signature(sim_top_counter_names(n_units), config.mac.counter_width)
                ),
            }
        )

    @property
    def counter_latency(self) -> int:
        """Cycles after ``done`` until every counter shows the run's counts."""
        return self.system.counter_latency

    @property
    def extra_verilog(self) -> str:
        """The image memories' and the unit module's Verilog (``tools.verilog.emit`` appends it)."""
        return IMAGE_RAM_VERILOG + self.system.extra_verilog

    def elaborate(self, platform):
        m = Module()
        for name in ("system", "dram", "pcm", "packer", "streamer", "strobe"):
            m.submodules[name] = getattr(self, name)
        system, dram, pcm, packer, streamer = (
            self.system,
            self.dram,
            self.pcm,
            self.packer,
            self.streamer,
        )
        wiring.connect(m, streamer.cmd, system.cmd)
        wiring.connect(m, streamer.dram_req, dram.req)
        wiring.connect(m, system.rdata, packer.values)
        wiring.connect(m, packer.beats, dram.wdata)
        pcm_beats = self.pcm_path(m)
        # WRITE beats: from the device of the WRITE the system runs (the streamer's wsrc).
        m.d.comb += [
            dram.rdata.ready.eq(system.wdata.ready & (streamer.wsrc == SRC_DRAM)),
            pcm_beats.ready.eq(system.wdata.ready & (streamer.wsrc == SRC_PCM)),
        ]
        with m.If(streamer.wsrc == SRC_PCM):
            m.d.comb += [system.wdata.valid.eq(pcm_beats.valid), system.wdata.payload.eq(pcm_beats.payload)]
        with m.Else():
            m.d.comb += [system.wdata.valid.eq(dram.rdata.valid), system.wdata.payload.eq(dram.rdata.payload)]
        m.d.comb += [
            streamer.start.eq(self.start),
            streamer.load.eq(self.load),
            streamer.sys_busy.eq(system.busy),
            streamer.sys_reading.eq(system.reading),
            packer.flush.eq(streamer.flush),
            self.strobe.clear.eq(self.start),
            packer.clear.eq(self.start),
            self.done.eq(streamer.done),
            self.error.eq(system.error | dram.error | pcm.error | packer.error),
        ]
        for device in (dram, pcm):
            m.d.comb += [
                device.tick.eq(self.strobe.tick),
                device.clear.eq(self.start),
                device.load.eq(self.load),
            ]
        m.d.comb += [
            dram.dump.eq(self.dump),
            dram.dump_from.eq(self.dump_from),
            dram.dump_to.eq(self.dump_to),
        ]
        self.connect_counters(m)
        return m

    def pcm_path(self, m):
        """The PCM's requests and beats: from the streamer and straight to the system, or with the
        prefetcher through the FIFO.  Returns the stream of beats the system takes."""
        streamer, pcm = self.streamer, self.pcm
        if self.prefetcher is None:
            wiring.connect(m, streamer.pcm_req, pcm.req)
            return pcm.rdata
        m.submodules.prefetcher = pf = self.prefetcher
        m.submodules.pcm_fifo = fifo = self.pcm_fifo
        wiring.connect(m, pf.pcm_req, pcm.req)
        m.d.comb += [
            pf.start.eq(self.start),
            pf.load.eq(self.load),
            pf.fifo_empty.eq(fifo.level == 0),
            streamer.prefetched.eq(pf.pc),
        ]
        wiring.connect(m, pcm.rdata, fifo.w_stream)
        return fifo.r_stream

    def connect_counters(self, m):
        cnt = self.counters
        for name in system_counter_names(self.config.system.n_units):
            m.d.comb += getattr(cnt, name).eq(getattr(self.system.counters, name))
        for prefix, part in (("dram_", self.dram), ("pcm_", self.pcm), ("", self.streamer)):
            for name in part.counters.signature.members:
                m.d.comb += getattr(cnt, prefix + name).eq(getattr(part.counters, name))
