"""Seeded randomness for testbenches: one generator per test, its seed printed for reruns."""

from __future__ import annotations

import os
import zlib

import cocotb
import numpy as np


def seeded_rng(dut, name: str, detail: str = "") -> np.random.Generator:
    """Generator seeded from cocotb's per-test random seed and ``name``; logs how to rerun it.

    cocotb derives each test's ``RANDOM_SEED`` from the regression seed and the
    test's name, so the regression seed (``COCOTB_RANDOM_SEED``, which
    ``tb.runner`` always sets) is what reproduces a run: set it again for
    ``make sim`` or pytest."""
    seed = (cocotb.RANDOM_SEED + zlib.crc32(name.encode())) % 2**32
    regression = os.environ.get("COCOTB_RANDOM_SEED", "<the 'Seeding Python random module' value>")
    dut._log.info(f"{name}: seed {seed} (rerun with COCOTB_RANDOM_SEED={regression}){detail}")
    return np.random.default_rng(seed)
