"""One Hydra unit running a 3×3 stride-1 convolution: simulated cycles/s per simulator and MAC utilization.

Both figures come from the RTL's own counters (checked equal to the golden
cycle model in the run): utilization of a whole job and steady state (two
jobs of G1 and G2 groups: Δmacs / (N · Δcycles)), for the pipelined MAC and,
on Verilator, the sequential one.
"""

from __future__ import annotations

from golden.config import config_path
from tools.bench import cocotb_bench
from tools.toolchain import BUILD, SIMULATORS

REPEATS = {"icarus": 10, "verilator": 400}


def _sequential_config():
    path = BUILD / "bench" / "hydra_sequential.toml"
    path.write_text(config_path("hydra").read_text().replace('variant = "pipelined"', 'variant = "sequential"'))
    return path


def run() -> list[dict]:
    results = []
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    runs = [(sim, None, REPEATS[sim]) for sim in SIMULATORS] + [("verilator", _sequential_config(), 50)]
    for sim, config, repeats in runs:
        tag = f"{sim}-{'sequential' if config else 'pipelined'}"
        raw = cocotb_bench(f"hydra_unit-{tag}", "hydra_unit", "tb.hydra.bench_unit", sim,
                           {"HYMEM_BENCH_REPEATS": str(repeats)}, config=config)
        if config is None:
            results.append({
                "name": f"hydra_unit_sim_speed_{sim}", "figure": round(raw["cycles_per_second"]), "unit": "cycles/s",
                "note": f"{raw['cycles']} cycles in {raw['seconds']:.2f} s wall, one 32-MAC unit, {raw['job']} "
                        f"x{repeats}; counters equal golden; Python only issues START and awaits busy low",
            })
        if sim == "verilator":
            results.append({
                "name": f"hydra_unit_mac_utilization_{raw['variant']}",
                "figure": round(100 * raw["steady_state_utilization"], 2), "unit": "% (steady state)",
                "note": f"3x3 stride-1 conv, RTL counters: steady state = delta macs / (32 x delta cycles) "
                        f"between 4- and 2-group jobs; whole job incl. first fill: "
                        f"{100 * raw['job_utilization']:.2f} %",
            })
    return results
