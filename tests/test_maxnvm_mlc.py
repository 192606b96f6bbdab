"""MLC cell model (golden/maxnvm/mlc.py): closed-form rates, level coding, fault injection statistics."""

import math

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.maxnvm import mlc
from hymem.golden.maxnvm.params import MlcTech, load_maxnvm_config
from hymem.golden.tech import load_tech

CFG = load_maxnvm_config().mlc
PAPER = load_tech("maxnvm_envm").components["mlc_faults"].quantities  # seed 003 §2.3 numbers


def q(x):
    return 0.5 * math.erfc(x / math.sqrt(2))


def test_symmetric_mlc2_rates_match_hand_erfc():
    # equal sigmas, no erased gap, no offset: means 0, 1/3, 2/3, 1; thresholds 1/6, 1/2, 5/6
    s = 0.05
    tech = MlcTech(sigma=s, sigma_erased=s, erased_gap=1.0, sense_offset=0.0)
    m = mlc.level_model(tech, 2)
    assert m.means == pytest.approx((0, 1 / 3, 2 / 3, 1))
    assert m.thresholds == pytest.approx((1 / 6, 1 / 2, 5 / 6))
    down, up = mlc.adjacent_rates(tech, 2)
    one = q(1 / 6 / s)
    assert up == pytest.approx([one, one, one, 0], rel=1e-9)
    assert down == pytest.approx([0, one, one, one], rel=1e-9)
    p = mlc.transition_matrix(tech, 2)
    assert p[1, 3] == pytest.approx(q(1 / 2 / s), rel=1e-9)  # two levels up: past threshold 5/6
    assert p.sum(axis=1) == pytest.approx(np.ones(4), abs=1e-15)


def test_erased_level_offset_and_gap_hand_values():
    # MLC3: spacing 1/(6 + g); equal-tail threshold between level 0 and 1, shifted by offset*sigma
    tech = MlcTech(sigma=0.02, sigma_erased=0.04, erased_gap=1.5, sense_offset=0.2)
    sp = 1 / 7.5
    t01 = 1.5 * sp * 0.04 / 0.06 + 0.2 * 0.02
    t12 = 1.5 * sp + sp / 2 + 0.2 * 0.02
    down, up = mlc.adjacent_rates(tech, 3)
    # erased -> level 1 is the mass between t01 and t12 (the wide level reaches t12: 6.6e-12)
    assert up[0] == pytest.approx(q(t01 / 0.04) - q(t12 / 0.04), rel=1e-9)
    assert down[1] == pytest.approx(q((1.5 * sp - t01) / 0.02), rel=1e-9)
    assert up[1] == pytest.approx(q((t12 - 1.5 * sp) / 0.02), rel=1e-9)


def test_configured_technologies_span_the_papers_range():
    """seed 003 §2.3: MLC3 adjacent-level rates 1e-3..1e-5; non-adjacent <= 1.5e-10 (footnote 1)."""
    worst = {t: max(r.max() for r in mlc.adjacent_rates(CFG.tech(t), 3)) for t in ("ctt", "rram")}
    high, low = PAPER["mlc3_fault_rate_high"].value, PAPER["mlc3_fault_rate_low"].value
    assert high / 2 <= worst["ctt"] <= 2 * high
    assert low / 2 <= worst["rram"] <= 2 * low
    for t in ("ctt", "rram"):
        for bpc in mlc.BITS_PER_CELL:
            assert mlc.nonadjacent_rate(CFG.tech(t), bpc) <= PAPER["non_adjacent_misread_max"].value
        # fewer levels -> fewer faults
        rates = [mlc.cell_fault_rate(CFG.tech(t), b) for b in mlc.BITS_PER_CELL]
        assert rates[0] < rates[1] < rates[2]


def test_sense_offset_changes_rates_less_than_2x():
    """§2.3: the chosen sense amp alters the inherent inter-level fault rates by < 2x."""
    for t in ("ctt", "rram"):
        tech = CFG.tech(t)
        ideal = MlcTech(tech.sigma, tech.sigma_erased, tech.erased_gap, 0.0)
        a = np.concatenate(mlc.adjacent_rates(tech, 3))
        b = np.concatenate(mlc.adjacent_rates(ideal, 3))
        ratio = a[b > 0] / b[b > 0]
        limit = PAPER["sense_amp_rate_change_max"].value
        assert ratio.max() < limit and ratio.min() > 1 / limit


