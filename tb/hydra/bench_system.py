"""cocotb benchmark of the Hydra system top: simulated cycles per second with all units computing.

One job of a VGG-16 layer (``HYMEM_BENCH_LAYER``, default conv3_2: its first
row tile × output-channel chunk, one input channel per unit) is loaded once
through WRITE (not timed); then START on all units is issued
``HYMEM_BENCH_REPEATS`` times, Python awaiting only the end of ``busy``.
Every unit's cycle counter must equal the golden model.
Environment: ``HYMEM_BENCH_LAYER``, ``HYMEM_BENCH_REPEATS``, ``HYMEM_BENCH_OUT``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np

from hymem.golden.hydra.cycles import job_cycles, layer_jobs
from hymem.golden.hydra.params import HydraOp
from hymem.golden.workloads.zoo import get_network
from hymem.tb.common.clock import cycle_now, start_clock_and_reset
from hymem.tb.common.counters import read_counters
from hymem.tb.hydra.system_driver import SystemHost
from hymem.tb.runner import tb_component


@cocotb.test()
async def bench_system(dut):
    component, config = tb_component()
    geo = component.geo
    repeats = int(os.environ.get("HYMEM_BENCH_REPEATS", "2"))
    layer = get_network("vgg16").layer(os.environ.get("HYMEM_BENCH_LAYER", "conv3_2"))
    lj = layer_jobs(layer, config)[0]
    host = SystemHost(dut, component, ideal_memory=True)
    await start_clock_and_reset(dut)
    rng = np.random.default_rng(1)
    units = range(lj.active_units)
    activations = [rng.integers(-512, 512, lj.job.in_h * lj.job.in_w) for _ in units]
    weights = [rng.integers(-512, 512, lj.job.m_count * lj.job.taps) for _ in units]
    await host.write(HydraOp.WRITE_AB, activations, host.dram, 0)
    await host.write(HydraOp.WRITE_WB, weights, host.pcm, 0)
    await host.cmd.send([host._cmd(HydraOp.SET_REG, 0, i, v) for i, v in lj.job.register_values()])
    began, first_cycle = time.perf_counter(), cycle_now()
    for _ in range(repeats):
        await host.cmd.send([host._cmd(HydraOp.START, 0, 0, lj.active_units)])
        await host.wait_idle()
    seconds = time.perf_counter() - began
    per_job = job_cycles(lj.job, geo, config.mac.variant)["cycles"]
    counters = read_counters(dut, component)
    for u in range(lj.active_units):
        assert counters[f"u{u}_cycles"] == repeats * per_job, (u, counters[f"u{u}_cycles"], per_job)
    cycles = cycle_now() - first_cycle  # START to idle, as the host sees it
    result = {"cycles": cycles, "seconds": seconds, "cycles_per_second": cycles / seconds,
              "job": str(lj.job), "units": lj.active_units, "layer": layer.name}
    dut._log.info(json.dumps(result))
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
