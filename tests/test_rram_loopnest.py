"""The closed-form loop-nest counts (golden/rram/loopnest.py) against a plain walk of the nest,
and hand-counted small layers."""

import random

import numpy as np
import pytest

from hymem.golden.rram.loopnest import LoopNestError, loop_counts, reference_counts
from hymem.golden.rram.params import ArrayParams
from hymem.golden.workloads import get_network, make_layer

SEED = 20260314


def _random_layer(rng: random.Random):
    k = rng.choice([1, 3, 5])
    stride = rng.choice([1, 2])
    pad = rng.randint(0, k // 2 + 1)
    h, w = rng.randint(k, 11), rng.randint(k, 19)
    return make_layer("x", "conv", (rng.randint(1, 19), h, w), out_ch=rng.randint(1, 19),
                      kernel=k, stride=stride, padding=pad)


@pytest.mark.parametrize("order", ["kernel_first", "pixel_first"])
def test_closed_form_equals_the_walked_nest(order):
    print("seed", SEED)
    rng = random.Random(SEED + len(order))
    for _ in range(60):
        lay = _random_layer(rng)
        arr = ArrayParams(p=rng.choice([2, 3, 8]), n=rng.choice([4, 8]), m=4)
        depth = rng.choice([0, 2, 16, 32, 128])
        word = rng.choice([8, 32])
        assert loop_counts([lay], arr, order, depth, word).as_dict() == \
            reference_counts(lay, arr, order, depth, word), (lay, arr, depth)


def test_grouped_and_fc_layers_walk_the_same():
    arr = ArrayParams(p=4, n=4, m=4)
    grouped = make_layer("g", "conv", (12, 7, 9), out_ch=8, kernel=3, padding=1, groups=4)
    fc = make_layer("f", "fc", (10, 1, 1), out_ch=13)
    for lay in (grouped, fc):
        for order in ("kernel_first", "pixel_first"):
            assert loop_counts([lay], arr, order, 16).as_dict() == \
                reference_counts(lay, arr, order, 16)


def test_hand_counted_layer():
    """3x3 conv, stride 1, pad 1, 4x5 input, C = 5, M = 9, p = n = m = 4, by hand:
    T_i = 2, T_o = 3, 2 groups per row (4 + 1 pixels), P = 8, cycles = 3*2*9*8 = 432.
    Valid kernel rows R: rows 0 and 3 lose one tap -> 4*3 - 2 = 10.
    Kernel-first spans: group 0 cols [-1, 4] -> 5 in bounds, group 1 cols [3, 5] -> 2: Xs = 7.
    Pixel-first window columns: 5 output columns x 3 taps - 2 edge taps = 13."""
    lay = make_layer("h", "conv", (5, 4, 5), out_ch=9, kernel=3, padding=1)
    arr = ArrayParams(p=4, n=4, m=4)
    kf = loop_counts([lay], arr, "kernel_first", 0, 8).as_dict()
    pf = loop_counts([lay], arr, "pixel_first", 8, 8).as_dict()  # g = 4
    assert kf["cycles"] == pf["cycles"] == 432
    assert kf["macs"] == 9 * 5 * 9 * 20
    assert kf["io_reads"] == 3 * 2 * 10 * 7
    assert pf["io_reads"] == 3 * 2 * 10 * 13
    assert kf["io_writes"] == pf["io_writes"] == 3 * 20      # ceil(9/4) words per pixel
    assert kf["weight_tile_reads"] == 432
    assert pf["weight_tile_reads"] == 3 * 2 * 9 * 2           # 8 groups in blocks of 4
    assert kf["weight_reads"] == 432 * 2                      # 16 B tile in 8 B words
    assert pf["acc_reads"] == pf["acc_writes"] == 432 * 16
    assert kf["acc_reads"] == 0


def test_vgg11_macs_match_the_network_and_utilisation_is_full_where_channels_fit():
    convs = get_network("vgg11").of_kind("conv")
    c = loop_counts(convs, ArrayParams(), "kernel_first")
    assert int(c.macs.sum()) == 7_485_456_384                 # seed 002 Table 2: 14.97 GOP
    util = c.macs / (c.cycles * 512)
    assert util[1] == 1.0                                     # 64 -> 128 channels, 112 wide
    assert util[0] == pytest.approx(3 / 8)                    # conv1: 3 of 8 input lanes


def test_bad_orders_and_depths_are_errors():
    lay = make_layer("x", "conv", (8, 8, 8), out_ch=8, kernel=3)
    with pytest.raises(LoopNestError, match="valid: kernel_first, pixel_first"):
        loop_counts([lay], ArrayParams(), "row_first")
    with pytest.raises(LoopNestError, match="even"):
        loop_counts([lay], ArrayParams(), "pixel_first", 3)
    with pytest.raises(LoopNestError, match="multiple of m"):
        loop_counts([lay], ArrayParams(n=6, m=4), "pixel_first", 16)
    pool = make_layer("p", "maxpool", (8, 8, 8), kernel=2, stride=2)
    with pytest.raises(LoopNestError, match="does not run on the MAC array"):
        loop_counts([pool], ArrayParams(), "kernel_first")
    assert np.all(loop_counts([lay], ArrayParams(), "pixel_first", 0).acc_reads == 0)


def test_kernel_first_reads_only_used_columns_when_the_kernel_is_narrower_than_the_stride():
    """1x1 kernel, stride 2: the windows of a group do not touch; the line register reads the
    pe used pixels of each row, not the span between them (= pixel-first's reads)."""
    lay = make_layer("s", "conv", (4, 6, 9), out_ch=4, kernel=1, stride=2)   # 3 x 5 out
    arr = ArrayParams(p=4, n=4, m=4)
    kf = loop_counts([lay], arr, "kernel_first").as_dict()
    assert kf["io_reads"] == 3 * 5 == loop_counts([lay], arr, "pixel_first").as_dict()["io_reads"]
