"""``hymem rana …``: RANA's lifetime/storage equations, scheduler and studies.

* ``hymem rana layer --M … --pattern OD --Tm … [--H --L] [--json]``: η, lifetimes
  (µs) and buffer storage (bytes) of one layer and tiling (eqs. 1–13);
  an impossible tiling names the constraint it breaks.
* ``hymem rana schedule NET --design NAME [--capacity-scale X] [--words] [--json]``:
  per-layer pattern, tiling, banks, refresh flags and energy breakdown
  (eq. 14); ``--words`` adds the configuration memory image the RTL loads.
* ``hymem rana designs``: Fig. 15 (six designs × four benchmarks, normalized
  to S+ID); ``hymem rana dadiannao``: §V-C; ``hymem rana sweep``: Fig. 18; ``hymem rana retention``: the
  retention distribution; ``hymem rana train``: the retention-aware
  training study (Fig. 11 analog); ``hymem rana retention-sweep``: Fig. 16.
"""

from __future__ import annotations

from dataclasses import replace

import click

from hymem.golden.cli_support import (
    FloatIn,
    _console,
    _emit_json,
    config_option,
    handles_errors,
    json_option,
    plot_option,
    print_table,
)

from .config_words import Pattern
from .training import NUMBER_FORMATS


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """RANA (seed 004): eDRAM lifetimes, hybrid-pattern scheduler, refresh flags, training."""


def _sig(x: float) -> str:
    """4 significant digits, never rounded to 0: 0.1412 stays 0.1412, 123456.7 is 1.235e+05."""
    return f"{x:.4g}"


def _share(part: float, whole: float) -> str:
    if not whole:
        return "–"
    return f"{part / whole * 100:.3g} %"


def _plotted(path: str | None) -> None:
    if path:
        click.echo(f"wrote {path}")


def _config(config_path=None):
    from .params import load_rana_config

    return load_rana_config(config_path)


def layer_report(shape, pattern: Pattern, tiling, cfg) -> dict:
    """η, lifetimes and storage of one layer/tiling (the ``layer`` command's document)."""
    from .lifetime import check_tiling, layer_cycles, lifetime_cycles, storage_words, utilization

    check_tiling(shape, tiling, cfg.core)
    f = cfg.platform.freq_hz
    life = lifetime_cycles(shape, pattern, tiling, cfg.platform)
    store = storage_words(shape, pattern, tiling)
    nbytes = cfg.platform.data_bytes
    return {
        "layer": {"M": shape.M, "N": shape.N, "R": shape.R, "C": shape.C, "K": shape.K, "S": shape.S,
                  "H": shape.H, "L": shape.L},
        "pattern": pattern.name,
        "tiling": {"Tm": tiling.tm, "Tn": tiling.tn, "Tr": tiling.tr, "Tc": tiling.tc},
        "eta": float(utilization(shape, tiling, cfg.platform)),
        "cycles": int(layer_cycles(shape, tiling, cfg.platform)),
        "lifetime_us": {k: float(life[k]) / f * 1e6 for k in ("input", "output", "weight")},
        "storage_bytes": {k: int(store[k]) * nbytes for k in ("input", "output", "weight", "total")},
    }


@group.command("layer")
@click.option("--M", "M", type=int, required=True, help="Output channels (kernels).")
@click.option("--N", "N", type=int, required=True, help="Input channels.")
@click.option("--R", "R", type=int, required=True, help="Output rows.")
@click.option("--C", "C", type=int, required=True, help="Output columns.")
@click.option("--K", "K", type=int, required=True, help="Kernel size.")
@click.option("--S", "S", type=int, default=1, show_default=True, help="Stride.")
@click.option("--pattern", type=click.Choice([p.name for p in Pattern], case_sensitive=False),
              required=True)
@click.option("--Tm", "tm", type=int, required=True)
@click.option("--Tn", "tn", type=int, required=True)
@click.option("--Tr", "tr", type=int, required=True)
@click.option("--Tc", "tc", type=int, required=True)
@click.option("--H", "H", type=int, default=0, help="Input rows (default (R-1)*S+K).")
@click.option("--L", "L", type=int, default=0, help="Input columns (default (C-1)*S+K).")
@config_option("rana")
@json_option
@handles_errors
def layer_cmd(M, N, R, C, K, S, pattern, tm, tn, tr, tc, H, L, config_path, as_json) -> None:
    """PE utilization, lifetimes (µs) and buffer storage (bytes) of one layer and tiling."""
    from .lifetime import ConvShape, Tiling

    pattern = pattern.upper()
    doc = layer_report(ConvShape(M, N, R, C, K, S, H, L), Pattern[pattern], Tiling(tm, tn, tr, tc),
                       _config(config_path))
    if as_json:
        _emit_json(doc)
        return
    click.echo(f"{pattern}  M={M} N={N} R={R} C={C} K={K} S={S} H={doc['layer']['H']} L={doc['layer']['L']}  "
               f"Tm={tm} Tn={tn} Tr={tr} Tc={tc}")
    click.echo(f"eta = {doc['eta']:.4f}   cycles = {doc['cycles']}")
    for k in ("input", "output", "weight"):
        click.echo(f"{k:>7}: lifetime {doc['lifetime_us'][k]:10.2f} us   storage {doc['storage_bytes'][k]:>10} B")
    click.echo(f"  total: storage {doc['storage_bytes']['total']} B")


