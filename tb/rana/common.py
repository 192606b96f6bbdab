"""Helpers shared by the RANA testbenches."""

from __future__ import annotations

import zlib

import cocotb
import numpy as np

from tb.common.hdl import handle


def seeded_rng(dut, name: str) -> np.random.Generator:
    """Per-test generator from cocotb's seed and the test name; the seed is logged."""
    seed = (cocotb.RANDOM_SEED + zlib.crc32(name.encode())) % 2**32
    dut._log.info(f"{name}: seed {seed} (rerun with COCOTB_RANDOM_SEED={cocotb.RANDOM_SEED})")
    return np.random.default_rng(seed)


def random_flags(rng: np.random.Generator, n_banks: int) -> int:
    """A uniformly random refresh-flag bitmask of ``n_banks`` bits."""
    return int.from_bytes(rng.bytes(n_banks // 8 + 1)) % (1 << n_banks)


def port_handles(dut, component):
    """``h(*path)`` → cocotb handle of a signature member, looked up once.

    ``tb.common.hdl.handle`` flattens the whole signature on every call (64-bank
    counter arrays make that milliseconds), so per-cycle code must not call it.
    """
    cache = {}

    def h(*path):
        if path not in cache:
            cache[path] = handle(dut, component, *path)
        return cache[path]

    return h
