"""A Hydra unit's activation and weight buffers with the WRITE sequencer (seed 001, §III-B)."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Signal, unsigned
from amaranth.lib import stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.unit import REG_WIDTH, UnitGeometry
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.hydra.unit_signatures import (
    ab_bank_read_signature,
    buffer_read_signature,
    write_control_signature,
)

INPUT_BUFFER_COUNTERS = ("write_cmds", "ab_writes", "wb_writes", "bits_in")


class InputBuffers(wiring.Component):
    """The activation buffer (AB) and weight buffer (WB) of one unit, filled by WRITE commands.

    The AB is ``[unit] scan_values`` (V) value-interleaved banks, so that any V consecutive
    activations are one read of each bank: a WRITE beat puts its value i in bank ``i mod V``
    (word ``addr``, sub-value ``i // V``).  V = 1 is one memory of bus words.

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
    ab_read : Out(ab_bank_read_signature(geo)).array(V)
        The AB banks' read ports (``bus_width / V`` bits; one-cycle latency, enable defaults to 1).
    wb_read : Out(ReadPort.Signature(addr_width, bus_width))
        The weight buffer's read port.
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
            "ab_read": Out(ab_bank_read_signature(geo).flip()).array(geo.scan_values),
            "wb_read": Out(buffer_read_signature(geo.wb_words * geo.n_banks, geo.bus_width).flip()),
            "counters": Out(counter_signature(INPUT_BUFFER_COUNTERS, config.mac.counter_width)),
        })

    def elaborate(self, platform):
        m = Module()
        geo, ctl, cnt = self.geo, self.control, self.counters
        banks = geo.n_banks  # [system] overlap: bank b at words b * ab_words (b * wb_words)
        m.submodules.wb = wb = Memory(shape=unsigned(geo.bus_width), depth=geo.wb_words * banks,
                                      init=[])
        wb_w = wb.write_port()
        wiring.connect(m, wiring.flipped(self.wb_read), wb.read_port())

        words_left = Signal(REG_WIDTH)
        waddr = Signal(REG_WIDTH)
        to_ab = Signal()
        pending = words_left != 0
        m.d.comb += [
            ctl.idle.eq(~pending),
            self.wdata.ready.eq(pending),
            wb_w.addr.eq(waddr), wb_w.data.eq(self.wdata.payload),
            wb_w.en.eq(self.wdata.valid & pending & ~to_ab),
        ]
        self.ab_banks(m, waddr, self.wdata.valid & pending & to_ab)
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

    def ab_banks(self, m, waddr, write):
        """The AB's V value banks: a beat's value i goes to bank ``i mod V``."""
        geo = self.geo
        v, width, per_word = geo.scan_values, geo.width, geo.values_per_word
        values = [self.wdata.payload[i * width:(i + 1) * width] for i in range(per_word)]
        for b in range(v):
            ab = Memory(shape=unsigned(geo.bus_width // v), depth=geo.ab_words * geo.n_banks, init=[])
            m.submodules[f"ab{b}" if v > 1 else "ab"] = ab
            wport = ab.write_port()
            m.d.comb += [wport.addr.eq(waddr), wport.data.eq(Cat(*values[b::v])), wport.en.eq(write)]
            wiring.connect(m, wiring.flipped(self.ab_read[b]), ab.read_port())
