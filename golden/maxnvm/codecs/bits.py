"""Seeded bit flips in stored structures (a simple injector for codec tests;
the MLC cell model in golden/maxnvm replaces it for the fault studies)."""

from __future__ import annotations

import numpy as np


def flip_bits(buf, positions) -> np.ndarray:
    """Copy of uint8 ``buf`` with little-endian bit ``p`` (byte ``p // 8``, bit ``p % 8``) flipped."""
    out = np.array(buf, dtype=np.uint8, copy=True)
    positions = np.asarray(positions, dtype=np.int64)
    np.bitwise_xor.at(out, positions // 8, (1 << (positions % 8)).astype(np.uint8))
    return out


def flip_word_bits(words, width: int, positions) -> np.ndarray:
    """Copy of integer ``words`` with bit ``p % width`` of word ``p // width`` flipped."""
    out = np.array(words, dtype=np.int64, copy=True)
    positions = np.asarray(positions, dtype=np.int64)
    np.bitwise_xor.at(out, positions // width, np.left_shift(1, positions % width))
    return out