@group.command("schedule")
@click.argument("net")  # zoo name or .onnx file
@click.option("--design", required=True,
              help="S+ID, eD+ID, eD+OD, RANA(0), RANA(E-5) or RANA*(E-5); case and punctuation are "
                   "optional: s-id, ed-id, ed-od, rana-0, rana-e5, rana-star-e5.")
@click.option("--capacity-scale", type=FloatIn(0, 1024, min_open=True), default=1.0, show_default=True,
              help="Scale of the buffer capacity (Fig. 18 sweeps 0.25..8).")
@click.option("--words", is_flag=True, help="Also print the configuration words the RTL loads.")
@config_option("rana")
@json_option
@handles_errors
def schedule_cmd(net: str, design: str, capacity_scale: float, words: bool, config_path, as_json: bool) -> None:
    """Per-layer configuration and energy breakdown of NET (zoo name or .onnx file) on one Table IV design."""
    from rich.table import Table

    from .scheduler import schedule_network

    cfg = _config(config_path)
    s = schedule_network(net, design, cfg, capacity_scale=capacity_scale)
    doc = s.as_dict()
    if words:
        doc["words"] = [int(w) for w in s.words()]
        doc["config_memory_words"] = cfg.edram.config_memory_words
    if as_json:
        _emit_json(doc)
        return
    b = s.buffer
    table = Table(title=f"{net} on {s.design.name}: {b.kind} {b.n_banks} banks x {b.bank_words} words, "
                        f"controller {b.controller}, refresh period {b.period_cycles} cycles")
    for col in ("layer", "pattern", "Tm,Tn,Tr,Tc", "LT in/out/w (us)", "banks i/o/w", "flags",
                "refresh words", "DDR words", "energy (uJ)"):
        table.add_column(col)
    for lay in doc["layers"]:
        t, lt, bk = lay["tiling"], lay["lifetime_us"], lay["banks"]
        table.add_row(lay["layer"], lay["pattern"], f"{t['Tm']},{t['Tn']},{t['Tr']},{t['Tc']}",
                      f"{_sig(lt['input'])}/{_sig(lt['output'])}/{_sig(lt['weight'])}",
                      f"{bk['input']}/{bk['output']}/{bk['weight']}", lay["refresh_flags"],
                      str(lay["counts"]["refresh"]), str(lay["counts"]["ddr"]),
                      _sig(sum(lay['energy_pj'].values()) / 1e6))
    con = _console()
    print_table(table, con)
    con.print("energy (uJ): " + ", ".join(f"{k} {_sig(v / 1e6)}" for k, v in doc["energy_pj"].items())
              + f", total {_sig(doc['total_pj'] / 1e6)}", highlight=False)
    if s.skipped:
        con.print(f"not scheduled (RANA schedules convolutions only, seed 004 §II-A; their energy "
                  f"is not in the total): {', '.join(f'{n} ({k})' for n, k in s.skipped)}",
                  highlight=False)
    if words:
        con.print("words: " + " ".join(f"{w:08x}" for w in doc["words"]))
        if len(doc["words"]) > cfg.edram.config_memory_words:
            con.print(f"note: {len(doc['words'])} words exceed the RTL configuration memory "
                      f"(edram.config_memory_words = {cfg.edram.config_memory_words}); load the "
                      "network in parts", highlight=False)


PAPER_FIG15 = {  # seed 004 §V-B1 (Fig. 15), as fractions
    "rana_star_vs_sid_energy_saving": 0.662,
    "rana_star_vs_sid_offchip_saving": 0.417,
    "rana_star_vs_edid_refresh_saving": 0.997,
    "edid_vs_sid_energy_increase": 0.133,
    "edid_vs_sid_offchip_saving": 0.403,
    "alexnet_edid_vs_sid_energy": 2.3,
    "edod_vs_edid_refresh_energy_saving": 0.437,
    "rana0_vs_edod_energy_saving": 0.194,
    "ranae5_vs_rana0_refresh_saving": 0.985,
    "ranae5_vs_rana0_energy_saving": 0.454,
    "rana_star_refresh_energy_share": 0.004,
}


