"""VGG-16's conv layers and ResNet-34 through the Hydra simulation top on Verilator, no Python
per cycle (``rtl/hydra/sim_top.py``: command streamer, DRAM/PCM device models with Table I
timings on the 400 MHz DDR memory clock, the 16 x 32-MAC system).

Every layer bit-exact against the NumPy reference, cycles and every counter equal to golden
(``tb/hydra/bench_sim_top.py``).  ``wall_s`` includes the Verilog generation and the Verilator
build.  ``HYMEM_BENCH_ROWS=R`` crops every layer to R input rows (a quick run; the JSON says so).
The protocol is ``[system] overlap`` of ``configs/hydra.toml`` (overlapped by default;
``HYMEM_BENCH_SERIAL=1``: the paper's serial protocol), the tiling ``dram_pcm``
(``HYMEM_BENCH_TILING`` overrides).
The layers of a network run in ``HYMEM_BENCH_WORKERS`` simulator processes at once (default:
this machine's cores), all on the one build: each process takes a share of the layers, balanced
by golden's predicted cycles on this top, and starts from reset (its system counters from zero).  The
processes are tasks of the sweeps' executor (``golden/sweep/executors.py``): a local process pool,
or with ``HYMEM_BENCH_SCHEDULER=tcp://HOST:PORT`` the workers of a Dask cluster, which must see
this checkout's ``build/`` at the same path (a shared file system).
Writes ``build/bench/hydra_vgg16_system.json`` and ``hydra_resnet34_system.json`` with
``wall_s``, ``build_s``, ``cycles``, ``macs``, ``utilization``, ``cycles_per_s`` (one simulator
process's speed while simulating), ``aggregate_cycles_per_s`` (the network's cycles over the wall
time of its layers' runs, all processes together), ``cycles_per_cpu_s`` (the simulator processes'
CPU time: the design's speed on a loaded machine), ``workers``, ``bit_exact``, ``counters_equal``
(the run fails unless both hold).  ``HYMEM_BENCH_NETS`` picks the
networks (default ``vgg16,resnet34``).  Verilator verilates the unit module once, as a hierarchical
block, and the 16 units run that one copy of its code (faster to build and to simulate at 16 x 32;
docs/hydra.md, "Speed of the long-run top"); ``HYMEM_BENCH_FLAT=1`` builds the design flat instead.
"""

from __future__ import annotations

import heapq
import json
import os
import time
from dataclasses import replace
from pathlib import Path

from hymem.golden.hydra.command_stream import layer_memory_cost
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.sweep.executors import open_engine
from hymem.rtl.hydra.sim_top import HydraSimTop
from hymem.tb.hydra.bench_sim_top import KINDS, network_layers
from hymem.tools.bench import BENCH_DIR
from hymem.tools.runner import SimRun, build_only, rerun
from hymem.tools.toolchain import REPO


def bench_config(directory: Path = BENCH_DIR) -> Path:
    """configs/hydra.toml with ``tiling = "dram_pcm"`` (tiles chosen on the device models this bench
    runs; ``HYMEM_BENCH_TILING=ideal_memory`` keeps the ideal-memory tiling) and, with
    ``HYMEM_BENCH_SERIAL=1``, the serial protocol, written to ``directory``."""
    text = (REPO / "configs" / "hydra.toml").read_text()
    tiling = os.environ.get("HYMEM_BENCH_TILING") or "dram_pcm"
    text = text.replace('tiling = "ideal_memory"', f'tiling = "{tiling}"')
    if os.environ.get("HYMEM_BENCH_SERIAL"):
        text = text.replace("overlap = true", "overlap = false")
    path = directory / "hydra_sim_top.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run() -> list[dict]:
    nets = (os.environ.get("HYMEM_BENCH_NETS") or "vgg16,resnet34").split(",")
    unknown = sorted(set(nets) - set(KINDS))
    if unknown:
        raise ValueError(f"HYMEM_BENCH_NETS: unknown network(s) {', '.join(unknown)}; valid: {', '.join(KINDS)}")
    path = bench_config()
    config = load_hydra_config(path)
    rows = int(os.environ.get("HYMEM_BENCH_ROWS") or 0) or None
    count = int(os.environ.get("HYMEM_BENCH_LAYERS") or 0) or None
    workers = int(os.environ.get("HYMEM_BENCH_WORKERS") or 0) or None
    flat = bool(os.environ.get("HYMEM_BENCH_FLAT"))
    sim_run = SimRun(
        "hydra_sim_top",
        "hymem.tb.hydra.bench_sim_top",
        "verilator",
        test_id="bench-hydra_sim_top",
        config=path,
        # NumPy's idle BLAS threads would spin beside the simulator
        extra_env={"HYMEM_BENCH_ROWS": str(rows or ""), "OPENBLAS_NUM_THREADS": "1"},
        hdl_clock=True,
        registered_reset=True,
        # the testbench only pulses start/load/dump (tb/hydra/sim_top_harness.py); Verilator's -O3
        # was slower here (docs/hydra.md, "Speed of the long-run top")
        registered_inputs=True,
        hier_blocks=() if flat else (HydraSimTop.UNIT_MODULE,),
    )
    layers = {net: network_layers(net, rows, count) for net in nets}
    build_kind = "flat" if flat else "unit a hierarchical block"
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    with open_engine(workers, os.environ.get("HYMEM_BENCH_SCHEDULER"), pool=True) as engine:
        # the shards' weights, computed by a worker while Verilator builds
        predicted = engine.executor.submit(predicted_cycles, layers, config)
        _, toplevel, _ = build_only(sim_run)
        build = time.perf_counter() - began  # Verilog and the Verilator build
        cycles = predicted.result()
        raws = [run_network(engine, sim_run, toplevel, net, layers[net], cycles[net]) for net in nets]
    return [network_row(raw, build, build_kind, config, load_before) for raw in raws]


