"""Fast trace-driven simulator of the SHyCache hierarchy (numba-compiled kernel).

It implements exactly the rules of :mod:`golden.shycache.reference` (counts, line
contents, bit flips, LRU, inclusion policies, STT write-busy timing) and is held to it
access for access on random traces by ``tests/test_shycache_fastsim.py``.  Only the
representation differs, for speed:

* lines are numbered densely (:func:`dense_lines`), so memory is one ``(lines, words)``
  array of 64-bit words and a tag is a 32-bit line number;
* each level keeps its two parts in one set array (SRAM sets first, then STT sets); a set
  is ``ways`` consecutive 32-bit tags (a 16-way set is one 64-byte host cache line) and
  one 64-bit LRU word (way numbers as 4-bit nibbles, most recent first), so at most 16
  ways;
* per dense line, NumPy computes once per geometry its L1 set, its L2 set and whether it
  is *tracked* (:func:`_locations`): a line that no level routes to an STT part never
  reaches an STT frame, so its bytes can never be flip-counted and the kernel skips
  copying them (an STT frame only ever holds tracked lines, and every install writes a
  whole line, so a frame's untracked leftovers are never read);
* bit flips are counted per bit position in bit-sliced vertical counters (one 64-bit
  word per counter bit): a line write first sums its words' changed bits in four
  register planes (:func:`_write_line`), then ripples them into the level's counters
  (:func:`_add_counts`), which are folded into the 32-position histogram at the end;
* the kernel allocates nothing and runs without numba's reference counting (:func:`_jit`).

:func:`prepare` does the per-trace work once (line numbering, routing, memory image);
:func:`run` simulates one (L1, L2) geometry on a prepared trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from .reference import check_ranges

POLICY = {"mostly": 0, "strict": 1, "exclusive": 2}
EVENTS = ("hits", "misses", "writebacks", "read_hits", "stores", "fills", "writebacks_in",
          "evictions", "bitflips")
HITS, MISSES, WB, READ_HITS, STORES, FILLS, WB_IN, EVICTIONS, FLIPS = range(len(EVENTS))


@dataclass
class PreparedTrace:
    """A trace with its lines numbered and routed (per reserved-range set)."""

    uidx: np.ndarray        # int32 per access: dense line number
    offset: np.ndarray      # uint8 per access: byte offset in the line
    size: np.ndarray        # uint8 per access
    write: np.ndarray       # uint8 per access
    gap: np.ndarray         # uint32 per access
    store_data: np.ndarray  # uint8 (n_stores, 16); empty when the trace has no values
    has_values: bool
    line_no: np.ndarray     # int64 per dense line: address // line_bytes
    nvm: np.ndarray         # uint8 per dense line: inside a reserved range
    image: np.ndarray       # uint8 (lines, line_bytes): initial memory
    line_bytes: int

    def __len__(self) -> int:
        return len(self.uidx)


def dense_lines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique line numbers, dense index of each access's line).

    A lookup table over the span of line numbers when it is small enough (linear time),
    else ``np.unique`` (a sort)."""
    if not len(lines):
        return np.zeros(0, np.int64), np.zeros(0, np.int32)
    lo, hi = int(lines.min()), int(lines.max())
    if hi - lo < 1 << 27:
        rel = (lines - np.uint64(lo)).astype(np.int64)
        present = np.zeros(hi - lo + 1, bool)
        present[rel] = True
        dense = np.cumsum(present, dtype=np.int32) - 1
        return np.flatnonzero(present).astype(np.int64) + lo, dense[rel]
    uniq, inv = np.unique(lines, return_inverse=True)
    return uniq.astype(np.int64), inv.astype(np.int32)


