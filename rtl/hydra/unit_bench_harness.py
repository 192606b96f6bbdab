"""A Hydra unit behind a registered reset, for measuring simulation speed."""

from __future__ import annotations

from amaranth.hdl import ClockDomain, ClockSignal, DomainRenamer, Module, ResetSignal, Signal
from amaranth.lib import wiring

from rtl.hydra.unit import HydraUnit


class UnitBenchHarness(wiring.Component):
    """:class:`rtl.hydra.unit.HydraUnit` whose synchronous reset comes from a flip-flop.

    Why: Verilator re-evaluates all logic that depends on a top-level input at
    every evaluation, i.e. at both clock edges.  Amaranth folds the synchronous
    reset into every register's next-state logic, so with ``rst`` a top-level
    input all of it is evaluated twice per cycle; with the reset registered (as
    a chip's reset synchronizer does) only the logic that reads ``cmd``,
    ``wdata`` or ``rdata.ready`` is.  Everything else is the unit, unchanged:
    same signature, same cycle-exact behaviour, released from reset one cycle
    later.

    Parameters
    ----------
    config : HydraConfig
        As for :class:`rtl.hydra.unit.HydraUnit`.

    Members
    -------
    As :class:`rtl.hydra.unit.HydraUnit` (``cmd``, ``wdata``, ``rdata``, ``busy``, ``done``,
    ``error``, ``counters``), connected straight through.

    Latency and throughput: the unit's.
    """

    def __init__(self, config):
        self.unit = HydraUnit(config)
        self.config, self.geo = config, self.unit.geo
        super().__init__(self.unit.signature)

    def elaborate(self, platform):
        m = Module()
        m.domains.unit = unit_domain = ClockDomain("unit", local=True)
        unit_reset = Signal(init=1)
        m.d.sync += unit_reset.eq(ResetSignal())
        m.d.comb += [unit_domain.clk.eq(ClockSignal()), unit_domain.rst.eq(unit_reset)]
        m.submodules.unit = DomainRenamer("unit")(self.unit)
        for name in ("cmd", "wdata", "rdata", "counters"):
            wiring.connect(m, wiring.flipped(getattr(self, name)), getattr(self.unit, name))
        m.d.comb += [getattr(self, name).eq(getattr(self.unit, name)) for name in ("busy", "done", "error")]
        return m
