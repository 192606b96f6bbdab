"""SHyCache's design space on the sweep layer (``hymem sweep shycache grid``).

One point is one (L1, L2) geometry of seed 000 Fig. 3 on one network's inference trace, under
one L2 inclusion policy; its row is :func:`golden.shycache.model.geometry_row` with the nested
counts flattened into ``a/b/c`` columns (CSV-friendly scalars).  ``gain`` and
``power_reduction`` are ratios between points (§VI-A baselines), so they are not columns of a
point: :func:`network_grids` (what ``hymem shycache sweep`` runs) adds them afterwards.

Traces are large (ResNet-50 43 M accesses, 0.6 GB prepared; Inception-v4 1.1 GB), so the
prepared trace is the study's *per-network context*: made once in the driver when that
network's first batch is submitted and sent to each worker once (a Dask broadcast scatter, or
a file each local worker loads once), never with each batch.
"""

from __future__ import annotations

from dataclasses import replace

from hymem.golden.config import ConfigError
from hymem.golden.sweep import Axis, study

from .model import PAPER_NETWORKS
from .params import INCLUSION_POLICIES, NO_L2, ShyConfig, load_shycache_config

SEP = "/"   # nested keys (l1_counts/sram/hits); no key of a row contains it
# leakage is accounted only for the arrays a geometry has; a point's row has every column
# (None, an empty CSV cell, for an absent array) so all rows share one schema
LEAKAGE = tuple(f"leakage:{level}.{part}" for level in ("l1", "l2") for part in ("sram", "stt"))


def _check_geometry(level: str):
    def check(label: str) -> None:
        if not (level == "l2" and label == NO_L2):
            load_shycache_config()._check(label, level)   # the §V-A area rule and set sizes
    return check


def _axes() -> dict[str, Axis]:
    cfg = load_shycache_config()
    return {"inclusion": Axis((cfg.cache.inclusion,), choices=INCLUSION_POLICIES),
            "l2": Axis(cfg.geometry.l2, check=_check_geometry("l2")),
            "l1": Axis(cfg.geometry.l1, check=_check_geometry("l1"))}


def network_context(cfg: ShyConfig, network: str):
    """(config, prepared trace of ``network``): what every batch of that network needs."""
    from .fastsim import prepare
    from .model import workload_trace

    trace = workload_trace(network, cfg)
    return cfg, prepare(trace, [cfg.workload.nvm_range], cfg.cache.line_bytes)


def flatten(row: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in row.items():
        if SEP in key:
            raise ValueError(f"row key {key!r} contains {SEP!r}")
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}{SEP}"))
        else:
            out[f"{prefix}{key}"] = value
    return out


def unflatten(row: dict) -> dict:
    out: dict = {}
    for key, value in row.items():
        *path, last = key.split(SEP)
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out


@study("shycache", "grid", config=load_shycache_config, networks=PAPER_NETWORKS,
       network_context=network_context, batch=4, axes=_axes(),
       heat="energy_j", heat_axes=("l2", "l1"), pareto=("seconds", "energy_j"),
       description="seed 000 Fig. 3 L1 x L2 geometries on a network's trace (one trace "
                   "shipped per network)")
def grid(points, context) -> list[dict]:
    from .model import geometry_row

    cfg, prep = context
    return [flatten(_padded(geometry_row(prep, p["l1"], p["l2"], cfg, p["inclusion"])))
            for p in points]


def _padded(row: dict) -> dict:
    eb = row["energy_breakdown_j"]
    full = {k: v for k, v in eb.items() if not k.startswith("leakage:")}
    unknown = set(eb) - set(full) - set(LEAKAGE)
    if unknown:
        raise ValueError(f"unexpected energy breakdown entries {sorted(unknown)}")
    return {**row, "energy_breakdown_j": {**full, **{k: eb.get(k) for k in LEAKAGE}}}


def grid_row(swept: dict) -> dict:
    """A ``shycache grid`` sweep row back in :func:`golden.shycache.model.grid_rows`' format
    (before :func:`~golden.shycache.model.normalise`)."""
    row = unflatten({k: v for k, v in swept.items() if k not in ("network", "inclusion", "l1",
                                                                 "l2")})
    row["energy_breakdown_j"] = {k: v for k, v in row["energy_breakdown_j"].items()
                                 if not (k in LEAKAGE and v is None)}
    return {"network": swept["network"], "l1": swept["l1"], "l2": swept["l2"], **row}


def network_grids(cfg: ShyConfig, networks, engine=None, inclusion: str | None = None,
                  tech=None, progress=None) -> list[dict]:
    """:func:`golden.shycache.model.network_grid` of each network, computed on the sweep layer
    (``engine``: serial by default) and memoized under the same ``build/cache/`` key, so the
    rows are the same, in the same order, whichever computed them."""
    from pathlib import Path

    from hymem.golden.cache import cached_json
    from hymem.golden.sweep import get_study, rows_of
    from hymem.golden.tech import load_tech

    from .model import _code_digest, normalise

    tech_text = Path(load_tech(tech or cfg.tech).path).read_text()
    run_cfg = replace(cfg, tech=tech) if tech else cfg
    grid_axes = {"inclusion": (inclusion or cfg.cache.inclusion,), "l2": cfg.geometry.l2,
                 "l1": cfg.geometry.l1}
    rows, computed = [], []

    def compute(net):
        computed.append(net)
        swept = rows_of(get_study("shycache", "grid"), grid_axes, [net], engine,
                        progress=progress or False, config=run_cfg)
        return normalise([grid_row(r) for r in swept])

    for net in networks:
        net_rows = cached_json(f"shycache_grid_{net}",
                               (repr(cfg), inclusion, tech_text, _code_digest()),
                               lambda net=net: compute(net))
        if progress is not None and net not in computed:
            progress.update(len(net_rows))
        rows += net_rows
    if not rows:
        raise ConfigError("no networks to sweep")
    return rows


__all__ = ["LEAKAGE", "flatten", "grid", "grid_row", "network_context", "network_grids",
           "unflatten"]