def prepare(trace, nvm_ranges, line_bytes: int = 64) -> PreparedTrace:
    """Number the trace's lines, route them, and build the initial memory image."""
    ranges = check_ranges(nvm_ranges)
    uniq, inv = dense_lines(trace.addr // np.uint64(line_bytes))
    line_addr = uniq.astype(np.uint64) * np.uint64(line_bytes)
    nvm = np.zeros(len(uniq), dtype=np.uint8)
    for lo, hi in ranges:
        nvm |= ((line_addr >= np.uint64(lo)) & (line_addr < np.uint64(hi))).astype(np.uint8)
    data = trace.store_data if trace.has_values else np.zeros((0, 16), np.uint8)
    return PreparedTrace(inv, (trace.addr % np.uint64(line_bytes)).astype(np.uint8),
                         trace.size, trace.write, trace.gap, data, trace.has_values, uniq, nvm,
                         trace.image_lines(line_addr, line_bytes), line_bytes)



class Level(NamedTuple):
    """The state of one cache level (both parts), as the kernel sees it."""

    tags: np.ndarray    # int32 (sets * ways): dense line number, -1 = invalid
    lru: np.ndarray     # int64 (sets): way nibbles, most recently used in the low nibble
    dirty: np.ndarray   # uint8 (sets * ways)
    data: np.ndarray    # int64 (sets * ways, words): line contents per frame
    raw: np.ndarray     # uint8 view of ``data`` (stores of any size and offset)
    ev: np.ndarray      # int64 (2, len(EVENTS)): events per part (0 SRAM, 1 STT)
    planes: np.ndarray  # int64 (FLIP_PLANES + 1): bit-sliced flip counters + words added
    hist: np.ndarray    # int64 (64): flips per bit of a 64-bit word (flushed planes)
    sub: np.ndarray     # int64 (sets): STT subarray of a set
    busy: np.ndarray    # int64 (subarrays): cycle the subarray's last posted write ends
    last: np.ndarray    # int64 (subarrays): line last written there (write-buffer bypass)
    scratch: np.ndarray  # int64 (3): the old words under a store of any size
    sram_sets: int
    ways: int


class TraceArrays(NamedTuple):
    """The per-access arrays of a prepared trace and the per-line locations."""

    uidx: np.ndarray
    offset: np.ndarray
    size: np.ndarray
    write: np.ndarray
    gap: np.ndarray
    loc: np.ndarray          # int64 per dense line (see _locations)
    store_raw: np.ndarray    # uint8 (stores, 16)
    store_words: np.ndarray  # the same as int64 (stores, 2)


class Timing(NamedTuple):
    has_l2: bool
    policy: int
    lat1: int
    lat2: int
    mem_cycles: int
    write_cycles: int
    bypass: bool
    has_values: bool


MAX_WAYS = 16                 # ways of a set in one 64-bit LRU word of 4-bit nibbles
FLIP_PLANES = 16              # vertical counter bits: flushed every 2**16 - 1 words
SET_MASK = (1 << 31) - 1      # _locations: bits 0-30 L1 set, bit 31 tracked, 32-62 L2 set
# LOW[k]: the low k nibbles (k = 0..16) of an LRU word, as signed 64-bit
LOW = np.array([(1 << (4 * k)) - 1 for k in range(16)] + [-1], dtype=np.int64)


def _signed64(x: int) -> int:
    return x - (1 << 64) if x >= 1 << 63 else x


def _level(sram_bytes, stt_bytes, ways, line_bytes, subarrays) -> Level:
    if ways > MAX_WAYS:
        raise ValueError(f"the fast simulator keeps LRU in 4-bit nibbles: at most {MAX_WAYS} "
                         f"ways, not {ways} (golden.shycache.reference has no such limit)")
    sram_sets = sram_bytes // (line_bytes * ways)
    sets = sram_sets + stt_bytes // (line_bytes * ways)
    frames = sets * ways
    # unused nibbles hold 15, never a way of a set of < 16 ways
    order = sum(w << (4 * w) for w in range(ways)) + sum(15 << (4 * r)
                                                          for r in range(ways, MAX_WAYS))
    data = np.zeros((frames, line_bytes // 8), np.int64)
    return Level(np.full(frames, -1, np.int32), np.full(sets, _signed64(order), np.int64),
                 np.zeros(frames, np.uint8), data, data.view(np.uint8),
                 np.zeros((2, len(EVENTS)), np.int64), np.zeros(FLIP_PLANES + 1, np.int64),
                 np.zeros(64, np.int64), (np.arange(sets) - sram_sets) % subarrays,
                 np.zeros(subarrays, np.int64), np.full(subarrays, -1, np.int64),
                 np.zeros(3, np.int64),
                 sram_sets, ways)


def _routing(prep: PreparedTrace, lv: Level) -> tuple[np.ndarray, np.ndarray]:
    """Per dense line: its set in ``lv`` (SRAM sets first) and whether that set is STT."""
    stt_sets = len(lv.lru) - lv.sram_sets
    stt = prep.nvm.astype(bool) if stt_sets else np.zeros(len(prep.nvm), bool)
    if not lv.sram_sets:
        stt[:] = True
    sets = np.where(stt, lv.sram_sets + prep.line_no % max(stt_sets, 1),
                    prep.line_no % max(lv.sram_sets, 1))
    return sets, stt


def _locations(prep: PreparedTrace, l1: Level, l2: Level, has_l2: bool) -> np.ndarray:
    """Per dense line, one int64: L1 set | tracked << 31 | L2 set << 32 (see SET_MASK)."""
    set1, stt1 = _routing(prep, l1)
    set2, stt2 = _routing(prep, l2)
    tracked = stt1 | (stt2 & has_l2)
    return set1 | (tracked.astype(np.int64) << 31) | (set2 << 32)


def run(prep: PreparedTrace, l1, l2, config, inclusion: str | None = None) -> dict:
    """Simulate ``prep`` on L1 geometry ``l1`` and L2 geometry ``l2`` (``None``: No-L2)."""
    cache = config.cache
    inclusion = inclusion or cache.inclusion
    if inclusion not in POLICY:
        raise ValueError(f"inclusion {inclusion!r}; valid: {', '.join(POLICY)}")
    sub = config.stt.subarrays
    lv1 = _level(l1.sram_bytes, l1.stt_bytes, cache.l1_ways, prep.line_bytes, sub)
    has_l2 = l2 is not None
    lv2 = _level(l2.sram_bytes if has_l2 else 64 * cache.l2_ways,
                 l2.stt_bytes if has_l2 else 0, cache.l2_ways, prep.line_bytes, sub)
    loc = _locations(prep, lv1, lv2, has_l2)
    # memory in 64-bit words; only tracked lines are ever read or written
    mem = (prep.image.view(np.int64).copy() if np.any(loc & (1 << 31))
           else np.zeros((0, prep.line_bytes // 8), np.int64))
    timing = Timing(has_l2, POLICY[inclusion], cache.l1_latency_cycles,
                    cache.l2_latency_cycles, config.memory_cycles, config.stt_write_cycles,
                    config.stt.write_buffer_bypass, prep.has_values)
    scalars = np.zeros(5, np.int64)  # time, stall cycles, memory reads, memory writes, back-inv
    trace = TraceArrays(prep.uidx, prep.offset, prep.size, prep.write, prep.gap, loc,
                        prep.store_data, prep.store_data.view(np.int64))
    victim = np.zeros(prep.line_bytes // 8, np.int64)  # an L1 victim's bytes on the way down
    _kernel(trace, mem, lv1, lv2, timing, scalars, victim)
    return _result(lv1, lv2 if has_l2 else None, scalars, prep.has_values)


def _histogram(lv: Level) -> tuple[int, list[int]]:
    """Total flips and the 32-position histogram (bit k of a 64-bit word is bit k mod 32
    of a little-endian 32-bit word)."""
    hist = lv.hist[:32] + lv.hist[32:]
    return int(hist.sum()), [int(x) for x in hist]


def _result(lv1, lv2, scalars, has_values) -> dict:
    def level(lv):
        if lv is None:
            ev, flips, hist = np.zeros((2, len(EVENTS)), np.int64), 0, [0] * 32
        else:
            ev = lv.ev.copy()
            flips, hist = _histogram(lv)
        ev[1, FLIPS] = flips
        return ({p: {k: int(ev[i, EVENTS.index(k)]) for k in ("hits", "misses", "writebacks")}
                 for i, p in enumerate(("sram", "stt"))},
                {**{p: {k: int(ev[i, j]) for j, k in enumerate(EVENTS)}
                    for i, p in enumerate(("sram", "stt"))},
                 "flip_histogram": hist})
    c1, e1 = level(lv1)
    c2, e2 = level(lv2)
    flips = e1["stt"]["bitflips"] + e2["stt"]["bitflips"]
    return {"l1": c1, "l2": c2, "stt_bitflips": flips if has_values else None,
            "cycles": int(scalars[0]), "stall_cycles": int(scalars[1]),
            "events": {"l1": e1, "l2": e2, "memory": {"reads": int(scalars[2]),
                                                      "writes": int(scalars[3])}}}


# --------------------------------------------------------------------------
# the compiled kernel: one set of per-level functions serves both levels
# --------------------------------------------------------------------------

def _jit(**options):
    """``numba.njit`` without the runtime's reference counting where numba allows it.

    The kernel allocates nothing (every buffer comes from :func:`run`), and counting
    references to the array views it takes (a frame's row, a level's fields) cost more
    than the simulation itself: with it the kernel ran 4-7x slower (SqueezeNet 1.0, both
    measured under the same load).  ``_nrt=False`` is numba's switch for that; a numba
    version without it runs the kernel with reference counting, slower and as exact."""
    def wrap(fn):
        return numba.njit(cache=True, **_NRT_OFF, **options)(fn)
    return wrap


def _nrt_off_supported() -> dict:
    """``{"_nrt": False}`` if this numba's CPU target has the option (checked without
    compiling anything, so importing this module stays cheap)."""
    try:
        from numba.core.cpu import CPUTargetOptions
    except ImportError:
        return {}
    return {"_nrt": False} if hasattr(CPUTargetOptions, "_nrt") else {}


_NRT_OFF = _nrt_off_supported()


@_jit(inline="always")
def _copy(dst, src):
    for w in range(src.shape[0]):
        dst[w] = src[w]


@_jit(inline="always")
def _part(lv, s):
    return 1 if s >= lv.sram_sets else 0


@_jit(inline="always")
def _find(lv, s, u):
    """The frame of set ``s`` holding line ``u``, or -1."""
    first = s * lv.ways
    for f in range(first, first + lv.ways):
        if lv.tags[f] == u:
            return f
    return -1


@_jit(inline="always")
def _victim(lv, s):
    """The frame to fill in set ``s``: the lowest invalid way, else the LRU way."""
    first = s * lv.ways
    for f in range(first, first + lv.ways):
        if lv.tags[f] < 0:
            return f
    return first + ((lv.lru[s] >> (4 * (lv.ways - 1))) & 15)


@_jit(inline="always")
def _touch(lv, s, f):
    """Make frame ``f`` of set ``s`` the most recently used."""
    way = f - s * lv.ways
    order = lv.lru[s]
    rank = 0
    while ((order >> (4 * rank)) & 15) != way:
        rank += 1
    if rank:
        lv.lru[s] = (order & ~LOW[rank + 1]) | ((order & LOW[rank]) << 4) | way


@_jit()
def _flush_flips(lv):
    """Add the vertical counters into the histogram and clear them."""
    for k in range(FLIP_PLANES):
        plane = lv.planes[k]
        if plane:
            for b in range(64):
                lv.hist[b] += ((plane >> b) & 1) << k
            lv.planes[k] = 0
    lv.planes[FLIP_PLANES] = 0


@_jit(inline="always")
def _full_add(lv, k, b, carry):
    """Bit plane ``k`` of the level's counters += ``b`` + ``carry``; returns the carry."""
    a = lv.planes[k]
    lv.planes[k] = a ^ b ^ carry
    return (a & b) | (carry & (a ^ b))


@_jit(inline="always")
def _add_counts(lv, b0, b1, b2, b3, most):
    """Add per-bit counts of up to 15, given as four bit planes ``b0..b3`` (each position's
    count is at most ``most``), into the level's vertical counters."""
    if lv.planes[FLIP_PLANES] + most >= 1 << FLIP_PLANES:  # a counter could overflow
        _flush_flips(lv)
    lv.planes[FLIP_PLANES] += most
    carry = _full_add(lv, 0, b0, 0)  # a bit-sliced ripple-carry adder
    carry = _full_add(lv, 1, b1, carry)
    carry = _full_add(lv, 2, b2, carry)
    carry = _full_add(lv, 3, b3, carry)
    k = 4
    while carry:
        both = lv.planes[k] & carry
        lv.planes[k] ^= carry
        carry = both
        k += 1


@_jit(inline="always")
def _count_flips(lv, x):
    """Count the changed bits ``x`` (one 64-bit word) per bit position."""
    _add_counts(lv, x, 0, 0, 0, 1)


@_jit(inline="always")
def _write_line(lv, f, src, stt):
    """Write the whole line ``src`` into frame ``f``; flips counted in an STT part.

    The changed bits of up to 15 words are summed per position in four bit planes held
    in registers (branch-free half adders), then added to the level's counters once."""
    if not stt:
        for w in range(src.shape[0]):
            lv.data[f, w] = src[w]
        return
    b0 = b1 = b2 = b3 = 0
    n = 0
    for w in range(src.shape[0]):
        x = lv.data[f, w] ^ src[w]
        lv.data[f, w] = src[w]
        c1 = b0 & x
        b0 ^= x
        c2 = b1 & c1
        b1 ^= c1
        b3 ^= b2 & c2
        b2 ^= c2
        n += 1
        if n == 15:
            _add_counts(lv, b0, b1, b2, b3, n)
            b0 = b1 = b2 = b3 = 0
            n = 0
    if n:
        _add_counts(lv, b0, b1, b2, b3, n)


@_jit(inline="always")
def _store(lv, f, off, n, words, raw, stt):
    """A store of ``n`` bytes at byte ``off`` of frame ``f``; flips counted if STT.
    ``words``/``raw``: the store's 16 bytes as 64-bit words / bytes."""
    if n == 16 and off & 7 == 0:
        w = off >> 3
        for j in range(2):
            if stt:
                x = lv.data[f, w + j] ^ words[j]
                if x:
                    _count_flips(lv, x)
            lv.data[f, w + j] = words[j]
        return
    lo, hi = off >> 3, (off + n - 1) >> 3
    old = lv.scratch
    for w in range(lo, hi + 1):
        old[w - lo] = lv.data[f, w]
    row = lv.raw[f]
    for j in range(n):
        row[off + j] = raw[j]
    if stt:
        for w in range(lo, hi + 1):
            x = lv.data[f, w] ^ old[w - lo]
            if x:
                _count_flips(lv, x)


@_jit(inline="always")
def _post_write(lv, s, t, write_cycles, line):
    """A posted line write into STT set ``s`` at cycle ``t``: its subarray stays busy."""
    k = lv.sub[s]
    lv.busy[k] = max(t, lv.busy[k]) + write_cycles
    lv.last[k] = line


@_jit(inline="always")
def _stall(lv, s, t, line, bypass):
    """Cycles an access to STT set ``s`` at ``t`` waits for its subarray."""
    k = lv.sub[s]
    if bypass and lv.last[k] == line:
        return 0
    return max(0, lv.busy[k] - t)


@_jit(inline="always")
def _invalidate(lv, f):
    lv.tags[f] = -1
    lv.dirty[f] = 0


@_jit(inline="always")
def _demand_store(tr, i, store_i, lv, s, f, p, where, t, tm):
    """Store ``i`` into frame ``f`` (hit, or after the fill of a miss); posted at ``t`` to an
    STT part.  Returns the index of the next store's data."""
    lv.ev[p, STORES] += 1
    lv.dirty[f] = 1
    if tm.has_values:
        if (where >> 31) & 1:
            _store(lv, f, tr.offset[i], tr.size[i], tr.store_words[store_i],
                   tr.store_raw[store_i], p)
        store_i += 1
    if p:
        _post_write(lv, s, t, tm.write_cycles, tr.uidx[i])
    return store_i


@_jit()
def _kernel(tr, mem, l1, l2, tm, scalars, victim):
    """The trace through the hierarchy; the hit path is here, misses in :func:`_l1_miss`."""
    t = 0
    store_i = 0
    for i in range(tr.uidx.shape[0]):
        u = tr.uidx[i]
        t += tr.gap[i]
        where = tr.loc[u]
        s1 = where & SET_MASK
        p1 = _part(l1, s1)
        if p1:
            st = _stall(l1, s1, t, u, tm.bypass)
            scalars[1] += st
            t += st
        t_l1 = t + tm.lat1
        f1 = _find(l1, s1, u)
        if f1 < 0:
            t, store_i = _l1_miss(tr, i, store_i, where, s1, p1, t_l1, mem, l1, l2, tm,
                                  scalars, victim)
            continue
        l1.ev[p1, HITS] += 1
        _touch(l1, s1, f1)
        if tr.write[i]:
            store_i = _demand_store(tr, i, store_i, l1, s1, f1, p1, where, t_l1, tm)
        else:
            l1.ev[p1, READ_HITS] += 1
        t = t_l1
    scalars[0] = t
    _flush_flips(l1)
    _flush_flips(l2)


@_jit(inline="always")
def _l1_miss(tr, i, store_i, where, s1, p1, t_l1, mem, l1, l2, tm, scalars, victim):
    """An L1 miss: fetch from below, choose and copy the victim, install, store, time, and
    hand the victim down.  Returns (time the data is back, next store's index)."""
    u = tr.uidx[i]
    tracked = (where >> 31) & 1
    l1.ev[p1, MISSES] += 1
    s2 = where >> 32
    f2, fill_dirty, hit2 = _fetch(u, s2, tracked, tr.loc, mem, l1, l2, tm, scalars)
    f1 = _victim(l1, s1)
    v = l1.tags[f1]
    v_dirty = 0
    v_down = False
    if v >= 0:
        v_dirty = l1.dirty[f1]
        v_down = v_dirty or (tm.has_l2 and tm.policy == 2)
        if v_down and (tr.loc[v] >> 31) & 1:
            _copy(victim, l1.data[f1])
        l1.ev[p1, EVICTIONS] += 1
        if v_dirty:
            l1.ev[p1, WB] += 1
        _invalidate(l1, f1)
    if tracked:
        _write_line(l1, f1, mem[u] if f2 < 0 else l2.data[f2], p1)
    l1.tags[f1] = u
    l1.dirty[f1] = fill_dirty
    l1.ev[p1, FILLS] += 1
    _touch(l1, s1, f1)
    t_data = _time_below(u, s2, hit2, t_l1, l2, tm, scalars)
    if p1:
        _post_write(l1, s1, t_data, tm.write_cycles, u)  # the fill
    if tr.write[i]:
        store_i = _demand_store(tr, i, store_i, l1, s1, f1, p1, where, t_data, tm)
    if v_down:
        _l1_victim_down(v, v_dirty, t_data, tr.loc, mem, l1, l2, tm, scalars, victim)
    return t_data, store_i


@_jit(inline="always")
def _time_below(u, s2, hit2, t, l2, tm, scalars):
    """The cycle an L1 miss's data is back (L2 look-up from ``t``); posts the L2 fill."""
    if not tm.has_l2:
        return t + tm.mem_cycles
    p2 = _part(l2, s2)
    if p2:
        st = _stall(l2, s2, t, u, tm.bypass)
        scalars[1] += st
        t += st
    t_data = t + tm.lat2
    if not hit2:
        t_data += tm.mem_cycles
        if tm.policy != 2 and p2:
            _post_write(l2, s2, t_data, tm.write_cycles, u)
    return t_data


@_jit(inline="always")
def _fetch(u, s2, tracked, loc, mem, l1, l2, tm, scalars):
    """Line ``u`` for an L1 miss: (L2 frame holding the fill data or -1 for memory,
    dirty bit of the fill, L2 hit)."""
    if not tm.has_l2:
        scalars[2] += 1
        return -1, 0, False
    p2 = _part(l2, s2)
    f2 = _find(l2, s2, u)
    if f2 >= 0:
        l2.ev[p2, HITS] += 1
        l2.ev[p2, READ_HITS] += 1
        if tm.policy == 2:  # exclusive: the line moves up with its dirty bit
            dirty = l2.dirty[f2]
            _invalidate(l2, f2)  # (its bytes stay in the frame until overwritten)
            return f2, dirty, True
        _touch(l2, s2, f2)
        return f2, 0, True
    l2.ev[p2, MISSES] += 1
    scalars[2] += 1
    if tm.policy == 2:  # exclusive: a miss fills the L1 only
        return -1, 0, False
    f2 = _victim(l2, s2)
    if l2.tags[f2] >= 0:
        _evict_l2(f2, p2, loc, mem, l1, l2, tm, scalars)
    if tracked:
        _write_line(l2, f2, mem[u], p2)
    l2.tags[f2] = u
    l2.ev[p2, FILLS] += 1
    _touch(l2, s2, f2)
    return f2, 0, False


@_jit(inline="always")
def _l1_victim_down(v, v_dirty, t, loc, mem, l1, l2, tm, scalars, victim):
    """The L1 victim ``v`` to memory (No-L2, if dirty) or written into the L2."""
    tracked = (loc[v] >> 31) & 1
    if not tm.has_l2:
        if tracked:
            _copy(mem[v], victim)
        scalars[3] += 1
        return
    s2 = loc[v] >> 32
    p2 = _part(l2, s2)
    f2 = _find(l2, s2, v)
    if f2 < 0:
        f2 = _victim(l2, s2)
        if l2.tags[f2] >= 0:
            _evict_l2(f2, p2, loc, mem, l1, l2, tm, scalars)
        l2.tags[f2] = v
    l2.ev[p2, WB_IN] += 1
    if tracked:
        _write_line(l2, f2, victim, p2)
    if v_dirty:
        l2.dirty[f2] = 1
    _touch(l2, s2, f2)
    if p2:
        _post_write(l2, s2, t, tm.write_cycles, v)


@_jit(inline="always")
def _evict_l2(f2, p2, loc, mem, l1, l2, tm, scalars):
    """Evict the valid L2 frame ``f2``: count, back-invalidate (strict), write to memory."""
    v = l2.tags[f2]
    dirty = l2.dirty[f2]
    l2.ev[p2, EVICTIONS] += 1
    if dirty:
        l2.ev[p2, WB] += 1
    _invalidate(l2, f2)
    src = l2.data[f2]
    if tm.policy == 1:
        s1 = loc[v] & SET_MASK
        f1 = _find(l1, s1, v)
        if f1 >= 0:
            scalars[4] += 1
            if l1.dirty[f1]:
                l1.ev[_part(l1, s1), WB] += 1
                if not dirty:
                    l2.ev[p2, WB] += 1
                dirty = 1
                src = l1.data[f1]
            _invalidate(l1, f1)
    if dirty:
        if (loc[v] >> 31) & 1:
            _copy(mem[v], src)
        scalars[3] += 1
