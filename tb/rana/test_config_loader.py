"""cocotb regression of ``rtl/rana/config_loader.py`` against ``golden.rana.controller.run_loader``.

The loader reads each layer's words from its configuration memory when the
previous layer is done.  Checked for equality with the golden model: the
cycle, period and flags of every load, the presented layer fields (against
``golden.rana.config_words.unpack_words`` for well-formed networks), the
counters and the error flag.  Variants: the accelerator answers
``layer_done`` at once (back-to-back layers) or after random idle delays;
random malformed words (each rule of ``unpack_words``); an oversized
``n_layers`` (error, done at once — nothing hangs); an empty network.
"""

from __future__ import annotations

from functools import partial

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge

from hymem.golden.rana.config_words import LayerConfig, Pattern, pack_words, unpack_words, words_per_layer
from hymem.golden.rana.controller import layer_malformed, run_loader
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.hdl import handle, read, write
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rana.common import random_flags
from hymem.tb.runner import tb_component

LAYER_FIELDS = ("pattern", "tm", "tn", "tr", "tc", "layer_cycles", "banks_in", "banks_out", "banks_w")




def random_network(rng, n_banks: int, n_layers: int) -> list[LayerConfig]:
    out = []
    for _ in range(n_layers):
        b = rng.integers(0, n_banks // 3 + 1, size=3)
        out.append(LayerConfig(
            period=int(rng.integers(1, 1 << 24)), refresh_flags=random_flags(rng, n_banks),
            pattern=Pattern(int(rng.integers(0, 3))),
            tm=int(rng.integers(1, 1 << 16)), tn=int(rng.integers(1, 1 << 16)),
            tr=int(rng.integers(1, 1 << 16)), tc=int(rng.integers(1, 1 << 16)),
            layer_cycles=int(rng.integers(0, 1 << 32)),
            banks_in=int(b[0]), banks_out=int(b[1]), banks_w=int(b[2])))
    return out


def corrupt(rng, words: np.ndarray, n_banks: int, n_layers: int) -> np.ndarray:
    """Break one rule in about half of the layers (reserved bits, pattern 3, zero tile, flags beyond
    the banks, over-allocation, 'last' wrong, period 0 with flags)."""
    words = words.astype(np.uint64)
    per = words_per_layer(n_banks)
    for k in range(n_layers):
        if rng.random() < 0.5:
            continue
        base = k * per
        rule = int(rng.integers(0, 7))
        if rule == 0:
            words[base + 5] |= np.uint64(1 << int(rng.integers(16, 32)))
        elif rule == 1:
            words[base] = (words[base] & ~np.uint64(3 << 24)) | np.uint64(3 << 24)
        elif rule == 2:
            words[base + 2] &= np.uint64(0xFFFF0000)
        elif rule == 3 and n_banks % 32:
            words[base + per - 1] |= np.uint64(1 << 31)
        elif rule == 4:
            words[base + 4] = np.uint64(n_banks | (1 << 16))
        elif rule == 5:
            words[base] ^= np.uint64(1 << 26)
        else:
            words[base] &= ~np.uint64(0xFFFFFF)
            words[base + 6] |= np.uint64(1)
    return words


async def run_loader_tb(dut, name: str, words, n_layers: int, delays):
    component, config = tb_component()
    e = config.edram
    h = partial(handle, dut, component)
    for p in ("start", "layer_done", "n_layers", "cfg_write"):
        h(p).value = 0
    golden = run_loader(words, e.n_banks, e.config_memory_words, component.safe_period, n_layers, delays)
    board = Scoreboard(f"{name} loads", [(c, p, f) for c, p, f, _ in golden.applied])
    layers_seen = []
    cycle = {"n": 0}

    async def watch_loads():
        while True:
            await ReadOnly()
            if int(h("period_load").value):
                board.observe((cycle["n"], read(dut, component, "period"), read(dut, component, "flags")))
            await RisingEdge(dut.clk)
            cycle["n"] += 1

    watchdog = Watchdog(lambda: (len(layers_seen), board.matched, len(board.mismatches), len(board.unexpected)),
                        1000, name).start()
    await start_clock_and_reset(dut)
    for addr, word in enumerate(words):
        write(dut, component, "cfg_write", value={"en": 1, "addr": addr, "data": int(word)})
        await RisingEdge(dut.clk)
    write(dut, component, "cfg_write", value={"en": 0, "addr": 0, "data": 0})
    h("n_layers").value = n_layers
    h("start").value = 1
    cocotb.start_soon(watch_loads())  # cycle 0 = this cycle
    await RisingEdge(dut.clk)
    h("start").value = 0
    in_read_only = False
    for delay in delays[:n_layers]:
        await ReadOnly()
        in_read_only = True
        if int(h("done").value):
            break
        while True:
            valid = int(h("layer_valid").value)
            if valid:
                layers_seen.append(read(dut, component, "layer"))
            await RisingEdge(dut.clk)
            if valid:
                break
            await ReadOnly()
        if delay:
            await ClockCycles(dut.clk, int(delay))
        h("layer_done").value = 1
        await RisingEdge(dut.clk)
        h("layer_done").value = 0
        in_read_only = False
    while True:
        if not in_read_only:
            await ReadOnly()
        in_read_only = False
        if int(h("done").value):
            break
        await RisingEdge(dut.clk)
    watchdog.stop()
    assert cycle["n"] == golden.cycles, f"done in cycle {cycle['n']}, golden {golden.cycles}"
    assert_counters_equal(read_counters(dut, component),
                          {"layers_loaded": golden.layers_loaded, "malformed_layers": golden.malformed_layers})
    assert int(h("error").value) == golden.error
    board.check_empty()
    dut._log.info(f"{name}: {golden.layers_loaded} layers, {golden.malformed_layers} malformed, "
                  f"{golden.cycles} cycles")
    return layers_seen, golden


async def well_formed(dut, name: str, delay_range):
    _, config = tb_component()
    rng = seeded_rng(dut, name)
    n_banks = config.edram.n_banks
    net = random_network(rng, n_banks, 20)
    words = pack_words(net, n_banks)
    delays = rng.integers(*delay_range, size=len(net))
    seen, golden = await run_loader_tb(dut, name, words, len(net), delays)
    expected = [{f: int(getattr(c, f)) for f in LAYER_FIELDS} for c in unpack_words(words, n_banks)]
    assert seen == expected, "presented layer fields differ from unpack_words"
    assert golden.malformed_layers == 0


@cocotb.test()
async def test_loader_back_to_back(dut):
    """layer_done as soon as a layer is valid: the loader's own latency only."""
    await well_formed(dut, "back_to_back", (0, 1))


@cocotb.test()
async def test_loader_idle(dut):
    """Random idle time (the layer running) before each layer_done."""
    await well_formed(dut, "idle", (1, 200))


@cocotb.test()
async def test_loader_malformed(dut):
    """Each malformed layer is flagged and replaced by conventional refresh; the network completes."""
    _, config = tb_component()
    rng = seeded_rng(dut, "malformed")
    n_banks = config.edram.n_banks
    net = random_network(rng, n_banks, 24)
    words = corrupt(rng, pack_words(net, n_banks), n_banks, len(net))
    per = words_per_layer(n_banks)
    broken = sum(bool(layer_malformed(words[k * per:(k + 1) * per], k, len(net), n_banks)) for k in range(len(net)))
    _, golden = await run_loader_tb(dut, "malformed", words, len(net), rng.integers(0, 20, size=len(net)))
    assert golden.malformed_layers == broken > 0
    safe = [(p, f) for _, p, f, bad in golden.applied if bad]
    assert all(p == config.period_cycles(config.retention.typical_us) and f == (1 << n_banks) - 1 for p, f in safe)


@cocotb.test()
async def test_loader_oversized(dut):
    """n_layers beyond the memory: error and done in the cycle after start."""
    _component, config = tb_component()
    per = words_per_layer(config.edram.n_banks)
    _, golden = await run_loader_tb(dut, "oversized", np.zeros(per, dtype=np.uint32),
                                    config.edram.config_memory_words // per + 1, [0])
    assert golden.error and golden.layers_loaded == 0


@cocotb.test()
async def test_loader_empty_network(dut):
    """n_layers = 0 (found by make sim COVERAGE=1): done in the cycle after start, no error, nothing loaded."""
    _component, config = tb_component()
    per = words_per_layer(config.edram.n_banks)
    _, golden = await run_loader_tb(dut, "empty", np.zeros(per, dtype=np.uint32), 0, [0])
    assert not golden.error and golden.layers_loaded == 0 and golden.applied == []
    assert golden.cycles == 1
