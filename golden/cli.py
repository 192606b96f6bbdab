"""The ``hymem`` command: workloads, technology tables, and paper reproduction.

Every command takes ``--json`` and then prints exactly one JSON document on
stdout and nothing else (errors become ``{"error": "..."}``).  Bad input —
unknown names, malformed layers, broken ONNX files, bad TOML, unknown options —
prints one line ``error: ...`` on stderr and exits 2, never a Python traceback;
an unexpected failure prints ``error: internal: ...`` and exits 2 too
(``hymem --debug ...`` shows its traceback).  ``reproduce --strict`` exits 1
on an unexpected outcome (strict-xfail: see golden/claims.py).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from hymem.golden.claims import SystemResult
from hymem.golden.claims_report import FORMATS, to_csv, to_markdown
from hymem.golden.claims_report import print_table as print_claims_table
from hymem.golden.cli_support import (
    ErrorBoundary,
    _console,
    _emit_json,
    handles_errors,
    json_option,
    plot_option,
    precision_option,
    print_table,
    set_debug,
)


@click.group(cls=ErrorBoundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True,
              help="Show the Python traceback of an internal error instead of one line.")
@click.version_option(package_name="hymem", prog_name="hymem", message="%(prog)s %(version)s")
def main(debug: bool) -> None:
    """hymem: NN accelerators on emerging memories — golden model front end.

    Bad input prints one line 'error: ...' on stderr and exits 2; --json prints
    one JSON document on stdout ({"error": ...} on failure)."""
    set_debug(debug)


# --------------------------------------------------------------------------
# workload
# --------------------------------------------------------------------------

@main.group()
def workload() -> None:
    """Network zoo and ONNX import."""


def _fmt_int(n) -> str:
    return f"{int(n):,}".replace(",", " ")


def _print_network(net, bits: int) -> None:
    from rich.table import Table

    table = Table(title=f"{net.name}: {net.description}  (input {'x'.join(map(str, net.input_shape))})")
    for col in ("layer", "kind", "in C×H×W", "out C×H×W", "kernel", "stride", "pad", "groups",
                "params", "MACs"):
        table.add_column(col, justify="right" if col in ("params", "MACs", "groups") else "left")
    for lay in net.layers:
        costed = lay.kind in ("conv", "maxpool", "avgpool")
        table.add_row(
            lay.name, lay.kind, f"{lay.in_ch}×{lay.in_h}×{lay.in_w}",
            f"{lay.out_ch}×{lay.out_h}×{lay.out_w}",
            f"{lay.kernel_h}×{lay.kernel_w}" if costed else "",
            f"{lay.stride_h},{lay.stride_w}" if costed else "",
            ",".join(map(str, lay.pad)) if costed and any(lay.pad) else "",
            str(lay.groups) if lay.kind == "conv" and lay.groups > 1 else "",
            _fmt_int(lay.params) if lay.params else "", _fmt_int(lay.macs) if lay.macs else "")
    con = _console()
    print_table(table, con)
    t = net.totals(bits)
    tot = Table(title=f"totals ({bits}-bit elements; max_* over conv layers)")
    tot.add_column("figure")
    tot.add_column("value", justify="right")
    for key, val in t.items():
        tot.add_row(key, _fmt_int(val))
    print_table(tot, con)


@workload.command("list")
@json_option
@handles_errors
def workload_list(as_json: bool) -> None:
    """List the zoo networks."""
    from hymem.golden.workloads import get_network, list_networks

    rows = []
    for name in list_networks():
        net = get_network(name)
        t = net.totals()
        rows.append({"name": name, "description": net.description, "source": net.source,
                     "input": list(net.input_shape), "layers": len(net.layers),
                     "params": t["params"], "macs": t["macs"]})
    if as_json:
        _emit_json({"networks": rows})
        return
    from rich.table import Table

    table = Table(title="hymem network zoo")
    for col in ("name", "input", "layers", "params", "MACs", "description"):
        table.add_column(col, justify="right" if col in ("layers", "params", "MACs") else "left")
    for r in rows:
        table.add_row(r["name"], "x".join(map(str, r["input"])), str(r["layers"]),
                      _fmt_int(r["params"]), _fmt_int(r["macs"]), r["description"])
    print_table(table)


@workload.command("show")
@click.argument("net")
@precision_option
@json_option
@handles_errors
def workload_show(net: str, bits: int, as_json: bool) -> None:
    """Layers and totals of NET: a zoo network name or an .onnx file."""
    from hymem.golden.workloads import load_network

    network = load_network(net)
    if as_json:
        _emit_json(network.as_dict(bits))
    else:
        _print_network(network, bits)


@workload.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@precision_option
@json_option
@handles_errors
def workload_import(file: Path, bits: int, as_json: bool) -> None:
    """Import FILE.onnx into the layer description and show it."""
    from hymem.golden.workloads.onnx_import import load_onnx

    network = load_onnx(file)
    if as_json:
        _emit_json(network.as_dict(bits))
    else:
        _print_network(network, bits)


# --------------------------------------------------------------------------
# tech
# --------------------------------------------------------------------------

@main.group()
def tech() -> None:
    """Memory and compute technology tables (configs/tech/*.toml)."""


@tech.command("list")
@json_option
@handles_errors
def tech_list(as_json: bool) -> None:
    """List the technology tables."""
    from hymem.golden.tech import list_techs, load_tech

    rows = []
    for name in list_techs():
        t = load_tech(name)
        rows.append({"name": name, "description": t.description, "file": str(t.path),
                     "components": list(t.components)})
    if as_json:
        _emit_json({"technologies": rows})
        return
    from rich.table import Table

    table = Table(title="technology tables")
    for col in ("name", "components", "description"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], str(len(r["components"])), r["description"])
    print_table(table)


@tech.command("show")
@click.argument("name")
@json_option
@handles_errors
def tech_show(name: str, as_json: bool) -> None:
    """Every quantity of technology NAME (a name in configs/tech or a .toml path)."""
    from hymem.golden.tech import load_tech

    t = load_tech(name)
    if as_json:
        _emit_json({
            "name": t.name, "description": t.description, "file": str(t.path),
            "components": {
                c.name: {"kind": c.kind, "description": c.description, "attrs": c.attrs,
                         "quantities": {k: {"value": q.value, "unit": q.unit, "per": q.per,
                                            "source": q.source}
                                        for k, q in c.quantities.items()}}
                for c in t.components.values()},
        })
        return
    from rich.table import Table

    table = Table(title=f"{t.name}: {t.description}")
    for col in ("component", "quantity", "value", "unit", "per", "source"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for c in t.components.values():
        for key, val in c.attrs.items():
            table.add_row(c.name, key, str(val), "", "", "")
        for key, q in c.quantities.items():
            table.add_row(c.name, key, f"{q.value:g}", q.unit, q.per, q.source)
    print_table(table)


# --------------------------------------------------------------------------
# reproduce
# --------------------------------------------------------------------------

def _progress(name: str) -> None:
    """Which system ``reproduce`` is on, on a terminal's stderr (cold studies add their own bars)."""
    if sys.stderr.isatty():
        click.echo(f"reproduce: {name} ...", err=True)


@main.command()
@click.argument("system")
@json_option
@click.option("--strict", is_flag=True,
              help="Exit 1 on any unexpected outcome (an expected-ok claim out, or an expected-out "
                   "claim back within tolerance), or when SYSTEM is not modelled yet.")
@click.option("--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
              default="table", show_default=True,
              help="table (terminal), csv (every field, notes included) or md (Markdown).")
@plot_option("one chart per system (model / paper with the paper's tolerance)")
@handles_errors
def reproduce(system: str, as_json: bool, strict: bool, fmt: str, plot_dir: Path | None) -> None:
    """Paper vs model for SYSTEM: workloads, hydra, rana, maxnvm, rram, shycache or all."""
    from hymem.golden.claims import reproduce as run
    from hymem.golden.claims import summary

    results = run(system.lower(), progress=None if as_json else _progress)
    plots = _plot(results, plot_dir) if plot_dir else []
    if as_json:
        doc = {"claims": [c.as_dict() for r in results for c in r.claims],
               "systems": {r.system: r.status for r in results}, "summary": summary(results)}
        if plot_dir:
            doc["plots"] = plots
        _emit_json(doc)
    elif fmt == "csv":
        click.echo(to_csv(results), nl=False)
    elif fmt == "md":
        click.echo(to_markdown(results), nl=False)
    else:
        print_claims_table(results, _console())
    for p in plots if not as_json else ():
        click.echo(f"wrote {p}", err=fmt != "table")
    if strict:
        _judge_strict(results, system.lower())


def _judge_strict(results: list[SystemResult], system: str) -> None:
    """``--strict``: unexpected outcomes fail; so does asking for one system that is not modelled."""
    from hymem.golden.claims import not_modelled

    missing = not_modelled(results)
    if missing:
        click.echo(f"strict: not yet modelled, so not judged: {', '.join(missing)}", err=True)
    bad = [c.id for r in results for c in r.claims if c.unexpected]
    if bad:
        click.echo(f"strict: {len(bad)} unexpected outcome(s): {', '.join(bad)}", err=True)
    if bad or (system != "all" and missing):
        sys.exit(1)


def _plot(results: list[SystemResult], outdir: Path) -> list[str]:
    from hymem.golden.claims_report import plot

    return plot(results, outdir)


# --------------------------------------------------------------------------
# per-system command groups: golden/<system>/cli.py exposing ``group``
# --------------------------------------------------------------------------

SYSTEM_CLIS = ("hydra", "rana", "maxnvm", "rram", "shycache")


def _add_system_commands() -> None:
    """``hymem <system> ...`` comes from ``golden.<system>.cli.group`` where that module exists."""
    for system in SYSTEM_CLIS:
        try:
            module = importlib.import_module(f"hymem.golden.{system}.cli")
        except ModuleNotFoundError as exc:
            if exc.name in (f"hymem.golden.{system}", f"hymem.golden.{system}.cli"):
                continue
            raise
        main.add_command(module.group, system)


_add_system_commands()


def _add_sweep_command() -> None:
    """``hymem sweep``: the design-space sweep layer (golden/sweep)."""
    from hymem.golden.sweep.cli import command

    main.add_command(command, "sweep")


_add_sweep_command()

if __name__ == "__main__":  # after the system groups are added, so `python -m hymem.golden.cli` has them
    main()
