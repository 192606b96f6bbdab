"""``hymem shycache …``: the hybrid SRAM/STT-MRAM cache hierarchy (seed 000).

* ``hymem shycache run (NET | --trace FILE) --l1 STT/SRAM --l2 STT/SRAM|none
  [--nvm-range LO:HI ...] [--inclusion mostly|strict|exclusive] [--stt-scale KEY=X ...]
  [--json]``: one geometry; the issue's JSON contract (``l1``, ``l2``, ``stt_bitflips``,
  ``cycles``, ``energy_j``, ``power_w``) plus stalls, events and the energy breakdown.
* ``hymem shycache sweep NET|paper [--workers N] [--scheduler ADDR] [--plot DIR] [--json]``:
  the L1 x L2 grid (Fig. 3 gains and power reductions, Fig. 5 bit flips, Fig. 4 power
  breakdown) with a progress bar, computed by the sweep layer's ``shycache grid`` study.
* ``hymem shycache trace NET --out FILE.npz``: write a network's inference trace.

Bad input (unknown network or geometry, overlapping ranges, unreadable trace) is one
``error: ...`` line and exit 2.
"""

from __future__ import annotations

from pathlib import Path

import click

from hymem.golden.cli_support import (
    _console,
    _emit_json,
    config_option,
    handles_errors,
    json_option,
    plot_option,
    print_table,
)
from hymem.golden.config import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """SHyCache (seed 000): hybrid SRAM/STT-MRAM caches, CNN traces, bit flips."""


def _config(config_path=None):
    from .params import load_shycache_config

    return load_shycache_config(config_path)


def parse_range(text: str) -> tuple[int, int]:
    """``LO:HI`` (decimal or 0x hex, half-open) -> (lo, hi)."""
    try:
        lo, hi = (int(x, 0) for x in text.split(":"))
    except ValueError:
        raise ConfigError(f"--nvm-range {text!r}: expected LO:HI, e.g. 0x80000000:0xC0000000") \
            from None
    return lo, hi


def parse_scale(items) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        try:
            out[key] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise ConfigError(f"--stt-scale {item!r}: expected KEY=FACTOR, KEY in read, write, "
                              "leakage")
    return out


def _run_doc(net, trace_file, l1, l2, ranges, inclusion, stt_scale, config_path, tech):
    from .cost import STT_SCALE_KEYS
    from .model import prepared, run_point, workload_trace
    from .reference import check_ranges

    if (net is None) == (trace_file is None):
        raise ConfigError("give a network NET or --trace FILE (one of them)")
    cfg = _config(config_path)
    cfg.geometry_of(l1, "l1")
    cfg.geometry_of(l2, "l2")
    scale = parse_scale(stt_scale)
    bad = sorted(set(scale) - set(STT_SCALE_KEYS))
    if bad:
        raise ConfigError(f"--stt-scale {bad[0]!r}; valid: {', '.join(STT_SCALE_KEYS)}")
    ranges = check_ranges([parse_range(r) for r in ranges] or [cfg.workload.nvm_range])
    trace = workload_trace(net, cfg, trace_file)
    doc = run_point(prepared(trace, ranges, cfg), l1, l2, cfg, inclusion, tech, scale)
    hist = [a + b for a, b in zip(doc["events"]["l1"]["flip_histogram"],
                                  doc["events"]["l2"]["flip_histogram"])]
    return {"workload": net or str(trace_file), "accesses": len(trace),
            "nvm_ranges": [[lo, hi] for lo, hi in ranges], "inclusion": inclusion
            or cfg.cache.inclusion, **doc,
            "bitflip_histogram": hist if trace.has_values else None,
            "trace_meta": trace.meta}


@group.command("run")
@click.argument("net", required=False)
@click.option("--trace", "trace_file", type=click.Path(path_type=Path), default=None,
              help="A .npz (hymem, with values) or .din (DineroIV) trace instead of NET.")
@click.option("--l1", "l1", required=True, help="L1-D geometry STT/SRAM in KB, e.g. 64/16.")
@click.option("--l2", "l2", required=True, help="L2 geometry STT/SRAM in KB, or none.")
@click.option("--nvm-range", "ranges", multiple=True,
              help="Reserved eNVRAM range LO:HI (repeatable; default the config's).")
@click.option("--inclusion", type=click.Choice(["mostly", "strict", "exclusive"]), default=None,
              help="L2 inclusion policy (default the config's: mostly).")
@click.option("--stt-scale", "stt_scale", multiple=True,
              help="Sensitivity: scale an STT-MRAM number, KEY=FACTOR (read, write, leakage).")
@click.option("--tech", default=None, help="Technology table name or TOML path.")
@config_option("shycache")
@json_option
@handles_errors
def run(net, trace_file, l1, l2, ranges, inclusion, stt_scale, tech, config_path, as_json):
    """Simulate NET (a zoo network) or --trace FILE on one L1/L2 geometry."""
    doc = _run_doc(net, trace_file, l1, l2, ranges, inclusion, stt_scale, config_path, tech)
    if as_json:
        _emit_json(doc)
        return
    _print_run(doc)


