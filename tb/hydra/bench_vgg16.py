"""cocotb benchmark: VGG-16's 13 convolution layers through the Hydra system.

Each layer runs on the system top of the configured TOML with random FX16
data, through ``golden.hydra.cycles.layer_jobs`` and the DRAM/PCM models;
every output is compared with the NumPy reference and every counter with the
golden model.  WRITE beats and output values pass through Python (one per
beat), so this measures the co-simulation as a memory controller would drive
it.  With ``HYMEM_BENCH_FULL=1`` the layers are whole; otherwise each is a crop
— its full width, ``HYMEM_BENCH_ROWS`` input rows, the first ``n_units``
input channels and the first ``HYMEM_BENCH_OUT_CH`` output channels.
Environment: those, ``HYMEM_BENCH_LAYERS`` (count), ``HYMEM_BENCH_OUT`` (JSON).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np

from hymem.golden.workloads.layers import make_layer
from hymem.golden.workloads.zoo import get_network
from hymem.tb.common.clock import cycle_now
from hymem.tb.hydra.harness import Run, random_values


@cocotb.test()
async def bench_vgg16(dut):
    run = Run(dut, "vgg16")
    fmt, n_units = run.config.fixed, run.config.system.n_units
    rows = int(os.environ.get("HYMEM_BENCH_ROWS", "4"))
    out_ch = int(os.environ.get("HYMEM_BENCH_OUT_CH", "16"))
    count = int(os.environ.get("HYMEM_BENCH_LAYERS", "13"))
    rng = np.random.default_rng(16)
    await run.start()
    per_layer = []
    began = time.perf_counter()
    whole = os.environ.get("HYMEM_BENCH_FULL") == "1"
    for full in get_network("vgg16").of_kind("conv")[:count]:
        layer = full if whole else make_layer(
            full.name, "conv", (min(full.in_ch, n_units), min(full.in_h, rows), full.in_w),
            out_ch=min(full.out_ch, out_ch), kernel=3, padding=1, bias=True)
        x = random_values(rng, fmt, (layer.in_ch, layer.in_h, layer.in_w), 2 << fmt.frac)
        w = random_values(rng, fmt, (layer.out_ch, layer.in_ch, 3, 3), 1 << fmt.frac)
        b = random_values(rng, fmt, (layer.out_ch,), 1 << fmt.frac)
        t0, c0 = time.perf_counter(), cycle_now()
        await run.layer(layer, x, w, b, relu=True)
        per_layer.append({"layer": full.name, "shape": f"{layer.in_ch}x{layer.in_h}x{layer.in_w}->{layer.out_ch}",
                          "cycles": cycle_now() - c0,
                          "seconds": time.perf_counter() - t0, "macs": layer.macs})
        dut._log.info(f"vgg16 bench: {json.dumps(per_layer[-1])}")
    run.finish()
    result = {"seconds": time.perf_counter() - began, "cycles": sum(r["cycles"] for r in per_layer),
              "layers": per_layer}
    dut._log.info(json.dumps(result))
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
