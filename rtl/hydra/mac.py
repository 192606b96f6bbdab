"""Hydra FX16 multiply-accumulate unit (seed 001, Table I: 32 MACs per Hydra unit, FX16)."""

from __future__ import annotations

from amaranth.hdl import Module, Mux, Signal, signed
from amaranth.lib import stream, wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.params import MacParams
from hymem.rtl.common.counters import counter_signature
from hymem.rtl.common.fixed import (
    acc_shape,
    bias_to_acc,
    operand_shape,
    pair_layout,
    requantize,
    result_layout,
    wrap_to,
)

MAC_COUNTERS = ("macs", "busy_cycles")


def mac_signature(fixed: FixedFormat, params: MacParams) -> dict:
    """Ports shared by both MAC variants (see :class:`Mac`)."""
    return {
        "pairs": In(stream.Signature(pair_layout(fixed))),
        "results": Out(stream.Signature(result_layout(fixed))),
        "bias": In(operand_shape(fixed)),
        "bias_load": In(1),
        "clear": In(1),
        "busy": Out(1),
        "counters": Out(counter_signature(MAC_COUNTERS, params.counter_width)),
    }


class Mac(wiring.Component):
    """Pipelined fixed-point MAC: one ⟨W, A⟩ pair per cycle, one result per output neuron.

    Each output neuron starts from the bias register (aligned to the
    accumulator), adds ``w * a`` for each pair, and ends with the pair whose
    ``last`` flag is set; that neuron's requantized value and raw accumulator
    then leave on ``results``.  Golden twin: ``golden.hydra.mac``.

    Parameters
    ----------
    fixed : FixedFormat
        Operand/accumulator widths, rounding and overflow (``[fixed]`` of hydra.toml).
    params : MacParams
        ``counter_width`` of the event counters.

    Members
    -------
    pairs : In(stream.Signature(StructLayout{w: signed(width), a: signed(width), last: 1}))
        The ⟨W, A⟩ pairs; ``last`` closes an output neuron.
    results : Out(stream.Signature(StructLayout{value: signed(width), acc: signed(acc_width)}))
        Per neuron: requantized (round, then saturate/wrap) value and raw accumulator.
    bias : In(signed(width))
        Bias value, Q(width-frac).frac; written to the bias register when ``bias_load``.
    bias_load : In(1)
        Loads ``bias``.  A neuron takes the bias register's value at the cycle its
        first pair is accumulated (the value loaded in that same cycle applies from
        the next neuron on).
    clear : In(1)
        Abandons the neuron in progress: drops the in-flight product and the
        partial sum; ``pairs.ready`` is low in that cycle.  A result already on
        ``results`` is kept.
    busy : Out(1)
        The MAC holds work: a product in flight, a partial sum, or an unread result.
    counters.macs : Out(counter_width)
        Pairs accumulated.
    counters.busy_cycles : Out(counter_width)
        Cycles with ``busy`` high.

    Latency and throughput
    ----------------------
    Two stages (multiply, accumulate): the result of a neuron whose last pair is
    accepted at cycle t is valid at t + 2.  Throughput one pair per cycle; the
    pipeline stalls only when a finished result finds ``results`` still occupied.
    """

    def __init__(self, fixed: FixedFormat, params: MacParams):
        self.fixed = fixed
        self.params = params
        super().__init__(mac_signature(fixed, params))

    variant = "pipelined"

    def elaborate(self, platform):
        m = Module()
        fmt = self.fixed

        # Stage 1: the registered product of one accepted pair.
        p_valid = Signal()
        p_last = Signal()
        p_prod = Signal(signed(2 * fmt.width))
        advance = accumulate_stage(m, self, p_valid, p_last, p_prod, multiplying=0, drop_partial=self.clear)
        m.d.comb += self.pairs.ready.eq((~p_valid | advance) & ~self.clear)

        accept = self.pairs.valid & self.pairs.ready
        with m.If(accept):
            m.d.sync += [
                p_valid.eq(1),
                p_prod.eq(self.pairs.payload.w * self.pairs.payload.a),
                p_last.eq(self.pairs.payload.last),
            ]
        with m.Elif(advance | self.clear):
            m.d.sync += p_valid.eq(0)
        return m


def accumulate_stage(m: Module, mac, p_valid, p_last, p_prod, multiplying, drop_partial) -> Signal:
    """Stage 2 shared by both MAC variants: bias register, partial sum, result register, counters.

    ``p_valid``/``p_last``/``p_prod`` is the finished product waiting in stage 1;
    ``multiplying`` is high while a product is still being formed (it keeps
    ``busy`` high); ``drop_partial`` abandons the partial sum (``clear``).
    Returns ``advance``: the product moves into the sum this cycle.
    """
    fmt = mac.fixed
    bias_reg = Signal(operand_shape(fmt))
    with m.If(mac.bias_load):
        m.d.sync += bias_reg.eq(mac.bias)

    acc = Signal(acc_shape(fmt))
    partial = Signal()  # acc holds a partial sum (else the next pair starts from the bias)
    result_stalled = mac.results.valid & ~mac.results.ready
    advance = Signal()
    m.d.comb += [
        advance.eq(p_valid & ~mac.clear & ~(p_last & result_stalled)),
        mac.busy.eq(multiplying | p_valid | partial | mac.results.valid),
    ]

    base = Signal(acc_shape(fmt))
    acc_next = Signal(acc_shape(fmt))
    m.d.comb += [
        base.eq(wrap_to(bias_to_acc(bias_reg, fmt), fmt.acc_width)),
        acc_next.eq(wrap_to(p_prod + Mux(partial, acc, base), fmt.acc_width)),
    ]

    with m.If(mac.results.valid & mac.results.ready):
        m.d.sync += mac.results.valid.eq(0)
    with m.If(advance):
        with m.If(p_last):
            m.d.sync += [
                mac.results.valid.eq(1),
                mac.results.payload.value.eq(requantize(acc_next, fmt)),
                mac.results.payload.acc.eq(acc_next),
                partial.eq(0),
            ]
        with m.Else():
            m.d.sync += [acc.eq(acc_next), partial.eq(1)]
    with m.If(drop_partial):
        m.d.sync += partial.eq(0)

    counters = mac.counters
    with m.If(advance):
        m.d.sync += counters.macs.eq(counters.macs + 1)
    with m.If(mac.busy):
        m.d.sync += counters.busy_cycles.eq(counters.busy_cycles + 1)
    return advance
