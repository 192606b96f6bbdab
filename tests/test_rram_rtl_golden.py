"""Golden side of the RRAM accelerator RTL: the int8 convolution, the buffer layout, the cycle
model and the ``[rtl]`` parameters (fast; the RTL itself is held to these by ``make sim``)."""

import dataclasses

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.fixed import FixedFormat, requantize, wrap
from hymem.golden.rram.functional import conv2d, requantize_sums
from hymem.golden.rram.params import load_params
from hymem.golden.rram.rtl_params import Order, Reg, RtlParams
from hymem.golden.rram.rtl_timing import Tile, check_tile, expected_counters, replay
from hymem.tb.rram.layout import bias_words, io_strides, io_words, registers

CONFIG = load_params()


def direct_conv(x, w, stride, pad):
    """Nested loops over exact Python ints, wrapped to int32 once at the end."""
    top, left, bottom, right = pad
    c, h, wd = x.shape
    k = w.shape[2]
    ho, wo = (h + top + bottom - k) // stride + 1, (wd + left + right - k) // stride + 1
    out = np.zeros((w.shape[0], ho, wo), dtype=np.int64)
    for o in range(w.shape[0]):
        for y in range(ho):
            for xo in range(wo):
                total = 0
                for ci in range(c):
                    for ky in range(k):
                        for kx in range(k):
                            yy, xx = y * stride + ky - top, xo * stride + kx - left
                            if 0 <= yy < h and 0 <= xx < wd:
                                total += int(x[ci, yy, xx]) * int(w[o, ci, ky, kx])
                out[o, y, xo] = (total + 2**31) % 2**32 - 2**31
    return out


@pytest.mark.parametrize("k,stride,pad", [(1, 1, (0, 0, 0, 0)), (3, 1, (1, 1, 1, 1)),
                                          (5, 2, (2, 1, 0, 2)), (3, 2, (0, 1, 1, 0))])
def test_conv2d_equals_direct_loops(k, stride, pad):
    rng = np.random.default_rng(k * 10 + stride)
    x = rng.integers(-128, 128, size=(3, 7, 8))
    w = rng.integers(-128, 128, size=(5, 3, k, k))
    assert np.array_equal(conv2d(x, w, stride, pad), direct_conv(x, w, stride, pad))


def test_conv2d_wraps_at_32_bits():
    """5300 x 25 products of (-128)(-128) sum to 2 170 880 000 > 2^31 - 1: it wraps negative."""
    x = np.full((5300, 5, 5), -128)
    w = np.full((1, 5300, 5, 5), -128)
    assert conv2d(x, w)[0, 0, 0] == 5300 * 25 * 16384 - 2**32


def test_conv2d_refuses_non_int8():
    with pytest.raises(ConfigError, match="int8"):
        conv2d(np.full((1, 3, 3), 128), np.ones((1, 1, 3, 3), dtype=int))


@pytest.mark.parametrize("stride", [1, 2])
def test_io_layout_is_one_word_per_pixel_and_windows_hit_distinct_rams(stride):
    rtl = CONFIG.rtl
    tile = Tile(6, 4, 3, stride, 5, 11, (1, 1, 1, 1), Order.PIXEL_FIRST, 2)
    x = np.arange(6 * 5 * 11).reshape(6, 5, 11) % 251 - 125
    ram, addr, words = io_words(x, tile, rtl)
    assert len(set(zip(ram.tolist(), addr.tolist()))) == len(words) == 2 * 5 * 11
    assert registers(tile, rtl)[Reg.CHAN_STRIDE] == io_strides(tile, rtl)["chan"]
    # words come out channel group, row, column major: the p pixels x0 + i*stride of any
    # window are in p different RAMs (one cycle per window read)
    rams = ram.reshape(2, 5, 11)
    for x0 in range(11 - (rtl.p - 1) * stride):
        assert len(set(rams[1, 3, x0:x0 + rtl.p * stride:stride].tolist())) == rtl.p


def test_replay_matches_a_hand_derived_schedule():
    """No waits but the first weight tile's: the first step issues at latency + 1, the steps run
    back to back, the last block drains from 3 cycles after its last step, busy falls 1 later:
    cycles = latency + steps + 4 + last block."""
    rtl = dataclasses.replace(CONFIG.rtl, weight_latency=2, weight_bank_busy=1)
    tile = Tile(8, 4, 3, 1, 6, 9, (1, 1, 1, 1), Order.PIXEL_FIRST, 4)   # 6 rows x 3 groups = 18
    steps = 1 * 2 * 9 * 18
    got = replay(tile, rtl)
    assert got["weight_waits"] == 2 + 1 and got["half_waits"] == 0 and got["out_stalls"] == 0
    assert got["cycles"] == 2 + steps + 4 + 18 % 4


