"""Extended-Hamming SEC-DED with a parameterized data width (seed 003 §3.3, §4.3).

Codeword layout (``n = k + r`` Hamming bits, ``r`` the smallest with
``2**r >= k + r + 1``, plus one overall parity bit): bit ``p`` of the codeword
integer is Hamming position ``p`` for ``p = 1 .. n``; positions that are powers
of two hold the parity bits, the others hold data bits ``0 .. k-1`` in
increasing order; bit 0 holds the overall (even) parity of bits ``1 .. n``.
Codewords are ``uint64``, so ``k <= 57``.

Decoding: syndrome ``s`` = XOR of the positions of the set bits in ``1 .. n``;
overall parity ``P`` = XOR of all ``n + 1`` bits.
``s = 0, P = 0``: clean.  ``P = 1``: a single error at position ``s`` (``s = 0``:
the overall parity bit) — corrected.  ``s != 0, P = 0``: a double error —
flagged uncorrectable, data returned uncorrected.  ``P = 1`` with ``s > n``
(only reachable with three or more errors) is also flagged uncorrectable.
"""

from __future__ import annotations

import numpy as np

MAX_DATA_BITS = 57


def parity_bits(k: int) -> int:
    """Hamming parity bits ``r`` for ``k`` data bits (SEC); SEC-DED stores ``r + 1``."""
    r = 0
    while (1 << r) < k + r + 1:
        r += 1
    return r


def codeword_bits(k: int) -> int:
    """Stored bits of one SEC-DED codeword: ``k + parity_bits(k) + 1``."""
    return k + parity_bits(k) + 1


def data_positions(k: int) -> np.ndarray:
    """Hamming positions of data bits ``0 .. k-1`` (the non-powers of two, ascending)."""
    _check(k)
    n = k + parity_bits(k)
    pos = np.arange(1, n + 1)
    return pos[(pos & (pos - 1)) != 0][:k]


def _check(k: int):
    if not 1 <= k <= MAX_DATA_BITS:
        raise ValueError(f"SEC-DED data width {k}: must be in 1..{MAX_DATA_BITS} (codeword within 64 bits)")


def _bits(words: np.ndarray, n: int) -> np.ndarray:
    words = np.asarray(words, dtype=np.uint64)
    return ((words[..., None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(np.int64)


def _syndrome(bits: np.ndarray) -> np.ndarray:
    positions = np.arange(bits.shape[-1], dtype=np.int64)
    return np.bitwise_xor.reduce(bits * positions, axis=-1)


def secded_encode(data, k: int) -> np.ndarray:
    """Codewords (``uint64``) of ``k``-bit data words (bits above ``k`` must be 0)."""
    _check(k)
    data = np.asarray(data, dtype=np.uint64)
    if np.any(data >> np.uint64(k)):
        raise ValueError(f"data words exceed {k} bits")
    r = parity_bits(k)
    n = k + r
    bits = np.zeros(data.shape + (n + 1,), dtype=np.int64)
    bits[..., data_positions(k)] = _bits(data, k)
    s = _syndrome(bits)
    for j in range(r):
        bits[..., 1 << j] = (s >> j) & 1
    bits[..., 0] = bits[..., 1:].sum(axis=-1) & 1
    return (bits.astype(np.uint64) << np.arange(n + 1, dtype=np.uint64)).sum(axis=-1).astype(np.uint64)


def secded_decode(codewords, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(data, corrected, uncorrectable)`` per codeword (``uint64``, bool, bool)."""
    _check(k)
    n = k + parity_bits(k)
    bits = _bits(codewords, n + 1)
    s = _syndrome(bits)
    overall = bits.sum(axis=-1) & 1
    single = (overall == 1) & (s <= n)
    fix = np.where(single, s, -1)
    bits = bits ^ (np.arange(n + 1) == fix[..., None])
    data_bits = bits[..., data_positions(k)].astype(np.uint64)
    data = (data_bits << np.arange(k, dtype=np.uint64)).sum(axis=-1).astype(np.uint64)
    uncorrectable = ((overall == 0) & (s != 0)) | ((overall == 1) & (s > n))
    return data, single, uncorrectable
