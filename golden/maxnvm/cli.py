"""``hymem maxnvm``: MLC fault rates, storage accounting, Table 2 and the real-model study.

``rates``    adjacent/non-adjacent misread rates of each technology at SLC/MLC2/MLC3
``storage``  bits and cells per structure, per layer and in total, of a zoo network
``cells``    cells per structure at the bits per cell the seed's text chooses (claims.CHOSEN_BPC)
``table2``   seed 003 Table 2 sizes: paper vs model (with the paper's sparsity/index bits as inputs)
``study``    the digits-CNN fault-injection study (Fig. 5 and Fig. 6 analogs), with a progress bar
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def group() -> None:
    """MaxNVM (seed 003): MLC eNVM fault model, sparse encodings, fault-injection study."""


def _table(title: str, cols: list[str], rows: list[list]) -> None:
    from rich.table import Table

    table = Table(title=title)
    for c in cols:
        table.add_column(c)
    for r in rows:
        table.add_row(*(str(x) for x in r))
    print_table(table)


@group.command()
@config_option("maxnvm")
@json_option
@handles_errors
def rates(config_path: Path | None, as_json: bool) -> None:
    """Level-to-level misread rates of the configured CTT and RRAM cells."""
    from .mlc import BITS_PER_CELL, CELL_NAMES, adjacent_rates, cell_fault_rate, nonadjacent_rate
    from .params import TECHNOLOGIES, load_maxnvm_config

    cfg = load_maxnvm_config(config_path).mlc
    rows = []
    for t in TECHNOLOGIES:
        for b in BITS_PER_CELL:
            down, up = adjacent_rates(cfg.tech(t), b)
            rows.append({"technology": t, "cell": CELL_NAMES[b], "bits_per_cell": b,
                         "adjacent_down": down.tolist(), "adjacent_up": up.tolist(),
                         "max_adjacent": float(max(down.max(), up.max())),
                         "mean_cell_fault_rate": cell_fault_rate(cfg.tech(t), b),
                         "max_nonadjacent": nonadjacent_rate(cfg.tech(t), b)})
    if as_json:
        _emit_json({"rates": rows})
        return
    _table("MLC misread rates (Gaussian levels; configs/maxnvm.toml, section mlc)",
           ["tech", "cell", "max adjacent", "mean per cell", "max non-adjacent"],
           [[r["technology"], r["cell"], f"{r['max_adjacent']:.3g}",
             f"{r['mean_cell_fault_rate']:.3g}", f"{r['max_nonadjacent']:.3g}"] for r in rows])


@group.command()
@click.argument("net")
@click.option("--sparsity", type=float, default=0.0, show_default=True,
              help="Fraction of zero weights, uniform over layers (iid).")
@click.option("--bits", "index_bits", type=int, default=4, show_default=True,
              help="Cluster index bits (4..7).")
@click.option("--encoding", default="all", show_default=True, help="Encoding or 'all'.")
@click.option("--bpc", type=int, default=1, show_default=True, help="Bits per cell for every structure.")
@config_option("maxnvm")
@json_option
@handles_errors
def storage(net: str, sparsity: float, index_bits: int, encoding: str, bpc: int, config_path: Path | None,
            as_json: bool) -> None:
    """Bits and cells per structure of NET (zoo name or .onnx file) under each encoding."""
    from hymem.golden.config import ConfigError
    from hymem.golden.workloads import load_network

    from .accounting import cells, layer_counts_of, network_bits
    from .clustering import MAX_BITS, MIN_BITS
    from .mlc import cells_of
    from .params import load_maxnvm_config
    from .storage import ENCODINGS, check_encoding

    if not MIN_BITS <= index_bits <= MAX_BITS:
        raise ConfigError(f"--bits {index_bits}: must be in {MIN_BITS}..{MAX_BITS}")
    if not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"--sparsity {sparsity}: must be in [0, 1)")
    cells_of(0, bpc)  # validates bpc
    encodings = ENCODINGS if encoding.lower() == "all" else (check_encoding(encoding),)
    codec = load_maxnvm_config(config_path).codec
    network = load_network(net)
    weighted = network.of_kind("conv", "fc")
    if not weighted:
        raise ConfigError(f"{network.name}: nothing for MaxNVM to store: no conv or fc layer "
                          f"(weights); its layers are {', '.join(sorted({lay.kind for lay in network.layers}))}")
    counts = [layer_counts_of(lay, 1 - sparsity, index_bits) for lay in weighted]
    doc = {"network": network.name, "sparsity": sparsity, "index_bits": index_bits,
           "bits_per_cell": bpc, "encodings": {}}
    for e in encodings:
        res = network_bits(counts, e, index_bits, codec)
        for lay in res["layers"]:
            lay["cells"] = cells(lay["bits"], bpc)
        doc["encodings"][e] = {"layers": res["layers"], "total_bits": res["total_bits"],
                               "total": res["total"], "bytes": res["total"] / 8,
                               "cells": cells(res["total_bits"], bpc)}
    if as_json:
        _emit_json(doc)
        return
    _table(f"{network.name}: storage at sparsity {sparsity:g}, {index_bits}-bit indices, {bpc} bit/cell",
           ["encoding", "structure bits", "total bytes", "cells"],
           [[e, ", ".join(f"{s}={v:,}" for s, v in d["total_bits"].items()), f"{d['bytes']:,.0f}",
             f"{d['cells']:,}"] for e, d in doc["encodings"].items()])


@group.command(name="cells")
@click.argument("net")
@click.option("--encoding", default="all", show_default=True, help="Encoding or 'all'.")
@click.option("--sparsity", type=float, default=None,
              help="Fraction of zero weights, uniform over layers (iid); default: Table 2's.")
@click.option("--bits", "index_bits", type=int, default=None, help="Cluster index bits; default: Table 2's.")
@config_option("maxnvm")
@json_option
@handles_errors
def cells_cmd(net: str, encoding: str, sparsity: float | None, index_bits: int | None,
              config_path: Path | None, as_json: bool) -> None:
    """Cells per structure of NET (zoo name or .onnx file) at the seed's chosen bits per cell (MLC-CTT)."""
    from hymem.golden.config import ConfigError

    from .claims import CHOSEN_BPC, TABLE2, chosen_cells
    from .clustering import MAX_BITS, MIN_BITS
    from .params import load_maxnvm_config
    from .storage import ENCODINGS, check_encoding

    if index_bits is not None and not MIN_BITS <= index_bits <= MAX_BITS:
        raise ConfigError(f"--bits {index_bits}: must be in {MIN_BITS}..{MAX_BITS}")
    if sparsity is not None and not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"--sparsity {sparsity}: must be in [0, 1)")
    encodings = ENCODINGS if encoding.lower() == "all" else (check_encoding(encoding),)
    name = net.lower() if net.lower() in TABLE2 else net
    codec = load_maxnvm_config(config_path).codec
    doc = {"network": name,
           "sparsity": float(TABLE2[name][1]) / 100 if sparsity is None and name in TABLE2 else sparsity,
           "index_bits": TABLE2[name][0] if index_bits is None and name in TABLE2 else index_bits,
           "bits_per_cell": CHOSEN_BPC, "encodings": {}}
    for e in encodings:
        doc["encodings"][e] = chosen_cells(name, e, sparsity=sparsity, index_bits=index_bits, codec=codec)
    if as_json:
        _emit_json(doc)
        return
    _table(f"{name}: cells per structure at the chosen bits per cell (sparsity {doc['sparsity']:g}, "
           f"{doc['index_bits']}-bit indices; P+C fallback per layer)",
           ["encoding", "structure", "bits/cell", "bits", "of which ECC", "cells"],
           [[e, s, "/".join(map(str, r["bits_per_cell"])), f"{r['bits']:,}", f"{r['ecc_bits']:,}",
             f"{r['cells']:,}"] for e, d in doc["encodings"].items() for s, r in d["structures"].items()]
           + [[e, "TOTAL", "", f"{d['total_bits']:,}", f"{d['ecc_bits']:,}", f"{d['cells']:,}"]
              for e, d in doc["encodings"].items()])


