"""VGG-16's conv layers and ResNet-34 through the Hydra simulation top on Verilator, no Python
per cycle (``rtl/hydra/sim_top.py``: command streamer, DRAM/PCM device models with Table I
timings on the 400 MHz DDR memory clock, the 16 x 32-MAC system).

Every layer bit-exact against the NumPy reference, cycles and every counter equal to golden
(``tb/hydra/bench_sim_top.py``).  ``wall_s`` includes the Verilog generation and the Verilator
build.  ``HYMEM_BENCH_ROWS=R`` crops every layer to R input rows (a quick run; the JSON says so).
The protocol is ``[system] overlap`` of ``configs/hydra.toml`` (overlapped by default;
``HYMEM_BENCH_SERIAL=1``: the paper's serial protocol), the tiling ``dram_pcm``
(``HYMEM_BENCH_TILING`` overrides).
Writes ``build/bench/hydra_vgg16_system.json`` and ``hydra_resnet34_system.json`` with
``wall_s``, ``build_s``, ``cycles``, ``macs``, ``utilization``, ``cycles_per_s``,
``cycles_per_cpu_s`` (the simulator process's CPU time: the design's speed on a loaded machine),
``bit_exact``, ``counters_equal`` (the run fails unless both hold).  ``HYMEM_BENCH_NETS`` picks the
networks (default ``vgg16,resnet34``).  Verilator verilates the unit module once, as a hierarchical
block, and the 16 units run that one copy of its code (faster to build and to simulate at 16 x 32;
docs/hydra.md, "Speed of the long-run top"); ``HYMEM_BENCH_FLAT=1`` builds the design flat instead.
"""

from __future__ import annotations

import os
import time

from hymem.golden.hydra.params import load_hydra_config
from hymem.rtl.hydra.sim_top import HydraSimTop
from hymem.tools.bench import BENCH_DIR, cocotb_bench
from hymem.tools.toolchain import REPO


def bench_config():
    """configs/hydra.toml with ``tiling = "dram_pcm"`` (tiles chosen on the device models this bench
    runs; ``HYMEM_BENCH_TILING=ideal_memory`` keeps the ideal-memory tiling) and, with
    ``HYMEM_BENCH_SERIAL=1``, the serial protocol."""
    text = (REPO / "configs" / "hydra.toml").read_text()
    tiling = os.environ.get("HYMEM_BENCH_TILING") or "dram_pcm"
    text = text.replace('tiling = "ideal_memory"', f'tiling = "{tiling}"')
    if os.environ.get("HYMEM_BENCH_SERIAL"):
        text = text.replace("overlap = true", "overlap = false")
    path = BENCH_DIR / "hydra_sim_top.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run() -> list[dict]:
    path = bench_config()
    config = load_hydra_config(path)
    env = {
        "HYMEM_BENCH_NETS": os.environ.get("HYMEM_BENCH_NETS") or "vgg16,resnet34",
        "HYMEM_BENCH_ROWS": os.environ.get("HYMEM_BENCH_ROWS", ""),
        "HYMEM_BENCH_LAYERS": os.environ.get("HYMEM_BENCH_LAYERS", ""),
        "OPENBLAS_NUM_THREADS": "1",  # NumPy's idle BLAS threads would spin beside the simulator
    }
    flat = bool(os.environ.get("HYMEM_BENCH_FLAT"))
    began, load_before = time.perf_counter(), os.getloadavg()[0]
    raw = cocotb_bench(
        "hydra_sim_top",
        "hydra_sim_top",
        "hymem.tb.hydra.bench_sim_top",
        "verilator",
        env,
        config=path,
        hdl_clock=True,
        registered_reset=True,
        # the testbench only pulses start/load/dump (tb/hydra/sim_top_harness.py); Verilator's -O3
        # was slower here (docs/hydra.md, "Speed of the long-run top")
        registered_inputs=True,
        hier_blocks=() if flat else (HydraSimTop.UNIT_MODULE,),
    )
    total = time.perf_counter() - began
    build = total - sum(r["seconds"] for r in raw.values())  # Verilog, Verilator build, start-up
    build_kind = "flat" if flat else "unit a hierarchical block"
    return [network_row(r, build, build_kind, config, load_before) for r in raw.values()]


def network_row(raw: dict, build: float, build_kind: str, config, load_before: float) -> dict:
    """One network's figures; ``wall_s`` = the build (shared by both networks, counted for
    each) + this network's run (golden programs, image files, simulation, checks)."""
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
            f"{raw['cycles_per_s']:.0f} cycles/s while simulating ({raw['cycles_per_cpu_s']:.0f} per "
            f"CPU-second); MAC utilization with DRAM/PCM timing {utilization:.1%} ({protocol} protocol, "
            f"tiling {config.system.tiling}); build ({build_kind}) {build:.0f} s; "
            f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        ),
    }
