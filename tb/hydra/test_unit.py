"""cocotb regression of ``rtl/hydra/unit.py`` against ``golden/hydra/unit.py`` and ``golden/hydra/cycles.py``.

Seeded random jobs — conv (K 1…5, stride 1 and 2, padding), max-pool and
fully connected, random FX16 data including the extremes — each loaded through
WRITE, configured with SET_REG, run with START (conv/FC half the time twice, the
second pass with ``accumulate`` on new data) and drained with READ: every
entry bit-exact against the golden function, and at the end every counter
(cycles of the runs, MAC pairs and busy cycles, AB/WB/OB accesses, commands,
bits) equal to the golden cycle model.  Malformed register stacks (zero
stride, kernel beyond the window buffers, tile beyond the buffers, unknown
mode) must raise ``error`` and leave the unit working.  Variants: plain, with
idle cycles on the WRITE data and back-pressure on READ, and directed jobs for the fill
engine's scan of ``[unit] scan_values`` values per cycle (rows not a multiple of V, boxes
starting in the padding, stride 2, K = 1, K = max_kernel, max-pool padding).
"""

from __future__ import annotations

from dataclasses import replace

import cocotb
import numpy as np

from hymem.golden.hydra.cycles import job_cycles
from hymem.golden.hydra.unit import MODES, UnitJob, job_error, unit_outputs
from hymem.tb.common.clock import start_clock_and_reset
from hymem.tb.common.counters import assert_counters_equal, read_counters
from hymem.tb.common.scoreboard import Scoreboard
from hymem.tb.common.seed import seeded_rng
from hymem.tb.common.stream import idle_gaps, ready_pattern
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.hydra.unit_driver import UnitHost
from hymem.tb.runner import tb_component

JOBS = 10
PAIR_BUDGET = 6_000  # pairs per lane over all jobs: keeps Icarus runs short


def random_values(rng, fmt, shape):
    kind = rng.integers(0, 3, size=shape)
    full = rng.integers(fmt.min_value, fmt.max_value + 1, size=shape)
    extreme = rng.choice([fmt.min_value, fmt.max_value, -1, 0, 1], size=shape)
    small = rng.integers(-4 << fmt.frac, (4 << fmt.frac) + 1, size=shape)
    return np.select([kind == 0, kind == 1], [full, extreme], default=small)


