"""Testbench harness of the SHyCache level: stimulus, golden prediction, and one run on the RTL.

The prediction is independent of the RTL: event counts and per-request hit and
part come from the golden reference (:class:`golden.shycache.reference.ReferenceLevel`
over the same geometry), read data from a flat memory of the words stored so
far over the initial image, and cycles from :mod:`golden.shycache.rtl_timing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.shycache.reference import LineMemory, ReferenceLevel
from hymem.golden.shycache.rtl_params import LevelParams, Op
from hymem.golden.shycache.rtl_timing import RtlTiming, TimedRequest
from hymem.golden.shycache.trace import Region, image_lines
from hymem.tb.common.backing_memory import BackingMemory, MemoryTiming
from hymem.tb.common.clock import cycle_now, start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, members, pack, unpack
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.stream import StreamDriver, clock_edges
from hymem.tb.common.watchdog import Watchdog

WEIGHTS = 0x8000_0000     # the reserved (STT) range of the regressions: the model's nvm_base
ACTIVATIONS = 0x1000_0000  # everything else (SRAM): the model's act_base


def image_function(regions):
    """``f(line byte address, line_bytes) -> bytes`` over image ``regions`` (as a trace's)."""
    def f(line_addr, line_bytes):
        return image_lines(regions, np.array([line_addr], dtype=np.uint64), line_bytes)[0].tobytes()
    return f


def level_image(p: LevelParams, weight_lines: int, act_lines: int, seed: int):
    """Random initial contents for both regions, so fills and write-backs move real data."""
    return image_function((Region(WEIGHTS, WEIGHTS + weight_lines * p.line_bytes, "random", seed),
                           Region(ACTIVATIONS, ACTIVATIONS + act_lines * p.line_bytes, "random",
                                  seed + 1)))


def random_requests(rng, p: LevelParams, n: int, weight_lines: int, act_lines: int,
                    hot_prob: float = 0.6, store_prob: float = 0.3, malformed_prob: float = 0.0):
    """``n`` requests over a hot weight region (``hot_prob`` of them) and an activation region:
    word-aligned addresses, random store data; ``malformed_prob`` of them malformed (an opcode
    that is not an ``Op`` or an unaligned address)."""
    words = p.line_bytes // p.word_bytes
    hot = rng.random(n) < hot_prob
    line = np.where(hot, rng.integers(0, weight_lines, n), rng.integers(0, act_lines, n))
    addr = (np.where(hot, WEIGHTS, ACTIVATIONS) + line * p.line_bytes
            + rng.integers(0, words, n) * p.word_bytes)
    op = np.where(rng.random(n) < store_prob, int(Op.STORE), int(Op.LOAD))
    data = rng.integers(0, 1 << p.word_bits, n, dtype=np.uint64)
    bad = rng.random(n) < malformed_prob
    bad_op = bad & (rng.random(n) < 0.5)
    op = np.where(bad_op, rng.integers(max(Op) + 1, 4, n), op)
    if p.word_bytes > 1:
        addr = np.where(bad & ~bad_op, addr + rng.integers(1, p.word_bytes, n), addr)
    return [{"op": int(o), "addr": int(a), "data": int(d)} for o, a, d in zip(op, addr, data)]


def trace_requests(trace, p: LevelParams, start: int, n: int):
    """Accesses ``start .. start + n`` of a :class:`golden.shycache.trace.Trace` as word requests:
    a 128-bit NEON access becomes ``16 / word_bytes`` requests (the RTL's port is one word), the
    first after the access's trace gap, the others back to back; stores carry their bytes.
    Returns ``(requests, gaps)``."""
    store_rows = np.cumsum(trace.write) - 1          # row of store_data per store
    requests, gaps = [], []
    for i in range(start, min(start + n, len(trace))):
        addr, size, write = int(trace.addr[i]), int(trace.size[i]), bool(trace.write[i])
        if addr % p.word_bytes or size % p.word_bytes:
            raise ValueError(f"trace access {i} at {addr:#x} of {size} B is not whole words")
        data = bytes(trace.store_data[store_rows[i]][:size]) if write else bytes(size)
        for k in range(0, size, p.word_bytes):
            requests.append({"op": int(Op.STORE if write else Op.LOAD), "addr": addr + k,
                             "data": int.from_bytes(data[k:k + p.word_bytes], "little")})
            gaps.append(int(trace.gap[i]) if k == 0 else 0)
    return requests, gaps


def malformed(p: LevelParams, req: dict) -> bool:
    return req["op"] > max(Op) or req["addr"] % p.word_bytes != 0


@dataclass
class Prediction:
    responses: list
    timed: list
    counters: dict
    memory_lines: dict     # line index -> int: every line the reference wrote back


def predict(p: LevelParams, ranges, requests, image) -> Prediction:
    """What the RTL must do with ``requests`` (``ranges``: reserved [lo, hi) byte ranges)."""
    backing = LineMemory(p.line_bytes, image)
    ref = ReferenceLevel(p.sram_bytes, p.stt_bytes, p.ways, ranges, p.line_bytes, backing)
    flat = {}                                   # word address -> value stored
    responses, timed = [], []
    for req in requests:
        addr = req["addr"]
        line_addr = addr - addr % p.line_bytes
        part = ref.route(line_addr)
        if malformed(p, req):
            responses.append({"data": 0, "hit": 0, "stt": int(part == "stt"), "error": 1})
            timed.append(TimedRequest(malformed=True))
            continue
        store = req["op"] == Op.STORE
        data = req["data"].to_bytes(p.word_bytes, "little") if store else None
        out = ref.access(addr, store, data)
        if store:
            flat[addr] = req["data"]
        value = flat.get(addr)
        if value is None:
            image_line = (backing.image(line_addr, p.line_bytes) if backing.image
                          else bytes(p.line_bytes))
            value = int.from_bytes(image_line[addr - line_addr:][:p.word_bytes], "little")
        stt = out.part == "stt"
        responses.append({"data": value, "hit": int(out.hit), "stt": int(stt), "error": 0})
        timed.append(TimedRequest(stt=stt, line=line_addr, subarray=out.set % p.stt_subarrays,
                                  hit=out.hit, victim_dirty=out.victim_dirty, store=store))
    counts = ref.counts()
    counters = {f"{part}_{k}": counts[part][k] for part in ("sram", "stt")
                for k in ("hits", "misses", "writebacks")}
    counters["stt_bitflips"] = counts["stt_bitflips"]
    counters["bad_requests"] = sum(t.malformed for t in timed)
    counters["requests"] = len(requests) - counters["bad_requests"]
    lines = {a // p.line_bytes: int.from_bytes(b, "little") for a, b in backing.lines.items()}
    return Prediction(responses, timed, counters, lines)


def init_cycles(p: LevelParams) -> int:
    """The parts' reset sweep: sets x ways of the larger part."""
    return max(p.sets(part) * p.ways for part in p.parts)


@dataclass
class LevelRun:
    """One run of the level: what it answered (with cycles), its counters and the memory's log."""

    responses: list = field(default_factory=list)     # (cycle, payload dict)
    counters: dict = field(default_factory=dict)
    memory: BackingMemory | None = None
    start: int = 0
    error: int = 0
    range_error: int = 0


async def run_level(dut, component, name: str, requests, gaps, ranges, image,
                    timing: MemoryTiming) -> LevelRun:
    """Reset, load the ranges, offer ``requests`` after ``gaps`` and collect every response."""
    p = component.params
    run = LevelRun(memory=BackingMemory(p.line_bytes, image))
    await start_clock_and_reset(dut)
    base = cycle_now()
    run.memory.start(dut, component, timing)
    handle(dut, component, "req", "valid").value = 0
    handle(dut, component, "resp", "ready").value = 1
    await StreamDriver(dut, component, "ranges").send(
        [{"index": i, "base": lo, "limit": hi} for i, (lo, hi) in enumerate(ranges)])
    run.start = cycle_now() - base
    watchdog = Watchdog(lambda: len(run.responses), 4 * p.stt_write_cycles + init_cycles(p) + 500,
                        name).start()
    monitor = cocotb.start_soon(_collect(dut, component, len(requests), base, run.responses))
    await send_requests(dut, component, requests, gaps)
    await monitor
    watchdog.stop()
    await RisingEdge(dut.clk)
    await ReadOnly()
    run.counters = read_counters(dut, component)
    run.error = int(handle(dut, component, "error").value)
    run.range_error = int(handle(dut, component, "range_error").value)
    return run


async def send_requests(dut, component, requests, gaps):
    """:class:`tb.common.stream.StreamDriver`'s timing (request i offered ``gaps[i]`` cycles after
    the cycle following request i - 1's transfer), but a request that is not taken waits on the
    rising edge of ``ready`` instead of a Python wake-up per cycle: a request stalled on a busy
    STT subarray for 100 cycles costs two wake-ups, not 100."""
    valid, ready = handle(dut, component, "req", "valid"), handle(dut, component, "req", "ready")
    payload = handle(dut, component, "req", "payload")
    shape = members(component)[("req", "payload")].shape
    for item, gap in zip(requests, gaps):
        if gap:
            valid.value = 0
            await clock_edges(dut.clk, int(gap))
        payload.value = pack(shape, item)
        valid.value = 1
        while True:
            await ReadOnly()
            if int(ready.value):
                break
            await RisingEdge(ready)   # re-checked in ReadOnly, so a glitch does not count
        await RisingEdge(dut.clk)
    valid.value = 0


async def _collect(dut, component, n: int, base: int, out: list):
    """Responses as (cycle, payload): ``resp.valid`` is high one cycle per response (ready is
    held), so one rising edge per response and no Python on other cycles."""
    valid = handle(dut, component, "resp", "valid")
    payload = handle(dut, component, "resp", "payload")
    shape = members(component)[("resp", "payload")].shape
    while len(out) < n:
        await RisingEdge(valid)
        await ReadOnly()
        out.append((cycle_now() - base, unpack(shape, int(payload.value))))
        await RisingEdge(dut.clk)


def check_run(dut, name: str, p: LevelParams, run: LevelRun, want: Prediction, timing=None,
              gaps=None):
    """Responses in order, counters equal, write-backs equal; with ``gaps`` (fixed memory timing)
    also every response cycle, memory transaction cycle and the stall cycles."""
    board = Scoreboard(f"{name} responses", want.responses)
    for _, item in run.responses:
        board.observe(item)
    predicted = dict(want.counters)
    if gaps is not None:
        cycles = RtlTiming(init_cycles(p), p.stt_write_cycles, p.stt_subarrays, timing.latency,
                           p.stt_bypass, p.stt_queued_writes).run(want.timed, gaps, run.start)
        predicted["stall_cycles"] = cycles["stall_cycles"]
        assert [c for c, _ in run.responses] == cycles["answered"], \
            "response cycles differ from rtl_timing"
        assert [c for c, k, _ in run.memory.log if k == "fill"] == cycles["fills"], \
            "fill cycles differ"
        assert [c for c, k, _ in run.memory.log if k == "writeback"] == cycles["writebacks"], \
            "write-back cycles differ"
    measured = run.counters if gaps is not None else {k: v for k, v in run.counters.items()
                                                      if k != "stall_cycles"}
    dut._log.info(f"{name}: {len(run.responses)} responses, last at cycle "
                  f"{run.responses[-1][0] if run.responses else '-'}; rtl counters {run.counters}")
    board.check_empty()
    assert run.memory.lines == want.memory_lines, "written-back lines differ from the reference's"
    assert_counters_equal(measured, predicted, p.counter_width)
    assert run.error == int(want.counters["bad_requests"] > 0)
