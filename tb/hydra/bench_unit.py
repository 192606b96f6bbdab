"""cocotb benchmark (and quick regression) of one Hydra unit (``hydra_unit``): cycles per second, MAC utilization.

A 3×3 stride-1 convolution job is loaded once through WRITE (not timed), then
START is issued ``HYMEM_BENCH_REPEATS`` times; Python only issues START and
awaits ``done`` (no Python per cycle).  Two jobs of the same shape
with G1 and G2 groups give the steady-state utilization from the RTL counters:
Δmacs / (N · Δcycles).  The unit's counters must equal the golden cycle model.
Environment: ``HYMEM_BENCH_REPEATS``, ``HYMEM_BENCH_OUT`` (JSON result file).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge

from hymem.golden.hydra.cycles import job_cycles
from hymem.golden.hydra.params import HydraOp
from hymem.golden.hydra.unit import UnitJob
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import read_counters
from hymem.tb.common.hdl import handle
from hymem.tb.hydra.unit_driver import UnitHost
from hymem.tb.runner import tb_component


def conv3x3(geo, out_h: int, m: int) -> UnitJob:
    """3×3 stride-1 'same' convolution of a 32-wide tile with ``m`` kernels."""
    out_w = 32
    return UnitJob(mode=0, in_h=out_h, in_w=out_w, out_h=out_h, out_w=out_w, kernel=3, stride=1,
                   pad_top=1, pad_left=1, m_count=m)


async def run_job(dut, host, job, repeats):
    """START ``repeats`` times, each after the previous ``done`` (Python wakes once per job)."""
    done = handle(dut, host.component, "done")
    await host.set_registers(job)
    began = time.perf_counter()
    for _ in range(repeats):
        await host.cmd.send([host._cmd(HydraOp.START)])
        await RisingEdge(done)
        await RisingEdge(dut.clk)
    return time.perf_counter() - began


@cocotb.test()
async def bench_unit(dut):
    component, _ = tb_component()
    geo, variant = component.geo, component.config.mac.variant
    repeats = int(os.environ.get("HYMEM_BENCH_REPEATS", "2"))  # 2: a quick regression in make test
    host = UnitHost(dut, component)
    await start_clock_and_reset(dut)
    host.start()
    rng = np.random.default_rng(1)
    large_groups = -(-4 * 32 // geo.n_macs)
    m = min(geo.wb_values // 9, geo.ob_words // large_groups)  # as many kernels as WB and OB allow
    small, large = conv3x3(geo, 2, m), conv3x3(geo, 4, m)
    tile = rng.integers(-512, 512, (large.in_h, large.in_w))
    await host.write(True, tile)
    await host.write(False, rng.integers(-512, 512, (geo.wb_values,)))

    seconds = await run_job(dut, host, large, repeats)
    after_large = read_counters(dut, component)
    await run_job(dut, host, small, repeats)
    after_small = read_counters(dut, component)
    want_large, want_small = job_cycles(large, geo, variant), job_cycles(small, geo, variant)
    for name in ("cycles", "macs", "mac_busy_cycles", "ab_reads", "wb_reads", "ob_writes"):
        assert after_large[name] == repeats * want_large[name], (name, after_large[name], want_large[name])
        assert after_small[name] - after_large[name] == repeats * want_small[name], name
    cycles = after_large["cycles"]
    # From the RTL's counters (asserted equal to the golden model above).
    small_macs = after_small["macs"] - after_large["macs"]
    small_cycles = after_small["cycles"] - after_large["cycles"]
    job_util = after_large["macs"] / (geo.n_macs * after_large["cycles"])
    d_macs, d_cycles = after_large["macs"] - small_macs, after_large["cycles"] - small_cycles
    result = {"cycles": cycles, "seconds": seconds, "cycles_per_second": cycles / seconds,
              "job": str(large), "job_utilization": job_util,
              "steady_state_utilization": d_macs / (geo.n_macs * d_cycles), "variant": variant}
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
