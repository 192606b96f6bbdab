"""``hymem sweep``: run a registered study over a grid, locally or on a Dask cluster.

* ``hymem sweep --list [--json]``: ``{"studies": [{"system", "study", "points"}]}``
  (``points``: the default grid x default networks);
* ``hymem sweep SYSTEM STUDY [--grid KEY=V1,V2,... | --grid-file FILE.toml] [--networks A,B]
  [--workers N] [--scheduler tcp://HOST:PORT] [--batch N] [--out DIR] [--resume] [--plot DIR]
  [--json]``: with ``--json`` prints ``{"rows", "engine", "out", "wall_s", ...}``;
  ``DIR/results.csv`` holds the rows with a header (``docs/sweeps.md``).

Exit status: 0; 1 when some points failed (each reported with its parameters, the other rows
written); 2 on bad input (one ``error: ...`` line).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from hymem.golden.cli_support import (
    _emit_json,
    handles_errors,
    json_option,
    plot_option,
    print_table,
)
from hymem.golden.config import ConfigError

DEFAULT_OUT = Path("build") / "sweeps"

workers_option = click.option(
    "--workers", type=int, default=None,
    help="Local worker processes (default: the cores; 1 runs serially in this process).")
scheduler_option = click.option(
    "--scheduler", default=None, metavar="tcp://HOST:PORT",
    help="Run on this Dask distributed scheduler instead of a local pool.")


def _split(values) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def _list(as_json: bool) -> None:
    from hymem.golden.sweep import expand, list_studies

    rows = [{"system": s.system, "study": s.name, "points": len(expand(s)),
             "description": s.description} for s in list_studies()]
    if as_json:
        _emit_json({"studies": rows})
        return
    from rich.table import Table

    table = Table(title="hymem sweep studies (points: default grid x default networks)")
    for col in ("system", "study", "points", "description"):
        table.add_column(col, justify="right" if col == "points" else "left")
    for r in rows:
        table.add_row(r["system"], r["study"], f"{r['points']:,}", r["description"])
    print_table(table)


@click.command("sweep", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("system", required=False)
@click.argument("study_name", metavar="STUDY", required=False)
@click.option("--list", "list_", is_flag=True, help="List the registered studies.")
@click.option("--grid", "grid_items", multiple=True, metavar="KEY=V1,V2,...",
              help="Values of one axis (repeatable); other axes keep their defaults.")
@click.option("--grid-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="TOML with a [grid] table (and optional networks = [...]).")
@click.option("--networks", "network_items", multiple=True, metavar="A,B,...",
              help="Networks to sweep (zoo names or .onnx files; default: the study's).")
@workers_option
@scheduler_option
@click.option("--batch", type=int, default=None, help="Points per task (default: the study's).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output directory (default build/sweeps/SYSTEM-STUDY).")
@click.option("--resume", is_flag=True, help="Skip the points already in --out.")
@plot_option("a heat map of two swept axes and the Pareto front")
@json_option
@handles_errors
def command(system, study_name, list_, grid_items, grid_file, network_items, workers, scheduler,
            batch, out_dir, resume, plot_dir, as_json) -> None:
    """Run study STUDY of SYSTEM over a grid x networks (hymem sweep --list shows them)."""
    from hymem.golden.sweep import get_study, load_grid_file, open_engine, parse_grid, run_sweep

    if list_:
        _list(as_json)
        return
    if not system or not study_name:
        raise ConfigError("give SYSTEM and STUDY (hymem sweep --list shows them)")
    if grid_items and grid_file:
        raise ConfigError("give --grid or --grid-file, not both")
    st = get_study(system, study_name)
    networks = _split(network_items) or None
    if grid_file:
        grid, file_nets = load_grid_file(st, grid_file, networks)
        networks = networks or file_nets
    else:
        grid = parse_grid(st, grid_items, networks or st.networks)
    out = out_dir or DEFAULT_OUT / f"{system}-{study_name}"
    with open_engine(workers, scheduler) as engine:
        res = run_sweep(st, grid, networks, engine, out=out, resume=resume, batch=batch,
                        progress=not as_json)
    doc = {"rows": len(res.rows), "engine": res.engine, "out": str(out), "wall_s": res.wall_s,
           "workers": res.workers, "computed": res.computed, "skipped": res.skipped,
           "failed": len(res.failures), "batch": res.batch, "tasks": res.tasks,
           "scheduling_share": res.scheduling_share}
    if plot_dir:
        from .plots import plot_sweep

        doc["plots"] = plot_sweep(st, res.rows, plot_dir)
    if as_json:
        _emit_json(doc)
    else:
        click.echo(f"{st.key}: {len(res.rows)} rows ({res.computed} computed, {res.skipped} "
                   f"resumed, {len(res.failures)} failed) on {res.engine} x{res.workers} in "
                   f"{res.wall_s:.2f} s -> {out / 'results.csv'}")
        for p in doc.get("plots", []):
            click.echo(f"wrote {p}")
    if res.failures:
        click.echo(f"error: {len(res.failures)} point(s) failed; see {out / 'failures.jsonl'}",
                   err=True)
        sys.exit(1)
