"""Seeded randomness for testbenches: one generator per test, its seed printed for reruns."""

from __future__ import annotations

import zlib

import cocotb
import numpy as np


def seeded_rng(dut, name: str, detail: str = "") -> np.random.Generator:
    """Generator seeded from cocotb's random seed and the test name; logs how to rerun it."""
    seed = (cocotb.RANDOM_SEED + zlib.crc32(name.encode())) % 2**32
    dut._log.info(f"{name}: seed {seed} (rerun with COCOTB_RANDOM_SEED={cocotb.RANDOM_SEED}){detail}")
    return np.random.default_rng(seed)
