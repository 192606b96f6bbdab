"""One Hydra unit running a 3×3 stride-1 convolution: simulated cycles/s per simulator and MAC utilization.

Both figures come from the RTL's own counters (checked equal to the golden
cycle model in the run): utilization of a whole job and steady state (two
jobs of G1 and G2 groups: Δmacs / (N · Δcycles)), for the pipelined MAC and,
on Verilator, the sequential one.  The speed is measured on
``hydra_unit_bench`` (the unit behind a registered reset, as behind a chip's
reset synchronizer); the bare ``hydra_unit`` top is measured too, on Verilator,
for comparison.
"""

from __future__ import annotations

from golden.config import config_path
from tools.bench import cocotb_bench
from tools.toolchain import BUILD, SIMULATORS

REPEATS = {"icarus": 10, "verilator": 1000}


def _sequential_config():
    path = BUILD / "bench" / "hydra_sequential.toml"
    path.write_text(config_path("hydra").read_text().replace('variant = "pipelined"', 'variant = "sequential"'))
    return path


def _speed(sim: str, top: str, raw: dict, repeats: int) -> dict:
    return {
        "name": f"hydra_unit_sim_speed_{sim}" + ("" if top == "hydra_unit_bench" else f"_{top}"),
        "figure": round(raw["cycles_per_second"]), "unit": "cycles/s",
        "note": f"{top}: {raw['cycles']} cycles in {raw['seconds']:.2f} s wall, one 32-MAC unit, {raw['job']} "
                f"x{repeats}; counters equal golden; Python only issues START and awaits done",
    }


def _utilization(raw: dict) -> dict:
    return {
        "name": f"hydra_unit_mac_utilization_{raw['variant']}",
        "figure": round(100 * raw["steady_state_utilization"], 2), "unit": "% (steady state)",
        "note": f"3x3 stride-1 conv, RTL counters: steady state = delta macs / (32 x delta cycles) "
                f"between 4- and 2-group jobs; whole job incl. first fill: {100 * raw['job_utilization']:.2f} %",
    }


def run() -> list[dict]:
    results = []
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    runs = [(sim, "hydra_unit_bench", None, REPEATS[sim]) for sim in SIMULATORS]
    runs += [("verilator", "hydra_unit", None, REPEATS["verilator"]),
             ("verilator", "hydra_unit_bench", _sequential_config(), 100)]
    for sim, top, config, repeats in runs:
        tag = f"{top}-{sim}-{'sequential' if config else 'pipelined'}"
        raw = cocotb_bench(tag, top, "tb.hydra.bench_unit", sim, {"HYMEM_BENCH_REPEATS": str(repeats)}, config=config)
        if config is None:
            results.append(_speed(sim, top, raw, repeats))
        if sim == "verilator" and top == "hydra_unit_bench":
            results.append(_utilization(raw))
    return results
