"""A component's ports as one input vector and one output vector."""

from __future__ import annotations

from amaranth.hdl import Cat, Module, Value
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from hymem.rtl.common.wrapper import share_model_attributes


def split_ports(interface) -> tuple[list[Value], list[Value]]:
    """The port values of ``interface`` (a component, or an interface object made from its
    signature), inputs and outputs, each in the signature's flattening order: the order in
    which :class:`PackedPorts` concatenates them, least significant first."""
    inputs, outputs = [], []
    for _, member, value in interface.signature.flatten(interface):
        (inputs if member.flow == In else outputs).append(Value.cast(value))
    return inputs, outputs


class PackedPorts(wiring.Component):
    """``inner`` with all its inputs concatenated into ``inputs`` and its outputs into ``outputs``.

    Why: Verilator verilates a module instanced many times (the Hydra unit) as a hierarchical
    block, and its generated wrapper copies, converts and selects every port separately at every
    evaluation (three or four per cycle); two vectors cost less than two dozen ports (+7-11 %
    cycles per CPU-second on the 16-unit sim top, docs/hydra.md).  The logic is ``inner``'s;
    ``config`` and ``geo`` are passed on.

    Parameters
    ----------
    inner : wiring.Component

    Members
    -------
    inputs : In(total input width)
        ``inner``'s inputs, concatenated in the order of :func:`split_ports`.
    outputs : Out(total output width)
        ``inner``'s outputs, likewise.

    Latency and throughput: ``inner``'s.
    """

    def __init__(self, inner: wiring.Component):
        self.inner = inner
        share_model_attributes(self, inner)
        inputs, outputs = split_ports(inner)
        super().__init__({"inputs": In(sum(len(v) for v in inputs)),
                          "outputs": Out(sum(len(v) for v in outputs))})

    def elaborate(self, platform):
        m = Module()
        m.submodules.inner = self.inner
        inputs, outputs = split_ports(self.inner)
        m.d.comb += [Cat(*inputs).eq(self.inputs), self.outputs.eq(Cat(*outputs))]
        return m
