"""cocotb regression of ``rtl/rram/requantizer.py`` against ``golden.fixed.requantize``.

Random entries with sums over the whole int32 range and near the rounding and saturation
edges (k·2^shift ± 2^(shift-1), the int8 limits shifted up), random biases (including ones
that make the sum wrap), shifts 0..7 (the formats of golden.fixed) and 8..31 (a deep layer's
sums), both ReLU settings.  Reference: for shift < 8
``requantize(wrap(acc + bias, 32), FixedFormat(8, shift, 32))`` then ``max(., 0)`` for ReLU —
the digits CNN's layers (``golden.nn.model.fixed_trace``); for any shift
``golden.rram.functional.requantize_sums`` (held equal to the former by
``tests/test_rram_rtl_golden.py``).  The block is combinational (no stream: no idle or
back-pressure variant); the variants are random operands and the edge cases.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, Timer

from hymem.golden.fixed import FixedFormat, requantize, wrap
from hymem.golden.rram.functional import requantize_sums
from hymem.tb.common.clock import CLOCK_PERIOD_NS
from hymem.tb.common.hdl import handle, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.layout import pack_lanes, unpack_acts
from hymem.tb.runner import tb_component

ENTRIES = 150


def reference(acc, bias, shift: int, relu: int) -> list:
    if shift >= 8:  # beyond golden.fixed's int8 formats
        return requantize_sums(acc.T, bias, shift, bool(relu)).T.tolist()
    fmt = FixedFormat(width=8, frac=shift, acc_width=32)
    q = requantize(wrap(acc + bias[None, :], 32), fmt)
    return (np.maximum(q, 0) if relu else q).tolist()


def edge_sums(rng, shape, shift: int) -> np.ndarray:
    """Sums at rounding ties and at the saturation limits, ± 1."""
    k = rng.integers(-200, 200, size=shape)
    tie = (k << shift) + ((1 << shift) >> 1) + rng.integers(-1, 2, size=shape)
    limit = rng.choice([-129, -128, 127, 128], size=shape) << shift
    return np.where(rng.random(shape) < 0.5, tie, limit + rng.integers(-1, 2, size=shape))


async def run(dut, name: str, edges: bool):
    component, _ = tb_component()
    p, n = component.p, component.n
    rng = seeded_rng(dut, name)
    cases = []
    for _ in range(ENTRIES):
        shift = int(rng.integers(0, 8)) if rng.random() < 0.5 else int(rng.integers(8, 32))
        relu = int(rng.integers(0, 2))
        if edges:
            acc, bias = edge_sums(rng, (p, n), shift), np.zeros(n, dtype=np.int64)
        else:
            acc = rng.integers(-(1 << 31), 1 << 31, size=(p, n))
            bias = rng.integers(-(1 << 31), 1 << 31, size=n)
        cases.append((wrap(acc, 32), bias, shift, relu))
    board = Scoreboard(name, [reference(*c) for c in cases])
    done = [0]
    dog = Watchdog(lambda: done[0], 50, name).start()
    for acc, bias, shift, relu in cases:
        handle(dut, component, "acc").value = pack_lanes(acc.reshape(1, -1), 32)[0]
        handle(dut, component, "bias").value = pack_lanes(bias.reshape(1, -1), 32)[0]
        write(dut, component, "shift", value=shift)
        write(dut, component, "relu", value=relu)
        await ReadOnly()
        board.observe(unpack_acts(int(handle(dut, component, "q").value), p, n))
        await Timer(CLOCK_PERIOD_NS, unit="ns")  # combinational: no clock port
        done[0] += 1
    dog.stop()
    board.check_empty()
    dut._log.info(f"{name}: {board.matched} entries")


@cocotb.test()
async def random_operands(dut):
    await run(dut, "random", edges=False)


@cocotb.test()
async def rounding_and_saturation_edges(dut):
    await run(dut, "edges", edges=True)
