"""Schedules of seed 002 §4 (golden/rram/schedule.py): hand-counted traffic of small stage
chains, SEARCHFIXEDWEIGHT against brute force, the knapsack DP against a brute-force knapsack."""

import itertools
import random

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.rram.schedule import (
    Stage,
    brute_force_fixed_weight,
    fast_fixed_weight,
    knapsack_fixed_weight,
    plan,
    plan_totals,
    search_fixed_weight,
    stages_of,
    tree_leaves,
)
from hymem.golden.workloads import get_network

SEED = 20260315


def _stage(name, w, i, o, halo):
    return Stage(name, w, i, o, o, halo, None)


TWO = [_stage("a", 100, 50, 40, 5), _stage("b", 300, 40, 30, 4)]


def test_everything_fits_reads_weights_and_image_once():
    t = plan(TWO, (100, 2), 1000, "single")
    assert t.ddr_weight_rd == (100, 300) and t.ddr_fmap_rd == (50, 0) and t.ddr_wr == (0, 30)
    assert plan(TWO, (100, 2), 200, "single").total == 480   # b streams through 200 B once


def test_small_io_buffer_bands_halo_and_spill_by_hand():
    # a: 2 bands (50 > 30), input + 1 halo = 55; its 40 B output spills (written, read by b)
    # b: 2 bands, 40 + 4 = 44 read; final 30 written
    t = plan(TWO, (30, 2), 1000, "single")
    assert t.ddr_fmap_rd == (55, 44) and t.ddr_wr == (40, 30)
    assert t.total == 100 + 55 + 40 + 300 + 44 + 30
    # fused: both weights in 1000 B; group input 50 B in 2 bands, the 40 B map stays on chip
    fused = plan(TWO, (30, 2), 1000, "cross")
    assert fused.groups == ((0, 1),) and fused.total == 400 + 55 + 30


def test_single_layer_picks_reuse_weights_or_feature_maps():
    # b: W = 300 > A_w = 150, 2 bands of 44 B: reuse fmaps 44 + 2*300 = 644,
    # reuse weights 300 + 44 * ceil(300/150) = 388 -> weights once, maps twice
    t = plan(TWO, (30, 2), 150, "single")
    assert t.ddr_weight_rd[1] == 300 and t.ddr_fmap_rd[1] == 88
    # many weights, few bands favour reuse fmaps: 2 bands of a 150 B map, W = 1000 = 10 chunks:
    # fmaps 150 + 1000*2 = 2150 < weights 1000 + 150*10 = 2500
    big = [_stage("c", 1000, 150, 100, 0)]
    t = plan(big, (100, 2), 100, "single")
    assert (t.ddr_weight_rd[0], t.ddr_fmap_rd[0]) == (2000, 150)


def test_one_shared_io_buffer_needs_input_plus_output():
    assert plan(TWO, 100, 1000, "single").ddr_wr == (0, 30)     # 50+40 and 40+30 fit in 100
    assert plan(TWO, 80, 1000, "single").ddr_wr == (40, 30)     # 50+40 = 90 does not


def _random_chain(rng, n):
    return [_stage(f"s{k}", rng.randint(1, 60), rng.randint(1, 80), rng.randint(1, 80),
                   rng.randint(0, 6)) for k in range(n)]


def test_tree_search_equals_brute_force_and_the_vectorised_leaves():
    print("seed", SEED)
    rng = random.Random(SEED)
    for _ in range(25):
        chain = _random_chain(rng, rng.randint(1, 6))
        b_io, b_w = (rng.randint(20, 120), rng.choice([1, 2])), rng.randint(60, 200)
        try:
            exact = brute_force_fixed_weight(chain, b_io, b_w)
        except ConfigError:
            with pytest.raises(ConfigError):
                search_fixed_weight(chain, b_io, b_w)
            continue
        assert search_fixed_weight(chain, b_io, b_w).total == exact.total
        assert fast_fixed_weight(chain, b_io, b_w).total == exact.total
        leaves = tree_leaves(chain, b_w)
        scalar = [_total_or_inf(chain, b_io, b_w, f) for f in leaves]
        assert np.array_equal(plan_totals(chain, b_io, b_w, leaves), scalar)


def _total_or_inf(chain, b_io, b_w, fixed):
    try:
        return plan(chain, b_io, b_w, "fixed", fixed).total
    except ConfigError:   # no weight space left for an unfixed layer
        return np.inf


def test_tree_leaves_are_exactly_the_subsets_that_fit():
    chain = [_stage(f"s{k}", w, 1, 1, 0) for k, w in enumerate((5, 7, 3, 9))]
    leaves = {tuple(row) for row in tree_leaves(chain, 12)}
    fit = {f for f in itertools.product((False, True), repeat=4)
           if sum(s.w for s, x in zip(chain, f) if x) <= 12}
    assert leaves == fit


def test_knapsack_dp_is_the_best_separable_choice():
    rng = random.Random(SEED + 1)
    for _ in range(20):
        chain = [_stage(f"s{k}", rng.randint(1, 40) * 1024, 1, 1, 0) for k in range(6)]
        cap = rng.randint(10, 120) * 1024
        chosen = knapsack_fixed_weight(chain, cap)
        best = max(sum(s.w for s, x in zip(chain, f) if x)
                   for f in itertools.product((False, True), repeat=6)
                   if sum(s.w for s, x in zip(chain, f) if x) <= cap)
        assert sum(s.w for s, x in zip(chain, chosen) if x) == best


def test_vgg11_stages_pool_on_write():
    convs = [lay for lay in get_network("vgg11").layers if lay.kind != "fc"]
    st = stages_of(convs)
    assert [s.o for s in st][:2] == [64 * 112 * 112, 128 * 56 * 56]   # pooled
    assert st[2].o == 256 * 56 * 56                                     # conv3_1: no pool
    assert sum(s.w for s in st) == 9_217_728
    unpooled = stages_of(convs, pool_on_write=False)
    assert unpooled[0].o == 64 * 224 * 224


def test_an_io_buffer_below_one_band_is_an_error():
    lay = get_network("vgg11").layers[0]          # conv1_1: 3 rows of 3 x 224 B
    st = stages_of([lay])
    with pytest.raises(ConfigError, match="too small for one band of layer 'conv1_1'"):
        plan(st, (2000, 2), 10_000, "single")
    assert plan(st, (2016, 2), 10_000, "single").total > 0


def test_fixed_weights_that_do_not_fit_are_an_error():
    with pytest.raises(ConfigError, match="exceed the weight buffer"):
        plan(TWO, (100, 2), 200, "fixed", (True, True))
    with pytest.raises(ConfigError, match="valid: single, cross, fixed"):
        plan(TWO, (100, 2), 200, "greedy")


def test_band_overlap_rows_kept_on_chip():
    """model.band_overlap = false: bands read their input once; true: each band after the first
    re-reads the K - s rows it shares with the previous one (by hand: conv1_1's 64 x 224 x 224 B
    output in 64 KB bands is 49 bands)."""
    lay = get_network("vgg11").layers[0]          # 3 x 224 x 224 input = 150 528 B, K=3, s=1
    with_overlap, without = stages_of([lay]), stages_of([lay], band_overlap=False)
    assert (with_overlap[0].halo, without[0].halo) == (2 * 3 * 224, 0)
    b_io = (64 * 1024, 2)
    rd = [plan(st, b_io, 10_000, "single").ddr_fmap_rd[0] for st in (with_overlap, without)]
    assert rd == [150_528 + 48 * 2 * 3 * 224, 150_528]
