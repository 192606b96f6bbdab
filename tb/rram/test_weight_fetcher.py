"""cocotb regression of ``rtl/rram/weight_fetcher.py`` (weight tiles in consumption order).

The testbench plays the weight buffer (accepts reads when its random ``ready`` allows and
answers each ``weight_latency`` cycles later with the word stored at that address, responses
that cannot be refused) and the MAC steps (take ``word`` when their random ``ready`` allows).
Reference: the loop nest's weight sequence (for every output-channel group, for every block
of b pixel groups, the in_groups x K x K tiles ``weight_base + o·in_groups·K² + (c·K + ky)·K +
kx``), so the read addresses and the words handed out must follow it exactly, reads in
flight plus words queued must never exceed ``weight_fifo_depth`` (a response always finds
room), no read may follow the last one, and the number of words equals
``loop_nest_counts``' weight tiles.  Variants: the consumer idling (word ``ready`` low often),
and back-pressure from the weight buffer (``req.ready`` low often).
"""

from __future__ import annotations

import math

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from hymem.golden.rram.params import load_params
from hymem.golden.rram.rtl_params import Order
from hymem.golden.rram.rtl_timing import Tile, loop_nest_counts
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.rram.harness import start_block_bench, watched_runs
from hymem.tb.rram.layout import registers

TILES = 5


def weight_sequence(tile: Tile, rtl, base: int) -> list[int]:
    rg = math.ceil(tile.out_w / rtl.p)
    blocks = math.ceil(tile.out_h * rg / tile.block())
    per_o = math.ceil(tile.in_ch / rtl.m) * tile.kernel ** 2
    return [base + o * per_o + w for o in range(math.ceil(tile.out_ch / rtl.n))
            for _ in range(blocks) for w in range(per_o)]


def random_tile(rng, rtl) -> tuple[Tile, int]:
    """A small tile whose weight tiles fit the instance's weight buffer, and its base."""
    while True:
        k = int(rng.integers(1, 4))
        h, w = int(rng.integers(k, k + 3)), int(rng.integers(k, k + 2 * rtl.p))
        tile = Tile(int(rng.integers(1, 2 * rtl.m + 1)), int(rng.integers(1, 2 * rtl.n + 1)), k,
                    1, h, w, (0, 0, 0, 0), Order(int(rng.integers(2))),
                    int(rng.integers(0, rtl.max_groups + 1)))
        words = math.ceil(tile.in_ch / rtl.m) * k * k * math.ceil(tile.out_ch / rtl.n)
        if words <= rtl.weight_depth:
            return tile, int(rng.integers(0, rtl.weight_depth - words + 1))


async def run_tile(dut, component, rng, tile, base, req_ready: float, word_ready: float,
                   progress):
    rtl = component.rtl
    addrs = weight_sequence(tile, rtl, base)
    assert len(addrs) == loop_nest_counts(tile, rtl, load_params().array)["weight_reads"]
    width = len(handle(dut, component, "resp_data"))
    memory = {a: int(rng.integers(0, 2**62)) << 64 | int(rng.integers(0, 2**62))
              for a in range(rtl.weight_depth)}
    memory = {a: v & ((1 << width) - 1) for a, v in memory.items()}
    write(dut, component, "tile",
          value={reg.name.lower(): v for reg, v in registers(tile, rtl, base).items()})
    write(dut, component, "start", value=1)
    await RisingEdge(dut.clk)
    write(dut, component, "start", value=0)
    reads = Scoreboard(f"{tile} reads", addrs)
    words = Scoreboard(f"{tile} words", [memory[a] for a in addrs])
    due, outstanding, worst, cycle, tail = {}, 0, 0, 0, 0
    while words.matched + len(words.mismatches) < len(addrs) or tail < rtl.weight_latency + 3:
        if words.matched + len(words.mismatches) >= len(addrs):
            tail += 1  # after the last word: no read may be issued
        resp = due.pop(cycle, None)
        write(dut, component, "resp_valid", value=int(resp is not None))
        handle(dut, component, "resp_data").value = memory[resp] if resp is not None else 0
        write(dut, component, "req", "ready", value=int(rng.random() < req_ready))
        write(dut, component, "word", "ready", value=int(rng.random() < word_ready))
        await ReadOnly()
        if read(dut, component, "req", "valid") and read(dut, component, "req", "ready"):
            addr = read(dut, component, "req", "payload")
            reads.observe(addr)
            due[cycle + rtl.weight_latency] = addr
            outstanding += 1
        if read(dut, component, "word", "valid") and read(dut, component, "word", "ready"):
            words.observe(int(handle(dut, component, "word", "payload").value))
            outstanding -= 1
            progress[0] += 1
        worst = max(worst, outstanding)
        await RisingEdge(dut.clk)
        cycle += 1
    reads.check_empty()
    words.check_empty()
    assert worst <= rtl.weight_fifo_depth, f"{tile}: {worst} reads in flight + queued"
    return len(addrs), cycle, worst


async def run(dut, name: str, req_ready: float, word_ready: float):
    component, rng = await start_block_bench(dut, name, [("start",), ("resp_valid",)])

    async def one_tile(progress):
        tile, base = random_tile(rng, component.rtl)
        n, cycles, worst = await run_tile(dut, component, rng, tile, base, req_ready, word_ready, progress)
        return f"{tile} base {base}: {n} words in {cycles} cycles, at most {worst} reserved"

    await watched_runs(dut, name, TILES, one_tile)


@cocotb.test()
async def idle_consumer(dut):
    await run(dut, "idle", req_ready=1.0, word_ready=0.4)


@cocotb.test()
async def back_pressure(dut):
    await run(dut, "back_pressure", req_ready=0.4, word_ready=0.9)