@group.command()
@config_option("maxnvm")
@json_option
@handles_errors
def table2(config_path: Path | None, as_json: bool) -> None:
    """Seed 003 Table 2 encoded sizes: paper vs model, including the rows not reproduced."""
    from .claims import COLUMNS, NOT_REPRODUCED, TABLE2, _size, table2_sizes
    from .params import load_maxnvm_config

    codec = load_maxnvm_config(config_path).codec
    rows = []
    for name, (bits, sp, *printed) in TABLE2.items():
        model = table2_sizes(name, codec)
        for col, text in zip(COLUMNS, printed, strict=True):
            digits, scale = _size(text)
            rows.append({"network": name, "column": col, "index_bits": bits, "sparsity_pct": float(sp),
                         "paper": text, "paper_bytes": float(digits) * scale, "model_bytes": model[col],
                         "ratio": model[col] / (float(digits) * scale),
                         "claimed": (name, col) not in NOT_REPRODUCED})
    if as_json:
        _emit_json({"table2": rows})
        return
    _table("seed 003 Table 2: encoded sizes (decimal bytes; sparsity and index bits are inputs)",
           ["network", "column", "paper", "model", "ratio", "claimed"],
           [[r["network"], r["column"], r["paper"], f"{r['model_bytes'] / 1e6:.4g} MB",
             f"{r['ratio']:.3f}", "yes" if r["claimed"] else "NOT REPRODUCED"] for r in rows])


