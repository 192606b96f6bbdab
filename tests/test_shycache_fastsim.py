"""The fast (numba) simulator equals the per-access reference, count for count.

Random traces with a hot reserved range, stores with values, gaps; every inclusion
policy; all-SRAM, all-STT, hybrid and No-L2 geometries, including tiny ones that
thrash (many evictions, write-backs and back-invalidations).
"""

from __future__ import annotations

from dataclasses import replace

import numba
import numpy as np
import pytest

from hymem.golden.shycache import fastsim
from hymem.golden.shycache.params import Geometry, load_shycache_config
from hymem.golden.shycache.reference import simulate
from hymem.golden.shycache.trace import Region, Trace

SEED = 151203
NVM = (0x8000_0000, 0x8100_0000)

GEOMETRIES = [
    (Geometry("64/16", 64, 16), Geometry("512/896", 512, 896)),
    (Geometry("0/32", 0, 32), Geometry("4096/0", 4096, 0)),
    (Geometry("128/0", 128, 0), None),
    (Geometry("0/1", 0, 1), Geometry("0/2", 0, 2)),
    (Geometry("4/1", 4, 1), Geometry("16/4", 16, 4)),
    (Geometry("3/0", 3, 0), Geometry("12/6", 12, 6)),  # 12 and 6 sets: not powers of two
]


def random_trace(seed: int, n: int, values: bool = True) -> Trace:
    rng = np.random.default_rng(seed)
    print("seed", seed)
    weights = rng.random(n) < 0.45
    addr = np.where(weights, NVM[0] + rng.integers(0, 1 << 16, n),
                    0x1000_0000 + rng.integers(0, 1 << 15, n))
    size = rng.choice([4, 8, 16], n)
    addr -= addr % size
    write = (rng.random(n) < 0.25) & (~weights | (rng.random(n) < 0.05))
    data = rng.integers(0, 256, (int(write.sum()), 16), dtype=np.uint8) if values else None
    image = (Region(NVM[0], NVM[1], "float32", 7, 0.05),
             Region(0x1000_0000, 0x2000_0000, "random", 8))
    return Trace(addr, write, size, rng.integers(0, 4, n), data, image)


@pytest.mark.parametrize("inclusion,bypass", [("mostly", True), ("strict", True),
                                               ("exclusive", True), ("mostly", False)])
def test_fastsim_equals_reference(inclusion, bypass):
    cfg = load_shycache_config()
    cfg = replace(cfg, stt=replace(cfg.stt, write_buffer_bypass=bypass))
    trace = random_trace(SEED, 3000)
    prep = fastsim.prepare(trace, [NVM])
    for l1, l2 in GEOMETRIES:
        ref = simulate(trace, l1, l2, [NVM], cfg, inclusion)
        fast = fastsim.run(prep, l1, l2, cfg, inclusion)
        assert fast == ref, (inclusion, l1.label, l2 and l2.label)
        assert ref["l1"]["sram"]["hits"] + ref["l1"]["stt"]["hits"] > 0
        if l1.stt_kb:
            assert ref["stall_cycles"] > 0


def test_fastsim_without_values_reports_flips_unavailable():
    cfg = load_shycache_config()
    trace = random_trace(SEED + 1, 3000, values=False)
    l1, l2 = GEOMETRIES[0]
    fast = fastsim.run(fastsim.prepare(trace, [NVM]), l1, l2, cfg)
    assert fast["stt_bitflips"] is None
    assert fast == simulate(trace, l1, l2, [NVM], cfg)


def test_fastsim_equals_reference_with_16_word_lines():
    """128-byte lines: a line write sums more than the 15 words its register planes hold."""
    cfg = load_shycache_config()
    cfg = replace(cfg, cache=replace(cfg.cache, line_bytes=128))
    trace = random_trace(SEED + 2, 2000)
    l1, l2 = GEOMETRIES[0]
    fast = fastsim.run(fastsim.prepare(trace, [NVM], 128), l1, l2, cfg)
    assert fast == simulate(trace, l1, l2, [NVM], cfg)
    assert fast["stt_bitflips"] > 0


@numba.njit
def _write_all(lv, lines):
    for i in range(lines.shape[0]):
        fastsim._write_line(lv, 0, lines[i], 1)


def test_flip_counters_count_every_bit_across_flushes():
    """160 000 words written into one STT frame (the counters flush every < 65 536 words):
    the histogram equals numpy's bit count of successive XORs."""
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    lines = rng.integers(-2**63, 2**63 - 1, (20_000, 8), dtype=np.int64, endpoint=True)
    lines[::7] = lines[::7] & 0x0F0F  # some lines change few bits
    lv = fastsim._level(0, 64 * 4, 4, 64, 8)
    _write_all(lv, lines)
    fastsim._flush_flips(lv)
    changed = np.vstack([lines[:1], lines[1:] ^ lines[:-1]])
    bits = np.unpackbits(changed.view(np.uint8), bitorder="little").reshape(-1, 64).sum(0)
    total, hist = fastsim._histogram(lv)
    assert hist == list(bits[:32] + bits[32:])
    assert total == int(bits.sum())
