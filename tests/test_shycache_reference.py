"""The per-access reference model of SHyCache against independent oracles.

Oracles: an OrderedDict LRU written here (counts of an all-SRAM level), hand-computed
bit flips, and the split-hierarchy property of SPEC §5.5 (with both levels hybrid the
weights' STT->STT hierarchy runs independently of the SRAM->SRAM one).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

from hymem.golden.shycache.params import Geometry, load_shycache_config
from hymem.golden.shycache.reference import ReferenceHierarchy, ReferenceLevel, check_ranges
from hymem.golden.shycache.trace import Region, Trace

SEED = 20261203
NVM = (0x8000_0000, 0x8100_0000)


def lru_counts(lines, writes, sets, ways):
    """Independent write-back/write-allocate LRU: (hits, misses, writebacks)."""
    cache = [OrderedDict() for _ in range(sets)]
    hits = misses = wbs = 0
    for line, w in zip(lines, writes):
        s = cache[line % sets]
        if line in s:
            hits += 1
            s.move_to_end(line)
        else:
            misses += 1
            if len(s) == ways:
                _, dirty = s.popitem(last=False)
                wbs += dirty
            s[line] = False
        if w:
            s[line] = True
    return hits, misses, wbs


@pytest.mark.parametrize("sram_kb", [32, 24, 8])
def test_sram_level_matches_independent_lru(sram_kb):
    rng = np.random.default_rng(SEED + sram_kb)
    print("seed", SEED + sram_kb)
    lines = rng.integers(0, 3000, 20000)
    writes = rng.random(20000) < 0.3
    level = ReferenceLevel(sram_kb * 1024, 0, 4)
    for line, w in zip(lines.tolist(), writes.tolist()):
        level.access(line * 64 + 8, w, b"\x01\x02" if w else None)
    sets = sram_kb * 1024 // 256
    hits, misses, wbs = lru_counts(lines.tolist(), writes.tolist(), sets, 4)
    assert level.counts()["sram"] == {"hits": hits, "misses": misses, "writebacks": wbs}
    assert level.counts()["stt"] == {"hits": 0, "misses": 0, "writebacks": 0}


def test_non_power_of_two_sets_conflict():
    level = ReferenceLevel(24 * 1024, 0, 4)  # 96 sets
    for k in range(5):  # five lines 96 lines apart share set 0 of a 4-way part
        level.access(k * 96 * 64, False)
    level.access(0, False)  # the first was evicted (LRU)
    assert level.counts()["sram"]["misses"] == 6


def test_routing_and_absent_part():
    level = ReferenceLevel(0, 16 * 1024, 4, [NVM])
    assert level.route(0x1000) == "stt"  # SRAM absent: the part that exists
    hybrid = ReferenceLevel(16 * 1024, 16 * 1024, 4, [NVM])
    assert hybrid.route(NVM[0]) == "stt" and hybrid.route(NVM[1]) == "sram"
    hybrid.access(NVM[0] + 64, False)
    hybrid.access(0x40, True, b"\xff")
    c = hybrid.counts()
    assert c["stt"]["misses"] == 1 and c["sram"]["misses"] == 1


def test_bit_flips_hand_computed():
    mem_line = bytes([0x0F] * 64)

    class Mem:
        def read_line(self, line):
            return mem_line

        def write_line(self, line, data):
            pass
    level = ReferenceLevel(0, 256, 4, [(0, 1 << 20)], backing=Mem())  # one set, 4 ways
    out = level.access(0x100, False)
    assert out.flips == 4 * 64  # zero frame <- 0x0F bytes
    out = level.access(0x104, True, b"\xf0")  # 0x0F -> 0xF0: 8 flips, at the store
    assert out.flips == 8
    assert level.counts()["stt_bitflips"] == 4 * 64 + 8
    hist = level.events()["flip_histogram"]
    assert hist[0:4] == [16 + 1] * 4  # 16 words per line filled, plus the store's byte
    assert hist[4:8] == [1] * 4 and hist[8:12] == [16] * 4
    # four more lines in the one set evict the dirty line: one write-back
    for k in range(1, 5):
        level.access(0x100 + k * 256, False)
    assert level.counts()["stt"]["writebacks"] == 1


def test_overlapping_ranges_rejected():
    with pytest.raises(ValueError, match="overlap"):
        check_ranges([(0, 100), (50, 200)])
    with pytest.raises(ValueError, match="empty"):
        check_ranges([(10, 10)])


def _random_trace(rng, n):
    weights = rng.random(n) < 0.45
    addr = np.where(weights, NVM[0] + rng.integers(0, 1 << 19, n),
                    0x1000_0000 + rng.integers(0, 1 << 18, n))
    addr -= addr % 16
    write = (rng.random(n) < 0.25) & ~weights
    data = rng.integers(0, 256, (int(write.sum()), 16), dtype=np.uint8)
    image = (Region(NVM[0], NVM[1], "float32", 7, 0.05),
             Region(0x1000_0000, 0x2000_0000, "random", 8))
    return Trace(addr, write, np.full(n, 16), rng.integers(0, 4, n), data, image)


def _run(trace, l1, l2, inclusion="mostly"):
    cfg = load_shycache_config()
    h = ReferenceHierarchy(l1, l2, [NVM], cfg, inclusion, trace.image_function())
    stores = iter(trace.store_bytes())
    for a, w, g in zip(trace.addr.tolist(), trace.write.tolist(), trace.gap.tolist()):
        h.access(a, bool(w), next(stores) if w else None, g)
    return h


@pytest.mark.parametrize("inclusion", ["mostly", "strict", "exclusive"])
def test_split_hierarchy_oracle(inclusion):
    """Both levels hybrid: the STT parts see exactly the weight-only sub-trace."""
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    trace = _random_trace(rng, 12000)
    full = _run(trace, Geometry("64/16", 64, 16), Geometry("512/896", 512, 896), inclusion)
    w = trace.addr >= NVM[0]
    sub = Trace(trace.addr[w], trace.write[w], trace.size[w], trace.gap[w],
                trace.store_data[:0], trace.image)
    alone = _run(sub, Geometry("64/0", 64, 0), Geometry("512/0", 512, 0), inclusion)
    for lvl in ("l1", "l2"):
        a = getattr(full, lvl).counts()
        b = getattr(alone, lvl).counts()
        assert a["stt"] == b["stt"], lvl
        assert a["stt_bitflips"] == b["stt_bitflips"] > 0
    assert full.l2.counts()["stt"]["hits"] > 0


def test_mostly_inclusive_keeps_l1_copy_strict_does_not():
    """An L2 eviction leaves the L1 copy (mostly) or back-invalidates it (strict)."""
    l1, l2 = Geometry("0/1", 0, 1), Geometry("0/1", 0, 1)  # 4 sets x 4 ways vs 1 set x 16
    cfg = load_shycache_config()
    for inclusion, expect_l1_hit in (("mostly", True), ("strict", False)):
        h = ReferenceHierarchy(l1, l2, [], cfg, inclusion)
        h.access(0, False, None)               # line 0 in both levels
        for k in range(1, 17):                 # 16 lines of other L1 sets evict it from L2
            h.access(k * 64 * 4 + 64, False, None)
        before = h.l1.counts()["sram"]["hits"]
        h.access(0, False, None)
        assert (h.l1.counts()["sram"]["hits"] - before == 1) is expect_l1_hit, inclusion


def test_stt_write_busy_stalls_next_access():
    cfg = load_shycache_config()
    h = ReferenceHierarchy(Geometry("128/0", 128, 0), None, [], cfg)
    h.access(0, True, b"\x01")     # store miss: fill + store writes at t_data
    t_data = cfg.cache.l1_latency_cycles + cfg.memory_cycles
    assert h.time == t_data
    h.access(0, False, None)       # the line just written: served from the write buffer
    assert h.stall_cycles == 0
    other = 8 * 64                 # set 8: same subarray (8 subarrays), another line
    h.access(other, False, None)   # waits for both writes (fill + store) of line 0
    t = t_data + cfg.cache.l1_latency_cycles
    assert h.stall_cycles == t_data + 2 * cfg.stt_write_cycles - t
    assert h.time == t_data + 2 * cfg.stt_write_cycles + cfg.cache.l1_latency_cycles \
        + cfg.memory_cycles