@pytest.mark.parametrize("bpc", mlc.BITS_PER_CELL)
@pytest.mark.parametrize("code", ["gray", "binary"])
def test_level_mapping_round_trip_and_gray_adjacency(bpc, code):
    rng = np.random.default_rng(3)
    bits = rng.integers(0, 2, 301).astype(np.uint8)  # not a multiple of bpc: last cell padded
    levels = mlc.levels_of_bits(bits, bpc, code)
    assert levels.size == -(-301 // bpc) and levels.max() < 2 ** bpc
    assert np.array_equal(mlc.bits_of_levels(levels, bpc, bits.size, code), bits)
    if code == "gray":
        for lv in range(2 ** bpc - 1):
            a = mlc.bits_of_levels(np.array([lv]), bpc, bpc)
            b = mlc.bits_of_levels(np.array([lv + 1]), bpc, bpc)
            assert int(np.sum(a != b)) == 1


def test_injection_statistics_match_closed_form():
    seed = 12345
    print("seed", seed)
    rng = np.random.default_rng(seed)
    tech = MlcTech(sigma=0.03, sigma_erased=0.05, erased_gap=1.3, sense_offset=0.1)  # ~1e-2 rates
    bits = rng.integers(0, 2, 3 * 200_000).astype(np.uint8)
    levels = mlc.levels_of_bits(bits, 3)
    down, up = mlc.adjacent_rates(tech, 3)
    expected = float(np.sum(down[levels] + up[levels]))
    res = mlc.inject(bits, 3, tech, rng)
    assert abs(res.faulty_cells - expected) < 5 * math.sqrt(expected)
    read = mlc.levels_of_bits(res.bits, 3)
    assert int(np.sum(read != levels)) == res.faulty_cells
    assert np.all(np.abs(read - levels) <= 1)
    # Gray: each faulty cell flips exactly one bit
    assert int(np.sum(res.bits != bits)) == res.faulty_cells
    # the direction split follows the per-level rates: level 0 can only go up
    went_up = read > levels
    exp_up = float(np.sum(up[levels]))
    assert abs(int(went_up.sum()) - exp_up) < 5 * math.sqrt(exp_up)
    assert not np.any((levels == 0) & (read < levels))


def test_accelerated_injection_scales_every_level_rate():
    """acceleration a: each level faults up/down at a x its closed-form rates (profile kept)."""
    seed = 4242
    print("seed", seed)
    rng = np.random.default_rng(seed)
    a = 40.0
    bits = rng.integers(0, 2, 3 * 100_000).astype(np.uint8)
    levels = mlc.levels_of_bits(bits, 3)
    down, up = mlc.adjacent_rates(CFG.ctt, 3)
    res = mlc.inject(bits, 3, CFG.ctt, rng, acceleration=a)
    read = mlc.levels_of_bits(res.bits, 3)
    for lv in range(8):
        here = levels == lv
        for went, rate in ((read > levels, up[lv]), (read < levels, down[lv])):
            exp = a * rate * int(here.sum())
            assert abs(int(np.sum(went & here)) - exp) < 5 * math.sqrt(exp) + 1, (lv, exp)
    assert int(np.sum(res.bits != bits)) == res.faulty_cells  # still one bit per faulty cell (Gray)
    with pytest.raises(ValueError, match="> 1"):
        mlc.inject(bits, 3, CFG.ctt, rng, acceleration=1e4)
    with pytest.raises(ValueError, match=">= 1"):
        mlc.inject(bits, 3, CFG.ctt, rng, acceleration=0.5)


def test_fast_injection_agrees_with_gaussian_sampling():
    tech = MlcTech(sigma=0.06, sigma_erased=0.08, erased_gap=1.3, sense_offset=0.1)  # MLC2 ~5e-3
    bits = np.random.default_rng(1).integers(0, 2, 2 * 300_000).astype(np.uint8)
    fast = mlc.inject(bits, 2, tech, np.random.default_rng(2))
    ref = mlc.inject_gaussian(bits, 2, tech, np.random.default_rng(3))
    n = mlc.cell_fault_rate(tech, 2) * fast.cells
    assert abs(fast.faulty_cells - ref.faulty_cells) < 5 * math.sqrt(2 * n) and n > 50


def test_injection_is_seeded_and_leaves_input_alone():
    bits = np.random.default_rng(0).integers(0, 2, 30_000).astype(np.uint8)
    keep = bits.copy()
    a = mlc.inject(bits, 3, CFG.ctt, np.random.default_rng(7))
    b = mlc.inject(bits, 3, CFG.ctt, np.random.default_rng(7))
    assert np.array_equal(a.bits, b.bits) and np.array_equal(bits, keep)
    assert mlc.inject(bits, 1, CFG.ctt, np.random.default_rng(7)).faulty_cells == 0  # SLC: ~1e-57


def test_bad_bits_per_cell_lists_valid():
    with pytest.raises(ConfigError, match="valid: 1, 2, 3"):
        mlc.level_model(CFG.ctt, 4)
    with pytest.raises(ConfigError, match="valid: ctt, rram"):
        CFG.tech("pcm")