@group.command("designs")
@config_option("rana")
@plot_option("the Fig. 15 bars")
@json_option
@handles_errors
def designs_cmd(config_path, plot_dir, as_json: bool) -> None:
    """The six Table IV designs on AlexNet, VGG-19, GoogLeNet, ResNet-50 (Fig 15)."""
    from .plots import fig15
    from .study import comparison, normalized

    cfg = _config(config_path)
    doc = {"normalized_to_sid": normalized(cfg), "aggregate": "suite totals", "figures": comparison(cfg),
           "figures_mean_of_ratios": comparison(cfg, "mean"), "paper": PAPER_FIG15}
    if plot_dir:
        doc["plot"] = fig15(doc["normalized_to_sid"], plot_dir)
    if as_json:
        _emit_json(doc)
        return
    from rich.table import Table

    con = _console()
    for net, per in doc["normalized_to_sid"].items():
        table = Table(title=f"{net}: energy normalized to S+ID")
        for col in ("design", "mac", "buffer", "refresh", "ddr", "total"):
            table.add_column(col, justify="right")
        for d, e in per.items():
            table.add_row(d, *(f"{e[k]:.3f}" for k in ("mac", "buffer", "refresh", "ddr")), f"{sum(e.values()):.3f}")
        print_table(table, con)
    table = Table(title="§V-B figures over the four benchmarks (model: suite totals; also mean of per-network ratios)")
    for col in ("figure", "model", "model (mean)", "paper"):
        table.add_column(col)
    for k, v in doc["figures"].items():
        table.add_row(k, f"{v:.4f}", f"{doc['figures_mean_of_ratios'][k]:.4f}", f"{PAPER_FIG15[k]:.4f}")
    print_table(table, con)
    _plotted(doc.get("plot"))


@group.command("dadiannao")
@config_option("rana")
@json_option
@handles_errors
def dadiannao_cmd(config_path, as_json: bool) -> None:
    """§V-C: RANA(0), RANA(E-5), RANA*(E-5) on one DaDianNao node vs the original (WD, 45 us)."""
    from .dadiannao import PAPER, comparison

    doc = {"figures": comparison(_config(config_path)), "paper": PAPER}
    if as_json:
        _emit_json(doc)
        return
    for k, v in doc["figures"].items():
        click.echo(f"{k:<42} model {v:.4f}   paper {PAPER[k]:.4f}")


def _engine_options(fn):
    """``--workers N`` (default 1: in this process) and ``--scheduler ADDR`` (Dask): the sweep layer."""
    fn = click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                      help="Run the schedules on this Dask scheduler (golden/sweep).")(fn)
    return click.option("--workers", type=int, default=1, show_default=True,
                        help="Local processes for the schedules (golden/sweep).")(fn)


@group.command("sweep")
@config_option("rana")
@_engine_options
@plot_option("the Fig. 18 bars")
@json_option
@handles_errors
def sweep_cmd(config_path, workers, scheduler, plot_dir, as_json: bool) -> None:
    """RANA(E-5) vs RANA*(E-5) energy over buffer capacity 0.25x..8x of 1.454 MB (Fig 18)."""
    from hymem.golden.sweep import open_engine

    from .plots import fig18
    from .study import capacity_sweep, refresh_saving_range

    with open_engine(workers, scheduler) as engine:
        sweep = capacity_sweep(_config(config_path), engine=engine)
    lo, hi = refresh_saving_range(sweep)
    plot = fig18(sweep, plot_dir) if plot_dir else None
    if as_json:
        _emit_json({"normalized_to_rana_e5_at_1x": {n: {str(s): r for s, r in v.items()} for n, v in sweep.items()},
                    "refresh_saving_range": [lo, hi], "paper_refresh_saving_range": [0.655, 0.923],
                    **({"plot": plot} if plot else {})})
        return
    for net, rows in sweep.items():
        click.echo(net)
        for scale, row in rows.items():
            a, b = row["RANA(E-5)"], row["RANA*(E-5)"]
            click.echo(f"  {scale:>5}x  RANA(E-5) {sum(a.values()):.3f} (refresh {a['refresh']:.3f})   "
                       f"RANA*(E-5) {sum(b.values()):.3f} (refresh {b['refresh']:.3f})")
    click.echo(f"refresh saving of RANA* over the sweep: {lo:.1%} .. {hi:.1%} (paper 65.5% .. 92.3%)")
    _plotted(plot)


