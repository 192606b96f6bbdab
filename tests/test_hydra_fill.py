"""The Hydra fill engine's scan of ``[unit] scan_values`` (V) activations per cycle (issue 18).

Golden: the closed form of ``golden.hydra.cycles.group_boxes`` against a step-by-step walk of the
scan written here from the description (every box row in steps of V values); the configuration's
checks.  RTL: the unit's regression (random, idle/back-pressure and directed jobs) with V = 1
(the one-value engine) and V = 2 (two values per AB bank word); the default V = 4 runs in
``tests/test_rtl.py``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.hydra.cycles import fill_phases, group_boxes, job_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.hydra.unit import UnitConfigError, UnitGeometry, UnitJob
from hymem.tools.runner import run_cocotb

REPO = Path(__file__).resolve().parent.parent
CONFIG = load_hydra_config()


def walk_scan(job: UnitJob, n_macs: int, v: int) -> tuple[list[int], list[int]]:
    """Per group: the scan's steps and the in-tile values it reads, by walking the scan."""
    steps, reads = [], []
    positions = [(oy * job.stride - job.pad_top, ox * job.stride - job.pad_left)
                 for oy in range(job.out_h) for ox in range(job.out_w)]
    for first in range(0, len(positions), n_macs):
        bases = positions[first:first + n_macs]
        ys = range(min(y for y, _ in bases), max(y for y, _ in bases) + job.kernel)
        x_lo, x_hi = min(x for _, x in bases), max(x for _, x in bases) + job.kernel - 1
        n_steps = n_reads = 0
        for y in ys:
            x = x_lo
            while x <= x_hi:
                n_steps += 1
                n_reads += sum(0 <= y < job.in_h and 0 <= xi < job.in_w for xi in range(x, min(x + v, x_hi + 1)))
                x += v
        steps.append(n_steps)
        reads.append(n_reads)
    return steps, reads


def random_job(rng) -> UnitJob:
    k, s = int(rng.integers(1, 8)), int(rng.integers(1, 3))
    pad = int(rng.integers(0, k))
    in_h, in_w = int(rng.integers(k, k + 9)), int(rng.integers(k, k + 80))
    return UnitJob(mode=0, in_h=in_h, in_w=in_w, out_h=(in_h + 2 * pad - k) // s + 1,
                   out_w=(in_w + 2 * pad - k) // s + 1, kernel=k, stride=s, pad_top=pad, pad_left=pad, m_count=1)


@pytest.mark.parametrize("v", [1, 2, 4])
def test_group_boxes_equals_the_walked_scan(v):
    rng = np.random.default_rng(18 + v)
    for _ in range(60):
        job = random_job(rng)
        steps, reads = group_boxes(job, 32, v)
        assert (steps.tolist(), reads.tolist()) == walk_scan(job, 32, v), job


def test_fill_term_by_hand():
    """One group, a 3x3 kernel over 4 x 7 without padding: 2 x 5 positions, a 4 x 7 box; with
    V = 4 each box row is 2 steps (4 + 3 values): fill = 32 + 1 + 4 * 2 + 2 = 43 (the lanes'
    assignment, its hand-over, BOX + steps + DRAIN) > compute 9 + 4."""
    job = UnitJob(mode=0, in_h=4, in_w=7, out_h=2, out_w=5, kernel=3, stride=1, pad_top=0, pad_left=0, m_count=1)
    geo = UnitGeometry.from_config(CONFIG)
    assert geo.scan_values == 4
    # 2 check cycles, F_0 + 1, then the one group's compute C + 1 (pipelined MAC: T + 4)
    assert job_cycles(job, geo, "pipelined")["cycles"] == 2 + (32 + 1 + 8 + 2 + 1) + (9 + 4 + 1)
    one = replace(geo, scan_values=1)
    assert job_cycles(job, one, "pipelined")["cycles"] == 2 + (32 + 1 + 28 + 2 + 1) + (9 + 4 + 1)
    # the AB values read do not depend on V
    assert job_cycles(job, one, "pipelined")["ab_reads"] == job_cycles(job, geo, "pipelined")["ab_reads"] == 28


@pytest.mark.parametrize("v, why", [(3, "power of two"), (8, "power of two <= the 4 values")])
def test_bad_scan_values_are_refused(v, why):
    config = replace(CONFIG, unit=replace(CONFIG.unit, scan_values=v))
    with pytest.raises(UnitConfigError, match=f"unit.scan_values={v}: must be a {why}"):
        UnitGeometry.from_config(config)
    with pytest.raises(ConfigError, match="unit.scan_values=0: must be >= 1"):
        replace(CONFIG.unit, scan_values=0)


def scan_config(tmp_path, v: int) -> Path:
    text = (REPO / "configs" / "hydra.toml").read_text()
    assert "\nscan_values = 4 " in text
    path = tmp_path / f"hydra_scan{v}.toml"
    path.write_text(text.replace("\nscan_values = 4 ", f"\nscan_values = {v} "))
    assert load_hydra_config(path).unit.scan_values == v
    return path


@pytest.mark.parametrize("v", [1, 2])
def test_unit_with_scan_values(tmp_path, sim, v):
    run_cocotb("hydra_unit", "hymem.tb.hydra.test_unit", sim, test_id=f"hydra_unit-scan{v}",
               config=scan_config(tmp_path, v))


def test_lane_assignment_overlaps_the_previous_group():
    """Three groups of 10 scan steps, compute C = 13, N = 32: group 0 waits N + 1 = 33 for its
    lanes and its phase is 33 + 10 + 2 + 1 = 46.  Group 1's assignment starts when group 0's scan
    does (cycle 33), ready at 66: group 1 (phase start 46) waits 20, fills 20 + 10 + 2, phase 33.
    Group 2's assignment starts when group 1 takes its lanes (66), ready at 99, its phase starts at
    79: the same 20-cycle wait — with short scans the assigner sets the pace, N + 1 per group."""
    steps = np.array([10, 10, 10])
    assert fill_phases(steps, 32, 13) == [46, 33, 33]
    # long compute (C = 100): group 1 waits as before, group 2's lanes are ready before its start
    assert fill_phases(steps, 32, 100) == [46, 101, 101]
