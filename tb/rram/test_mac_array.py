"""cocotb regression of ``rtl/rram/mac_array.py``: every step's p x n inner products equal
``golden.rram.functional.array_step`` one cycle later; idle cycles (valid low) between steps
and the extreme operands (-128 x -128 summed m times) included."""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.functional import array_step
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import handle, read
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.rram.layout import pack_lanes, unpack_entry
from hymem.tb.runner import tb_component


@cocotb.test()
async def random_steps_with_idle_cycles(dut):
    component, config = tb_component()
    rtl = config.rtl
    await start_clock_and_reset(dut)
    rng = seeded_rng(dut, "mac_array")
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
    for k in range(steps + 1):
        if k < steps:
            act_port.value = pack_lanes(acts[k].reshape(1, -1), 8)[0]
            weight_port.value = pack_lanes(weights[k].reshape(1, -1), 8)[0]
            valid_port.value = int(valid[k])
        else:
            valid_port.value = 0
        await ReadOnly()
        if read(dut, component, "dot_valid"):
            dot = unpack_entry(int(handle(dut, component, "dot").value), rtl)
            board.observe(dot.tolist())
        await RisingEdge(dut.clk)
    board.check_empty()
    assert np.count_nonzero(valid) == board.matched