def _print_run(doc) -> None:
    from rich.table import Table

    table = Table(title=f"{doc['workload']}: L1 {doc['l1_geometry']}, L2 {doc['l2_geometry']} "
                        f"({doc['accesses']:,} accesses, {doc['inclusion']}-inclusive)")
    for col in ("level", "part", "hits", "misses", "write-backs"):
        table.add_column(col, justify="left" if col in ("level", "part") else "right")
    for level in ("l1", "l2"):
        for part in ("sram", "stt"):
            c = doc[level][part]
            table.add_row(level, part, f"{c['hits']:,}", f"{c['misses']:,}",
                          f"{c['writebacks']:,}")
    con = _console()
    print_table(table, con)
    flips = doc["stt_bitflips"]
    con.print(f"cycles {doc['cycles']:,} (STT stalls {doc['stall_cycles']:,}); STT bit flips "
              f"{'unavailable (trace has no values)' if flips is None else f'{flips:,}'}; "
              f"energy {doc['energy_j']:.4g} J; power {doc['power_w']:.4g} W", highlight=False)


@group.command("trace")
@click.argument("net")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output .npz file.")
@click.option("--max-rows", type=click.IntRange(0), default=None,
              help="Output pixels per layer (0 = all; default the config's).")
@config_option("shycache")
@json_option
@handles_errors
def trace_cmd(net, out, max_rows, config_path, as_json):
    """Write the inference trace of zoo network NET as a .npz trace."""
    from dataclasses import replace

    from .model import workload_trace
    from .trace import save_npz

    cfg = _config(config_path)
    if max_rows is not None:
        cfg = replace(cfg, workload=replace(cfg.workload, max_rows=max_rows))
    trace = workload_trace(net, cfg)
    save_npz(trace, out)
    doc = {"file": str(out), "accesses": len(trace), "stores": int(trace.write.sum()),
           "meta": trace.meta}
    if as_json:
        _emit_json(doc)
    else:
        click.echo(f"wrote {out}: {len(trace):,} accesses")


@group.command("sweep")
@click.argument("net")
@click.option("--inclusion", type=click.Choice(["mostly", "strict", "exclusive"]), default=None)
@click.option("--tech", default=None, help="Technology table name or TOML path.")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Local worker processes simulating geometries in parallel (1: serially).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run on this Dask distributed scheduler instead.")
@config_option("shycache")
@plot_option("the Fig. 3 heat maps, Fig. 4 power breakdown and Fig. 5 bit-flip curves")
@json_option
@handles_errors
def sweep(net, inclusion, tech, workers, scheduler, config_path, plot_dir, as_json):
    """The L1 x L2 design space of NET (a zoo network, or 'paper' for the seed's three)."""
    from tqdm import tqdm

    from hymem.golden.sweep import open_engine
    from hymem.golden.workloads import get_network

    from .model import PAPER_NETWORKS
    from .sweeps import network_grids

    cfg = _config(config_path)
    nets = list(PAPER_NETWORKS) if net == "paper" else [get_network(net).name]
    per_net = len(cfg.geometry.l1) * len(cfg.geometry.l2)
    with tqdm(total=per_net * len(nets), desc="shycache sweep", unit="point",
              disable=None, leave=False) as bar, open_engine(workers, scheduler) as engine:
        rows = network_grids(cfg, nets, engine, inclusion, tech, bar)
    plots = []
    if plot_dir:
        from .plots import plot_sweep
        plots = plot_sweep(rows, cfg, plot_dir)
    if as_json:
        _emit_json({"rows": rows, **({"plots": plots} if plot_dir else {})})
        return
    _print_sweep(rows, cfg)
    for p in plots:
        click.echo(f"wrote {p}")


def _print_sweep(rows, cfg) -> None:
    from rich.table import Table

    con = _console()
    for net in dict.fromkeys(r["network"] for r in rows):
        for metric, title in (("gain", "runtime gain (x)"), ("power_reduction",
                                                             "power reduction (x)"),
                              ("stt_bitflips", "STT bit flips")):
            table = Table(title=f"{net}: {title}; rows L2, columns L1 (STT/SRAM KB)")
            table.add_column("L2 \\ L1")
            for l1 in cfg.geometry.l1:
                table.add_column(l1, justify="right")
            for l2 in cfg.geometry.l2:
                cells = []
                for l1 in cfg.geometry.l1:
                    r = next(x for x in rows if x["network"] == net and x["l1"] == l1
                             and x["l2"] == l2)
                    v = r[metric]
                    cells.append("–" if v is None else (f"{v:,}" if metric == "stt_bitflips"
                                                        else f"{v:.3f}"))
                table.add_row(l2, *cells)
            print_table(table, con)
