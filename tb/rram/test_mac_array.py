"""cocotb regression of ``rtl/rram/mac_array.py``: every step's p x n inner products equal
``golden.rram.functional.array_step`` one cycle later; idle cycles (valid low) between steps
and the extreme operands (-128 x -128 summed m times) included."""

from __future__ import annotations

import cocotb
import numpy as np

from hymem.golden.rram.functional import array_step
from hymem.tb.common.hdl import handle, read
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.rram.harness import drive_cycles, start_block_bench
from hymem.tb.rram.layout import pack_lanes, unpack_entry


@cocotb.test()
async def random_steps_with_idle_cycles(dut):
    component, rng = await start_block_bench(dut, "mac_array", [("valid",)])
    rtl = component  # its p, n, m
    steps = 200
    acts = rng.integers(-128, 128, size=(steps, rtl.p, rtl.m))
    weights = rng.integers(-128, 128, size=(steps, rtl.m, rtl.n))
    acts[0], weights[0] = -128, -128  # the largest sum: m * 2^14
    valid = rng.random(steps) < 0.7
    valid[0] = True
    board = Scoreboard(
        "mac steps", [array_step(a, w).tolist() for a, w, v in zip(acts, weights, valid) if v]
    )
    act_port, weight_port = handle(dut, component, "act"), handle(dut, component, "weight")
    valid_port = handle(dut, component, "valid")

    def drive(k):
        valid_port.value = int(k < steps and valid[k])
        if k < steps:
            act_port.value = pack_lanes(acts[k].reshape(1, -1), 8)[0]
            weight_port.value = pack_lanes(weights[k].reshape(1, -1), 8)[0]

    def sample(k):
        if read(dut, component, "dot_valid"):
            board.observe(unpack_entry(int(handle(dut, component, "dot").value), rtl).tolist())

    await drive_cycles(dut, "mac_array", steps + 1, drive, sample)
    board.check_empty()
    assert np.count_nonzero(valid) == board.matched
