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
