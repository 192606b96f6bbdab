"""MaxNVM BitmaskDecoder in simulation: weights per cycle and simulated cycles per second per simulator,
for NVDLA's 16-bit elements (``maxnvm_bitmask``) and for packed cluster indices through the codebook
to FX16 (``maxnvm_weight_decoder``, ``index_bits`` from configs/maxnvm.toml)."""

from __future__ import annotations

from tools.bench import cocotb_bench
from tools.toolchain import SIMULATORS

REPEATS = {"icarus": 4, "verilator": 40}  # decodes of one 16k-weight layer (~ seconds of simulation)
TOPS = {"maxnvm_bitmask": ("bitmask", "NVDLA elements"),
        "maxnvm_weight_decoder": ("weight_decoder", "bit-packed cluster indices -> ClusterLut -> FX16")}


def run() -> list[dict]:
    results = []
    for top, (label, what) in TOPS.items():
        for sim in SIMULATORS:
            raw = cocotb_bench(top, top, "tb.maxnvm.bench_bitmask", sim, {"HYMEM_BENCH_REPEATS": str(REPEATS[sim])})
            results.append({
                "name": f"maxnvm_{label}_weights_per_cycle_{sim}",
                "figure": round(raw["weights_per_cycle"], 3),
                "unit": "weights/cycle",
                "note": f"{what} ({raw['data_bits']}-bit elements), LANES={raw['lanes']}, IdxSync on, 50 % sparsity, "
                        f"output always ready: {raw['weights']} weights in {raw['busy_cycles']} decoder busy cycles; "
                        "counters equal golden",
            })
            results.append({
                "name": f"maxnvm_{label}_sim_speed_{sim}",
                "figure": round(raw["cycles_per_second"]),
                "unit": "cycles/s",
                "note": f"{raw['cycles']} decode cycles in {raw['seconds']:.2f} s wall (loading excluded), "
                        "GPI clock, Python only at start and busy falling",
            })
    return results
