"""cocotb benchmark: a network's layers through the Hydra simulation top, no Python per cycle.

``HYMEM_BENCH_NETS`` (comma-separated, default ``vgg16,resnet34``; one build for all):
VGG-16's 13 conv layers, ResNet-34's conv, max-pool and FC layers (its add and global-avgpool
layers have no unit mode).  Random FX16 data per layer; each layer is checked by
:class:`hymem.tb.hydra.sim_top_harness.SimTopRun` (outputs bit-exact against the NumPy reference,
cycles and every counter equal to golden).  With
``HYMEM_BENCH_ROWS=R`` each layer is cropped to R input rows (a quick run); ``HYMEM_BENCH_LAYERS``
limits the layer count; ``HYMEM_BENCH_SELECT`` (comma-separated layer names of the one network
in ``HYMEM_BENCH_NETS``) runs just those, so that several simulator processes can share a
network (``tools/benches/hydra_sim_top.py``).  A layer's data comes from its own seed (network
and position), whichever process runs it.  Writes per-layer and total figures to
``HYMEM_BENCH_OUT`` (JSON).
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
SEEDS = {"vgg16": 16, "resnet34": 34}


def network_layers(net: str, rows: int | None, count: int | None) -> list:
    """The layers of ``net`` the bench runs (the first ``count``), cropped to ``rows`` input rows."""
    layers = [layer for layer in get_network(net).layers if layer.kind in KINDS[net]][:count]
    return layers if not rows else [cropped(layer, rows) for layer in layers]


def selected(layers: list, names: list[str] | None) -> list[tuple[int, object]]:
    """``(position in the network, layer)`` of the layers ``names`` asks for (all when None)."""
    if names is None:
        return list(enumerate(layers))
    position = {layer.name: i for i, layer in enumerate(layers)}
    unknown = [name for name in names if name not in position]
    if unknown:
        raise ValueError(f"HYMEM_BENCH_SELECT: unknown layer(s) {', '.join(unknown)}; "
                         f"valid: {', '.join(position)}")
    return [(position[name], layers[position[name]]) for name in names]


def cropped(layer, rows: int):
    return (
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
    )


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


async def run_network(dut, run, net, rows, count, names=None) -> dict:
    first = len(run.results)
    began = time.perf_counter()
    for position, layer in selected(network_layers(net, rows, count), names):
        x, w, b = operands(np.random.default_rng([SEEDS[net], position]), run.config.fixed, layer)
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
    names = os.environ.get("HYMEM_BENCH_SELECT")
    names = names.split(",") if names else None
    if names and len(nets) != 1:
        raise ValueError(f"HYMEM_BENCH_SELECT names layers of one network; HYMEM_BENCH_NETS={nets}")
    run = SimTopRun(dut, "hydra_sim_top", max_stall_cycles=5_000_000)
    await run.start()
    results = {net: await run_network(dut, run, net, rows, count, names) for net in nets}
    run.watchdog.stop()
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(results))
