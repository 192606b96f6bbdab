"""Read a block's event counters (the ``counters`` member of its signature)."""

from __future__ import annotations

from hymem.tb.common.hdl import members, read


def counter_names(component, member: str = "counters") -> list[str]:
    return [path[1] for path in members(component) if path[0] == member]


def read_counters(dut, component, member: str = "counters") -> dict[str, int]:
    """``{event name: count}`` as the RTL holds them now."""
    return {name: read(dut, component, member, name) for name in counter_names(component, member)}


def assert_counters_equal(measured: dict, predicted: dict, width: int | None = None):
    """Equality, not tolerance (SPEC §3); the message lists every mismatch.

    ``width``: the counters' width; the RTL's counters wrap there, so the
    prediction is taken modulo ``2**width`` (long runs pass 2^32 bits moved).
    """
    if width is not None:
        predicted = {k: v % (1 << width) for k, v in predicted.items()}
    wrong = {k: (measured.get(k), v) for k, v in predicted.items() if measured.get(k) != v}
    assert not wrong, "counter mismatch (rtl, golden): " + ", ".join(f"{k}={m} vs {g}" for k, (m, g) in wrong.items())
