"""The ``hymem`` command: workloads, technology tables, and paper reproduction.

Every command takes ``--json`` and then prints exactly one JSON document on
stdout and nothing else (errors become ``{"error": "..."}``).  Bad input —
unknown names, malformed layers, broken ONNX files, bad TOML — prints one line
``error: ...`` on stderr and exits 2, never a Python traceback.  ``reproduce
--strict`` exits 1 when a claim is out of tolerance.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from golden.claims import NOT_MODELLED, SystemResult
from golden.cli_support import (  # noqa: F401  (re-exported for older imports)
    EXIT_BAD_INPUT,
    USER_ERRORS,
    _console,
    _emit_json,
    handles_errors,
    json_option,
    plot_option,
    precision_option,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """hymem: NN accelerators on emerging memories — golden model front end."""


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
    con.print(table)
    t = net.totals(bits)
    tot = Table(title=f"totals ({bits}-bit elements; max_* over conv layers)")
    tot.add_column("figure")
    tot.add_column("value", justify="right")
    for key, val in t.items():
        tot.add_row(key, _fmt_int(val))
    con.print(tot)


@workload.command("list")
@json_option
@handles_errors
def workload_list(as_json: bool) -> None:
    """List the zoo networks."""
    from golden.workloads import get_network, list_networks

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
    _console().print(table)


@workload.command("show")
@click.argument("net")
@precision_option
@json_option
@handles_errors
def workload_show(net: str, bits: int, as_json: bool) -> None:
    """Layers and totals of zoo network NET."""
    from golden.workloads import get_network

    network = get_network(net)
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
    from golden.workloads.onnx_import import load_onnx

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
    from golden.tech import list_techs, load_tech

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
    _console().print(table)


@tech.command("show")
@click.argument("name")
@json_option
@handles_errors
def tech_show(name: str, as_json: bool) -> None:
    """Every quantity of technology NAME (a name in configs/tech or a .toml path)."""
    from golden.tech import load_tech

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
    _console().print(table)


# --------------------------------------------------------------------------
# reproduce
# --------------------------------------------------------------------------

def _fmt_num(x: float) -> str:
    if float(x).is_integer() and abs(x) >= 1000:
        return _fmt_int(x)
    return f"{x:.6g}"


def _print_claims(results: list[SystemResult]) -> None:
    from rich.table import Table

    con = _console()
    notes: list[str] = []
    table = Table(title="hymem reproduce — paper vs model")
    for col in ("claim", "where", "paper", "model", "unit", "ratio", "tol", "ok"):
        table.add_column(col, no_wrap=col != "where",
                         justify="right" if col in ("paper", "model", "ratio", "tol") else "left")
    for res in results:
        if res.status == NOT_MODELLED:
            table.add_row(f"[bold]{res.system}[/]: [yellow]{NOT_MODELLED}[/]", "", "", "", "", "",
                          "", "–", end_section=True)
            continue
        table.add_row(f"[bold]{res.system}[/] ({len(res.claims)} claims)", "", "", "", "", "", "", "")
        for c in res.claims:
            mark = ""
            if c.note:  # one footnote per distinct note text
                if c.note not in notes:
                    notes.append(c.note)
                mark = f" [{notes.index(c.note) + 1}]"
            table.add_row(c.id + mark, c.where, _fmt_num(c.paper), _fmt_num(c.model),
                          c.unit, f"{c.ratio:.4f}", f"±{c.tolerance * 100:.2g}%",
                          "[green]ok[/]" if c.ok else "[red]OUT[/]")
        table.add_section()
    con.print(table)
    for i, note in enumerate(notes, 1):
        con.print(f"[{i}] {note}", highlight=False, markup=False)
    n = sum(len(r.claims) for r in results)
    bad = sum(not c.ok for r in results for c in r.claims)
    con.print(f"{n} claims, {n - bad} within tolerance, {bad} out", highlight=False)


def _plot(results: list[SystemResult], outdir: Path) -> list[str]:
    """One PNG per modelled system: paper (=1) and model/paper bars with tolerance."""
    from golden.plotting import pyplot, save

    plt = pyplot()
    written = []
    for res in results:
        if not res.claims:
            continue
        n = len(res.claims)
        fig, ax = plt.subplots(figsize=(max(6, 0.32 * n + 2), 4.5))
        xs = range(n)
        ax.bar([x - 0.2 for x in xs], [1.0] * n, width=0.4, label="paper", color="#999999")
        ax.bar([x + 0.2 for x in xs], [c.ratio for c in res.claims], width=0.4, label="model",
               color=["#2b8cbe" if c.ok else "#d7301f" for c in res.claims],
               yerr=[c.tolerance for c in res.claims], capsize=2)
        ax.set_xticks(list(xs), [c.id for c in res.claims], rotation=90, fontsize=6)
        ax.set_ylabel("value / paper value")
        ax.set_title(f"hymem reproduce {res.system}: model vs paper (error bar = tolerance)")
        ax.axhline(1.0, color="black", linewidth=0.5)
        ax.legend()
        written.append(save(fig, outdir, f"{res.system}.png"))
    return written


@main.command()
@click.argument("system")
@json_option
@click.option("--strict", is_flag=True, help="Exit 1 when a claim is out of tolerance.")
@plot_option("one chart per system (paper vs model bars)")
@handles_errors
def reproduce(system: str, as_json: bool, strict: bool, plot_dir: Path | None) -> None:
    """Paper vs model for SYSTEM: workloads, hydra, rana, maxnvm, rram, shycache or all."""
    from golden.claims import reproduce as run

    results = run(system)
    plots = _plot(results, plot_dir) if plot_dir else []
    if as_json:
        doc = {"claims": [c.as_dict() for r in results for c in r.claims],
               "systems": {r.system: r.status for r in results}}
        if plot_dir:
            doc["plots"] = plots
        _emit_json(doc)
    else:
        _print_claims(results)
        for p in plots:
            _console().print(f"wrote {p}", highlight=False)
    if strict and not all(r.ok for r in results):
        sys.exit(1)


# --------------------------------------------------------------------------
# per-system command groups: golden/<system>/cli.py exposing ``group``
# --------------------------------------------------------------------------

SYSTEM_CLIS = ("hydra", "rana", "maxnvm", "rram", "shycache")


def _add_system_commands() -> None:
    """``hymem <system> ...`` comes from ``golden.<system>.cli.group`` where that module exists."""
    for system in SYSTEM_CLIS:
        try:
            module = importlib.import_module(f"golden.{system}.cli")
        except ModuleNotFoundError as exc:
            if exc.name in (f"golden.{system}", f"golden.{system}.cli"):
                continue
            raise
        main.add_command(module.group, system)


_add_system_commands()


if __name__ == "__main__":  # after the system groups are added, so `python -m golden.cli` has them
    main()
