"""A one-deep registered stream stage shared by the MaxNVM codec blocks (a helper, not a component)."""

from __future__ import annotations


def register_stage(m, inp, out, fields: dict):
    """Register ``fields`` (payload member → value computed from ``inp``) onto ``out``.

    Full throughput: ``inp`` is ready whenever the stage is empty or ``out`` drains
    in the same cycle.  Returns the ``inp`` transfer condition (for counters).
    """
    m.d.comb += inp.ready.eq(~out.valid | out.ready)
    accept = inp.valid & inp.ready
    with m.If(accept):
        m.d.sync += [out.valid.eq(1), *(out.payload[name].eq(value) for name, value in fields.items())]
    with m.Elif(out.ready):
        m.d.sync += out.valid.eq(0)
    return accept
