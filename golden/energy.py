"""Energy and time accounting: event counts × per-event costs (SPEC §3).

This is the *one* function that turns counts into energy, used by the golden
cost models and by the RTL regressions alike, so the RTL-measured energy and
the model energy of the same run are the same number.

* :func:`event_costs` resolves event names to per-event energies (pJ) from a
  technology table; a ``pJ/bit`` quantity is multiplied by the bits one event
  moves, so every cost in the result is "pJ per event".
* :func:`account` takes counts per event (MACs, reads/writes of each buffer,
  refreshes, off-chip accesses, …), a cycle count and a clock, plus optional
  leakage powers, and returns an :class:`Account`: energy per event kind and
  per leaking component in pJ, the total, cycles and seconds.

Counts for events without a cost are an error (never silently free), and so
are negative counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hymem.golden.tech import Quantity, Technology


class EnergyError(ValueError):
    """Inconsistent counts, costs or clocks."""


@dataclass(frozen=True)
class EventCost:
    """Energy of one event in pJ, with the quantity it came from."""

    event: str
    energy_pj: float
    source: str = ""


def cost_from_quantity(event: str, q: Quantity, bits: float | None = None) -> EventCost:
    """Per-event cost from an energy or energy-per-bit quantity."""
    if q.dimension == "energy":
        if bits is not None:
            raise EnergyError(f"event {event!r}: {q} is per event already; do not give bits")
        return EventCost(event, q.to("pJ"), q.source)
    if q.dimension == "energy_per_bit":
        if not bits or bits <= 0:
            raise EnergyError(f"event {event!r}: {q} is per bit; give the bits one event moves")
        return EventCost(event, q.to("pJ/bit") * bits, q.source)
    raise EnergyError(f"event {event!r}: {q} is not an energy")


def event_costs(tech: Technology, mapping: Mapping[str, str | tuple[str, float]]) -> dict[str, EventCost]:
    """Resolve ``{event: "component.quantity" | ("component.quantity", bits)}``."""
    out = {}
    for event, spec in mapping.items():
        dotted, bits = (spec, None) if isinstance(spec, str) else spec
        out[event] = cost_from_quantity(event, tech.quantity(dotted), bits)
    return out


@dataclass(frozen=True)
class Account:
    """Energy breakdown (pJ) by event and leaking component, total, and time."""

    energy_pj: dict[str, float]
    counts: dict[str, float]
    cycles: int
    frequency_hz: float | None

    @property
    def total_pj(self) -> float:
        # fsum in insertion order: the same counts always give the same bits
        return math.fsum(self.energy_pj.values())

    @property
    def seconds(self) -> float | None:
        return None if self.frequency_hz is None else self.cycles / self.frequency_hz

    def as_dict(self) -> dict:
        return {
            "energy_pj": dict(self.energy_pj),
            "total_pj": self.total_pj,
            "counts": dict(self.counts),
            "cycles": self.cycles,
            "seconds": self.seconds,
        }


def account(
    counts: Mapping[str, float],
    costs: Mapping[str, EventCost | float],
    *,
    cycles: int = 0,
    frequency_hz: float | None = None,
    leakage_mw: Mapping[str, float] | None = None,
) -> Account:
    """Energy of ``counts`` under ``costs`` plus leakage over ``cycles`` at ``frequency_hz``.

    ``costs`` values are :class:`EventCost` or plain pJ per event.  Every
    event with a cost appears in the breakdown (zero if not counted), in the
    order of ``costs``; leakage entries are named ``leakage:<component>``.
    """
    unknown = sorted(set(counts) - set(costs))
    if unknown:
        raise EnergyError(f"no cost for event(s) {', '.join(unknown)}; known: {', '.join(costs)}")
    for event, n in counts.items():
        if n < 0:
            raise EnergyError(f"negative count for {event!r}: {n}")
    if cycles < 0:
        raise EnergyError(f"negative cycle count {cycles}")
    if frequency_hz is not None and frequency_hz <= 0:
        raise EnergyError(f"clock frequency must be positive, got {frequency_hz}")
    energy: dict[str, float] = {}
    for event, cost in costs.items():
        pj = cost.energy_pj if isinstance(cost, EventCost) else float(cost)
        energy[event] = counts.get(event, 0) * pj
    if leakage_mw:
        if frequency_hz is None:
            raise EnergyError("leakage needs a clock frequency to turn cycles into time")
        seconds = cycles / frequency_hz
        for comp, mw in leakage_mw.items():
            # mW × s = mJ = 1e9 pJ
            energy[f"leakage:{comp}"] = mw * seconds * 1e9
    return Account(energy, dict(counts), int(cycles), frequency_hz)


__all__ = ["Account", "EnergyError", "EventCost", "account", "cost_from_quantity", "event_costs"]
