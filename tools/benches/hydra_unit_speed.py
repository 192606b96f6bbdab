"""One Hydra unit running a 3×3 stride-1 convolution: simulated cycles/s per simulator and MAC utilization.

Both figures come from the RTL's own counters (checked equal to the golden
cycle model in the run): utilization of a whole job and steady state (two
jobs of G1 and G2 groups: Δmacs / (N · Δcycles)), for the pipelined MAC and,
on Verilator, the sequential one.  The speed is measured on ``hydra_unit``
behind a registered reset (``RegisteredReset``, as behind a chip's reset
synchronizer) with the clock generated in Verilog (headline) and with cocotb's
GPI clock, and on the bare top, for comparison.
"""

from __future__ import annotations

from hymem.golden.config import config_path
from hymem.tools.bench import cocotb_bench
from hymem.tools.toolchain import BUILD, SIMULATORS

REPEATS = {"icarus": 10, "verilator": 3000}


def _sequential_config():
    path = BUILD / "bench" / "hydra_sequential.toml"
    path.write_text(config_path("hydra").read_text().replace('variant = "pipelined"', 'variant = "sequential"'))
    return path


def _speed(name: str, sim: str, top: str, clock: str, raw: dict, repeats: int) -> dict:
    return {
        "name": name, "figure": round(raw["cycles_per_second"]), "unit": "cycles/s",
        "note": f"{sim}, {top}, {clock} clock: {raw['cycles']} cycles in {raw['seconds']:.2f} s wall, one 32-MAC "
                f"unit, {raw['job']} x{repeats}; counters equal golden; Python only issues START and awaits done",
    }


def _utilization(raw: dict) -> dict:
    return {
        "name": f"hydra_unit_mac_utilization_{raw['variant']}",
        "figure": round(100 * raw["steady_state_utilization"], 2), "unit": "% (steady state)",
        "note": f"3x3 stride-1 conv, RTL counters: steady state = delta macs / (32 x delta cycles) "
                f"between 4- and 2-group jobs; whole job incl. first fill: {100 * raw['job_utilization']:.2f} %",
    }


# (result name, simulator, registered reset?, clock in Verilog?) — the first line is the headline figure.
SPEED_RUNS = [
    ("hydra_unit_sim_speed_verilator", "verilator", True, True),
    ("hydra_unit_sim_speed_verilator_gpi_clock", "verilator", True, False),
    ("hydra_unit_sim_speed_verilator_bare_unit", "verilator", False, False),
    ("hydra_unit_sim_speed_icarus", "icarus", True, False),
]


def run() -> list[dict]:
    results = []
    (BUILD / "bench").mkdir(parents=True, exist_ok=True)
    for name, sim, registered_reset, hdl_clock in SPEED_RUNS:
        if sim not in SIMULATORS:
            continue
        raw = cocotb_bench(name, "hydra_unit", "hymem.tb.hydra.bench_unit", sim,
                           {"HYMEM_BENCH_REPEATS": str(REPEATS[sim])},
                           hdl_clock=hdl_clock, registered_reset=registered_reset)
        top = "hydra_unit behind a registered reset" if registered_reset else "bare hydra_unit"
        results.append(_speed(name, sim, top, "Verilog" if hdl_clock else "cocotb GPI", raw, REPEATS[sim]))
        if name == "hydra_unit_sim_speed_verilator":
            results.append(_utilization(raw))
    raw = cocotb_bench("hydra_unit_sequential", "hydra_unit", "hymem.tb.hydra.bench_unit", "verilator",
                       {"HYMEM_BENCH_REPEATS": "100"}, config=_sequential_config(), hdl_clock=True,
                       registered_reset=True)
    results.append(_utilization(raw))
    return results
