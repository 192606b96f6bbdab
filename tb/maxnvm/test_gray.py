"""cocotb regression of ``rtl/maxnvm/gray.py`` against ``golden.maxnvm.codecs.gray``:
every ``data_bits``-bit word through both paths, plus the property that
consecutive binary values give Gray codes one bit apart."""

from __future__ import annotations

import cocotb
import numpy as np

from hymem.golden.maxnvm.codecs import gray_decode, gray_encode
from hymem.tb.common.seed import seeded_rng
from hymem.tb.maxnvm.codec_streams import run_paths
from hymem.tb.runner import tb_component

WORDS = 3000


async def gray(dut, name, idle_prob=0.0, stall_prob=0.0):
    component, config = tb_component()
    bits = config.codec.data_bits
    rng = seeded_rng(dut, name)
    start = int(rng.integers(0, (1 << bits) - WORDS))
    binary = np.arange(start, start + WORDS)               # consecutive values: one-bit Gray steps
    codes = rng.integers(0, 1 << bits, size=WORDS)
    paths = {("enc_in", "enc_out"): (binary.tolist(), gray_encode(binary).tolist()),
             ("dec_in", "dec_out"): (codes.tolist(), gray_decode(codes, bits).tolist())}
    enc_items, _dec_items = await run_paths(dut, component, rng, name, paths, idle_prob, stall_prob)
    steps = np.bitwise_xor(enc_items[1:], enc_items[:-1])
    assert all(int(s).bit_count() == 1 for s in steps), "consecutive values must differ in one Gray bit"


@cocotb.test()
async def test_gray_full_rate(dut):
    await gray(dut, "full_rate")


@cocotb.test()
async def test_gray_idle_backpressure(dut):
    await gray(dut, "idle_backpressure", idle_prob=0.3, stall_prob=0.3)
