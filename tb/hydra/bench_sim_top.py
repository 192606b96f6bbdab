"""cocotb benchmark: a network's layers through the Hydra simulation top, no Python per cycle.

``HYMEM_BENCH_NETS`` (comma-separated, default ``vgg16,resnet34``; one build for all):
VGG-16's 13 conv layers, ResNet-34's conv, max-pool and FC layers (its add and global-avgpool
layers have no unit mode).  Random FX16 data per layer; each layer is checked by
:class:`hymem.tb.hydra.sim_top_harness.SimTopRun` (outputs bit-exact against the NumPy reference,
cycles and every counter equal to golden).  With
``HYMEM_BENCH_ROWS=R`` each layer is cropped to R input rows (a quick run); ``HYMEM_BENCH_LAYERS``
limits the layer count.  Writes per-layer and total figures to ``HYMEM_BENCH_OUT`` (JSON).
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
from hymem.tb.hydra.harness import random_values
from hymem.tb.hydra.sim_top_harness import SimTopRun

KINDS = {"vgg16": ("conv",), "resnet34": ("conv", "maxpool", "fc")}


def network_layers(net: str, rows: int | None, count: int | None):
    layers = [layer for layer in get_network(net).layers if layer.kind in KINDS[net]][:count]
    if not rows:
        return layers
    return [
        layer
        if layer.kind == "fc"
        else make_layer(
            layer.name,
            layer.kind,
            (layer.in_ch, min(layer.in_h, rows), layer.in_w),
            out_ch=layer.out_ch,
            kernel=layer.kernel_h,
            stride=layer.stride_h,
            padding=layer.pad[0],
            bias=layer.kind == "conv",
        )
        for layer in layers
    ]


def operands(rng, fmt, layer):
    x = random_values(rng, fmt, (layer.in_ch, layer.in_h, layer.in_w), 2 << fmt.frac)
    if layer.kind == "maxpool":
        return x, None, None
    shape = (
        (layer.out_ch, layer.in_ch, layer.kernel_h, layer.kernel_w)
        if layer.kind == "conv"
        else (layer.out_ch, layer.in_ch)
    )
    return (
        x,
        random_values(rng, fmt, shape, 1 << fmt.frac),
        random_values(rng, fmt, (layer.out_ch,), 1 << fmt.frac),
    )


async def run_network(dut, run, net, rows, count) -> dict:
    rng = np.random.default_rng(34 if net == "resnet34" else 16)
    first = len(run.results)
    began = time.perf_counter()
    for layer in network_layers(net, rows, count):
        x, w, b = operands(rng, run.config.fixed, layer)
        await run.layer(layer, x, w, b, relu=layer.kind == "conv")
    layers = run.results[first:]
    simulate = sum(r["simulate_s"] for r in layers)
    simulate_cpu = sum(r["simulate_cpu_s"] for r in layers)
    cycles = sum(r["cycles"] for r in layers)
    result = {
        "net": net,
        "rows": rows,
        "layers": layers,
        "seconds": time.perf_counter() - began,
        "simulate_s": simulate,
        "simulate_cpu_s": simulate_cpu,
        "cycles": cycles,
        "macs": sum(r["macs"] for r in layers),
        "cycles_per_s": cycles / simulate if simulate else 0.0,
        "cycles_per_cpu_s": cycles / simulate_cpu if simulate_cpu else 0.0,
    }
    dut._log.info(json.dumps({k: v for k, v in result.items() if k != "layers"}))
    return result


@cocotb.test()
async def bench_sim_top(dut):
    nets = os.environ.get("HYMEM_BENCH_NETS", "vgg16,resnet34").split(",")
    rows = int(os.environ.get("HYMEM_BENCH_ROWS") or 0) or None
    count = int(os.environ.get("HYMEM_BENCH_LAYERS") or 0) or None
    run = SimTopRun(dut, "hydra_sim_top", max_stall_cycles=5_000_000)
    await run.start()
    results = {net: await run_network(dut, run, net, rows, count) for net in nets}
    run.watchdog.stop()
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(results))
