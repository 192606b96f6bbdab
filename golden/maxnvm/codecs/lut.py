"""Per-layer cluster codebook lookup (seed 003 §3.1.2: 16–128 clustered values per layer)."""

from __future__ import annotations

import numpy as np

MIN_ENTRIES, MAX_ENTRIES = 1, 128


def lut_lookup(codebook, indices) -> np.ndarray:
    """FX16 weights ``codebook[indices]``; an index at or beyond the loaded entries gives 0
    (like the RTL ``ClusterLut``, which also counts it as out of range)."""
    book = np.asarray(codebook, dtype=np.int64)
    if not MIN_ENTRIES <= len(book) <= MAX_ENTRIES:
        raise ValueError(f"codebook of {len(book)} entries: must be {MIN_ENTRIES}..{MAX_ENTRIES}")
    idx = np.asarray(indices, dtype=np.int64)
    inside = (idx >= 0) & (idx < len(book))
    return np.where(inside, book[np.where(inside, idx, 0)], 0)


def lut_out_of_range(codebook, indices) -> int:
    """How many indices fall outside the loaded codebook."""
    idx = np.asarray(indices, dtype=np.int64)
    return int(np.sum((idx < 0) | (idx >= len(codebook))))
