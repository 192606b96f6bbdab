"""SHyCache studies: one run (the issue's JSON contract) and the Fig. 3/4/5 design space.

* :func:`workload_trace` — a zoo network's inference trace (memoized on disk under
  ``build/cache/``, keyed by the workload parameters and the trace code) or a user trace.
* :func:`run_point` — one (L1, L2) geometry on a prepared trace: counts, cycles, bit
  flips, energy and power.
* :func:`grid_rows` — every geometry of the configured grid for one network: a pure
  function of (config, network) returning rows, so it plugs into any executor.
* :func:`normalise` — the paper's normalisation (§VI-A): No-L2 points against the
  32 KB SRAM L1 alone, the others against the 32/1024 KB all-SRAM hierarchy; gains are
  baseline cycles / cycles, power reductions baseline power / power.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from hymem.golden.cache import CACHE_DIR, inputs_digest

from . import fastsim
from .cost import costed
from .params import NO_L2, ShyConfig
from .trace import Trace, load_trace, save_npz

PAPER_NETWORKS = ("inception_v4", "resnet50", "squeezenet1_0")
BASE_L1, BASE_L2 = "0/32", "0/1024"
# the code a trace or a grid depends on (not claims, CLI or plots, so editing those keeps
# the memoized results)
_CODE_FILES = [Path(__file__).parent / f for f in ("cnn_trace.py", "trace.py", "fastsim.py",
                                                  "model.py", "cost.py", "params.py")]
_CODE_FILES += sorted((Path(__file__).parents[1] / "workloads").glob("*.py"))
_CODE_FILES += [Path(__file__).parents[1] / "energy.py"]


def _code_digest() -> str:
    h = hashlib.sha256()
    for f in _CODE_FILES:
        h.update(f.read_bytes())
    return h.hexdigest()[:16]
_PREPARED: dict = {}


def workload_trace(network: str | None, config: ShyConfig, trace_file=None) -> Trace:
    """The trace of zoo ``network`` (cached) or of ``trace_file`` (.npz or .din)."""
    if trace_file is not None:
        return load_trace(trace_file)
    from hymem.golden.workloads import get_network

    from .cnn_trace import network_trace
    get_network(network)  # unknown names fail here, listing the valid ones
    digest = inputs_digest((network, repr(config.workload), _code_digest()))
    path = CACHE_DIR / f"shycache_trace_{network}_{digest}.npz"
    if path.is_file():
        return load_trace(path)
    trace = network_trace(network, config)
    tmp = path.with_name(path.stem + f".{np.random.randint(1 << 30)}.tmp.npz")
    save_npz(trace, tmp)
    tmp.replace(path)
    return trace


def prepared(trace: Trace, nvm_ranges, config: ShyConfig) -> fastsim.PreparedTrace:
    """``fastsim.prepare`` memoized per trace content and ranges in this process."""
    h = hashlib.sha256()
    for array in (trace.addr, trace.write, trace.size, trace.gap, trace.store_data):
        h.update(b"-" if array is None else array.tobytes())
    h.update(repr((tuple(map(tuple, nvm_ranges)), trace.image, config.cache.line_bytes))
             .encode())
    key = h.hexdigest()
    if key not in _PREPARED:
        _PREPARED.clear()  # one trace at a time: they are large
        _PREPARED[key] = fastsim.prepare(trace, nvm_ranges, config.cache.line_bytes)
    return _PREPARED[key]


def run_point(prep: fastsim.PreparedTrace, l1_label: str, l2_label: str, config: ShyConfig,
              inclusion: str | None = None, tech=None, stt_scale=None) -> dict:
    """One geometry: the issue's JSON contract plus events, stalls and energy breakdown."""
    l1 = config.geometry_of(l1_label, "l1")
    l2 = config.geometry_of(l2_label, "l2")
    result = fastsim.run(prep, l1, l2, config, inclusion)
    out = costed(result, l1, l2, config, inclusion, tech, stt_scale)
    return {"l1_geometry": l1_label, "l2_geometry": l2_label, **out}


def grid_rows(config: ShyConfig, network: str, trace: Trace | None = None,
              progress=None, inclusion: str | None = None, tech=None,
              stt_scale=None) -> list[dict]:
    """Every (L1, L2) geometry of the grid for ``network``: one row each (no events)."""
    trace = trace if trace is not None else workload_trace(network, config)
    prep = prepared(trace, [config.workload.nvm_range], config)
    rows = []
    for l2 in config.geometry.l2:
        for l1 in config.geometry.l1:
            rows.append({"network": network, "l1": l1, "l2": l2,
                         **geometry_row(prep, l1, l2, config, inclusion, tech, stt_scale)})
            if progress is not None:
                progress()
    return normalise(rows)


def geometry_row(prep: fastsim.PreparedTrace, l1: str, l2: str, config: ShyConfig,
                 inclusion: str | None = None, tech=None, stt_scale=None) -> dict:
    """One grid row's outputs (before :func:`normalise`): what :func:`grid_rows` and the
    sweep layer's ``shycache grid`` study record per geometry."""
    r = run_point(prep, l1, l2, config, inclusion, tech, stt_scale)
    return {"accesses": len(prep),
            **{k: r[k] for k in ("cycles", "seconds", "stall_cycles", "stt_bitflips",
                                 "energy_j", "power_w", "energy_breakdown_j")},
            "l1_counts": r["l1"], "l2_counts": r["l2"],
            "flips_by_level": {lv: r["events"][lv]["stt"]["bitflips"] for lv in ("l1", "l2")}}


def network_grid(config: ShyConfig, network: str, progress=None, inclusion: str | None = None,
                 tech=None) -> list[dict]:
    """:func:`grid_rows` of a zoo network, memoized under ``build/cache/`` (config, tech
    table, inclusion and code in the key); ``progress(n)`` is told of finished points."""
    from hymem.golden.cache import cached_json
    from hymem.golden.tech import load_tech

    tech_text = Path(load_tech(tech or config.tech).path).read_text()
    computed = []

    def compute():
        computed.append(True)
        return grid_rows(config, network, None, (lambda: progress(1)) if progress else None,
                         inclusion, tech)
    rows = cached_json(f"shycache_grid_{network}",
                       (repr(config), inclusion, tech_text, _code_digest()), compute)
    if progress and not computed:
        progress(len(rows))
    return rows


def normalise(rows: list[dict]) -> list[dict]:
    """Add ``gain`` and ``power_reduction`` against the paper's baselines (§VI-A)."""
    by = {(r["network"], r["l1"], r["l2"]): r for r in rows}
    for r in rows:
        base = by.get((r["network"], BASE_L1, NO_L2 if r["l2"] == NO_L2 else BASE_L2))
        r["gain"] = base["cycles"] / r["cycles"] if base else None
        r["power_reduction"] = base["power_w"] / r["power_w"] if base else None
    return rows
