"""Gray code for the level mapping of binary values in MLC cells (seed 003 §3.3).

Adjacent levels differ in one bit, so a level-to-level misread (the only
non-negligible MLC fault, seed 003 §2.3) is a single-bit error SEC-DED corrects.
"""

from __future__ import annotations

import numpy as np


def gray_encode(x):
    """Binary → reflected Gray code (non-negative integers, any integer dtype)."""
    x = np.asarray(x)
    return x ^ (x >> 1)


def gray_decode(g, bits: int = 64):
    """Reflected Gray → binary: prefix XOR of the higher bits (values below ``2**bits``)."""
    x = np.array(g, copy=True)
    shift = 1
    while shift < bits:
        x ^= x >> shift
        shift <<= 1
    return x
