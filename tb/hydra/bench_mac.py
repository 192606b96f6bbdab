"""cocotb benchmark: simulated cycles per second of the Hydra MAC (``hydra_mac_bench``).

The harness feeds the MAC itself, so Python only starts the run and awaits
``done`` (the clock is a GPI clock).  The run must also be right: the
harness's checksum and cycle count are compared with the golden model.
Environment: ``HYMEM_BENCH_PAIRS`` (pairs to run), ``HYMEM_BENCH_OUT`` (JSON result file).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.fixed import from_unsigned
from hymem.golden.hydra.mac import MacBatch, mac_results
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import read, write
from hymem.tb.runner import tb_component

SEED = 0x1234_5678


def xorshift32(seed: int, n: int) -> np.ndarray:
    states = np.empty(n, dtype=np.int64)
    s = seed
    for i in range(n):
        states[i] = s
        s ^= (s << 13) & 0xFFFF_FFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFF_FFFF
    return states


def golden_checksum(fixed, n_pairs: int, kernel: int) -> int:
    states = xorshift32(SEED, n_pairs)
    batch = MacBatch(bias=0, w=from_unsigned(states & 0xFFFF, 16), a=from_unsigned(states >> 16, 16),
                     last=(np.arange(n_pairs) % kernel) == kernel - 1)
    checksum = 0
    for acc in mac_results([batch], fixed).acc:
        checksum = ((checksum << 1) | (checksum >> 31)) & 0xFFFF_FFFF
        checksum ^= int(acc) & 0xFFFF_FFFF
    return checksum


@cocotb.test()
async def bench_mac_cycles_per_second(dut):
    component, config = tb_component()
    n_pairs = int(os.environ.get("HYMEM_BENCH_PAIRS", "90000"))
    n_pairs -= n_pairs % component.kernel
    expected = golden_checksum(config.fixed, n_pairs, component.kernel)

    await start_clock_and_reset(dut)
    write(dut, component, "n_pairs", value=n_pairs)
    write(dut, component, "seed", value=SEED)
    write(dut, component, "start", value=1)
    await RisingEdge(dut.clk)
    write(dut, component, "start", value=0)
    began = time.perf_counter()
    await RisingEdge(dut.done)
    seconds = time.perf_counter() - began
    await ReadOnly()  # registers updated at the same edge as done are settled only now

    cycles = read(dut, component, "cycles")
    checksum = read(dut, component, "checksum")
    assert checksum == expected, f"checksum {checksum:#x}, golden {expected:#x}"
    assert cycles == n_pairs + 3, f"{cycles} cycles for {n_pairs} pairs; the MAC's latency model says {n_pairs + 3}"
    result = {"cycles": cycles, "seconds": seconds, "cycles_per_second": cycles / seconds}
    dut._log.info(f"{result}")
    if os.environ.get("HYMEM_BENCH_OUT"):
        Path(os.environ["HYMEM_BENCH_OUT"]).write_text(json.dumps(result))
