"""Self-driving harness around the Hydra MAC, for measuring simulation speed."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Mux, Signal
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.params import MacParams
from hymem.rtl.hydra.mac import Mac


class MacBenchHarness(wiring.Component):
    """Feeds the MAC from an on-chip xorshift32 generator so no Python runs per cycle.

    After ``start``, pair ``i`` is ``w = s_i[0:width]``, ``a = s_i[16:16+width]``
    for the xorshift32 state ``s_i`` (``s_0 = seed``), and every ``kernel``-th
    pair closes a neuron (bias 0); the sink is always ready.  Each result's raw
    accumulator is folded into ``checksum`` (rotate left by one, XOR the low 32
    bits), which the golden model recomputes to prove the run was correct.

    Parameters
    ----------
    fixed, params : as for :class:`rtl.hydra.mac.Mac`
    kernel : int
        Pairs per neuron (9: a 3×3 kernel).

    Members
    -------
    start : In(1)      pulse: latch ``n_pairs`` and ``seed``, begin
    n_pairs : In(32)   pairs to send (a multiple of ``kernel``)
    seed : In(32)      initial xorshift32 state (non-zero)
    done : Out(1)      all results received (stays high until the next ``start``)
    checksum : Out(32) fold of the results' accumulators
    cycles : Out(32)   cycles from ``start`` to ``done``

    Latency and throughput: one pair per cycle; ``done`` rises ``n_pairs + 3`` cycles after ``start``.
    """

    def __init__(self, fixed: FixedFormat, params: MacParams, kernel: int = 9):
        if fixed.width > 16:
            raise ValueError(f"MacBenchHarness draws operands from 16-bit halves; width={fixed.width} > 16")
        self.fixed, self.params, self.kernel = fixed, params, kernel
        super().__init__({
            "start": In(1), "n_pairs": In(32), "seed": In(32),
            "done": Out(1), "checksum": Out(32), "cycles": Out(32),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.mac = mac = Mac(self.fixed, self.params)
        width = self.fixed.width

        state = Signal(32)
        to_send = Signal(32)
        in_kernel = Signal(range(self.kernel))
        running = Signal()

        step1 = state ^ (state << 13)[:32]
        step2 = step1 ^ (step1 >> 17)
        next_state = step2 ^ (step2 << 5)[:32]

        m.d.comb += [
            mac.pairs.valid.eq(running & (to_send != 0)),
            mac.pairs.payload.w.eq(state[:width]),
            mac.pairs.payload.a.eq(state[16:16 + width]),
            mac.pairs.payload.last.eq(in_kernel == self.kernel - 1),
            mac.results.ready.eq(1),
        ]
        with m.If(self.start):
            m.d.sync += [
                state.eq(self.seed), to_send.eq(self.n_pairs), in_kernel.eq(0), running.eq(1), self.done.eq(0),
                self.checksum.eq(0), self.cycles.eq(0),
            ]
        with m.Elif(running):
            m.d.sync += self.cycles.eq(self.cycles + 1)
            with m.If(mac.pairs.valid & mac.pairs.ready):
                m.d.sync += [state.eq(next_state), to_send.eq(to_send - 1)]
                m.d.sync += in_kernel.eq(Mux(mac.pairs.payload.last, 0, in_kernel + 1))
            with m.If(mac.results.valid):
                m.d.sync += self.checksum.eq(Cat(self.checksum[31], self.checksum[:31]) ^ mac.results.payload.acc[:32])
            # Nothing left to send and nothing in the MAC: every result has been taken.
            with m.If((to_send == 0) & ~mac.busy):
                m.d.sync += [running.eq(0), self.done.eq(1)]
        return m
