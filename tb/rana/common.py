"""Helpers shared by the RANA testbenches."""

from __future__ import annotations

import numpy as np


def random_flags(rng: np.random.Generator, n_banks: int) -> int:
    """A uniformly random refresh-flag bitmask of ``n_banks`` bits."""
    return int.from_bytes(rng.bytes(n_banks // 8 + 1)) % (1 << n_banks)


