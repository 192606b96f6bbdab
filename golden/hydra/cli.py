"""``hymem hydra …``: the Hydra memory-system model from the command line.

``hymem hydra frame NET --system {dram,pcm,hydra}`` prints per-layer and
per-frame latency, data-transfer energy, DRAM/PCM reads and writes and PCM
writes avoided; ``hymem hydra compare NET`` puts the three systems side by
side.  NET is a zoo network name or an ``.onnx`` file.
"""

from __future__ import annotations

from pathlib import Path

import click

from hymem.golden.cli_support import (
    FloatIn,
    _console,
    _emit_json,
    config_option,
    handles_errors,
    json_option,
    print_table,
)
from hymem.golden.workloads import load_network

from . import memory


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """Hydra (seed 001): DRAM + PCM main memory, three systems, per-layer/per-frame figures."""


def _setup(timing: str, cycles_per_mac: float | None, config_path: Path | None,
           overlap: bool | None = None):
    from dataclasses import replace

    from .frame import MacRate, timing_by_name
    from .params import load_hydra_config

    config = load_hydra_config(config_path)
    if overlap is not None:
        config = replace(config, system=replace(config.system, overlap=overlap))
    if cycles_per_mac is not None:
        return config, MacRate(cycles_per_mac, f"{cycles_per_mac:g} cycles/MAC (given)")
    return config, timing_by_name(timing, config)


timing_options = [
    click.option("--timing", default="paper", show_default=True,
                 help="Compute timing: paper (cycles/MAC calibrated once on VGG-16's 81.22 ms at "
                      "Table I's 16 x 32 MACs, 3 GHz; scales with the config), "
                      "radix4 (8 cycles/MAC, ideal), rtl (golden.hydra.cycles, ideal memory) or "
                      "rtl-memory (the RTL with DRAM/PCM timing on the memory clock, "
                      "golden.hydra.command_stream; slower)."),
    click.option("--cycles-per-mac", type=FloatIn(0, min_open=True), default=None,
                 help="Compute timing at this many cycles per MAC per MAC unit (overrides --timing)."),
    config_option("hydra"),
    click.option("--overlap/--no-overlap", default=None,
                 help="--timing rtl / rtl-memory: the overlapped schedule (transfers behind compute) or the "
                      "paper's serial one; default: [system] overlap of the config."),
]


def _with_timing(fn):
    for opt in reversed(timing_options):
        fn = opt(fn)
    return fn


def _n(x) -> str:
    return f"{int(x):,}".replace(",", " ")


@group.command("frame")
@click.argument("net")
@click.option("--system", default="hydra", show_default=True, help="dram, pcm or hydra.")
@_with_timing
@json_option
@handles_errors
def frame_cmd(net: str, system: str, timing: str, cycles_per_mac: float | None,
              config_path: Path | None, overlap: bool | None, as_json: bool) -> None:
    """Per-layer and per-frame figures of NET on one memory SYSTEM."""
    from .frame import frame

    system = memory.check_system(system)
    config, tim = _setup(timing, cycles_per_mac, config_path, overlap)
    fig = frame(load_network(net), system, config, tim)
    if as_json:
        _emit_json(fig.as_dict())
        return
    from rich.table import Table

    table = Table(title=f"{fig.network} on {system}: {fig.timing}; data-transfer energy = "
                        f"{fig.transfer_energy}")
    cols = ("layer", "kind", "MACs", "compute ms", "util", "DRAM rd", "DRAM wr", "PCM rd", "PCM wr",
            "energy uJ", "xfer ms", "PCM wr avoided")
    for col in cols:
        table.add_column(col, justify="left" if col in ("layer", "kind") else "right")
    for lay in fig.layers:
        table.add_row(
            lay.name, lay.kind, _n(lay.macs) if lay.macs else "", f"{lay.compute_s * 1e3:.4g}",
            f"{lay.utilization:.1%}" if lay.utilization is not None else "",
            _n(lay.reads["dram"]), _n(lay.writes["dram"]), _n(lay.reads["pcm"]),
            _n(lay.writes["pcm"]), f"{lay.transfer_energy_pj * 1e-6:.2f}",
            f"{max(lay.transfer_s.values()) * 1e3:.4g}" + (" *" if lay.memory_bound else ""),
            _n(lay.pcm_writes_avoided))
    con = _console()
    print_table(table, con)
    con.print("* transfer time exceeds the layer's compute time (hidden by prefetch across the frame)",
              highlight=False)
    _print_totals([fig])


def _print_totals(figs) -> None:
    from rich.table import Table

    table = Table(title="per frame" + (f" ({figs[0].network})" if len(figs) > 1 else ""))
    table.add_column("figure")
    for fig in figs:
        table.add_column(fig.system, justify="right")
    totals = [fig.totals() for fig in figs]
    rows = [
        ("latency ms", lambda t: f"{t['latency_s'] * 1e3:.6g}"),
        ("frames/s", lambda t: "–" if t["fps"] is None else f"{t['fps']:.6g}"),
        ("compute ms", lambda t: f"{t['compute_s'] * 1e3:.6g}"),
        ("transfer ms DRAM", lambda t: f"{t['transfer_s']['dram'] * 1e3:.6g}"),
        ("transfer ms PCM", lambda t: f"{t['transfer_s']['pcm'] * 1e3:.6g}"),
        ("memory bound", lambda t: str(t["memory_bound"])),
        ("MAC utilization", lambda t: "" if t["utilization"] is None else f"{t['utilization']:.1%}"),
        ("data-transfer energy mJ", lambda t: f"{t['transfer_energy_j'] * 1e3:.6g}"),
        ("DRAM reads", lambda t: _n(t["reads"]["dram"])),
        ("DRAM writes", lambda t: _n(t["writes"]["dram"])),
        ("PCM reads", lambda t: _n(t["reads"]["pcm"])),
        ("PCM writes", lambda t: _n(t["writes"]["pcm"])),
        ("PCM writes avoided", lambda t: _n(t["pcm_writes_avoided"])),
    ]
    for label, get in rows:
        table.add_row(label, *(get(t) for t in totals))
    print_table(table)


@group.command("compare")
@click.argument("net")
@_with_timing
@json_option
@handles_errors
def compare_cmd(net: str, timing: str, cycles_per_mac: float | None, config_path: Path | None,
                overlap: bool | None, as_json: bool) -> None:
    """Per-frame figures of NET on pure DRAM, pure PCM and Hydra, with energy ratios."""
    from .frame import frame

    config, tim = _setup(timing, cycles_per_mac, config_path, overlap)
    network = load_network(net)
    figs = [frame(network, s, config, tim) for s in memory.SYSTEMS]
    energy = {f.system: f.transfer_energy_j for f in figs}
    ratios = {"pcm_over_hydra": energy["pcm"] / energy["hydra"] if energy["hydra"] else None,
              "pcm_over_dram": energy["pcm"] / energy["dram"] if energy["dram"] else None}
    if as_json:
        _emit_json({"network": network.name, "timing": tim.label,
                    "transfer_energy": config.memory.transfer_energy,
                    "systems": {f.system: f.totals() for f in figs}, "energy_ratios": ratios})
        return
    _print_totals(figs)
    def ratio(key: str) -> str:
        return "–" if ratios[key] is None else f"{ratios[key]:.3f}x"

    _console().print(f"data-transfer energy ({config.memory.transfer_energy}): pure PCM / Hydra "
                     f"{ratio('pcm_over_hydra')}, pure PCM / pure DRAM {ratio('pcm_over_dram')}; "
                     f"timing: {tim.label}", highlight=False)
