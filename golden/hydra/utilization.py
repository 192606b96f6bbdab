"""Where a layer's cycles go on the Hydra simulation top with DRAM/PCM timing (exact counts).

:func:`layer_losses` splits the cycles of ``golden.hydra.command_stream.layer_memory_cost`` into
the MACs' own cycles and four losses, from each job's ``job_cycles`` (P positions in G groups of
N lanes, T = channels x K^2 pairs per lane and group, a of n units active):

* ``idle_units``  T·P/N·(1 - a/n) per job: units without an input channel (few input channels);
* ``idle_lanes``  T·(G - P/N) per job: lanes without a position in a tile's last group;
* ``pipeline``    job_cycles + 1 - G·T per job: the first fill, the per-group pipeline cycles and
  fills longer than compute;
* ``exposed``     cycles - Σ (job_cycles + 1): transfers (WRITEs, READs, write-backs) the STARTs
  did not hide.

The MACs' cycles are ``layer.macs / (n·N)``; the five parts sum to the layer's cycles.

``python -m hymem.golden.hydra.utilization NET [--kinds conv] [--tiling dram_pcm] [--config PATH]``
prints them per layer and in total for a network's layers of those kinds (default conv, max-pool,
FC: the unit's modes).
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from hymem.golden.hydra.command_stream import layer_memory_cost
from hymem.golden.hydra.cycles import job_cycles, layer_jobs
from hymem.golden.hydra.unit import UnitGeometry

PARTS = ("macs", "pipeline", "exposed", "idle_lanes", "idle_units")
KINDS = ("conv", "maxpool", "fc")


def layer_losses(layer, config) -> dict:
    """``cycles`` and the :data:`PARTS` of ``layer`` (cycles; the parts sum to ``cycles``)."""
    geo = UnitGeometry.from_config(config)
    n, lanes = config.system.n_units, geo.n_macs
    parts = dict.fromkeys(PARTS, 0.0)
    starts = 0
    for lj in layer_jobs(layer, config):
        job = lj.job
        cycles = job_cycles(job, geo, config.mac.variant)["cycles"] + 1
        positions, groups = job.positions, job.groups(lanes)
        pairs = 0 if job.is_pool else job.channels * job.taps
        starts += cycles
        parts["pipeline"] += cycles - groups * pairs
        parts["idle_lanes"] += pairs * (groups - positions / lanes)
        parts["idle_units"] += pairs * positions / lanes * (1 - lj.active_units / n)
    total = layer_memory_cost(layer, config).cycles
    parts.update(macs=layer.macs / (n * lanes), exposed=total - starts, cycles=total)
    return parts


def main(argv=None) -> None:
    from hymem.golden.hydra.params import load_hydra_config
    from hymem.golden.workloads import load_network

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("net")
    ap.add_argument("--tiling", choices=("ideal_memory", "dram_pcm"), default=None)
    ap.add_argument("--config", default=None)
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated layer kinds")
    args = ap.parse_args(argv)
    config = load_hydra_config(args.config)
    if args.tiling:
        config = replace(config, system=replace(config.system, tiling=args.tiling))
    totals = dict.fromkeys(("cycles",) + PARTS, 0.0)
    for layer in load_network(args.net).layers:
        if layer.kind not in args.kinds.split(","):
            continue
        row = layer_losses(layer, config)
        for key in totals:
            totals[key] += row[key]
        print(_line(layer.name, row))
    print(_line("total", totals))


def _line(name: str, row: dict) -> str:
    shares = "  ".join(f"{p} {row[p] / row['cycles']:6.1%} ({row[p] / 1e6:.2f} M)" for p in PARTS)
    return f"{name:18s} {int(row['cycles']):>11d} cycles  {shares}"


if __name__ == "__main__":
    main()
