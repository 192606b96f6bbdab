"""cocotb benchmark: BitmaskDecoder throughput (weights per cycle) and simulated cycles per second.

One layer of ``max_weights`` weights at 50 % sparsity is loaded once and decoded
``HYMEM_BENCH_REPEATS`` times with IdxSync on, the output always ready; Python
only pulses ``start`` and waits for ``busy`` to fall (no Python per cycle).
Works on a ``BitmaskHarness`` top (any element width: NVDLA int16/int8 or packed
indices) and on the ``WeightDecoder`` (packed indices through the codebook to
FX16; a full ``2**index_bits`` codebook is loaded first).
The run must be right: the decoder's counters must equal the golden prediction.
Environment: ``HYMEM_BENCH_REPEATS``, ``HYMEM_BENCH_OUT`` (JSON result file).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, ReadOnly, RisingEdge

from hymem.golden.maxnvm.codecs import decode_bitmask_report, encode_bitmask
from hymem.golden.maxnvm.codecs.bitmask import element_range, elements_in
from hymem.golden.maxnvm.codecs.cost import bitmask_decoder_cost
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, counter_names, read_counters
from hymem.tb.common.hdl import handle, write
from hymem.tb.common.stream import StreamDriver
from hymem.tb.maxnvm.harness import LENGTH_PORTS, SURFACE_CODES
from hymem.tb.maxnvm.loading import load_memories, words32
from hymem.tb.runner import tb_component

SEED = 2019


@cocotb.test()
async def bench_bitmask_decoder(dut):
    component, _ = tb_component()
    weight_decoder = hasattr(component, "index_params")  # WeightDecoder: indices -> codebook -> FX16
    p = component.index_params if weight_decoder else component.params  # a variant may differ from the TOML
    repeats = int(os.environ.get("HYMEM_BENCH_REPEATS", "10"))
    rng = np.random.default_rng(SEED)
    n_kernels = 4 * p.group_kernels
    lo, hi = element_range(p.data_bits)
    w = rng.integers(lo, hi + 1, size=(n_kernels, p.max_weights // n_kernels))
    w[rng.random(w.shape) < 0.5] = 0
    s = encode_bitmask(w, p.data_bits, p.idxsync_block, allow_raw=False)
    report = decode_bitmask_report(s, w.shape, idxsync=True)
    cost = bitmask_decoder_cost(s.layout, p.lanes, p.idxsync_block)

    write(dut, component, "start", value=0)
    write(dut, component, "weights", "ready", value=1)
    await start_clock_and_reset(dut)
    await RisingEdge(dut.clk)
    await load_memories(StreamDriver(dut, component, "load"), component,
                        {SURFACE_CODES[k]: words32(v) for k, v in s.surfaces().items() if len(v)})
    entries = 1 << p.data_bits
    if weight_decoder:
        book = rng.integers(-(1 << (p.weight_bits - 1)), 1 << (p.weight_bits - 1), entries)
        entries_sent = [{"index": i, "weight": int(v)} for i, v in enumerate(book)]
        await StreamDriver(dut, component, "codebook").send(entries_sent)
        write(dut, component, "n_entries", value=entries)
    for name, value in (("n_weights", w.size), ("group_elems", p.group_kernels * w.shape[1]),
                        ("compressed", 1), ("idxsync", 1), ("data_elems", elements_in(len(s.data), p.data_bits)),
                        *((port, len(s.surfaces()[k])) for k, port in LENGTH_PORTS.items())):
        write(dut, component, name, value=value)
    busy = handle(dut, component, "busy")
    t0 = time.perf_counter()
    for _ in range(repeats):
        write(dut, component, "start", value=1)
        await RisingEdge(dut.clk)
        write(dut, component, "start", value=0)
        while True:  # a falling edge can be a zero-time glitch of the combinational busy
            await FallingEdge(busy)
            await ReadOnly()
            if not int(busy.value):
                break
        await RisingEdge(dut.clk)
    seconds = time.perf_counter() - t0
    measured = read_counters(dut, component)
    expected = dict.fromkeys(counter_names(component), 0)   # every RTL counter is compared
    for k in ("weights_out", "blocks", "resyncs", "counter_errors", "wgs_errors", "overruns", "truncated",
              "wgs_mismatches"):
        expected[k] = repeats * getattr(report, k)
    expected.update(beats=repeats * cost.beats, busy_cycles=repeats * cost.busy_cycles)
    if weight_decoder:
        expected.update(lookups=repeats * w.size, out_of_range=0, codebook_loads=entries)
    assert_counters_equal(measured, expected)
    cycles = repeats * (cost.busy_cycles + 2 + weight_decoder)  # + the lookup stage's cycle
    result = {"lanes": p.lanes, "data_bits": p.data_bits, "weight_decoder": weight_decoder,
              "weights": int(repeats * w.size), "busy_cycles": measured["busy_cycles"],
              "weights_per_cycle": repeats * w.size / measured["busy_cycles"],
              "cycles": cycles, "seconds": seconds, "cycles_per_second": cycles / seconds}
    dut._log.info(f"bitmask decoder bench: {result}")
    Path(os.environ.get("HYMEM_BENCH_OUT", "bench_bitmask.json")).write_text(json.dumps(result))
