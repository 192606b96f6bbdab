"""Little-endian bit packing of fixed-width words, shared by every bus and storage format.

Word ``i`` of width ``w`` occupies bits ``i*w .. i*w + w - 1`` of the stream and
bit ``k`` of the stream is bit ``k % 8`` of byte ``k // 8`` — the order of the
MaxNVM surfaces (``golden/maxnvm/codecs``) and of the Hydra unit's bus words
(``tb/hydra/unit_driver.py``).
"""

from __future__ import annotations

import numpy as np


def word_bits(words, width: int) -> np.ndarray:
    """``(n, width)`` uint8 matrix: row ``i`` holds the ``width`` low bits of ``words[i]``, LSB first."""
    words = np.asarray(words, dtype=np.uint64).reshape(-1)
    return ((words[:, None] >> np.arange(width, dtype=np.uint64)) & np.uint64(1)).astype(np.uint8)


def pack_words(words: np.ndarray, width: int) -> np.ndarray:
    """Bit-pack ``width``-bit words little-endian into bytes (word ``i`` at bit ``i * width``)."""
    return np.packbits(word_bits(words, width).ravel(), bitorder="little")


def unpack_words(buf: np.ndarray, width: int, n: int) -> np.ndarray:
    """Inverse of :func:`pack_words`: ``n`` words; bits beyond ``buf`` read as 0."""
    bits = bits_of(buf, n * width).reshape(n, width).astype(np.uint64)
    return (bits << np.arange(width, dtype=np.uint64)).sum(axis=1).astype(np.int64)


def unpack_whole_words(buf: np.ndarray, width: int, n: int) -> np.ndarray:
    """:func:`unpack_words`, but a word not wholly inside ``buf`` reads as 0 (a truncated
    surface: the RTL decoders gate such reads the same way)."""
    words = unpack_words(buf, width, n)
    words[len(buf) * 8 // width:] = 0
    return words


def bits_of(buf: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` little-endian bits of ``buf`` (uint8), zeros past its end."""
    bits = np.unpackbits(np.asarray(buf, dtype=np.uint8), bitorder="little")[:n]
    return np.concatenate([bits, np.zeros(n - len(bits), dtype=np.uint8)]) if len(bits) < n else bits
