"""cocotb regression of ``rtl/rana/edram_controller.py`` against ``golden/rana/controller.py``.

Every test loads per-layer configuration words, runs the layers under the
protocol of ``golden.rana.controller`` and asserts that every RTL counter
(pulses, rows refreshed per bank, words refreshed, accesses, stall cycles,
violations, layers loaded, malformed layers) and the cycle of every accepted
access equal the golden cycle model's.  Variants: no traffic (idle),
dense traffic with short refresh periods (stalls = back-pressure on the
access stream, and violations), malformed configuration words, and the
retention-checked co-simulation with the eDRAM model of
``tb/common/edram.py`` (see ``tb/rana/cosim.py`` for the time scale and the
traffic)."""

from __future__ import annotations

import cocotb
import numpy as np
from amaranth.hdl import Shape
from cocotb.triggers import ReadOnly, RisingEdge
from scipy.stats import poisson

from hymem.golden.rana.config_words import pack_words, words_per_layer
from hymem.golden.rana.controller import LayerTraffic
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rana.cosim import scheduled_layers
from hymem.tb.rana.harness import (
    CONFIDENCE,
    WATCHDOG_CYCLES,
    Bench,
    check_within,
    cosim,
    random_layers,
    random_traffic,
    run_dense,
)
from hymem.tb.runner import tb_component


@cocotb.test()
async def test_idle_layers(dut):
    """Three layers, random flags and periods, no buffer traffic: sweeps run at full speed."""
    bench = Bench(dut, "idle")
    rng = seeded_rng(dut, "idle")
    e = bench.config.edram
    configs = random_layers(rng, e.n_banks, 3, (800, 3000), 6000)
    words = pack_words(configs, e.n_banks)
    layers = [LayerTraffic([], [], [], [], tail=int(rng.integers(2000, 6000))) for _ in configs]
    watchdog = Watchdog(bench.progress, WATCHDOG_CYCLES, "rana idle").start()
    measured = await bench.run(words, len(configs), layers)
    watchdog.stop()
    counters = bench.check_against_golden(words, len(configs), layers, measured)
    assert counters["words_refreshed"] > 0 and counters["violations"] == 0


@cocotb.test()
async def test_backpressure_stalls(dut):
    """Dense accesses on a few banks: refresh defers, then stalls accesses (bounded); no violation."""
    e = tb_component()[1].edram
    sweep = e.rows_per_bank * (e.refresh_max_wait + 1)  # worst-case sweep under any traffic
    counters = await run_dense(dut, "backpressure", 0.0, (sweep + 10, sweep + 400), 4000)
    assert counters["stall_cycles"] > 0 and counters["violations"] == 0