def test_replay_counts_output_stalls_and_half_waits():
    rtl = CONFIG.rtl
    tile = Tile(4, 4, 1, 1, 2, 16, (0, 0, 0, 0), Order.PIXEL_FIRST, 2)
    free = replay(tile, rtl)
    blocked = replay(tile, rtl, ready=np.zeros(50, dtype=bool))
    assert blocked["out_stalls"] > 0 and blocked["half_waits"] > 0
    assert blocked["cycles"] > free["cycles"]


def test_kernel_first_reads_each_used_pixel_once_when_kernel_is_below_stride():
    """K = 1, stride 2: no two windows overlap, so kernel-first reads what pixel-first reads."""
    rtl = CONFIG.rtl
    k1 = expected_counters(Tile(5, 3, 1, 2, 7, 9, (0, 0, 0, 0), Order.KERNEL_FIRST, 0), rtl,
                           CONFIG.array)
    assert k1["io_reads"] == 2 * 1 * 4 * 5    # out groups x in groups x 4 rows x 5 columns


def test_check_tile_names_the_failing_limit():
    with pytest.raises(ConfigError, match="stride 3"):
        check_tile(Tile(1, 1, 3, 3, 5, 5, (0, 0, 0, 0), Order.PIXEL_FIRST, 1), CONFIG.rtl)
    with pytest.raises(ConfigError, match="g 9"):
        check_tile(Tile(1, 1, 3, 1, 5, 5, (0, 0, 0, 0), Order.PIXEL_FIRST, 9), CONFIG.rtl)


@pytest.mark.parametrize("change,message", [({"p": 3}, "power of two"), ({"n": 2}, "multiple of m"),
                                            ({"max_acc_depth": 5}, "even"),
                                            ({"max_stride": 3}, "1..2")])
def test_rtl_params_refuse_what_the_rtl_cannot_build(change, message):
    with pytest.raises(ConfigError, match=message):
        RtlParams(**change)


def test_requantize_sums_is_golden_fixed_for_int8_formats():
    """SHIFT < 8: the output path's requantiser is golden.fixed's arithmetic (the digits CNN's)."""
    rng = np.random.default_rng(8)
    acc = rng.integers(-(1 << 31), 1 << 31, size=(5, 3, 7))
    acc[:, 0] = rng.integers(-3000, 3000, size=(5, 7))  # rounding ties and the int8 range
    bias = rng.integers(-(1 << 31), 1 << 31, size=5)
    for shift in range(8):
        fmt = FixedFormat(width=8, frac=shift, acc_width=32)
        want = requantize(wrap(acc + bias[:, None, None], 32), fmt)
        assert np.array_equal(requantize_sums(acc, bias, shift, False), want)
        assert np.array_equal(requantize_sums(acc, bias, shift, True), np.maximum(want, 0))


@pytest.mark.parametrize("shift", [0, 1, 7, 8, 13, 24, 31])
def test_requantize_sums_rounds_half_up_and_saturates(shift):
    """Against Python integers: floor((z + 2^(shift-1)) / 2^shift) (half up), clipped to int8."""
    rng = np.random.default_rng(shift)
    acc = rng.integers(-(1 << 31), 1 << 31, size=(4, 40))
    acc[:, :10] = (rng.integers(-130, 130, size=(4, 10)) << shift) + ((1 << shift) >> 1)  # ties
    bias = rng.integers(-(1 << 20), 1 << 20, size=4)
    got = requantize_sums(acc, bias, shift, False)
    for (c, k), value in np.ndenumerate(acc):
        z = (int(value) + int(bias[c]) + 2**31) % 2**32 - 2**31
        want = (z + (1 << shift) // 2) // (1 << shift)
        assert got[c, k] == min(max(want, -128), 127), (c, k, z)


def test_requantize_sums_refuses_a_shift_the_rtl_refuses():
    with pytest.raises(ConfigError, match="shift 32"):
        requantize_sums(np.zeros((1, 1)), np.zeros(1), 32, False)


def test_bias_words_pack_one_output_channel_group_per_word():
    rtl = CONFIG.rtl
    bias = np.array([1, -1, 2**31 - 1, -(2**31), 5])  # 5 channels: 2 words at n = 4
    words = bias_words(bias, rtl)
    lanes = [[(w >> (32 * j)) & 0xFFFFFFFF for j in range(rtl.n)] for w in words]
    assert lanes == [[1, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000], [5, 0, 0, 0]]
