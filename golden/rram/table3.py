"""Seed 002 Table 3 as printed: data accesses of one K x K convolution on ``groups`` x p pixels.

Kept exactly as the paper prints it (per channel, no stride, padding or edges); the exact
counts of a real layer are :mod:`golden.rram.loopnest`'s.  The paper's kernel-first input
``(p + K - 1)^2`` reads as a 2-D tile; the loop nest reads K rows of ``p + K - 1`` pixels.
"""

from __future__ import annotations

from hymem.golden.config import ConfigError


def table3(p: int, k: int, groups: int) -> dict[str, dict[str, int]]:
    """``{"kernel_first": {...}, "pixel_first": {...}}`` with keys input, weight, output_read,
    output_write (seed 002 Table 3; the paper's n is ``groups``)."""
    bad = [f"{name}={value}" for name, value in (("p", p), ("K", k), ("groups", groups))
           if not isinstance(value, int) or value < 1]
    if bad:
        raise ConfigError(f"table3: {', '.join(bad)} must be an integer >= 1")
    n = groups
    return {
        "kernel_first": {"input": n * (p + k - 1) ** 2, "weight": n * k * k,
                         "output_read": 0, "output_write": n * p},
        "pixel_first": {"input": n * p * k * k, "weight": k * k,
                        "output_read": n * p * (k * k - 1), "output_write": n * p * k * k},
    }


__all__ = ["table3"]
