"""Shared helpers of the MaxNVM testbenches: seeds, surface loading, layer runs."""

from __future__ import annotations

import numpy as np

from hymem.tb.common.hdl import members, pack_array
from hymem.tb.common.stream import StreamDriver


def words32(buf: np.ndarray) -> np.ndarray:
    """Surface bytes as little-endian 32-bit words (zero-padded to whole words)."""
    buf = np.asarray(buf, dtype=np.uint8)
    padded = np.zeros(-(-len(buf) // 4) * 4, dtype=np.uint8)
    padded[: len(buf)] = buf
    return padded.view("<u4").astype(np.int64)


async def load_memories(driver: StreamDriver, component, writes: dict[int, np.ndarray], rng=None,
                        idle_prob: float = 0.0, port: str = "load"):
    """Write ``{memory code: words}`` through the ``load`` stream's ``driver``
    (one word per transfer, random idle gaps with ``idle_prob``)."""
    shape = members(component)[(port, "payload")].shape
    fields = {name for name, _ in shape}
    surface, addr, word = [], [], []
    for code, words in writes.items():
        surface += [code] * len(words)
        addr += list(range(len(words)))
        word += list(np.asarray(words).tolist())
    payload = {"addr": addr, "word": word}
    for select in fields - {"addr", "word"}:  # the memory-select field (``surface``, ``array``)
        payload[select] = surface
    items = pack_array(shape, **payload)
    gaps = None
    if rng is not None and idle_prob:
        gaps = rng.integers(1, 4, size=len(items)) * (rng.random(len(items)) < idle_prob)
    await driver.send(items, gaps)
    return len(items)


