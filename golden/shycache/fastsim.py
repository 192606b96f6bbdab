"""Fast trace-driven simulator of the SHyCache hierarchy (numba-compiled kernel).

It implements exactly the rules of :mod:`golden.shycache.reference` (counts, line
contents, bit flips, LRU, inclusion policies, STT write-busy timing) and is held to it
access for access on random traces by ``tests/test_shycache_fastsim.py``.  Only the
representation differs: lines are numbered densely (``np.unique`` of the trace's line
addresses) so memory is one ``(lines, line_bytes)`` array, and each level keeps its two
parts in one frame array (SRAM frames first, then STT frames).

:func:`prepare` does the per-trace work once (line numbering, routing, memory image);
:func:`run` simulates one (L1, L2) geometry on a prepared trace.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def _level_arrays(sram_bytes, stt_bytes, ways, line_bytes):
    sets = np.array([sram_bytes // (line_bytes * ways), stt_bytes // (line_bytes * ways)],
                    dtype=np.int64)
    base = np.array([0, sets[0] * ways], dtype=np.int64)
    frames = int(sets.sum() * ways)
    return {"sets": sets, "base": base, "tags": np.full(frames, -1, np.int64),
            "dirty": np.zeros(frames, np.uint8), "stamp": np.zeros(frames, np.int64),
            "data": np.zeros((frames, line_bytes // 8), np.uint64),
            "ev": np.zeros((2, len(EVENTS)), np.int64), "tab": np.zeros((4, 256), np.int64)}


def _placement(prep: PreparedTrace, lv: dict, ways: int, subarrays: int):
    """Per dense line: its part (0 SRAM, 1 STT), first frame of its set, STT subarray."""
    sets = lv["sets"]
    want = prep.nvm.astype(np.int64)
    part = np.where(sets[want] > 0, want, 1 - want)
    set_index = prep.line_no % sets[part]
    return part, lv["base"][part] + set_index * ways, set_index % subarrays


def run(prep: PreparedTrace, l1, l2, config, inclusion: str | None = None) -> dict:
    """Simulate ``prep`` on L1 geometry ``l1`` and L2 geometry ``l2`` (``None``: No-L2)."""
    cache = config.cache
    inclusion = inclusion or cache.inclusion
    if inclusion not in POLICY:
        raise ValueError(f"inclusion {inclusion!r}; valid: {', '.join(POLICY)}")
    sub = config.stt.subarrays
    lv1 = _level_arrays(l1.sram_bytes, l1.stt_bytes, cache.l1_ways, prep.line_bytes)
    has_l2 = l2 is not None
    lv2 = _level_arrays(l2.sram_bytes if has_l2 else 64 * cache.l2_ways,
                        l2.stt_bytes if has_l2 else 0, cache.l2_ways, prep.line_bytes)
    mem = prep.image.copy().view(np.uint64)  # whole-line work in 64-bit words
    busy = np.zeros((2, sub), np.int64)
    last = np.full((2, sub), -1, np.int64)  # line last written per subarray (bypass)
    scalars = np.zeros(5, np.int64)  # time, stall cycles, memory reads, memory writes, back-inv
    _kernel(prep.uidx, prep.offset, prep.size, prep.write, prep.gap, prep.store_data,
            prep.has_values, mem, lv1["data"].view(np.uint8),
            *_placement(prep, lv1, cache.l1_ways, sub), lv1["tags"], lv1["dirty"],
            lv1["stamp"], lv1["data"], lv1["ev"], lv1["tab"], cache.l1_ways,
            *_placement(prep, lv2, cache.l2_ways, sub), lv2["tags"], lv2["dirty"],
            lv2["stamp"], lv2["data"], lv2["ev"], lv2["tab"], cache.l2_ways,
            has_l2, POLICY[inclusion], cache.l1_latency_cycles, cache.l2_latency_cycles,
            config.memory_cycles, config.stt_write_cycles, busy, last,
            config.stt.write_buffer_bypass, scalars)
    return _result(lv1, lv2 if has_l2 else None, scalars, prep.has_values)


def _flips_from_table(tab: np.ndarray) -> tuple[int, list[int]]:
    """Total flips and the 32-position histogram from a (4, 256) changed-byte table."""
    bits = (np.arange(256)[:, None] >> np.arange(8)) & 1          # (value, bit)
    hist = (tab @ bits).reshape(32)                                # byte-in-word x bit
    return int(hist.sum()), [int(x) for x in hist]


def _result(lv1, lv2, scalars, has_values) -> dict:
    def level(lv):
        ev = lv["ev"].copy() if lv is not None else np.zeros((2, len(EVENTS)), np.int64)
        flips, hist = _flips_from_table(lv["tab"] if lv is not None
                                        else np.zeros((4, 256), np.int64))
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
# the compiled kernel
# --------------------------------------------------------------------------

@numba.njit(cache=True, inline="always")
def _find(tags, first, ways, u):
    for w in range(ways):
        if tags[first + w] == u:
            return first + w
    return -1


@numba.njit(cache=True, inline="always")
def _victim(tags, stamp, first, ways):
    for w in range(ways):
        if tags[first + w] < 0:
            return first + w
    best = first
    for w in range(1, ways):
        if stamp[first + w] < stamp[best]:
            best = first + w
    return best


@numba.njit(cache=True)
def _write(data, frame, off, src, n, count, tab):
    """Write ``src[:n]`` into ``data[frame, off:]``.

    With ``count`` (an STT part) every changed byte adds one to ``tab[byte of its 32-bit
    word, old XOR new]``; flips and the per-bit histogram are read off the table at the
    end (:func:`_flips_from_table`), which keeps bit loops off the per-access path."""
    for j in range(n):
        x = data[frame, off + j] ^ src[j]
        if x:
            if count:
                tab[(off + j) & 3, x] += 1
            data[frame, off + j] = src[j]


@numba.njit(cache=True)
def _write_line(data, frame, src, count, tab):
    """Write the whole line ``src`` (64-bit words) into ``data[frame]``; STT flips as above."""
    for w in range(src.shape[0]):
        x = data[frame, w] ^ src[w]
        if x:
            if count:
                for b in range(8):
                    byte = (x >> np.uint64(8 * b)) & np.uint64(0xFF)
                    if byte:
                        tab[b & 3, byte] += 1
            data[frame, w] = src[w]


@numba.njit(cache=True, inline="always")
def _busy_write(busy, last, level, k, t, write_cycles, line):
    busy[level, k] = max(t, busy[level, k]) + write_cycles
    last[level, k] = line


@numba.njit(cache=True, inline="always")
def _stall(busy, last, bypass, level, k, t, line):
    if bypass and last[level, k] == line:
        return 0
    return max(0, busy[level, k] - t)


@numba.njit(cache=True)
def _kernel(uidx, offset, size, write, gap, store_data, has_values, mem, bytes1,
            part1, first1, sub1, tags1, dirty1, stamp1, data1, ev1, tab1, ways1,
            part2, first2, sub2, tags2, dirty2, stamp2, data2, ev2, tab2, ways2,
            has_l2, policy, lat1, lat2, mem_cycles, write_cycles, busy, last, bypass,
            scalars):
    words = mem.shape[1]
    fill = np.zeros(words, np.uint64)
    vdata = np.zeros(words, np.uint64)
    bdata = np.zeros(words, np.uint64)
    clocks = np.zeros(2, np.int64)
    t = 0
    stalls = 0
    store_i = 0
    for i in range(uidx.shape[0]):
        u = uidx[i]
        t += gap[i]
        p1 = part1[u]
        if p1 == 1:
            st = _stall(busy, last, bypass, 0, sub1[u], t, u)
            stalls += st
            t += st
        t_l1 = t + lat1
        f1 = _find(tags1, first1[u], ways1, u)
        is_store = write[i] != 0
        if f1 >= 0:  # ---- L1 hit
            ev1[p1, HITS] += 1
            clocks[0] += 1
            stamp1[f1] = clocks[0]
            if is_store:
                ev1[p1, STORES] += 1
                dirty1[f1] = 1
                if has_values:
                    _write(bytes1, f1, offset[i], store_data[store_i], size[i], p1 == 1, tab1)
                    store_i += 1
                if p1 == 1:
                    _busy_write(busy, last, 0, sub1[u], t_l1, write_cycles, u)
            else:
                ev1[p1, READ_HITS] += 1
            t = t_l1
            continue
        # ---- L1 miss: the line from below
        ev1[p1, MISSES] += 1
        fill_dirty = _fetch(u, fill, mem, has_l2, policy, part2, first2, tags2, dirty2, stamp2,
                            data2, ev2, tab2, ways2, part1, first1, tags1, dirty1, data1, ev1,
                            ways1, bdata, clocks, scalars)
        hit2 = fill_dirty >= 2  # _fetch adds 2 for an L2 hit
        fill_dirty &= 1
        # ---- L1 victim, install, store
        f1 = _victim(tags1, stamp1, first1[u], ways1)
        v = tags1[f1]
        v_dirty = 0
        if v >= 0:
            v_dirty = dirty1[f1]
            vdata[:] = data1[f1]
            ev1[p1, EVICTIONS] += 1
            if v_dirty:
                ev1[p1, WB] += 1
            tags1[f1] = -1
            dirty1[f1] = 0
        _write_line(data1, f1, fill, p1 == 1, tab1)
        tags1[f1] = u
        dirty1[f1] = fill_dirty
        ev1[p1, FILLS] += 1
        clocks[0] += 1
        stamp1[f1] = clocks[0]
        if is_store:
            ev1[p1, STORES] += 1
            dirty1[f1] = 1
            if has_values:
                _write(bytes1, f1, offset[i], store_data[store_i], size[i], p1 == 1, tab1)
                store_i += 1
        # ---- timing
        if not has_l2:
            t_data = t_l1 + mem_cycles
        else:
            t2 = t_l1
            if part2[u] == 1:
                st = _stall(busy, last, bypass, 1, sub2[u], t2, u)
                stalls += st
                t2 += st
            t_data = t2 + lat2
            if not hit2:
                t_data += mem_cycles
                if policy != 2 and part2[u] == 1:
                    _busy_write(busy, last, 1, sub2[u], t_data, write_cycles, u)
        if p1 == 1:
            _busy_write(busy, last, 0, sub1[u], t_data, write_cycles, u)
            if is_store:
                _busy_write(busy, last, 0, sub1[u], t_data, write_cycles, u)
        # ---- the L1 victim goes down
        if v >= 0:
            if not has_l2:
                if v_dirty:
                    mem[v] = vdata
                    scalars[3] += 1
            elif v_dirty or policy == 2:
                pv = part2[v]
                fv = _find(tags2, first2[v], ways2, v)
                if fv < 0:
                    fv = _victim(tags2, stamp2, first2[v], ways2)
                    if tags2[fv] >= 0:
                        _evict_l2(fv, pv, tags2, dirty2, data2, ev2, policy, mem,
                                  part1, first1, tags1, dirty1, data1, ev1, ways1, bdata, scalars)
                    tags2[fv] = v
                ev2[pv, WB_IN] += 1
                _write_line(data2, fv, vdata, pv == 1, tab2)
                if v_dirty:
                    dirty2[fv] = 1
                clocks[1] += 1
                stamp2[fv] = clocks[1]
                if pv == 1:
                    _busy_write(busy, last, 1, sub2[v], t_data, write_cycles, v)
        t = t_data
    scalars[0] = t
    scalars[1] = stalls


@numba.njit(cache=True)
def _fetch(u, fill, mem, has_l2, policy, part2, first2, tags2, dirty2, stamp2, data2, ev2,
           tab2, ways2, part1, first1, tags1, dirty1, data1, ev1, ways1, bdata, clocks,
           scalars):
    """Fetch line ``u`` for an L1 miss into ``fill``: dirty bit + 2 if the L2 hit."""
    if not has_l2:
        fill[:] = mem[u]
        scalars[2] += 1
        return 0
    p2 = part2[u]
    f2 = _find(tags2, first2[u], ways2, u)
    if policy == 2:  # exclusive: an L2 hit moves the line up, a miss fills the L1 only
        if f2 >= 0:
            ev2[p2, HITS] += 1
            ev2[p2, READ_HITS] += 1
            fill[:] = data2[f2]
            d = dirty2[f2]
            tags2[f2] = -1
            dirty2[f2] = 0
            return 2 + d
        ev2[p2, MISSES] += 1
        fill[:] = mem[u]
        scalars[2] += 1
        return 0
    hit = f2 >= 0
    if hit:
        ev2[p2, HITS] += 1
        ev2[p2, READ_HITS] += 1
    else:
        ev2[p2, MISSES] += 1
        scalars[2] += 1
        f2 = _victim(tags2, stamp2, first2[u], ways2)
        if tags2[f2] >= 0:
            _evict_l2(f2, p2, tags2, dirty2, data2, ev2, policy, mem,
                      part1, first1, tags1, dirty1, data1, ev1, ways1, bdata, scalars)
        _write_line(data2, f2, mem[u], p2 == 1, tab2)
        tags2[f2] = u
        dirty2[f2] = 0
        ev2[p2, FILLS] += 1
    clocks[1] += 1
    stamp2[f2] = clocks[1]
    fill[:] = data2[f2]
    return 2 if hit else 0


@numba.njit(cache=True)
def _evict_l2(f2, p2, tags2, dirty2, data2, ev2, policy, mem,
              part1, first1, tags1, dirty1, data1, ev1, ways1, bdata, scalars):
    """Evict the valid L2 frame ``f2``: count, back-invalidate (strict), write to memory."""
    v = tags2[f2]
    dirty = dirty2[f2]
    ev2[p2, EVICTIONS] += 1
    if dirty:
        ev2[p2, WB] += 1
    bdata[:] = data2[f2]
    tags2[f2] = -1
    dirty2[f2] = 0
    if policy == 1:
        g = _find(tags1, first1[v], ways1, v)
        if g >= 0:
            scalars[4] += 1
            if dirty1[g]:
                ev1[part1[v], WB] += 1
                if not dirty:
                    ev2[p2, WB] += 1
                dirty = 1
                bdata[:] = data1[g]
            tags1[g] = -1
            dirty1[g] = 0
    if dirty:
        mem[v] = bdata
        scalars[3] += 1
