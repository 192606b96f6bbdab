"""cocotb harness of ``rtl.rram.accelerator.RramAccelerator`` (load, command, run, check) and
the driving the RRAM per-block benches share (start, watched runs, counter deltas)."""

from __future__ import annotations

import time

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.functional import conv2d, requantize_sums
from hymem.golden.rram.rtl_params import Opcode
from hymem.golden.rram.rtl_timing import Tile, expected_counters
from hymem.tb.common.clock import start_clock_and_reset, wait_for_level
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, members, pack, pack_array, read, unpack, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import StreamDriver, StreamMonitor, idle_gaps
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rram.layout import (
    TARGET_BIAS,
    TARGET_IO,
    TARGET_WEIGHT,
    Requant,
    bias_words,
    entry_coords,
    io_words,
    lines_view,
    place_entry,
    registers,
    unpack_entry,
    unpack_q,
    weight_words,
)
from hymem.tb.runner import tb_component


async def start_block_bench(dut, name: str, zero_inputs=()):
    """A per-block bench's start: its component, the input ports ``zero_inputs`` (paths, e.g.
    ``("start",)``) driven 0 from before reset (never X), clock and reset, the seeded rng."""
    component, _ = tb_component()
    for path in zero_inputs:
        write(dut, component, *path, value=0)
    await start_clock_and_reset(dut)
    return component, seeded_rng(dut, name)


async def watched_runs(dut, name: str, runs: int, run_one, stall_cycles: int = 200):
    """``runs`` calls of ``await run_one(progress)`` (each returns a line to log) under one
    watchdog that trips when ``progress[0]`` (bumped by ``run_one``) stalls."""
    progress = [0]
    dog = Watchdog(lambda: progress[0], stall_cycles, name).start()
    for _ in range(runs):
        dut._log.info(f"{name}: {await run_one(progress)}")
    dog.stop()


async def drive_cycles(dut, name: str, cycles: int, drive, sample, stall_cycles: int = 50):
    """A per-cycle bench loop under a watchdog: in cycle k, ``drive(k)`` sets the inputs,
    ``sample(k)`` reads the outputs once they settled (ReadOnly), then the clock edge."""
    done = [0]
    dog = Watchdog(lambda: done[0], stall_cycles, name).start()
    for k in range(cycles):
        drive(k)
        await ReadOnly()
        sample(k)
        await RisingEdge(dut.clk)
        done[0] += 1
    dog.stop()


def counter_deltas(dut, component, before: dict, names=None) -> dict:
    """Counters now less ``before`` (modulo the counter width), for ``names`` or all of them."""
    after = read_counters(dut, component)
    width = len(handle(dut, component, "counters", next(iter(after))))
    return {k: (after[k] - before[k]) % (1 << width) for k in (names or after)}


def check_counter_deltas(dut, component, before: dict, predicted: dict):
    """The counters in ``predicted`` advanced by exactly that since ``before``."""
    width = len(handle(dut, component, "counters", next(iter(predicted))))
    assert_counters_equal(counter_deltas(dut, component, before, predicted), predicted, width)


class OutCollector:
    """Takes ``out`` entries: always ready (Python wakes only on transfers), or with a per-cycle
    ready pattern from the cycle it starts (back-pressure; Python every cycle)."""

    def __init__(self, dut, component, ready=None):
        self.dut, self.component = dut, component
        self.items = []
        self.pattern = ready
        self.monitor = (
            StreamMonitor(dut, component, "out", ready=ready, on_item=self.items.append)
            if ready is not None
            else None
        )

    def start(self):
        if self.monitor is not None:
            return self.monitor.start()
        return cocotb.start_soon(self._always_ready())

    async def _always_ready(self):
        valid = handle(self.dut, self.component, "out", "valid")
        payload = handle(self.dut, self.component, "out", "payload")
        shape = members(self.component)[("out", "payload")].shape
        handle(self.dut, self.component, "out", "ready").value = 1
        while True:
            await ReadOnly()
            if int(valid.value):
                self.items.append(unpack(shape, int(payload.value)))
                await RisingEdge(self.dut.clk)
            else:
                await RisingEdge(valid)


