"""golden.nn.faults: RANA's random-value bit errors, checked statistically with seeded RNGs."""

import numpy as np
import pytest
from scipy import stats

from hymem.golden.fixed import FixedFormat, fixed_to_float, float_to_fixed
from hymem.golden.nn import (
    NNError,
    accuracy,
    bit_error_transform,
    init_params,
    inject_bit_errors,
    load_digits,
    train,
)

N = 100_000
WIDTH = 16


def bits_of(values, width=WIDTH):
    """(…, width) array of the two's-complement bits, LSB first."""
    return (np.asarray(values)[..., None] >> np.arange(width)) & 1


def random_words(rng, n=N, width=WIDTH):
    return rng.integers(-(1 << (width - 1)), 1 << (width - 1), size=n)


def within_sigma(observed, p, n, k=5.0):
    return np.all(np.abs(observed - p) <= k * np.sqrt(p * (1 - p) / n))


def test_rate_zero_is_identity():
    rng = np.random.default_rng(1)
    for width in (16, 8, 3):
        values = random_words(rng, 1000, width).reshape(10, 100)
        out = inject_bit_errors(values, 0.0, rng, width)
        assert out.dtype == np.int64
        np.testing.assert_array_equal(out, values)


@pytest.mark.parametrize("rate", [0.3, 0.02])
def test_each_bit_flips_with_half_the_rate_independently(rate):
    rng = np.random.default_rng(2)
    values = random_words(rng)
    flipped = bits_of(values) != bits_of(inject_bit_errors(values, rate, rng))
    # Per bit position, 0→1 and 1→0 alike: a replaced bit is random, so it differs half the time.
    old = bits_of(values)
    for old_bit in (0, 1):
        mask = old == old_bit
        per_position = (flipped & mask).sum(axis=0) / mask.sum(axis=0)
        assert within_sigma(per_position, rate / 2, mask.sum(axis=0).min())
    # Bits are independent: flips per word follow Binomial(16, rate/2).
    counts = np.bincount(flipped.sum(axis=1), minlength=WIDTH + 1)
    expected = stats.binom.pmf(np.arange(WIDTH + 1), WIDTH, rate / 2) * N
    keep = expected >= 5  # chi-square needs populated cells; pool the tail
    observed = np.append(counts[keep], counts[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-4


def test_rate_one_gives_uniform_words():
    rng = np.random.default_rng(3)
    ones = np.full(N, -1)  # all bits set: the output must forget them
    out = inject_bit_errors(ones, 1.0, rng)
    assert within_sigma(bits_of(out).mean(axis=0), 0.5, N)
    small = inject_bit_errors(np.zeros(N, np.int64), 1.0, rng, width=4)
    assert small.min() == -8 and small.max() == 7
    counts = np.bincount(small + 8, minlength=16)
    assert stats.chisquare(counts).pvalue > 1e-4


def test_seeded_and_signed():
    values = random_words(np.random.default_rng(4), 1000)
    a = inject_bit_errors(values, 0.1, np.random.default_rng(9))
    b = inject_bit_errors(values, 0.1, np.random.default_rng(9))
    np.testing.assert_array_equal(a, b)
    assert a.min() >= -(1 << 15) and a.max() < (1 << 15) and a.min() < 0


def test_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(NNError, match=r"\[0, 1\]"):
        inject_bit_errors(np.zeros(3, np.int64), 1.5, rng)
    with pytest.raises(NNError, match="integers"):
        inject_bit_errors(np.zeros(3), 0.1, rng)
    with pytest.raises(NNError, match="signed 8-bit range"):
        inject_bit_errors(np.array([200]), 0.1, rng, width=8)
    with pytest.raises(NNError, match="valid: input, weight"):
        bit_error_transform(0.1, rng, kinds=("bias",))


def test_float_transform_quantizes_and_respects_kinds():
    fmt = FixedFormat()
    x = np.random.default_rng(5).normal(0, 2, size=(50, 3))
    only_weights = bit_error_transform(0.0, np.random.default_rng(0), fmt, kinds=("weight",))
    np.testing.assert_array_equal(only_weights("conv1", "input", x), x)  # not a selected kind
    np.testing.assert_array_equal(only_weights("conv1", "weight", x), fixed_to_float(float_to_fixed(x, fmt), fmt))
    noisy = bit_error_transform(0.05, np.random.default_rng(0), fmt)("fc", "input", x)
    changed = float_to_fixed(noisy, fmt) != float_to_fixed(x, fmt)
    # P(word changed) = 1 - (1 - rate/2)^16
    assert 0 < changed.mean() < 1 and abs(changed.mean() - (1 - 0.975 ** 16)) < 0.15


def test_per_layer_rates():
    x = np.random.default_rng(8).normal(0, 1, size=(20, 5))
    transform = bit_error_transform({"conv2": 1.0}, np.random.default_rng(0))
    np.testing.assert_array_equal(transform("conv1", "weight", x), fixed_to_float(float_to_fixed(x, FixedFormat()),
                                                                                  FixedFormat()))
    assert np.mean(transform("conv2", "weight", x) != x) > 0.9
    with pytest.raises(NNError, match="valid: conv1, conv2, fc"):
        bit_error_transform({"conv3": 1e-5}, np.random.default_rng(0))
    with pytest.raises(NNError, match="for fc"):
        bit_error_transform({"fc": -1.0}, np.random.default_rng(0))


def test_training_through_bit_errors_learns():
    """Retention-aware training (STE through injected errors, seed 004 §IV-A) still learns the digits.

    At 1e-5 a batch sees a few replaced bits; chance is 10 %.  (Higher rates in
    Q8.8 hit the 8 integer bits and inject ±64..128 spikes; see docs/digits.md.)
    """
    split = load_digits(seed=0)
    transform = bit_error_transform(1e-5, np.random.default_rng(6))
    params, history = train(init_params(0), split, epochs=5, lr=0.01, seed=0, transform=transform)
    assert history["train_accuracy"][-1] > 0.75
    assert accuracy(params, split.x_test, split.y_test,
                    transform=bit_error_transform(1e-5, np.random.default_rng(7))) > 0.8


def test_dynamic_formats_fit_each_arrays_range():
    from hymem.golden.nn import dynamic_formats, init_params

    params = init_params(0)
    params["conv1.w"] = params["conv1.w"] / np.abs(params["conv1.w"]).max() * 0.75   # peak in [0.5, 1): 0 int bits
    params["fc.w"] = params["fc.w"] / np.abs(params["fc.w"]).max() * 3.0             # peak in [2, 4): 2 int bits
    x = np.zeros((2, 1, 8, 8))
    x[0, 0, 3, 3] = 1.0                                                              # peak 1.0: 1 int bit
    fmts = dynamic_formats(params, x)
    assert (fmts["conv1", "weight"].frac, fmts["fc", "weight"].frac, fmts["conv1", "input"].frac) == (15, 13, 14)
    assert all(f.width == 16 for f in fmts.values())
    # the transform quantizes each array in its own format (rate 0: rounding only)
    transform = bit_error_transform(0.0, np.random.default_rng(0), fmts)
    w = np.full((2, 2), 0.75 + 2.0 ** -17)
    assert np.all(transform("conv1", "weight", w) == 0.75)                          # 2^-15 steps
    assert np.all(transform("fc", "weight", np.full(3, 3.9999)) == 4 - 2.0 ** -13)  # saturates in Q2.13
