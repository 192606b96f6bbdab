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
come from the golden cost model (``golden.rana.cost.layer_counts`` with the
design's controller); ``LayerConfig`` carries them to the RTL.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from golden.rana.config_words import LayerConfig, Pattern
from golden.rana.controller import LayerTraffic
from golden.rana.cost import Buffer, layer_counts
from golden.rana.lifetime import DATA_KINDS, ConvShape, Tiling
from golden.workloads.zoo import get_network

KIND_CODE = {kind: i for i, kind in enumerate(DATA_KINDS)}


@dataclass
class ScheduledLayer:
    name: str
    config: LayerConfig          # at the compressed time scale (what the RTL loads)
    lifetime: dict               # kind -> cycles at the compressed time scale
    banks: dict                  # kind -> (first bank, bank count)
    needs_refresh: dict          # kind -> bool (scheduler's decision)


def zoo_shape(network: str, layer: str) -> ConvShape:
    lay = next(x for x in get_network(network).layers if x.name == layer)
    return ConvShape(M=lay.out_ch, N=lay.in_ch, R=lay.out_h, C=lay.out_w, K=lay.kernel_h,
                     S=lay.stride_h, name=f"{network}/{layer}")


def schedule_layer(config, shape: ConvShape, pattern: Pattern, tiling: Tiling, retention_us: float,
                   controller: str, time_scale: int, withhold_flags: bool = False) -> ScheduledLayer:
    """One layer as the scheduler configures it, compressed by ``time_scale``."""
    e = config.edram
    period = config.period_cycles(retention_us)
    bank_words = e.rows_per_bank * config.refresh_words_per_row
    counts = layer_counts(shape, pattern, tiling, config.platform,
                          Buffer("edram", e.n_banks, bank_words, controller, period))
    if not counts["feasible"]:
        raise ValueError(f"{shape.name}: {pattern.name} {tiling} does not fit the buffer")
    n = {k: int(counts["banks"][k]) for k in DATA_KINDS}
    first = {"input": 0, "output": n["input"], "weight": n["input"] + n["output"]}
    needs = {k: bool(counts["needs_refresh"][k]) for k in DATA_KINDS}
    flags = 0
    if not withhold_flags:
        if controller == "normal" and any(needs.values()):
            flags = (1 << e.n_banks) - 1
        else:
            for k in DATA_KINDS:
                if needs[k]:
                    flags |= ((1 << n[k]) - 1) << first[k]
    cycles = int(counts["cycles"])
    cfg = LayerConfig(period=max(round(period / time_scale), 1), refresh_flags=flags, pattern=pattern,
                      tm=tiling.tm, tn=tiling.tn, tr=tiling.tr, tc=tiling.tc,
                      layer_cycles=max(round(cycles / time_scale), 1),
                      banks_in=n["input"], banks_out=n["output"], banks_w=n["weight"])
    life = {k: round(int(counts["lifetime_cycles"][k]) / time_scale) for k in DATA_KINDS}
    return ScheduledLayer(shape.name, cfg, life, {k: (first[k], n[k]) for k in DATA_KINDS}, needs)


@dataclass
class Traffic:
    accesses: LayerTraffic
    kind: np.ndarray             # KIND_CODE per access


def layer_traffic(layer: ScheduledLayer, rows_per_bank: int, budget: int, max_generations: int = 3,
                  ) -> Traffic:
    """Write-at-birth / read-at-death traffic of every kind, in time order (see module docstring)."""
    duration = layer.config.layer_cycles
    plans = []
    for kind in DATA_KINDS:
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
    times = np.array([ev[0] for ev in events], dtype=np.int64)
    gaps = np.maximum(np.diff(np.concatenate(([0], times))) - 1, 0)
    gaps[0] = times[0] if len(times) else 0
    tail = max(duration - (int(times[-1]) if len(times) else 0), 0)
    return Traffic(
        LayerTraffic(gaps, [ev[2] for ev in events], [ev[3] for ev in events], [ev[4] for ev in events], tail),
        np.array([ev[5] for ev in events], dtype=np.int64),
    )