def random_job(rng, geo) -> UnitJob:
    mode = int(rng.choice([0, 0, 0, 1, 2]))
    if MODES[mode] == "fc":
        return UnitJob(mode=mode, in_h=1, in_w=1, out_h=1, out_w=1, kernel=1, stride=1, pad_top=0, pad_left=0,
                       m_count=int(rng.integers(1, min(geo.wb_values, geo.ob_words) + 1)),
                       bias=int(rng.integers(-2**15, 2**15)))
    k = int(rng.integers(1, min(geo.max_kernel, 5) + 1))
    s = int(rng.integers(1, 3))
    pad = int(rng.integers(0, k))
    in_h, in_w = int(rng.integers(k, k + 10)), int(rng.integers(k, k + 14))
    out_h = (in_h + 2 * pad - k) // s + 1
    out_w = (in_w + 2 * pad - k) // s + 1
    groups = -(-out_h * out_w // geo.n_macs)
    m_max = max(1, min(geo.wb_values // (k * k), geo.ob_words // groups, 12))
    return UnitJob(mode=mode, in_h=in_h, in_w=in_w, out_h=out_h, out_w=out_w, kernel=k, stride=s,
                   pad_top=pad, pad_left=pad, m_count=int(rng.integers(1, m_max + 1)),
                   bias=int(rng.integers(-2**15, 2**15)))


def malformed_jobs(geo) -> list[UnitJob]:
    base = UnitJob(mode=0, in_h=4, in_w=4, out_h=2, out_w=2, kernel=3, stride=1, pad_top=0, pad_left=0, m_count=1)
    bad = [
        UnitJob(**{**base.__dict__, "stride": 0}),
        UnitJob(**{**base.__dict__, "kernel": geo.max_kernel + 1}),
        UnitJob(**{**base.__dict__, "in_w": geo.ab_values // 4 + 1}),
        UnitJob(**{**base.__dict__, "mode": len(MODES)}),
        UnitJob(**{**base.__dict__, "shift": geo.acc_width}),
    ]
    assert all(job_error(job, geo) for job in bad)
    return bad


def conv(in_h, in_w, kernel, stride, pad, m_count=2, mode=0) -> UnitJob:
    """A conv (or max-pool, ``mode=1``) job over an ``in_h x in_w`` tile, same padding on all sides."""
    out_h, out_w = (in_h + 2 * pad - kernel) // stride + 1, (in_w + 2 * pad - kernel) // stride + 1
    return UnitJob(mode=mode, in_h=in_h, in_w=in_w, out_h=out_h, out_w=out_w, kernel=kernel, stride=stride,
                   pad_top=pad, pad_left=pad, m_count=m_count, bias=0x1234)


def directed_jobs(geo) -> list[UnitJob]:
    """Boxes whose rows are not a multiple of the scan width, start in the padding, or split a
    wide output row between groups (unaligned first values), stride 2, K = 1 and K = max_kernel."""
    k_max = geo.max_kernel
    jobs = [
        conv(4, 7, 3, 1, 0),                    # 7-value box rows
        conv(9, 11, 5, 1, 2),                   # boxes start 2 values left of the tile
        conv(10, 13, 3, 2, 1, m_count=3),       # stride 2
        conv(6, 9, 1, 1, 0), conv(5, 9, 1, 2, 0),   # K = 1, stride 1 and 2
        conv(k_max + 2, k_max + 3, k_max, 1, k_max // 2, m_count=1),   # K = max_kernel, padded
        conv(3, 2 * geo.n_macs + 6, 3, 1, 1),   # output rows wider than a group: unaligned box starts
        conv(7, 9, 3, 2, 1, mode=1),            # max-pool: padding scans the most negative value
    ]
    assert not any(job_error(job, geo) for job in jobs), [job_error(job, geo) for job in jobs]
    return jobs


async def run_unit(dut, name: str, idle_prob: float, stall_prob: float, directed: bool = False):
    component, _ = tb_component()
    config, geo = component.config, component.geo
    fmt, variant = config.fixed, config.mac.variant
    rng = seeded_rng(dut, name, f", {geo.n_macs} MACs ({variant}), bus {geo.bus_width} bits, "
                                f"scan {geo.scan_values} values/cycle")

    scoreboard = Scoreboard(f"{name} READ entries")
    host = UnitHost(dut, component, read_ready=ready_pattern(rng, 200_000, stall_prob),
                    on_item=scoreboard.observe)
    done_jobs = []
    if directed:
        jobs = directed_jobs(geo)
    else:
        jobs, pairs = [], 0
        while len(jobs) < JOBS and pairs < PAIR_BUDGET:
            job = random_job(rng, geo)
            pairs += job.groups(geo.n_macs) * job.channels * job.taps
            jobs.append(job)
        jobs[len(jobs) // 2:len(jobs) // 2] = malformed_jobs(geo)
    # Nothing the watchdog sees moves while a job computes: allow the longest job (the sequential MAC
    # takes 8 cycles per pair, so one large random job can exceed a fixed limit) plus a margin.
    longest = max(job_cycles(job, geo, variant)["cycles"] for job in jobs)
    watchdog = Watchdog(lambda: (host.cmd.sent, host.wdata.sent, len(host.rdata.items), len(done_jobs)),
                        2 * longest + 20_000, "hydra_unit").start()
    await start_clock_and_reset(dut)
    host.start()

    for job in jobs:
        dut._log.debug(f"{name}: job {job}")
        if job_error(job, geo):
            assert await host.run(job, variant), f"malformed job not flagged: {job_error(job, geo)}"
            done_jobs.append(job)
            continue
        # Conv/FC jobs are half the time followed by a pass that accumulates onto their entries.
        passes = 1 if job.is_pool or rng.random() < 0.5 else 2
        expected = None
        for accumulate in range(passes):
            job = replace(job, accumulate=accumulate)
            tile = random_values(rng, fmt, (job.in_h, job.in_w))
            weights = random_values(rng, fmt, (job.m_count, job.kernel, job.kernel))
            await host.write(True, tile, idle_gaps(rng, job.in_h * job.in_w, idle_prob))
            if not job.is_pool:
                await host.write(False, weights, idle_gaps(rng, weights.size, idle_prob))
            assert not await host.run(job, variant), "well-formed job raised error"
            expected = unit_outputs(tile, weights, job, fmt, previous=expected)
        scoreboard.expected.extend(int(v) for v in expected)
        await host.read(len(expected), job.positions)
        done_jobs.append(job)
        scoreboard.check()
    watchdog.stop()

    measured = read_counters(dut, component)
    dut._log.info(f"{name}: {len(jobs)} jobs, {scoreboard.matched} entries, counters {measured}")
    assert_counters_equal(measured, host.expected)
    scoreboard.check_empty()


@cocotb.test()
async def test_unit_random_layers(dut):
    """Random conv / max-pool / FC jobs and malformed ones, data always valid, READ always ready."""
    await run_unit(dut, "plain", idle_prob=0.0, stall_prob=0.0)


@cocotb.test()
async def test_unit_idle_and_backpressure(dut):
    """Idle cycles between WRITE beats and random back-pressure on READ."""
    await run_unit(dut, "idle_backpressure", idle_prob=0.3, stall_prob=0.4)


@cocotb.test()
async def test_unit_directed_scan(dut):
    """The fill engine's edge cases (``directed_jobs``), bit-exact and counter-exact."""
    await run_unit(dut, "directed_scan", idle_prob=0.0, stall_prob=0.0, directed=True)