def predicted_cycles(layers: dict, config) -> dict[str, list[int]]:
    """Each network's layers' cycles on the simulation top: golden's cost of the layer's command
    program with DRAM/PCM timing (``layer_memory_cost``: exact, and no data needed).  The
    ideal-memory cycles split ResNet-34 5.03 / 5.79 M cycles over two processes; these split it
    evenly.  An executor task."""
    return {net: [layer_memory_cost(layer, config).cycles for layer in net_layers]
            for net, net_layers in layers.items()}


def shards(layers: list, cycles: list[int], n: int) -> list[list[str]]:
    """The layers' names in at most ``n`` shards of about equal ``cycles`` (one figure per
    layer): longest layer first onto the least-loaded shard; each shard keeps the network's
    order."""
    loads = [(0, k, []) for k in range(min(n, len(layers)))]
    for i in sorted(range(len(layers)), key=lambda i: -cycles[i]):
        load, shard, members = heapq.heappop(loads)
        members.append(i)
        heapq.heappush(loads, (load + cycles[i], shard, members))
    return [[layers[i].name for i in sorted(members)] for _, _, members in sorted(loads, key=lambda t: t[1])]


def run_shard(sim_run: SimRun, toplevel: str, net: str, names: list[str], test_dir: str) -> dict:
    """One simulator process: ``names`` of ``net`` on the shared build, in ``test_dir``
    (an executor task: a top-level function of plain arguments)."""
    out = Path(test_dir) / "bench.json"
    env = {**sim_run.extra_env, "HYMEM_BENCH_NETS": net, "HYMEM_BENCH_SELECT": ",".join(names),
           "HYMEM_BENCH_OUT": str(out)}
    rerun(replace(sim_run, extra_env=env), toplevel, Path(test_dir))
    return json.loads(out.read_text())[net]


def run_network(engine, sim_run: SimRun, toplevel: str, net: str, layers: list, cycles: list[int]) -> dict:
    """``net``'s layers over the engine's workers, shards balanced by their predicted ``cycles``;
    the shards' figures merged in layer order."""
    plan = shards(layers, cycles, engine.workers)
    began = time.perf_counter()
    futures = [engine.executor.submit(run_shard, sim_run, toplevel, net, names,
                                      str(sim_run.build_dir / f"{net}-shard{k}"))
               for k, names in enumerate(plan)]
    parts = [future.result() for future in futures]
    seconds = time.perf_counter() - began
    order = {layer.name: i for i, layer in enumerate(layers)}
    merged = sorted((r for part in parts for r in part["layers"]), key=lambda r: order[r["layer"]])
    simulate = sum(part["simulate_s"] for part in parts)
    simulate_cpu = sum(part["simulate_cpu_s"] for part in parts)
    cycles = sum(r["cycles"] for r in merged)
    return {
        "net": net,
        "rows": parts[0]["rows"],
        "layers": merged,
        "seconds": seconds,
        "simulate_s": simulate,
        "simulate_cpu_s": simulate_cpu,
        "cycles": cycles,
        "macs": sum(r["macs"] for r in merged),
        "cycles_per_s": cycles / simulate,
        "cycles_per_cpu_s": cycles / simulate_cpu,
        "aggregate_cycles_per_s": cycles / seconds,
        "workers": len(plan),
        "engine": engine.name,
    }


def network_row(raw: dict, build: float, build_kind: str, config, load_before: float) -> dict:
    """One network's figures; ``wall_s`` = the build (shared by both networks, counted for
    each) + this network's run in its worker processes (golden programs, image files,
    simulation, checks)."""
    macs_per_cycle = config.system.n_units * config.system.n_macs
    net, wall = raw["net"], build + raw["seconds"]
    utilization = raw["macs"] / (macs_per_cycle * raw["cycles"])
    protocol = "overlapped" if config.system.overlap else "serial"
    crop = f", layers cropped to {raw['rows']} input rows" if raw["rows"] else ""
    return {
        "name": f"hydra_{net}_system",
        "figure": round(wall, 1),
        "unit": "s wall incl. build",
        "wall_s": round(wall, 1),
        "build_s": round(build, 1),
        "simulate_s": round(raw["simulate_s"], 1),
        "cycles": raw["cycles"],
        "macs": raw["macs"],
        "utilization": utilization,
        "cycles_per_s": round(raw["cycles_per_s"]),
        "aggregate_cycles_per_s": round(raw["aggregate_cycles_per_s"]),
        "workers": raw["workers"],
        "engine": raw["engine"],
        # the simulator process's own CPU time: the design's speed whatever shares the machine
        "simulate_cpu_s": round(raw["simulate_cpu_s"], 1),
        "cycles_per_cpu_s": round(raw["cycles_per_cpu_s"]),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "verilator_build": build_kind,
        "bit_exact": True,  # SimTopRun asserts both per layer: the run fails otherwise
        "counters_equal": True,
        "layers": raw["layers"],
        "note": (
            f"{net}: {len(raw['layers'])} layers{crop} through hydra_sim_top on Verilator, "
            f"bit-exact, cycles and counters = golden; {raw['cycles']} cycles at "
            f"{raw['cycles_per_s']:.0f} cycles/s per simulator while simulating "
            f"({raw['cycles_per_cpu_s']:.0f} per CPU-second), {raw['workers']} simulators "
            f"({raw['engine']} engine) together {raw['aggregate_cycles_per_s']:.0f} cycles/s; "
            f"MAC utilization with DRAM/PCM timing {utilization:.1%} ({protocol} protocol, "
            f"tiling {config.system.tiling}); build ({build_kind}) {build:.0f} s; "
            f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        ),
    }