@group.command("retention-sweep")
@click.argument("net", default="resnet50")
@config_option("rana")
@_engine_options
@plot_option("the Fig. 16 bars")
@json_option
@handles_errors
def retention_sweep_cmd(net: str, config_path, workers, scheduler, plot_dir, as_json: bool) -> None:
    """Accelerator energy of eD+ID, eD+OD, RANA(0) on NET (zoo name or .onnx; default ResNet-50) as the
    retention time, and the refresh interval with it, goes 45..1440 us (Fig 16; off-chip access excluded)."""
    from rich.table import Table

    from hymem.golden.sweep import open_engine

    from .plots import fig16
    from .study import SWEEP_INTERVALS_US, interval_sweep

    with open_engine(workers, scheduler) as engine:
        sweep = interval_sweep(_config(config_path), network=net, engine=engine)
    plot = fig16(sweep, plot_dir, net) if plot_dir else None
    if as_json:
        _emit_json({"network": net, "accelerator_energy_pj": {d: {str(t): e for t, e in per.items()}
                                                               for d, per in sweep.items()},
                    **({"plot": plot} if plot else {})})
        return
    table = Table(title=f"{net}: accelerator energy in uJ (refresh share) vs retention time; "
                        "paper (ResNet, 90 -> 180 us): eD+ID refresh -50.0 %, eD+OD -80.1 %")
    table.add_column("design")
    for t in SWEEP_INTERVALS_US:
        table.add_column(f"{t} us", justify="right")
    for d, per in sweep.items():
        table.add_row(d, *(f"{_sig(sum(e.values()) / 1e6)} ({_share(e['refresh'], sum(e.values()))})"
                           for e in per.values()))
    print_table(table)
    _plotted(plot)


@group.command("retention")
@click.option("--rate", "rates", type=FloatIn(0, 1, min_open=True), multiple=True,
              help="Failure rate(s) -> retention time.")
@click.option("--us", "times", type=FloatIn(0, min_open=True), multiple=True,
              help="Retention time(s) in us -> failure rate.")
@config_option("rana")
@json_option
@handles_errors
def retention_cmd(rates, times, config_path, as_json: bool) -> None:
    """The retention distribution (Fig 8): failure rate <-> retention time."""
    from .retention import distribution

    dist = distribution(_config(config_path).retention)
    rates = rates or (3e-6, 1e-5, 1e-4, 1e-3)
    doc = {"source": dist.source,
           "retention_us": {f"{r:g}": float(dist.retention_us(r)) for r in rates},
           "failure_rate": {f"{t:g}": float(dist.failure_rate(t)) for t in times}}
    if as_json:
        _emit_json(doc)
        return
    click.echo(doc["source"])
    for r, t in doc["retention_us"].items():
        click.echo(f"  failure rate {r:>8} -> retention {t:.4g} us")
    for t, r in doc["failure_rate"].items():
        click.echo(f"  retention {t:>8} us -> failure rate {r:.4g}")


@group.command("train")
@click.option("--tiny", is_flag=True, help="Two rates, two repeats, two draws, one epoch (seconds).")
@click.option("--format", "number_format", type=click.Choice(NUMBER_FORMATS), default=NUMBER_FORMATS[0],
              show_default=True, help="16-bit per-layer fixed point, or the global FX16 Q8.8.")
@config_option("rana")
@plot_option("the Fig. 11 curves")
@json_option
@handles_errors
def train_cmd(tiny: bool, number_format: str, config_path, plot_dir, as_json: bool) -> None:
    """Retention-aware training on the digits CNN: accuracy vs failure rate (Fig. 11 analog)."""
    from .training import TINY, StudyOptions, cached_study

    cfg = _config(config_path)
    opts = replace(TINY if tiny else StudyOptions(), number_format=number_format)
    doc = cached_study(opts).as_dict(cfg.retention)
    if plot_dir:
        from .plots import fig11

        doc["plot"] = fig11(doc, plot_dir)
    if as_json:
        _emit_json(doc)
        return
    click.echo(f"clean accuracy ({number_format} 16-bit fixed point) {doc['clean_accuracy']:.4f}; "
               f"{opts.repeats} repeats x {opts.draws} error draws")
    for r, p, t, e in zip(doc["rates"], doc["mean_plain"], doc["mean_retrained"], doc["standard_error_retrained"],
                          strict=True):
        click.echo(f"  r = {r:<8g} no retraining {p:.4f}   retrained {t:.4f} (s.e. {e:.4f})")
    tr, tu = doc["tolerable_rate"]["retrained"], doc["tolerable_retention_us"]["retrained"]
    click.echo(f"tolerable failure rate (retrained): {tr}  -> tolerable retention "
               f"{'none' if tu is None else f'{tu:.0f}'} us "
               "(paper: 1e-5 -> 734 us)")
    _plotted(doc.get("plot"))
