"""Per-access reference model of SHyCache: the oracle for the fast simulator and the RTL.

Plain, readable Python (no vectorisation); one call per access.  It implements the
counting contract of issue 15 exactly; the fast simulator (:mod:`.fastsim`) and the RTL
event counters are held to it.

One hybrid level — :class:`ReferenceLevel`
------------------------------------------
``ReferenceLevel(sram_bytes, stt_bytes, ways, nvm_ranges=(), line_bytes=64, backing=None)``

* Two parts, ``"sram"`` and ``"stt"``, each ``ways``-way set-associative with
  ``sets = bytes // (line_bytes * ways)`` (a part of 0 bytes is absent; sets need not be
  a power of two).  ``set = (addr // line_bytes) % sets``.
* Routing (the predecoder, §IV-A): a line whose address lies in one of ``nvm_ranges``
  (half-open ``[lo, hi)`` byte ranges, non-overlapping) goes to the STT part, every
  other line to the SRAM part; when the chosen part is absent the line goes to the part
  that exists.  Only one part is looked up per access.
* Replacement: the lowest-numbered invalid way, else the least-recently-used way.
  A hit, a fill and a write-back into the level make the line most-recently-used.
* Write-back + write-allocate: a demand access (load or store) that finds its line is a
  hit, otherwise a miss, and every miss allocates (stores too).  A valid victim that is
  dirty counts one write-back; a clean victim is dropped (or, in an exclusive hierarchy,
  moved down without counting a write-back).
* Order on a miss: the line is first fetched from below (``fetch``), then the victim way
  is chosen and the victim handed down (``evict``), then the line is installed, then a
  store writes its bytes.  (Fetch first, so an inclusive back-invalidation caused by the
  fetch can free a way before the victim is chosen.)
* Line contents are kept per physical frame (set, way) and survive eviction and
  invalidation: a frame starts all-zero and always holds the last bytes written to it.
* Bit flips (§VI-C): every write of bytes into an STT frame counts
  ``popcount(old XOR new)`` over the written bytes — a fill (against the frame's previous
  contents), a write-back into the level, and a store.  **A store's flips are counted
  when the store writes the line** (at the store, in the level it writes), not when the
  dirty line is later written back; a store miss therefore counts the fill's flips and
  then the store's flips.  A store without data (a ``.din`` trace) changes no bytes and
  flips nothing; the hierarchy then reports bit flips as unavailable.
  ``flip_histogram[k]`` counts flips of bit ``k`` of the little-endian 32-bit words.

API
~~~
``access(addr, write, data=None) -> Outcome``
    A demand access by a standalone level over its ``backing`` memory (a
    :class:`LineMemory`; by default an all-zero one): a dirty victim is written to the
    backing memory, a fill is read from it.  ``data`` is the bytes a store writes at
    ``addr`` (they must not cross a line); ``None`` writes no bytes (only marks dirty).
``demand(addr, write, data, fetch, evict) -> Outcome``
    The same with the level below supplied by the caller: ``fetch(line_addr) ->
    (bytes, dirty)`` and ``evict(line_addr, dirty, bytes)``.
``write_back_in(line_addr, data, dirty=True) -> Outcome``
    A line written into the level from above (not a hit or a miss): updates the line if
    present, else allocates it (victim handed to ``evict``); MRU; flips counted if STT.
``extract(line_addr) -> (present, dirty, bytes)`` / ``invalidate(line_addr)``
    Remove a line (exclusive hand-up, inclusive back-invalidation); no count.
``counts() -> {"sram": {"hits", "misses", "writebacks"}, "stt": {...}, "stt_bitflips"}``
    The counting contract (what the RTL counters must equal).
``events()``
    Every per-part event the cost model uses (``read_hits``, ``stores``, ``fills``,
    ``writebacks_in``, ``evictions`` besides the three above) and the flip histogram.

``Outcome`` fields: ``part`` (``"sram"``/``"stt"``), ``set``, ``way``, ``hit``,
``victim`` (line address of a valid evicted line or ``None``), ``victim_dirty``,
``victim_data``, ``fill`` (line address fetched on a miss or ``None``), ``flips``.

Hierarchy — :func:`simulate`
----------------------------
``simulate(trace, l1, l2, nvm_ranges, config, inclusion=...)`` runs a trace (a
:class:`golden.shycache.trace.Trace`) through L1 (a :class:`Geometry`) and L2 (a
:class:`Geometry` or ``None`` for No-L2) over a :class:`LineMemory` initialised from the
trace's memory image, and returns the issue's JSON contract (plus ``"events"``).

* ``"mostly"`` (gem5 ``mostly_incl``, Table I): an L1 miss is one L2 demand look-up (hit
  or miss; an L2 miss fills the L2 from memory); the line is filled into both levels.
  A dirty L1 victim is one L1 write-back, written into the L2 (``write_back_in``:
  allocating as MRU if absent).  An L2 eviction does not touch the L1.  A dirty L2 victim
  is one L2 write-back to memory.
* ``"strict"``: as mostly, and an L2 eviction back-invalidates the L1 copy; a dirty L1
  copy then counts one L1 write-back and its bytes go to memory with the L2 victim, which
  counts one L2 write-back (dirty if either copy was).
* ``"exclusive"``: an L2 hit moves the line up (removed from the L2; its dirty bit moves
  with it); an L2 miss fills the L1 only.  Every L1 victim moves into the L2
  (``write_back_in``, keeping its dirty bit); only a dirty one counts an L1 write-back.
* No L2: L1 misses read memory, dirty L1 victims are written to memory.

Timing (cycles at the core clock; :class:`golden.shycache.params.ShyConfig`): an in-order
core that blocks on every memory operation.  An access first spends its trace ``gap``
(non-memory cycles), then looks up the L1 part (stalling until the part's subarray
``set % subarrays`` is no longer busy if it is STT), then ``l1_latency``; on a miss the L2
look-up (same stall rule) plus ``l2_latency``, plus ``memory`` on an L2 miss (or ``memory``
directly without an L2).  The data is back at ``t_data``; the access ends then.  Every STT
line write is posted (the core does not wait for it): a write that reaches an STT subarray
at time ``t`` starts at ``max(t, busy)`` and leaves it busy ``stt_write`` cycles longer.
With ``stt.write_buffer_bypass`` (default) the line most recently written into a subarray
is served from the write buffer while the subarray is busy: only other lines stall.
Writes reach their arrays at: a store hit at ``t_L1 + l1_latency``; fills (L2 then L1), the
store of a store miss and the L1 victim's write into the L2 at ``t_data``, in that order.
Memory write-backs cost no time (no bus contention is modelled).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from hymem.golden.config import ConfigError

PARTS = ("sram", "stt")


def popcount_hist(old: bytes, new: bytes, hist: list[int] | None = None) -> int:
    """Bit flips between ``old`` and ``new`` (equal length); adds per-bit-of-word counts."""
    total = 0
    for i, (a, b) in enumerate(zip(old, new)):
        x = a ^ b
        while x:
            low = x & -x
            bit = low.bit_length() - 1
            total += 1
            if hist is not None:
                hist[(i % 4) * 8 + bit] += 1
            x ^= low
    return total


class LineMemory:
    """Main memory as whole lines: an initial image function plus the lines written to it.

    ``image(line_addr, line_bytes) -> bytes`` gives a never-written line's contents
    (default: zeros)."""

    def __init__(self, line_bytes: int = 64, image=None):
        self.line_bytes = line_bytes
        self.image = image
        self.lines: dict[int, bytes] = {}
        self.reads = 0
        self.writes = 0

    def read_line(self, line_addr: int) -> bytes:
        self.reads += 1
        if line_addr in self.lines:
            return self.lines[line_addr]
        if self.image is None:
            return bytes(self.line_bytes)
        return bytes(self.image(line_addr, self.line_bytes))

    def write_line(self, line_addr: int, data: bytes) -> None:
        self.writes += 1
        self.lines[line_addr] = bytes(data)


@dataclass
class Outcome:
    part: str
    set: int
    way: int
    hit: bool
    victim: int | None = None
    victim_dirty: bool = False
    victim_data: bytes | None = None
    fill: int | None = None
    flips: int = 0


@dataclass
class _Frame:
    data: bytearray
    line: int = -1          # line address held; -1 = invalid
    dirty: bool = False
    stamp: int = 0          # last use; LRU = smallest among valid ways


@dataclass
class _Part:
    name: str
    sets: int
    ways: int
    line_bytes: int
    frames: list = field(default_factory=list)
    events: dict = field(default_factory=dict)
    hist: list = field(default_factory=lambda: [0] * 32)

    def __post_init__(self):
        self.frames = [[_Frame(bytearray(self.line_bytes)) for _ in range(self.ways)]
                       for _ in range(self.sets)]
        self.events = {k: 0 for k in ("hits", "misses", "writebacks", "read_hits", "stores",
                                      "fills", "writebacks_in", "evictions", "bitflips")}

    def find(self, set_index: int, line: int) -> int | None:
        for way, frame in enumerate(self.frames[set_index]):
            if frame.line == line:
                return way
        return None

    def victim_way(self, set_index: int) -> int:
        frames = self.frames[set_index]
        for way, frame in enumerate(frames):
            if frame.line < 0:
                return way
        return min(range(self.ways), key=lambda w: frames[w].stamp)

    def write_bytes(self, frame: _Frame, offset: int, data: bytes) -> int:
        """Write ``data`` into ``frame`` at ``offset``; bit flips counted in the STT part."""
        old = bytes(frame.data[offset:offset + len(data)])
        frame.data[offset:offset + len(data)] = data
        if self.name != "stt":
            return 0
        hist = [0] * 32
        flips = popcount_hist(old, data, hist)
        # align the histogram to word bits: offset is a multiple of 4 for lines, but a
        # store may start mid-word, so rotate by the byte offset within the word
        shift = (offset % 4) * 8
        for k in range(32):
            self.hist[(k + shift) % 32] += hist[k]
        self.events["bitflips"] += flips
        return flips


class ReferenceLevel:
    """One hybrid cache level (see the module docstring for the exact rules)."""

    def __init__(self, sram_bytes: int, stt_bytes: int, ways: int, nvm_ranges=(),
                 line_bytes: int = 64, backing: LineMemory | None = None):
        if sram_bytes < 0 or stt_bytes < 0 or sram_bytes + stt_bytes == 0:
            raise ValueError(f"level needs a part: sram_bytes={sram_bytes}, "
                             f"stt_bytes={stt_bytes}")
        for name, nbytes in (("sram", sram_bytes), ("stt", stt_bytes)):
            if nbytes % (line_bytes * ways):
                raise ValueError(f"{name} part of {nbytes} B is not a whole number of "
                                 f"{ways}-way sets of {line_bytes} B lines")
        self.line_bytes = line_bytes
        self.ways = ways
        self.nvm_ranges = check_ranges(nvm_ranges)
        self.parts = {name: _Part(name, nbytes // (line_bytes * ways), ways, line_bytes)
                      for name, nbytes in (("sram", sram_bytes), ("stt", stt_bytes))
                      if nbytes}
        self.backing = backing if backing is not None else LineMemory(line_bytes)
        self._clock = 0

    # --- routing --------------------------------------------------------------
    def route(self, line_addr: int) -> str:
        """The part that holds ``line_addr`` (the predecoder, with the absent-part rule)."""
        want = "stt" if in_ranges(line_addr, self.nvm_ranges) else "sram"
        return want if want in self.parts else next(iter(self.parts))

    def locate(self, addr: int) -> tuple[str, int, int]:
        """(part, set, line address) of byte address ``addr``."""
        line = addr - addr % self.line_bytes
        part = self.route(line)
        return part, (line // self.line_bytes) % self.parts[part].sets, line

    def _touch(self, frame: _Frame) -> None:
        self._clock += 1
        frame.stamp = self._clock

    # --- demand ---------------------------------------------------------------
    def access(self, addr: int, write: bool, data: bytes | None = None) -> Outcome:
        """Demand access of a standalone level over ``self.backing``."""
        def fetch(line):
            return self.backing.read_line(line), False

        def evict(line, dirty, vdata):
            if dirty:
                self.backing.write_line(line, vdata)
        return self.demand(addr, write, data, fetch, evict)

    def demand(self, addr: int, write: bool, data: bytes | None, fetch, evict) -> Outcome:
        name, s, line = self.locate(addr)
        part = self.parts[name]
        offset = addr - line
        if data is not None and offset + len(data) > self.line_bytes:
            raise ValueError(f"access at {addr:#x} of {len(data)} B crosses a line")
        way = part.find(s, line)
        out = Outcome(name, s, -1, way is not None)
        if way is not None:
            part.events["hits"] += 1
            if not write:
                part.events["read_hits"] += 1
        else:
            part.events["misses"] += 1
            fill_data, fill_dirty = fetch(line)
            way, out.victim, out.victim_dirty, out.victim_data = self._evict_way(part, s, evict)
            frame = part.frames[s][way]
            out.flips += part.write_bytes(frame, 0, fill_data)
            frame.line, frame.dirty = line, fill_dirty
            part.events["fills"] += 1
            out.fill = line
        out.way = way
        frame = part.frames[s][way]
        self._touch(frame)
        if write:
            part.events["stores"] += 1
            frame.dirty = True
            if data is not None:
                out.flips += part.write_bytes(frame, offset, bytes(data))
        return out

    def _evict_way(self, part: _Part, s: int, evict):
        """Choose the victim way of set ``s``, hand a valid victim to ``evict``."""
        way = part.victim_way(s)
        frame = part.frames[s][way]
        if frame.line < 0:
            return way, None, False, None
        victim, dirty, vdata = frame.line, frame.dirty, bytes(frame.data)
        part.events["evictions"] += 1
        if dirty:
            part.events["writebacks"] += 1
        frame.line, frame.dirty = -1, False
        evict(victim, dirty, vdata)
        return way, victim, dirty, vdata

    # --- from above / below -----------------------------------------------------
    def write_back_in(self, line_addr: int, data: bytes, dirty: bool = True,
                      evict=None) -> Outcome:
        """A line written into this level from the level above (not a hit or a miss)."""
        name = self.route(line_addr)
        part = self.parts[name]
        s = (line_addr // self.line_bytes) % part.sets
        way = part.find(s, line_addr)
        out = Outcome(name, s, -1, way is not None)
        if way is None:
            if evict is None:
                def evict(line, vdirty, vdata):
                    if vdirty:
                        self.backing.write_line(line, vdata)
            way, out.victim, out.victim_dirty, out.victim_data = self._evict_way(part, s, evict)
            part.frames[s][way].line = line_addr
        frame = part.frames[s][way]
        part.events["writebacks_in"] += 1
        out.flips = part.write_bytes(frame, 0, bytes(data))
        frame.dirty = frame.dirty or dirty
        out.way = way
        self._touch(frame)
        return out

    def extract(self, line_addr: int) -> tuple[bool, bool, bytes | None]:
        """Remove ``line_addr`` if present: (present, dirty, bytes); nothing is counted."""
        name = self.route(line_addr)
        part = self.parts[name]
        s = (line_addr // self.line_bytes) % part.sets
        way = part.find(s, line_addr)
        if way is None:
            return False, False, None
        frame = part.frames[s][way]
        dirty, data = frame.dirty, bytes(frame.data)
        frame.line, frame.dirty = -1, False
        return True, dirty, data

    invalidate = extract

    def contains(self, line_addr: int) -> bool:
        name = self.route(line_addr)
        part = self.parts[name]
        return part.find((line_addr // self.line_bytes) % part.sets, line_addr) is not None

    # --- counts ---------------------------------------------------------------
    def counts(self) -> dict:
        """The counting contract: hits/misses/write-backs per part and STT bit flips."""
        out = {}
        for name in PARTS:
            ev = self.parts[name].events if name in self.parts else {}
            out[name] = {k: ev.get(k, 0) for k in ("hits", "misses", "writebacks")}
        out["stt_bitflips"] = self.parts["stt"].events["bitflips"] if "stt" in self.parts else 0
        return out

    def events(self) -> dict:
        """Every per-part event count and the STT flip histogram (32 bit positions)."""
        out = {}
        for name in PARTS:
            if name in self.parts:
                out[name] = dict(self.parts[name].events)
            else:
                out[name] = {k: 0 for k in _Part("x", 0, 0, 0).events}
        out["flip_histogram"] = list(self.parts["stt"].hist) if "stt" in self.parts else [0] * 32
        return out


class RangeError(ConfigError):
    """Reserved ranges that are empty or overlap (a user error)."""


def check_ranges(ranges) -> tuple[tuple[int, int], ...]:
    """Validate reserved ranges: each ``lo < hi``, none overlapping; sorted."""
    out = sorted((int(lo), int(hi)) for lo, hi in ranges)
    for lo, hi in out:
        if not 0 <= lo < hi:
            raise RangeError(f"reserved range [{lo:#x}, {hi:#x}) is empty or negative")
    for (lo1, hi1), (lo2, hi2) in itertools.pairwise(out):
        if lo2 < hi1:
            raise RangeError(f"reserved ranges [{lo1:#x}, {hi1:#x}) and [{lo2:#x}, {hi2:#x}) "
                             "overlap")
    return tuple(out)


def in_ranges(addr: int, ranges) -> bool:
    return any(lo <= addr < hi for lo, hi in ranges)


# --------------------------------------------------------------------------
# The hierarchy
# --------------------------------------------------------------------------

class _Timer:
    """Busy-until times of the STT subarrays of one level (SRAM is never busy).

    With ``bypass`` the line most recently written into a subarray is readable from the
    write buffer while the subarray is busy (no stall for it; other lines wait)."""

    def __init__(self, subarrays: int, write_cycles: int, bypass: bool):
        self.subarrays = subarrays
        self.write_cycles = write_cycles
        self.bypass = bypass
        self.busy = [0] * subarrays
        self.last_line = [-1] * subarrays

    def stall(self, part: str, set_index: int, t: int, line: int) -> int:
        k = set_index % self.subarrays
        if part != "stt" or (self.bypass and self.last_line[k] == line):
            return 0
        return max(0, self.busy[k] - t)

    def write(self, part: str, set_index: int, t: int, line: int) -> None:
        if part == "stt":
            k = set_index % self.subarrays
            self.busy[k] = max(t, self.busy[k]) + self.write_cycles
            self.last_line[k] = line


class ReferenceHierarchy:
    """L1 + optional L2 + memory, per access; see :func:`simulate`."""

    def __init__(self, l1, l2, nvm_ranges, config, inclusion: str | None = None, image=None):
        cache = config.cache
        self.inclusion = inclusion or cache.inclusion
        if self.inclusion not in ("mostly", "strict", "exclusive"):
            raise ValueError(f"inclusion {self.inclusion!r}; valid: mostly, strict, exclusive")
        self.memory = LineMemory(cache.line_bytes, image)
        self.l1 = ReferenceLevel(l1.sram_bytes, l1.stt_bytes, cache.l1_ways, nvm_ranges,
                                 cache.line_bytes, self.memory)
        self.l2 = None if l2 is None else ReferenceLevel(
            l2.sram_bytes, l2.stt_bytes, cache.l2_ways, nvm_ranges, cache.line_bytes, self.memory)
        self.lat1, self.lat2 = cache.l1_latency_cycles, cache.l2_latency_cycles
        self.mem_cycles = config.memory_cycles
        stt = config.stt
        self.t1 = _Timer(stt.subarrays, config.stt_write_cycles, stt.write_buffer_bypass)
        self.t2 = _Timer(stt.subarrays, config.stt_write_cycles, stt.write_buffer_bypass)
        self.time = 0
        self.stall_cycles = 0
        self.l1_back_invalidations = 0

    # --- the level below L1 -------------------------------------------------------
    def _l2_evict(self, line, dirty, data):
        """An L2 victim: to memory if dirty; strict inclusion back-invalidates the L1 copy."""
        if self.inclusion == "strict":
            present, l1_dirty, l1_data = self.l1.extract(line)
            if present:
                self.l1_back_invalidations += 1
                if l1_dirty:
                    self.l1.parts[self.l1.route(line)].events["writebacks"] += 1
                    if not dirty:  # the L2 victim was clean: it now carries the L1 bytes
                        self.l2.parts[self.l2.route(line)].events["writebacks"] += 1
                    dirty, data = True, l1_data
        if dirty:
            self.memory.write_line(line, data)

    def _fetch_for_l1(self, line):
        """The L1 miss's look-up below: returns (bytes, dirty) and the L2 outcome."""
        if self.l2 is None:
            return (self.memory.read_line(line), False), None
        if self.inclusion == "exclusive":
            out = self._l2_lookup_exclusive(line)
            return out
        out = self.l2.demand(line, False, None, self._fetch_memory, self._l2_evict)
        frame = self.l2.parts[out.part].frames[out.set][out.way]
        return (bytes(frame.data), False), out

    def _l2_lookup_exclusive(self, line):
        name, s, _ = self.l2.locate(line)
        part = self.l2.parts[name]
        present, dirty, data = self.l2.extract(line)
        out = Outcome(name, s, -1, present)
        if present:
            part.events["hits"] += 1
            part.events["read_hits"] += 1
            return (data, dirty), out
        part.events["misses"] += 1
        return (self.memory.read_line(line), False), out

    def _fetch_memory(self, line):
        return self.memory.read_line(line), False

    def _l1_evict(self, line, dirty, data):
        """An L1 victim: into the L2 (dirty, or every one if exclusive), else memory."""
        self._victim = (line, dirty, data)

    def _place_l1_victim(self, t_data):
        line, dirty, data = self._victim
        self._victim = None
        if self.l2 is None:
            if dirty:
                self.memory.write_line(line, data)
            return
        if dirty or self.inclusion == "exclusive":
            out = self.l2.write_back_in(line, data, dirty, self._l2_evict)
            self.t2.write(out.part, out.set, t_data, line)

    # --- one access -------------------------------------------------------------
    def access(self, addr: int, write: bool, data: bytes | None, gap: int = 0) -> None:
        self.time += gap
        part1, s1, line1 = self.l1.locate(addr)
        st = self.t1.stall(part1, s1, self.time, line1)
        self.stall_cycles += st
        t = self.time + st
        self._victim = None
        self._below = None
        self._t_data = None

        def fetch(line):
            (fill, dirty), l2out = self._fetch_for_l1(line)
            self._below = l2out
            return fill, dirty
        out1 = self.l1.demand(addr, write, data, fetch, self._l1_evict)
        t_l1 = t + self.lat1
        if out1.hit:
            if write:
                self.t1.write(part1, s1, t_l1, line1)
            self.time = t_l1
            return
        t_data = self._time_below(t_l1, line1)
        self.t1.write(part1, s1, t_data, line1)        # the fill
        if write:
            self.t1.write(part1, s1, t_data, line1)    # the store of a store miss
        if self._victim is not None:
            self._place_l1_victim(t_data)
        self.time = t_data

    def _time_below(self, t: int, line: int) -> int:
        """Time the L1's missing line arrives, given the L2 outcome; fills the L2 timer."""
        l2out = self._below
        if l2out is None:
            return t + self.mem_cycles
        st = self.t2.stall(l2out.part, l2out.set, t, line)
        self.stall_cycles += st
        t2 = t + st + self.lat2
        if l2out.hit:
            return t2
        t_data = t2 + self.mem_cycles
        if self.inclusion != "exclusive":
            self.t2.write(l2out.part, l2out.set, t_data, line)
        return t_data


