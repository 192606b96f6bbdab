"""MaxNVM BitmaskDecoder in simulation: weights per cycle and simulated cycles per second per simulator,
for NVDLA's 16-bit elements (``maxnvm_bitmask``) and for packed cluster indices through the codebook
to FX16 (``maxnvm_weight_decoder``, ``index_bits`` from configs/maxnvm.toml); and weights per cycle of
the int16 decoder at other LANES / IdxSync blocks (configs/maxnvm.toml variants, on Icarus: the figure
does not depend on the simulator)."""

from __future__ import annotations

from hymem.tb.maxnvm.variants import LANE_VARIANTS, codec_variant_toml
from hymem.tools.bench import BENCH_DIR, cocotb_bench
from hymem.tools.toolchain import SIMULATORS

REPEATS = {"icarus": 4, "verilator": 40}  # decodes of one 16k-weight layer (~ seconds of simulation)
#: the regressed variants plus lanes 3 at the default block and lanes 8 (a throughput point only)
BENCH_VARIANTS = {**LANE_VARIANTS, "lanes3": {"lanes": 3}, "lanes8": {"lanes": 8}}
TOPS = {"maxnvm_bitmask": ("bitmask", "NVDLA elements"),
        "maxnvm_weight_decoder": ("weight_decoder", "bit-packed cluster indices -> ClusterLut -> FX16")}


def run() -> list[dict]:
    results = []
    for top, (label, what) in TOPS.items():
        for sim in SIMULATORS:
            raw = cocotb_bench(top, top, "hymem.tb.maxnvm.bench_bitmask", sim,
                               {"HYMEM_BENCH_REPEATS": str(REPEATS[sim])})
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
    for variant, overrides in BENCH_VARIANTS.items():
        config = codec_variant_toml(overrides, BENCH_DIR / f"maxnvm_{variant}.toml")
        raw = cocotb_bench(f"maxnvm_bitmask_{variant}", "maxnvm_bitmask", "hymem.tb.maxnvm.bench_bitmask", "icarus",
                           {"HYMEM_BENCH_REPEATS": "2"}, config=config)
        results.append({
            "name": f"maxnvm_bitmask_weights_per_cycle_{variant}",
            "figure": round(raw["weights_per_cycle"], 3),
            "unit": "weights/cycle",
            "note": f"int16 BitmaskDecoder, {overrides} (configs/maxnvm.toml variant), IdxSync on, 50 % sparsity, "
                    f"output always ready: {raw['weights']} weights in {raw['busy_cycles']} busy cycles; "
                    "counters equal golden",
        })
    return results
