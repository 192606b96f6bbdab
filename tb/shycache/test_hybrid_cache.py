"""cocotb regression of ``rtl/shycache/hybrid_cache.py`` (one SHyCache level, seed 000).

Against independent golden sides: the per-access reference
(``golden.shycache.reference.ReferenceLevel``: hits, misses and write-backs per
part, STT bit flips, written-back lines, hit and part per request), a flat
memory of the stored words (read data) and ``golden.shycache.rtl_timing``
(response, fill and write-back cycles and stall cycles, under fixed memory
timing).  Variants: random traces with a hot reserved range, idle gaps,
random back-pressure and latency from the memory side (counts, data and
write-backs still exact; cycles then not predicted), idle then a burst,
malformed requests mixed in, and a trace of the CNN generator.  The same
module runs on the hybrid, all-SRAM and all-STT tops.
"""

from __future__ import annotations

import cocotb

from hymem.tb.common.backing_memory import MemoryTiming
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import idle_gaps
from hymem.tb.runner import tb_component
from hymem.tb.shycache.harness import (
    WEIGHTS,
    check_run,
    level_image,
    predict,
    random_requests,
    run_level,
    trace_requests,
)

WEIGHT_LINES = 48     # 3x the STT part's 16 frames: evictions and write-backs
ACT_LINES = 24        # 3x the SRAM part's 8 frames


def weight_range(p):
    return [(WEIGHTS, WEIGHTS + WEIGHT_LINES * p.line_bytes)]


async def random_run(dut, name: str, n: int, memory_rng: bool, idle_prob: float, **kw):
    component, _ = tb_component()
    p = component.params
    rng = seeded_rng(dut, name, f" ({', '.join(p.parts)})")
    requests = random_requests(rng, p, n, WEIGHT_LINES, ACT_LINES, **kw)
    gaps = idle_gaps(rng, n, idle_prob)
    image = level_image(p, WEIGHT_LINES, ACT_LINES, int(rng.integers(1 << 31)))
    timing = MemoryTiming(latency=int(rng.integers(1, 9)), rng=rng if memory_rng else None)
    want = predict(p, weight_range(p), requests, image)
    run = await run_level(dut, component, name, requests, gaps, weight_range(p), image, timing)
    check_run(dut, name, p, run, want, timing, None if memory_rng else gaps)
    return want, run


@cocotb.test()
async def test_random_hot_range(dut):
    """Hot weight range, loads and stores, idle gaps, fixed memory timing: everything exact."""
    want, run = await random_run(dut, "hot_range", 600, memory_rng=False, idle_prob=0.3)
    c = want.counters
    assert c["sram_misses"] + c["stt_misses"] > 0 and c["sram_hits"] + c["stt_hits"] > 0
    assert c["sram_writebacks"] + c["stt_writebacks"] > 0
    if "stt" in tb_component()[0].params.parts:   # the STT paths really ran
        assert c["stt_bitflips"] > 0 and run.counters["stall_cycles"] > 0


@cocotb.test()
async def test_memory_backpressure(dut):
    """Random request back-pressure and fill latency from the next level: counts, data exact."""
    await random_run(dut, "backpressure", 500, memory_rng=True, idle_prob=0.2)


@cocotb.test()
async def test_idle_then_burst(dut):
    """Long idle gaps, then back-to-back requests (no gaps)."""
    component, _ = tb_component()
    p = component.params
    rng = seeded_rng(dut, "idle_burst")
    n = 200
    requests = random_requests(rng, p, n, WEIGHT_LINES, ACT_LINES, store_prob=0.5)
    gaps = [300 if i % 50 == 0 else 0 for i in range(n)]
    image = level_image(p, WEIGHT_LINES, ACT_LINES, 7)
    timing = MemoryTiming(latency=3)
    want = predict(p, weight_range(p), requests, image)
    run = await run_level(dut, component, "idle_burst", requests, gaps, weight_range(p), image,
                          timing)
    check_run(dut, "idle_burst", p, run, want, timing, gaps)


@cocotb.test()
async def test_malformed_requests(dut):
    """Bad opcodes and unaligned addresses: answered with error, counted, nothing else changes."""
    want, run = await random_run(dut, "malformed", 400, memory_rng=False, idle_prob=0.1,
                                 malformed_prob=0.1)
    assert want.counters["bad_requests"] > 0 and run.error


@cocotb.test()
async def test_cnn_trace(dut):
    """A window of SqueezeNet 1.0 from the CNN trace generator (golden.shycache.cnn_trace),
    from just before its first weight access: im2col, interleave and SGEMM micro-kernel
    accesses as word requests, its compute gaps as idle cycles, its memory image, weights in
    the reserved range; fixed memory timing, so cycles are checked too."""
    import numpy as np

    from hymem.golden.shycache.cnn_trace import network_trace

    component, config = tb_component()
    p = component.params
    trace = network_trace("squeezenet1_0", config, max_rows=8)
    nvm_range = config.workload.nvm_range
    first_weight = int(np.flatnonzero(trace.addr >= nvm_range[0])[0])
    requests, gaps = trace_requests(trace, p, max(first_weight - 100, 0), 500)
    image = trace.image_function()
    timing = MemoryTiming(latency=4)
    want = predict(p, [nvm_range], requests, image)
    run = await run_level(dut, component, "cnn_trace", requests, gaps, [nvm_range], image, timing)
    check_run(dut, "cnn_trace", p, run, want, timing, gaps)
    c = want.counters
    dut._log.info(f"cnn_trace: {len(requests)} word requests, reference counts {c}")
    if p.parts == ("sram", "stt"):
        assert c["stt_hits"] + c["stt_misses"] > 0 and c["sram_hits"] + c["sram_misses"] > 0
