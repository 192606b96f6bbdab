"""A component's event counters sent one per cycle, round robin, instead of all in parallel."""

from __future__ import annotations

from amaranth.hdl import Array, Module, Mux, Shape, Signal
from amaranth.lib import data, wiring
from amaranth.lib.wiring import Out

from hymem.rtl.common.wrapper import connect_through, share_model_attributes


def readout_layout(n_counters: int, width: int) -> data.StructLayout:
    """One counter of a round-robin readout: its position in the counter signature and value."""
    return data.StructLayout({"index": range(n_counters), "value": width})


def readout_members(inner: wiring.Signature) -> dict:
    """``inner``'s members with ``counters`` replaced by ``readout`` (:class:`CounterReadout`)."""
    members = dict(inner.members)
    widths = counter_widths(members.pop("counters").signature)
    members["readout"] = Out(readout_layout(len(widths), max(widths)))
    return members


def counter_widths(signature: wiring.Signature) -> list[int]:
    """The widths of a ``counters`` signature's members (plain ``Out`` values), in order."""
    widths = []
    for name, member in signature.members.items():
        if member.is_signature or member.flow != Out:
            raise ValueError(f"counters member {name!r} is not an output value")
        widths.append(Shape.cast(member.shape).width)
    return widths


class CounterReadout(wiring.Component):
    """``inner`` with its ``counters`` member replaced by ``readout``: one counter per cycle.

    Why: the Hydra sim top verilates each unit as a hierarchical block (``--hierarchical``),
    and Verilator copies every output of such a block across its boundary at every evaluation
    (three or four per cycle), used or not.  The unit's 14 32-bit counters were 448 of its
    652 output bits, read only at the end of a layer; sent one per cycle they are 36
    (:class:`rtl.common.separate_module.SeparateModule` keeps a copy of each on the other side).
    Every other member is ``inner``'s, connected straight through; ``config`` and ``geo``
    are passed on.

    Parameters
    ----------
    inner : wiring.Component
        A component with a ``counters`` member of ``Out`` values (``counter_signature``).

    Members
    -------
    As ``inner``'s, without ``counters``, and:

    readout : Out(readout_layout(n, width))
        ``index`` k and ``value``: counter k's value in the previous cycle; k steps through
        ``0 … n-1`` and around, one step per cycle (``width``: the widest counter).

    Latency and throughput
    ----------------------
    ``readout`` in cycle t + 1 carries counter k's value of cycle t, k being due in cycle t; a
    counter that holds its value from cycle t on is on ``readout`` by cycle t + n.
    """

    def __init__(self, inner: wiring.Component):
        self.inner = inner
        share_model_attributes(self, inner)
        super().__init__(wiring.Signature(readout_members(inner.signature)))

    def elaborate(self, platform):
        m = Module()
        m.submodules.inner = self.inner
        connect_through(m, self, self.inner, [name for name in self.signature.members if name != "readout"])
        n = len(self.inner.counters.signature.members)
        index = Signal(range(n))
        values = Array(value for _, _, value in self.inner.counters.signature.flatten(self.inner.counters))
        m.d.sync += [
            index.eq(Mux(index == n - 1, 0, index + 1)),
            self.readout.index.eq(index),
            self.readout.value.eq(values[index]),
        ]
        return m