class RramHarness:
    """One accelerator under test: drivers, counters, and tile runs checked against golden."""

    def __init__(self, dut, component, config):
        self.dut, self.component, self.config = dut, component, config
        self.rtl, self.array = config.rtl, config.array
        self.cmd = StreamDriver(dut, component, "cmd")
        self.load = StreamDriver(dut, component, "load")
        handle(dut, component, "out", "ready").value = 0
        self.cmd_shape = members(component)[("cmd", "payload")].shape
        self.load_shape = members(component)[("load", "payload")].shape
        self.progress = 0

    async def reset(self):
        await start_clock_and_reset(self.dut)

    def counters(self) -> dict:
        try:
            return read_counters(self.dut, self.component)
        except ValueError:
            from hymem.tb.common.counters import counter_names

            raw = {
                n: str(handle(self.dut, self.component, "counters", n).value)
                for n in counter_names(self.component)
            }
            raise AssertionError(f"counters not 0/1: {raw}") from None

    def error(self) -> tuple[int, int]:
        return read(self.dut, self.component, "error"), read(self.dut, self.component, "error_code")

    async def settle(self):
        """One idle cycle: reads then show what the last command's edge wrote (a read right
        after an edge sees the values before it)."""
        await RisingEdge(self.dut.clk)

    async def command(self, op, reg=0, value=0):
        await self.commands([(op, reg, value)])

    async def commands(self, triples, gaps=None):
        ops, regs, values = zip(*triples)
        items = pack_array(
            self.cmd_shape, op=[int(o) for o in ops], reg=[int(r) for r in regs], value=list(values)
        )
        await self.cmd.send(items, gaps)
        self.progress += len(items)

    async def load_tile(self, x, w, tile: Tile, rng=None, idle_prob=0.0, weight_base=0, requant=None):
        """Write the input map, the weight tiles and the biases of ``requant`` (zeros when None)
        at bias word 0 (bulk: one stream transfer per word)."""
        ram, addr, data = io_words(x, tile, self.rtl)
        wdata = weight_words(w, tile, self.rtl)
        bdata = bias_words((requant or Requant()).biases(tile.out_ch), self.rtl, self.array.acc_bits)
        n_io, n_w, n_b = len(data), len(wdata), len(bdata)
        fields = {
            "target": [TARGET_IO] * n_io + [TARGET_WEIGHT] * n_w + [TARGET_BIAS] * n_b,
            "ram": [int(r) for r in ram] + [0] * (n_w + n_b),
            "addr": [int(a) for a in addr] + list(range(weight_base, weight_base + n_w)) + list(range(n_b)),
            "data": data + wdata + bdata,
        }
        items = [
            pack(self.load_shape, dict(zip(fields, values))) for values in zip(*fields.values())
        ]
        gaps = idle_gaps(rng, len(items), idle_prob) if rng is not None and idle_prob else None
        await self.load.send(items, gaps)
        self.progress += len(items)

    async def run_tile(self, tile: Tile, weight_base=0, ready=None, extra_commands=(), requant=None):
        """Write the registers (``requant``'s SHIFT and RELU), START, collect the results;
        returns (raw int32 result, counter deltas, out items); ``requantised`` assembles the
        items' int8 ``q``.

        ``extra_commands`` are sent right after START (while the tile runs)."""
        regs = registers(tile, self.rtl, weight_base, requant)
        await self.commands([(Opcode.WRITE_REG, r, v) for r, v in regs.items()])
        before = self.counters()
        await self.command(Opcode.START)  # returns at cycle 0 of the run
        collector = OutCollector(self.dut, self.component, ready)
        began = time.perf_counter()
        task = collector.start()
        if extra_commands:
            await self.commands(extra_commands)
        await wait_for_level(self.dut.clk, handle(self.dut, self.component, "busy"), 0)
        task.cancel()  # busy falls the cycle after the last entry
        self.last_run_seconds = time.perf_counter() - began
        handle(self.dut, self.component, "out", "ready").value = 0
        after = self.counters()
        width = self.rtl.counter_width
        delta = {k: (after[k] - before[k]) % (1 << width) for k in after}
        result = np.zeros((tile.out_ch, tile.out_h, tile.out_w), dtype=np.int64)
        lines = lines_view(result, tile)
        for item in collector.items:
            place_entry(
                lines,
                unpack_entry(item["data"], self.rtl, self.array.acc_bits),
                item["oc"],
                item["row"],
                item["col"],
                self.rtl,
            )
        self.progress += len(collector.items)
        return result, delta, collector.items

    def requantised(self, items, tile: Tile) -> np.ndarray:
        """The (M, Ho, Wo) int8 results of a run's ``out`` items (their ``q`` fields)."""
        q = np.zeros((tile.out_ch, tile.out_h, tile.out_w), dtype=np.int64)
        lines = lines_view(q, tile)
        for item in items:
            place_entry(lines, unpack_q(item["q"], self.rtl), item["oc"], item["row"], item["col"], self.rtl)
        return q

    async def check_tile(
        self, name, x, w, tile: Tile, rng=None, idle_prob=0.0, ready=None, extra_commands=(), requant=None
    ):
        """Load, run and check: raw sums and their int8 requantisation (``requant``; None: shift
        0, no ReLU, zero biases) bit-exact against golden, every entry once, counters equal to
        ``golden.rram.rtl_timing.expected_counters``.

        Returns (raw results, counter deltas)."""
        requant = requant or Requant()
        await self.load_tile(x, w, tile, rng, idle_prob, requant=requant)
        result, delta, items = await self.run_tile(
            tile, ready=ready, extra_commands=extra_commands, requant=requant
        )
        want = conv2d(x, w, tile.stride, tile.pad, self.array.acc_bits)
        board = Scoreboard(f"{name} entries", entry_coords(tile, self.rtl))
        for item in items:
            board.observe((item["oc"], item["row"], item["col"]))
        board.check_empty()
        bad = np.argwhere(result != want)
        assert not len(bad), (
            f"{name}: {len(bad)} results differ, first at {bad[0]}: "
            f"rtl {result[tuple(bad[0])]} golden {want[tuple(bad[0])]}"
        )
        q = self.requantised(items, tile)
        want_q = requantize_sums(want, requant.biases(tile.out_ch), requant.shift, requant.relu)
        bad = np.argwhere(q != want_q)
        assert not len(bad), (
            f"{name}: {len(bad)} int8 results differ ({requant.shift=}, {requant.relu=}), first at "
            f"{bad[0]}: rtl {q[tuple(bad[0])]} golden {want_q[tuple(bad[0])]}"
        )
        self.last_q = want_q
        predicted = expected_counters(tile, self.rtl, self.array, ready)
        measured = {k: delta[k] for k in predicted}
        assert_counters_equal(measured, predicted, self.rtl.counter_width)
        assert self.error() == (0, 0), f"{name}: error flag raised {self.error()}"
        self.dut._log.info(f"{name}: {tile} ok, {delta['cycles']} cycles, {delta['steps']} steps")
        return result, delta

    def watchdog(self, name, cycles=20000):
        return Watchdog(
            lambda: (self.progress, int(self.counters()["cycles"])), cycles, name
        ).start()