@group.command()
@click.option("--trials", type=int, default=None, help="Fault maps per configuration (default: [study] trials).")
@click.option("--tech", default="all", show_default=True, help="ctt, rram or all.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local processes for the Fig. 5 fault maps (the maxnvm faults sweep).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="Run the Fig. 5 fault maps on this Dask scheduler.")
@config_option("maxnvm")
@plot_option("the Fig. 5 and Fig. 6 analogs")
@json_option
@handles_errors
def study(trials: int | None, tech: str, workers: int, scheduler: str | None, config_path: Path | None,
          plot_dir: Path | None, as_json: bool) -> None:
    """Fault-injection study on the digits CNN (analogs of Fig 5 and Fig 6), cached in build/cache."""
    from hymem.golden.sweep import open_engine

    from .params import TECHNOLOGIES, load_maxnvm_config
    from .study import cached_study

    cfg = load_maxnvm_config(config_path)
    if tech != "all":
        cfg.mlc.tech(tech)  # unknown names list the valid ones
    with open_engine(workers, scheduler) as engine:
        result = cached_study(cfg, trials, TECHNOLOGIES if tech == "all" else (tech,), progress=True,
                              engine=engine)
    if plot_dir:
        from .plots import fig5, fig6

        result["plots"] = [fig5(result, plot_dir), fig6(result, plot_dir)]
    if as_json:
        _emit_json(result)
        return
    m, itn = result["model"], result["itn"]
    con = _console()
    con.print(f"digits CNN: {m['weights']} weights, {100 * m['sparsity']:.1f} % zero, {m['index_bits']}-bit "
              f"indices, clean test error {100 * m['clean_error']:.2f} % on {m['test_images']} images; "
              f"ITN bound {100 * itn['bound']:.2f} % ({itn['definition']}); {result['trials']} fault maps",
              highlight=False)
    _table("Fig. 5 analog: error increase with one structure faulty (others perfect)",
           ["tech", "encoding", "structure", "protection", "cell", "cells", "faults/map", "Δ error %", "safe"],
           [[r["technology"], r["encoding"], r["structure"], r["protection"], r["cell"], r["cells"],
             f"{r['mean_faulty_cells']:.2f}", f"{100 * r['delta_error']:+.2f}",
             "yes" if r["safe"] else "NO"] for r in result["vulnerability"]])
    _table("Fig. 6 analog: fewest cells within the ITN bound (all structures faulty)",
           ["tech", "encoding", "bits per cell", "cells", "Δ error %"],
           [[r["technology"], r["encoding"], ", ".join(f"{s}={b}" for s, b in r["bits_per_cell"].items()),
             r["cells"], f"{100 * r['delta_error']:+.2f}"] if r["found"] else
            [r["technology"], r["encoding"], r["note"], "-", "-"] for r in result["minimal_cells"]])
    _table("IdxSync block sweep: CTT MLC3 bitmask faults",
           ["block (mask bits)", "counter bits", "Δ error %", "safe"],
           [[r["idxsync_block"] or "off", r["counter_bits"], f"{100 * r['delta_error']:+.2f}",
             "yes" if r["safe"] else "NO"] for r in result["idxsync_sweep"]])
    for path in result.get("plots", []):
        con.print(f"wrote {path}", highlight=False)
