"""Co-simulation stimulus: scheduled layers of real networks → configuration words and buffer traffic.

Time scale.  A layer of the real platform runs 10^5–10^7 cycles at 200 MHz.
The co-simulation divides every time by ``time_scale``: the clock-divider
period, the layer's duration and the data lifetimes (so their ratios hold),
and the eDRAM model converts a simulated cycle back to ``time_scale / f``
seconds of real time when it checks retention.  The buffer geometry is the
real one (64 banks × 727 rows), so a refresh sweep still takes 727 cycles:
``time_scale`` must keep the period above that (at 45 µs: ≤ 8).

Traffic.  Per data kind (inputs, outputs, weights) the pattern's loop nest
rewrites the kind's buffer space once per lifetime (``golden.rana.lifetime``:
a new input/weight tile is loaded, or OD's partial outputs are updated — the
self-refresh of §IV-C1).  The traffic keeps exactly that structure: every
lifetime, a sample of the kind's rows is written at its start and read back
(and checked) at its end; ``budget`` bounds the accesses per layer, so rows
are sampled with a stride across the kind's banks and at most
``max_generations`` lifetimes per kind (evenly spread over the layer) carry
traffic.  Intermediate reads of the
loop nest do not restore eDRAM cells and are left out.

Schedule.  The pattern, tiling, bank allocation, lifetimes and refresh flags
come from the golden scheduler (``golden.rana.scheduler.schedule_network``
for a Table IV design); its ``LayerConfig`` (period and layer cycles divided
by ``time_scale``) is what the RTL loads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from hymem.golden.rana.config_words import LayerConfig
from hymem.golden.rana.controller import LayerTraffic
from hymem.golden.rana.lifetime import DATA_KINDS
from hymem.golden.rana.scheduler import schedule_network

KIND_CODE = {kind: i for i, kind in enumerate(DATA_KINDS)}


@dataclass
class ScheduledLayer:
    name: str
    config: LayerConfig          # at the compressed time scale (what the RTL loads)
    lifetime: dict               # kind -> cycles at the compressed time scale
    banks: dict                  # kind -> (first bank, bank count)
    needs_refresh: dict          # kind -> bool (scheduler's decision)
    refresh_words: int = 0       # the scheduler's γ for the layer (real time scale)


def scheduled_layers(network: str, design: str, names, time_scale: int, config=None,
                     withhold_flags: bool = False) -> list[ScheduledLayer]:
    """Layers ``names`` of ``network`` as the golden scheduler configures them for ``design``."""
    schedule = schedule_network(network, design, config)
    by_name = {s.name: s for s in schedule.layers}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise ValueError(f"{network}: no conv layer(s) {', '.join(missing)}; valid: {', '.join(by_name)}")
    return [from_schedule(by_name[n], time_scale, withhold_flags) for n in names]


def from_schedule(s, time_scale: int, withhold_flags: bool = False) -> ScheduledLayer:
    """A ``golden.rana.scheduler.LayerSchedule`` compressed by ``time_scale``."""
    c = s.config
    n = {"input": c.banks_in, "output": c.banks_out, "weight": c.banks_w}
    first = {"input": 0, "output": n["input"], "weight": n["input"] + n["output"]}
    cfg = replace(c, period=max(round(c.period / time_scale), 1) if c.period else 0,
                  layer_cycles=max(round(c.layer_cycles / time_scale), 1),
                  refresh_flags=0 if withhold_flags else c.refresh_flags)
    life = {k: round(int(s.counts["lifetime_cycles"][k]) / time_scale) for k in DATA_KINDS}
    needs = {k: bool(s.counts["needs_refresh"][k]) for k in DATA_KINDS}
    return ScheduledLayer(f"{s.name} ({s.pattern.name})", cfg, life, {k: (first[k], n[k]) for k in DATA_KINDS},
                          needs, 0 if withhold_flags else int(s.counts["refresh"]))


@dataclass
class Traffic:
    accesses: LayerTraffic
    kind: np.ndarray             # KIND_CODE per access


def layer_traffic(layer: ScheduledLayer, rows_per_bank: int, budget: int, max_generations: int = 3,
                  kinds=DATA_KINDS) -> Traffic:
    """Write-at-birth / read-at-death traffic of every kind, in time order (see module docstring)."""
    duration = layer.config.layer_cycles
    plans = []
    for kind in kinds:
        first, count = layer.banks[kind]
        life = min(layer.lifetime[kind], duration)
        if count == 0 or life <= 0:
            continue
        plans.append((kind, first, count, life, -(-duration // life)))
    events = []  # (time, read-before-write, bank, row, write, kind)
    for kind, first, count, life, gens in plans:
        used = np.unique(np.linspace(0, gens - 1, min(gens, max_generations)).round().astype(int))
        stride = max(1, -(-count * rows_per_bank * 2 * len(used) // (budget // len(plans))))
        rows = np.arange(0, count * rows_per_bank, stride)
        banks, rws = first + rows // rows_per_bank, rows % rows_per_bank
        for g in used:
            start, end = g * life, min((g + 1) * life, duration)
            events += [(start, 1, b, r, 1, KIND_CODE[kind]) for b, r in zip(banks, rws)]
            events += [(end, 0, b, r, 0, KIND_CODE[kind]) for b, r in zip(banks, rws)]
    events.sort(key=lambda ev: (ev[0], ev[1]))
    # One access per cycle: an access whose time is taken goes in the next free cycle, and
    # later accesses return to their own times (delays do not accumulate across bursts).
    gaps, last = [], -1
    for ev in events:
        when = max(ev[0], last + 1)
        gaps.append(when - last - 1)
        last = when
    tail = max(duration - last - 1, 0)
    return Traffic(
        LayerTraffic(gaps, [ev[2] for ev in events], [ev[3] for ev in events], [ev[4] for ev in events], tail),
        np.array([ev[5] for ev in events], dtype=np.int64),
    )
