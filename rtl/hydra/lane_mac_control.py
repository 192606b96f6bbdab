"""The control of a unit's lane MACs, one copy for all N lanes (seed 001 §III-B: the lanes of a
unit take the same broadcast weight in lockstep)."""

from __future__ import annotations

from amaranth.hdl import Module, Signal, signed
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.golden.hydra.mac import booth_iterations
from hymem.rtl.common.fixed import acc_shape, bias_to_acc
from hymem.rtl.hydra.unit_signatures import lane_mac_signature


class LaneMacControl(wiring.Component):
    """What :class:`~rtl.hydra.mac.Mac` / :class:`~rtl.hydra.mac_seq.MacSeq` keep per MAC besides
    its data, kept once for a unit's lanes: every lane takes a pair in the same cycle, so the
    product's valid and last flags, the partial-sum flag, the result's valid flag, the
    sequential multiplier's iteration count and the bias (aligned to the accumulator) are the
    same in all of them.  Each :class:`~rtl.hydra.lane.Lane` keeps its multiplier's operands,
    its product and its accumulator and follows ``lanes``.  Cycle for cycle the lanes behave as N
    of the ``[mac] variant``'s MAC with ``results.ready`` high and ``clear`` low (how the compute
    engine runs them), each neuron's result in the lane's accumulator the cycle
    ``result_valid`` is high.  Golden twin: ``golden.hydra.mac`` (one lane).

    Parameters
    ----------
    config : HydraConfig
        ``[fixed]`` (widths, ``frac``), ``[mac] variant``.

    Members
    -------
    pair_valid, last : In(1)
        A pair is offered to every lane (taken when ``ready``); ``last`` closes the neuron.
    bias : In(signed(width)), bias_load : In(1)
        The bias register's value and its load; a neuron takes the register's value at the
        cycle its first product is added (a value loaded in that cycle applies from the next
        neuron on).
    lanes : Out(lane_mac_signature(acc_width))
        ``load`` (take the pair), ``step`` (one Booth iteration), ``finish`` (the multiplier's
        sum is the product), ``add`` (the product enters the accumulator), ``partial`` (added to
        the partial sum, else to ``base``), ``base`` (the bias aligned to the accumulator).
    ready : Out(1)
        The lanes take a pair this cycle.
    busy : Out(1)
        A product in flight or being formed, a partial sum, or a result this cycle.
    result_valid : Out(1)
        Every lane's accumulator holds its neuron's result (one cycle).

    Latency and throughput
    ----------------------
    The variant's: pipelined, a neuron's result is valid two cycles after its last pair is
    taken, one pair per cycle; sequential, n + 2 cycles (n = ceil(width / 2)), one pair per n.
    """

    def __init__(self, config):
        self.config = config
        fmt = config.fixed
        super().__init__({
            "pair_valid": In(1), "last": In(1),
            "bias": In(signed(fmt.width)), "bias_load": In(1),
            "lanes": Out(lane_mac_signature(fmt.acc_width)),
            "ready": Out(1), "busy": Out(1), "result_valid": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        fmt, lanes = self.config.fixed, self.lanes
        base = Signal(acc_shape(fmt))
        with m.If(self.bias_load):
            m.d.sync += base.eq(bias_to_acc(self.bias, fmt))

        p_valid, p_last, partial = Signal(), Signal(), Signal()
        multiplying = self.multiplier_control(m, p_valid, p_last)
        m.d.comb += [
            lanes.base.eq(base), lanes.partial.eq(partial), lanes.add.eq(p_valid),
            self.busy.eq(multiplying | p_valid | partial | self.result_valid),
        ]
        # the product enters the sum the cycle after it is formed: results are always taken
        m.d.sync += self.result_valid.eq(p_valid & p_last)
        with m.If(p_valid):
            m.d.sync += partial.eq(~p_last)
        return m

    def multiplier_control(self, m, p_valid, p_last):
        """``p_valid``/``p_last`` (a product is formed, and closes its neuron), ``load``,
        ``step``, ``finish`` and ``ready``; returns the expression "the multiplier works"."""
        lanes = self.lanes
        m.d.comb += lanes.load.eq(self.pair_valid & self.ready)
        if self.config.mac.variant == "pipelined":
            m.d.comb += self.ready.eq(1)
            m.d.sync += p_valid.eq(lanes.load)
            with m.If(lanes.load):
                m.d.sync += p_last.eq(self.last)
            return 0
        n = booth_iterations(self.config.fixed.width)
        count = Signal(range(n + 1))        # iterations left; 0 = multiplier idle
        m_last = Signal()                   # the pair in the multiplier closes its neuron
        m.d.comb += [
            lanes.step.eq((count != 0) & (count != 1)),
            lanes.finish.eq(count == 1),
            self.ready.eq((count == 0) | lanes.finish),
        ]
        m.d.sync += p_valid.eq(lanes.finish)
        with m.If(lanes.step):
            m.d.sync += count.eq(count - 1)
        with m.If(lanes.finish):
            m.d.sync += [count.eq(0), p_last.eq(m_last)]
        with m.If(lanes.load):
            m.d.sync += [count.eq(n), m_last.eq(self.last)]
        return count != 0
