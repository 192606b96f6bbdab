"""A Hydra unit's activation and weight buffers with the WRITE sequencer (seed 001, §III-B)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.hydra.unit_signatures import buffer_read_signature, write_control_signature

INPUT_BUFFER_COUNTERS = ("write_cmds", "ab_writes", "wb_writes", "bits_in")


class InputBuffers(wiring.Component):
    """The activation buffer (AB) and weight buffer (WB) of one unit, filled by WRITE commands.

    Parameters
    ----------
    config : HydraConfig
        ``[unit]`` buffer sizes and bus width (via :class:`UnitGeometry`), ``[mac] counter_width``.

    Members
    -------
    control : In(write_control_signature())
        ``start`` (one cycle) begins a WRITE of ``words`` beats from word ``addr`` into AB
        (``to_ab``) or WB; ``idle`` is high when no beat is outstanding.
    wdata : In(stream.Signature(bus_width))
        The WRITE's beats, one word each; ``ready`` while beats are outstanding.
    ab_read, wb_read : Out(ReadPort.Signature(addr_width, bus_width))
        The buffers' read ports (one-cycle latency, enable defaults to 1).
    counters : Out(counter_signature(write_cmds, ab_writes, wb_writes, bits_in))

    Latency and throughput
    ----------------------
    One beat per cycle; ``idle`` rises the cycle after the last beat.
    """

    def __init__(self, config):
        self.geo = geo = UnitGeometry.from_config(config)
        super().__init__({
            "control": In(write_control_signature()),
            "wdata": In(stream.Signature(geo.bus_width)),
            "ab_read": Out(buffer_read_signature(geo.ab_words * geo.n_banks, geo.bus_width).flip()),
            "wb_read": Out(buffer_read_signature(geo.wb_words * geo.n_banks, geo.bus_width).flip()),
            "counters": Out(counter_signature(INPUT_BUFFER_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, ctl, cnt = self.geo, self.control, self.counters
        banks = geo.n_banks  # [system] overlap: bank b at words b * ab_words (b * wb_words)
        m.submodules.ab = ab = Memory(shape=unsigned(geo.bus_width), depth=geo.ab_words * banks,
                                      init=[])
        m.submodules.wb = wb = Memory(shape=unsigned(geo.bus_width), depth=geo.wb_words * banks,
                                      init=[])
        ab_w, wb_w = ab.write_port(), wb.write_port()
        wiring.connect(m, wiring.flipped(self.ab_read), ab.read_port())
        wiring.connect(m, wiring.flipped(self.wb_read), wb.read_port())

        words_left = Signal(REG_WIDTH)
        waddr = Signal(REG_WIDTH)
        to_ab = Signal()
        pending = words_left != 0
        m.d.comb += [
            ctl.idle.eq(~pending),
            self.wdata.ready.eq(pending),
            ab_w.addr.eq(waddr), ab_w.data.eq(self.wdata.payload),
            ab_w.en.eq(self.wdata.valid & pending & to_ab),
            wb_w.addr.eq(waddr), wb_w.data.eq(self.wdata.payload),
            wb_w.en.eq(self.wdata.valid & pending & ~to_ab),
        ]
        with m.If(ctl.start):
            m.d.sync += [words_left.eq(ctl.words), waddr.eq(ctl.addr), to_ab.eq(ctl.to_ab),
                         cnt.write_cmds.eq(cnt.write_cmds + 1)]
        with m.Elif(self.wdata.valid & pending):
            m.d.sync += [words_left.eq(words_left - 1), waddr.eq(waddr + 1),
                         cnt.bits_in.eq(cnt.bits_in + geo.bus_width)]
            with m.If(to_ab):
                m.d.sync += cnt.ab_writes.eq(cnt.ab_writes + 1)
            with m.Else():
                m.d.sync += cnt.wb_writes.eq(cnt.wb_writes + 1)
        return m