@cocotb.test()
async def test_violations(dut):
    """Pulses closer than a sweep: every flagged bank is late at every pulse."""
    e = tb_component()[1].edram
    counters = await run_dense(dut, "violations", 0.3, (e.rows_per_bank // 3, e.rows_per_bank // 2), 1500)
    assert counters["violations"] > 0


@cocotb.test()
async def test_malformed_accesses(dut):
    """Accesses naming a bank or row outside the buffer are dropped, flagged and counted; the run goes on."""
    bench = Bench(dut, "bad_accesses")
    rng = seeded_rng(dut, "bad_accesses")
    e = bench.config.edram
    configs = random_layers(rng, e.n_banks, 2, (e.rows_per_bank + 100, 3000), 4000)
    words = pack_words(configs, e.n_banks)
    layout = bench.access_shape
    layers = []
    for _ in configs:
        t = random_traffic(rng, e.n_banks, e.rows_per_bank, 600, 0.3, 500)
        bad = rng.random(len(t.bank)) < 0.05
        t.row = np.where(bad, rng.integers(e.rows_per_bank, 1 << Shape.cast(layout["row"].shape).width,
                                           len(t.row)), t.row)
        spare_banks = (1 << Shape.cast(layout["bank"].shape).width) - e.n_banks   # 0 at 64 banks
        if spare_banks:
            t.bank = np.where(bad & (rng.random(len(t.bank)) < 0.5),
                              rng.integers(e.n_banks, e.n_banks + spare_banks, len(t.bank)), t.bank)
        layers.append(t)
    watchdog = Watchdog(bench.progress, WATCHDOG_CYCLES, "rana bad accesses").start()
    measured = await bench.run(words, len(configs), layers)
    watchdog.stop()
    counters = bench.check_against_golden(words, len(configs), layers, measured)
    assert counters["bad_accesses"] > 0 and int(bench.h("access_error").value) == 1
    assert int(bench.h("done").value) == 1


@cocotb.test()
async def test_malformed_words(dut):
    """Malformed layers raise error, fall back to all banks at the safe period, and the run completes."""
    bench = Bench(dut, "malformed")
    rng = seeded_rng(dut, "malformed")
    e = bench.config.edram
    configs = random_layers(rng, e.n_banks, 5, (900, 2000), 3000)
    words = pack_words(configs, e.n_banks).astype(np.uint64)
    per = words_per_layer(e.n_banks)
    words[1 * per + 0] |= 3 << 24          # layer 1: pattern 3
    words[2 * per + 1] &= 0xFFFF0000       # layer 2: tm = 0
    words[3 * per + 0] &= ~np.uint64(0xFFFFFF)  # layer 3: period 0 with flags set
    words[3 * per + 6] |= 1
    layers = [LayerTraffic([], [], [], [], tail=2500) for _ in configs]
    watchdog = Watchdog(bench.progress, WATCHDOG_CYCLES, "rana malformed").start()
    measured = await bench.run(words, len(configs), layers)
    watchdog.stop()
    counters = bench.check_against_golden(words, len(configs), layers, measured)
    assert counters["malformed_layers"] == 3 and int(bench.h("error").value) == 1

    # More layers than the memory holds: error and done at once, nothing hangs.
    await RisingEdge(dut.clk)
    bench.h("n_layers").value = e.config_memory_words // per + 1
    bench.h("start").value = 1
    await RisingEdge(dut.clk)
    bench.h("start").value = 0
    await ReadOnly()
    assert int(bench.h("done").value) == 1 and int(bench.h("error").value) == 1


@cocotb.test(expect_fail=True)
async def test_watchdog_stops_a_stuck_run(dut):
    """An accelerator that never reports layer_done: the watchdog must fail the test quickly."""
    bench = Bench(dut, "stuck")
    e = bench.config.edram
    words = pack_words(random_layers(seeded_rng(dut, "stuck"), e.n_banks, 1, (900, 1000), 100), e.n_banks)
    Watchdog(bench.progress, 500, "rana stuck").start()
    await start_clock_and_reset(dut)
    await bench.load(words)
    bench.h("n_layers").value = 1
    bench.h("start").value = 1
    await RisingEdge(dut.clk)
    bench.h("start").value = 0
    while not int(bench.h("done").value):  # layer_done never comes
        await RisingEdge(dut.clk)


@cocotb.test()
async def test_cosim_conventional_45us(dut):
    """eD+OD (Table IV): all banks refreshed every 45 us (ResNet-50 res2a_branch2c); data keeps within 3e-6."""
    config = tb_component()[1]
    scale = 8
    sched = scheduled_layers("resnet50", "eD+OD", ["res2a_branch2c"], scale, config)
    assert sched[0].config.refresh_flags == (1 << config.edram.n_banks) - 1, "conventional: every bank refreshed"
    stats, _ = await cosim(dut, "conventional_45us", sched, scale, budget=4000)
    check_within(dut, "conventional_45us", stats, config.retention.typical_failure_rate)


@cocotb.test()
async def test_cosim_rana_star(dut):
    """RANA*(E-5): 734 us pulses, flags only on banks whose data outlives 734 us (OD inputs, WD weights)."""
    config = tb_component()[1]
    scale = 32
    sched = scheduled_layers("resnet50", "RANA*(E-5)", ["res3c_branch2c", "res3a_branch1"], scale, config)
    assert all(s.config.refresh_flags for s in sched), "these layers need refresh at 734 us"
    stats, _ = await cosim(dut, "rana_star", sched, scale, budget=3000)
    check_within(dut, "rana_star", stats, config.retention.tolerable_failure_rate)


@cocotb.test()
async def test_cosim_rana_star_wd(dut):
    """RANA*(E-5) on a WD layer (VGG-16 conv2_1): only the weights' banks are flagged; inputs and outputs,
    which live shorter than 734 us, sit in unrefreshed banks and must still read back within 1e-5."""
    config = tb_component()[1]
    scale = 32
    (layer,) = scheduled_layers("vgg16", "RANA*(E-5)", ["conv2_1"], scale, config)
    assert layer.needs_refresh == {"input": False, "output": False, "weight": True}, layer.needs_refresh
    first, count = layer.banks["weight"]
    assert layer.config.refresh_flags == ((1 << count) - 1) << first, "flags on exactly the weight banks"
    stats, _ = await cosim(dut, "rana_star_wd", [layer], scale, budget=3000)
    check_within(dut, "rana_star_wd", stats, config.retention.tolerable_failure_rate)


@cocotb.test()
async def test_cosim_flags_withheld(dut):
    """Liveness: VGG-16 conv4_2 in ID (eD+ID) keeps its inputs for the whole layer; without flags the BER explodes."""
    config = tb_component()[1]
    scale = 64
    sched = scheduled_layers("vgg16", "eD+ID", ["conv4_2"], scale, config, withhold_flags=True)
    assert sched[0].needs_refresh["input"], "the scheduler must want refresh here for the test to mean anything"
    stats, _ = await cosim(dut, "flags_withheld", sched, scale, budget=20000, kinds=("input",))
    assumed = config.retention.typical_failure_rate
    (_k, errors, bits), = stats
    bound = poisson.ppf(1 - CONFIDENCE, assumed * bits)
    dut._log.info(f"flags_withheld: {errors} bit errors in {bits} bits (BER {errors / bits:.2e}, "
                  f"{errors / bits / assumed:.1f}x the assumed {assumed:.0e}; bound {int(bound)})")
    assert errors > bound and errors / bits > 3 * assumed
