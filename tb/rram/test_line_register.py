"""cocotb regression of ``rtl/rram/line_register.py`` (kernel-first reuse, seed 002 §3.2).

Checked against what the block is for, not against its own rule: a random input row is slid
under a group of p pixels in kernel-first order, kernel column kx = 0 .. K-1 for stride
s = 1 or 2.  Lane i's window pixel is ``row[i·s + kx]``.  The test feeds the I/O-buffer word
only for the lanes that must read (every lane when kx < s, else only the last lane; the
others get zeros, as an unread I/O lane), sets ``keep`` on the rest, and the step's
activations must be the whole true window: the kept lanes must come out of the register.
Variants: idle cycles (``step`` low, junk on the inputs: the history must not move) between
the steps, and steps back to back across several groups and kernel rows.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.hdl import handle, members, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.layout import pack_lanes, unpack_acts
from hymem.tb.runner import tb_component


def kernel_first_steps(rng, p: int, m: int, passes: int):
    """(fresh (p, m), keep, stride2, true window (p, m)) of every step of ``passes`` row passes."""
    steps = []
    for _ in range(passes):
        s, k = int(rng.integers(1, 3)), int(rng.integers(1, 6))
        row = rng.integers(-128, 128, size=((p - 1) * s + k, m))
        for kx in range(k):
            window = np.stack([row[i * s + kx] for i in range(p)])
            keep = 0 if kx < s else (1 << (p - 1)) - 1  # all lanes but the last reuse
            fresh = window.copy()
            for i in range(p):
                if keep >> i & 1:
                    fresh[i] = 0
            steps.append((fresh, keep, int(s == 2), window))
    return steps


async def run(dut, name: str, idle: float):
    component, _ = tb_component()
    p = component.p
    m = members(component)[("act",)].shape.elem_shape.length
    await start_clock_and_reset(dut)
    rng = seeded_rng(dut, name)
    steps = kernel_first_steps(rng, p, m, 24)
    board = Scoreboard(f"{name} windows", [w.tolist() for *_, w in steps])
    done = [0]
    dog = Watchdog(lambda: done[0], 50, name).start()
    act = handle(dut, component, "act")
    for fresh, keep, stride2, _ in steps:
        while rng.random() < idle:  # an idle cycle with junk inputs
            junk = rng.integers(-128, 128, size=(p, m))
            handle(dut, component, "fresh").value = pack_lanes(junk.reshape(1, -1), 8)[0]
            write(dut, component, "keep", value=int(rng.integers(1 << p)))
            write(dut, component, "step", value=0)
            await RisingEdge(dut.clk)
        handle(dut, component, "fresh").value = pack_lanes(fresh.reshape(1, -1), 8)[0]
        write(dut, component, "keep", value=keep)
        write(dut, component, "stride2", value=stride2)
        write(dut, component, "step", value=1)
        await ReadOnly()
        board.observe(unpack_acts(int(act.value), p, m))
        await RisingEdge(dut.clk)
        done[0] += 1
    write(dut, component, "step", value=0)
    dog.stop()
    board.check_empty()
    dut._log.info(f"{name}: {board.matched} kernel-first windows")


@cocotb.test()
async def idle_cycles(dut):
    await run(dut, "idle", idle=0.4)


@cocotb.test()
async def back_to_back(dut):
    await run(dut, "back_to_back", idle=0.0)
