"""``hymem rram …``: seed 002's Table 3, exact layer counts, one design's Table 6 breakdown and
the whole design space.

* ``hymem rram table3 --p P --K K --groups G [--json]``: Table 3 as printed.
* ``hymem rram layer --C --H --W --M --K [--stride --pad --order --acc --word] [--json]``:
  the exact loop-nest counts of one conv layer (what the RTL counters equal).
* ``hymem rram network NET --io KB --weight KB --tech T --acc D --order O --schedule S``:
  Table 6's breakdown of one design (buffer sizes are whole buffers: 8 banks).
* ``hymem rram dse NET [--workers N] [--scheduler ADDR] [--plot DIR] [--json]``: every design
  point (Fig. 4 analog), computed by the sweep layer's ``rram space`` study (locally by
  default, or on a Dask cluster).
"""

from __future__ import annotations

from dataclasses import replace

import click

from hymem.golden.cli_support import (
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
    """RRAM weight buffer (seed 002): Table 3, loop-nest counts, schedules, design space."""


def _config(config_path=None):
    from .params import load_params

    return load_params(config_path)


def _table(title: str, rows: list[tuple], columns: tuple[str, ...]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    print_table(table)


@group.command("table3")
@click.option("--p", "p", type=int, default=8, show_default=True, help="Pixels per group.")
@click.option("--K", "k", type=int, default=3, show_default=True, help="Kernel size.")
@click.option("--groups", type=int, default=1, show_default=True,
              help="Pixel groups processed together (the paper's n).")
@json_option
@handles_errors
def table3_cmd(p: int, k: int, groups: int, as_json: bool) -> None:
    """Seed 002 Table 3 (formulas as printed) for one K x K convolution on groups x p pixels."""
    from .table3 import table3

    doc = table3(p, k, groups)
    if as_json:
        _emit_json(doc)
        return
    keys = ("input", "weight", "output_read", "output_write")
    _table(f"Table 3: K={k}, {groups} x {p} pixels", [(key, doc["kernel_first"][key],
                                                       doc["pixel_first"][key]) for key in keys],
           ("access", "kernel first", "pixel first"))


@group.command("layer")
@click.option("--C", "c", type=int, required=True, help="Input channels.")
@click.option("--H", "h", type=int, required=True, help="Input height.")
@click.option("--W", "w", type=int, required=True, help="Input width.")
@click.option("--M", "m_out", type=int, required=True, help="Output channels.")
@click.option("--K", "k", type=int, default=3, show_default=True)
@click.option("--stride", type=int, default=1, show_default=True)
@click.option("--pad", type=int, default=0, show_default=True)
@click.option("--order", default="pixel_first", show_default=True,
              help="kernel_first or pixel_first.")
@click.option("--acc", "acc", type=int, default=32, show_default=True,
              help="Accumulation-buffer depth 2g (0 = none).")
@click.option("--word", type=int, default=32, show_default=True,
              help="Weight-buffer word in bytes (32 RRAM, 8 SRAM).")
@click.option("--p", "p", type=int, default=None, help="Override [array] p.")
@click.option("--n", "n", type=int, default=None, help="Override [array] n.")
@click.option("--m", "m", type=int, default=None, help="Override [array] m.")
@click.option("--pixel-groups", "pixel_groups", type=click.Choice(["row", "raster", "auto"]),
              default=None, help="Override [model] pixel_groups (row: seed 002's; raster: groups "
              "across rows, stride 1 'same' only; auto: raster where it applies).")
@config_option("rram")
@json_option
@handles_errors
def layer_cmd(c, h, w, m_out, k, stride, pad, order, acc, word, p, n, m, pixel_groups, config_path,
              as_json: bool) -> None:
    """Exact loop-nest counts of one conv layer (what the RTL's event counters equal)."""
    from hymem.golden.workloads import make_layer

    from .loopnest import loop_counts, pixel_group_modes

    cfg = _config(config_path)
    over = {key: val for key, val in (("p", p), ("n", n), ("m", m)) if val is not None}
    array = replace(cfg.array, **over)
    layer = make_layer("layer", "conv", (c, h, w), out_ch=m_out, kernel=k, stride=stride,
                       padding=pad)
    groups = pixel_groups or cfg.model.pixel_groups
    counts = loop_counts([layer], array, order, acc, word, groups).as_dict()
    doc = {"layer": layer.as_dict(), "order": order, "acc_depth": acc, "weight_word_bytes": word,
           "pixel_groups": pixel_group_modes([layer], array.p, groups)[0],
           "array": {"p": array.p, "n": array.n, "m": array.m}, "counts": counts,
           "utilisation": counts["macs"] / (counts["cycles"] * array.macs_per_cycle)}
    if as_json:
        _emit_json(doc)
        return
    _table(f"{c}x{h}x{w} -> {m_out}, K={k}, stride {stride}, pad {pad}, {order}, acc {acc}, "
           f"{doc['pixel_groups']} pixel groups",
           [(key, f"{val:,}") for key, val in counts.items()]
           + [("MAC utilisation", f"{doc['utilisation']:.3f}")], ("count", "value"))


def _bank_macro(kind: str, total_kb: int, banks: int, valid: tuple[str, ...]) -> str:
    """The Table 4 macro whose ``banks`` copies make a ``total_kb`` buffer of ``kind``."""
    from .macros import macro, technology

    for name in valid:
        if name.startswith(kind) and macro(technology("rram_buffer_22nm"), name).size_bytes \
                * banks == total_kb * 1024:
            return name
    sizes = [macro(technology("rram_buffer_22nm"), name).size_bytes * banks // 1024
             for name in valid if name.startswith(kind)]
    raise ConfigError(f"no {kind.upper()} buffer of {total_kb} KB from {banks} Table 4 banks; "
                      f"valid: {', '.join(map(str, sizes))}")


@group.command("network")
@click.argument("net")
@click.option("--io", "io_kb", type=int, default=1024, show_default=True,
              help="I/O buffer KB (each of the input and output buffers; 8 SRAM banks).")
@click.option("--weight", "weight_kb", type=int, default=1024, show_default=True,
              help="Weight buffer KB (8 banks).")
@click.option("--tech", default="rram", show_default=True, help="Weight buffer: rram or sram.")
@click.option("--acc", "acc", type=int, default=0, show_default=True,
              help="Accumulation depth: 0 (none), 16, 32, 64, 128.")
@click.option("--order", default="kernel_first", show_default=True)
@click.option("--schedule", "level", default="fixed", show_default=True,
              help="single, cross or fixed (cross + fixed weights).")
@config_option("rram")
@json_option
@plot_option("the breakdown bars")
@handles_errors
def network_cmd(net, io_kb, weight_kb, tech, acc, order, level, config_path, plot_dir,
                as_json: bool) -> None:
    """Energy breakdown (Table 6 rows) and time of NET's conv layers on one design."""
    from .cost import TECHS, evaluate_design
    from .macros import acc_macro, technology
    from .study import network_layers

    cfg = _config(config_path)
    if tech not in TECHS:
        raise ConfigError(f"unknown technology {tech!r}; valid: {', '.join(TECHS)}")
    acc_macro(technology(cfg.tech), acc)   # a depth not in Table 5 is an error here
    io = _bank_macro("sram", io_kb, cfg.array.io_banks, cfg.space.io_macros)
    weights = cfg.space.rram_weight_macros if tech == "rram" else cfg.space.sram_weight_macros
    w = _bank_macro(tech, weight_kb, cfg.array.weight_banks, weights)
    doc = evaluate_design(network_layers(net), cfg, tech, io, w, acc, order, level)
    doc["network"] = net
    if plot_dir:
        from .plots import breakdown

        doc["plot"] = breakdown(doc, plot_dir)
    if as_json:
        _emit_json(doc)
        return
    total = doc["total_uj"]
    rows = [(r, f"{v:.4g}", f"{100 * v / total:.2f} %") for r, v in doc["breakdown_uj"].items()]
    rows.append(("Total", f"{total:.4g}", ""))
    _table(f"{net}: {tech} weight {weight_kb} KB, I/O {io_kb} KB, acc {acc}, {order}, {level}; "
           f"{doc['time_ms']:.3f} ms, bound by {doc['bound']}", rows, ("row", "uJ", "share"))
    for stage in doc["stages"]:
        if stage["bound"] != "array":
            click.echo(f"bandwidth-bound: {stage['name']} by {stage['bound']} "
                       f"({stage['time_ms']:.3f} ms)")
    if plot_dir:
        click.echo(f"wrote {doc['plot']}")


@group.command("dse")
@click.argument("net", default="vgg11")
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True,
              help="Local worker processes (1: serially in this process).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run on this Dask distributed scheduler instead.")
@config_option("rram")
@json_option
@plot_option("the Fig. 4 analog")
@handles_errors
def dse_cmd(net, workers, scheduler, config_path, plot_dir, as_json: bool) -> None:
    """Every design point (I/O x weight x accumulation depth x order x schedule, SRAM and
    RRAM weight buffers) on NET's conv layers."""
    from hymem.golden.sweep import get_study, open_engine, rows_of

    from .study import acc_study, best, network_layers, schedule_study
    from .sweeps import space_from_rows, space_grid

    cfg = _config(config_path)
    network_layers(net)   # a network without conv layers is one error line, before any pool
    with open_engine(workers, scheduler) as engine:
        rows = rows_of(get_study("rram", "space"), space_grid(cfg), [net], engine,
                       progress=not as_json, config=cfg, context=cfg)
    r = space_from_rows(rows, cfg)
    doc = {"network": net, "points": [r.point(k) for k in range(len(r))]}
    if plot_dir:
        from .plots import fig4, fig5

        doc["plot"] = fig4(r, plot_dir)
        doc["plot_fig5"] = fig5({t: acc_study(r, t) for t in ("sram", "rram")},
                                schedule_study(r, cfg.space.rram_weight_macros), plot_dir)
    if as_json:
        _emit_json(doc)
        return
    rows = []
    for tech in ("sram", "rram"):
        for order in ("kernel_first", "pixel_first"):
            for level in ("single", "cross", "fixed"):
                p = r.point(best(r, tech=tech, order=order, schedule=level))
                rows.append((tech, order, level, p["io_kb"], p["weight_kb"], p["acc_depth"],
                             f"{p['total_uj']:.0f}"))
    _table(f"{net}: best design per technology, order and schedule ({len(r)} points)", rows,
           ("tech", "order", "schedule", "I/O KB", "weight KB", "acc", "uJ"))
    if plot_dir:
        click.echo(f"wrote {doc['plot']}\nwrote {doc['plot_fig5']}")


__all__ = ["group"]
