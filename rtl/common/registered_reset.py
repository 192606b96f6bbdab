"""Any component behind a registered reset (a reset synchronizer), for fast simulation."""

from __future__ import annotations

from amaranth.hdl import ClockDomain, ClockSignal, DomainRenamer, Module, ResetSignal, Signal
from amaranth.lib import wiring

from hymem.rtl.common.wrapper import connect_through, share_model_attributes


class RegisteredReset(wiring.Component):
    """``inner`` with its synchronous reset taken from a flip-flop; same signature, connected straight through.

    Why: Verilator re-evaluates all logic that depends on a top-level input at
    every evaluation, i.e. at both clock edges.  Amaranth folds the synchronous
    reset into every register's next-state logic, so with ``rst`` a top-level
    input all of it is evaluated twice per cycle; with the reset registered (as
    a chip's reset synchronizer does) only the logic that reads the data inputs
    is.  ``inner`` is unchanged and cycle-exact, released from reset one cycle
    later.  ``config`` and ``geo`` of ``inner`` are passed on for testbenches.

    Parameters
    ----------
    inner : wiring.Component
        The component (its ``sync`` domain becomes the registered-reset domain).

    Members
    -------
    As ``inner``'s signature.

    Latency and throughput: ``inner``'s.
    """

    def __init__(self, inner: wiring.Component):
        self.inner = inner
        share_model_attributes(self, inner)
        super().__init__(inner.signature)

    def elaborate(self, platform):
        m = Module()
        m.domains.inner = inner_domain = ClockDomain("inner", local=True)
        inner_reset = Signal(init=1)
        m.d.sync += inner_reset.eq(ResetSignal())
        m.d.comb += [inner_domain.clk.eq(ClockSignal()), inner_domain.rst.eq(inner_reset)]
        m.submodules.inner = DomainRenamer("inner")(self.inner)
        connect_through(m, self, self.inner, self.signature.members)
        return m