def simulate(trace, l1, l2, nvm_ranges, config, inclusion: str | None = None) -> dict:
    """Run ``trace`` through the reference hierarchy; the issue's JSON contract + events."""
    h = ReferenceHierarchy(l1, l2, nvm_ranges, config, inclusion, trace.image_function())
    stores = iter(trace.store_bytes()) if trace.has_values else None
    for addr, write, size, gap in zip(trace.addr.tolist(), trace.write.tolist(),
                                      trace.size.tolist(), trace.gap.tolist()):
        data = next(stores)[:size] if (write and stores is not None) else None
        h.access(addr, bool(write), data, gap)
    return hierarchy_result(h, trace.has_values)


def hierarchy_result(h: ReferenceHierarchy, has_values: bool) -> dict:
    """Counts of a finished hierarchy in the contract's shape (absent parts/levels: zeros)."""
    zero = {"sram": {"hits": 0, "misses": 0, "writebacks": 0},
            "stt": {"hits": 0, "misses": 0, "writebacks": 0}}
    l1c = h.l1.counts()
    l2c = h.l2.counts() if h.l2 is not None else {**zero, "stt_bitflips": 0}
    flips = l1c["stt_bitflips"] + l2c["stt_bitflips"]
    ev1 = h.l1.events()
    ev2 = h.l2.events() if h.l2 is not None else ReferenceLevel(64, 0, 1).events()
    return {
        "l1": {p: l1c[p] for p in PARTS},
        "l2": {p: l2c[p] for p in PARTS},
        "stt_bitflips": flips if has_values else None,
        "cycles": h.time,
        "stall_cycles": h.stall_cycles,
        "events": {"l1": ev1, "l2": ev2, "memory": {"reads": h.memory.reads,
                                                    "writes": h.memory.writes}},
    }
