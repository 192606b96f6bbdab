"""Benchmark: a SqueezeNet 1.0 window through the SHyCache level at full regression checking.

``HYMEM_BENCH_REQUESTS`` trace accesses (default 4000) of ``golden.shycache.cnn_trace``
from just before the first weight access, as word requests with the trace's compute
gaps; every check of ``test_cnn_trace`` (counts, flips, data, write-backs, cycles) runs;
simulated cycles, requests and wall seconds of the simulation go to ``HYMEM_BENCH_OUT``.
Python acts per request, response and memory transaction, never per cycle.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np

from hymem.golden.shycache.cnn_trace import network_trace
from hymem.tb.common.backing_memory import MemoryTiming
from hymem.tb.runner import tb_component
from hymem.tb.shycache.harness import check_run, predict, run_level, trace_requests


@cocotb.test()
async def bench_cnn_window(dut):
    component, config = tb_component()
    p = component.params
    n = int(os.environ.get("HYMEM_BENCH_REQUESTS", "4000"))
    trace = network_trace("squeezenet1_0", config, max_rows=8)
    nvm_range = config.workload.nvm_range
    first_weight = int(np.flatnonzero(trace.addr >= nvm_range[0])[0])
    requests, gaps = trace_requests(trace, p, max(first_weight - 100, 0), n)
    image = trace.image_function()
    timing = MemoryTiming(latency=4)
    want = predict(p, [nvm_range], requests, image)
    start = time.perf_counter()
    run = await run_level(dut, component, "bench", requests, gaps, [nvm_range], image, timing)
    seconds = time.perf_counter() - start
    check_run(dut, "bench", p, run, want, timing, gaps)
    cycles = run.responses[-1][0]
    result = {"requests": len(requests), "cycles": cycles, "seconds": seconds,
              "cycles_per_second": cycles / seconds, "requests_per_second": len(requests) / seconds,
              "counters": run.counters}
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
