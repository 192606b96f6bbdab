"""Event counters: the RTL half of the cost contract (SPEC §3).

A block exposes its counters as one ``counters`` member whose sub-members are
named for the events they count.  Testbenches read them by name from the
signature (``tb.common.counters.read_counters``) and compare them with the
golden cost model's prediction for equality.
"""

from __future__ import annotations

from amaranth.lib import wiring
from amaranth.lib.wiring import Out


def counter_signature(names, width: int) -> wiring.Signature:
    """``Out(width)`` counter per event name; counters wrap at ``2**width``."""
    return wiring.Signature({name: Out(width) for name in names})



def connect_counters(m, counters, *parts, own=()) -> None:
    """Drive each member of ``counters`` from the same-named counter of the one sub-component
    that counts it.

    ``parts`` are components with a ``counters`` member, or ``(prefix, component)``
    pairs whose counter names gain ``prefix``; ``own`` names the counters the block
    drives itself.  A counter that no part or two parts count is a construction
    error, raised here.
    """
    sources = {}
    for part in parts:
        prefix, part = part if isinstance(part, tuple) else ("", part)
        for name in part.counters.signature.members:
            key = prefix + name
            if key in sources or key in own:
                raise ValueError(f"counter {key!r} is counted twice")
            sources[key] = getattr(part.counters, name)
    wanted = set(counters.signature.members) - set(own)
    if wanted != set(sources):
        missing, extra = sorted(wanted - set(sources)), sorted(set(sources) - wanted)
        raise ValueError(f"counters not matched: missing {missing}, unexpected {extra}")
    m.d.comb += [getattr(counters, key).eq(value) for key, value in sources.items()]
