"""rtl.hydra.mac's helpers: the bias alignment written for simulation speed is the golden alignment."""

import numpy as np
from amaranth.hdl import Module, Signal, signed
from amaranth.sim import Simulator

from hymem.golden.hydra.params import load_hydra_config
from hymem.rtl.hydra.mac import aligned_bias


def test_aligned_bias_is_the_bias_times_two_to_the_frac():
    """``aligned_bias`` ((zero-extended ^ msb) - msb, shifted) against ``bias * 2**frac`` wrapped to the
    accumulator, computed here in Python: both ends of the range, around zero and 500 random biases."""
    fmt = load_hydra_config().fixed
    lo, hi = -(1 << (fmt.width - 1)), (1 << (fmt.width - 1)) - 1
    rng = np.random.default_rng(18)
    biases = [lo, lo + 1, -1, 0, 1, hi - 1, hi, *rng.integers(lo, hi + 1, 500).tolist()]

    def wrapped(value):
        half = 1 << (fmt.acc_width - 1)
        return (value + half) % (2 * half) - half

    m = Module()
    bias, aligned = Signal(signed(fmt.width)), Signal(signed(fmt.acc_width))
    m.d.comb += aligned.eq(aligned_bias(bias, fmt))
    wrong = []

    async def bench(ctx):
        for value in biases:
            ctx.set(bias, value)
            if ctx.get(aligned) != wrapped(value << fmt.frac):
                wrong.append((value, ctx.get(aligned)))

    sim = Simulator(m)
    sim.add_testbench(bench)
    sim.run()
    assert not wrong, f"{len(wrong)} biases misaligned, first (bias, rtl): {wrong[0]}"
