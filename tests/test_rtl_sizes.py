"""Sizes the RTL derives for itself (``rtl/`` imports only parameters and format constants from
``golden/``), pinned against hand-computed values and against the golden model's own derivation."""

from dataclasses import replace

import pytest

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.mac import booth_iterations
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.maxnvm.codecs import bitmask as golden_bitmask
from hymem.golden.maxnvm.codecs import secded as golden_secded
from hymem.golden.maxnvm.params import load_maxnvm_config
from hymem.golden.rana import config_words as golden_words
from hymem.rtl.hydra.mac_seq import MacSeq
from hymem.rtl.maxnvm import bitmask_decoder as rtl_bitmask
from hymem.rtl.maxnvm import secded as rtl_secded
from hymem.rtl.rana import config_loader as rtl_loader


@pytest.mark.parametrize("width, cycles", [(16, 8), (9, 5), (8, 4)])
def test_booth_iterations_by_hand(width, cycles):
    # radix 4: two multiplier bits per cycle, an odd width rounds up
    config = load_hydra_config()
    fmt = FixedFormat(width=width, frac=4, acc_width=3 * width)
    assert MacSeq(fmt, config.mac).iterations == cycles == booth_iterations(width)


@pytest.mark.parametrize("block, field, word", [(1024, 10, 11), (256, 8, 9), (64, 6, 7), (2, 1, 2)])
def test_idxsync_counter_bits_by_hand(block, field, word):
    # the count field holds block // 2 (the smaller of non-zeros and zeros): 512 needs 10 bits
    assert rtl_bitmask.counter_bits(block) == field == golden_bitmask.counter_bits(block)
    assert rtl_bitmask.idxsync_word_bits(block) == word == golden_bitmask.idxsync_word_bits(block)


@pytest.mark.parametrize("n, a, up", [(0, 128, 0), (1, 128, 128), (128, 128, 128), (129, 128, 256)])
def test_align_up_by_hand(n, a, up):
    assert rtl_bitmask.align_up(n, a) == up == golden_bitmask.align_up(n, a)


def test_surface_limits_by_hand():
    # 4096 weights of 16 bits (16 kernels per group), 1024-bit IdxSync blocks
    codec = replace(load_maxnvm_config().codec, max_weights=4096, idxsync_block=1024, data_bits=16)
    groups = 4096 // 16 + 1                        # 257 groups at most
    blocks = 4096 // 1024 + groups                 # every group may end a partial block: 261
    assert rtl_bitmask.max_groups_and_blocks(codec) == (groups, blocks)
    assert rtl_bitmask.surface_limits(codec) == {
        "wgs_bytes": 1152,                         # 4 * 257 = 1028 -> 9 * 128
        "wmb_bytes": 512,                          # 4096 bits = 512 bytes
        "sync_bytes": 384,                         # 261 * 11 bits = 2871 bits = 359 bytes -> 384
    }


@pytest.mark.parametrize("k, r, positions", [
    (4, 3, [3, 5, 6, 7]),                      # 2^3 = 8 >= 4 + 3 + 1
    (8, 4, [3, 5, 6, 7, 9, 10, 11, 12]),       # 2^4 = 16 >= 13
    (32, 6, None),                             # 2^6 = 64 >= 39; 2^5 = 32 < 38
])
def test_secded_layout_by_hand(k, r, positions):
    assert rtl_secded.parity_bits(k) == r == golden_secded.parity_bits(k)
    assert rtl_secded.codeword_bits(k) == k + r + 1 == golden_secded.codeword_bits(k)
    got = rtl_secded.data_positions(k)
    assert got == list(golden_secded.data_positions(k))
    assert positions is None or got == positions
    assert len(got) == k and not any(p & (p - 1) == 0 for p in got)   # no power of two


@pytest.mark.parametrize("n_banks, flags, words", [(1, 1, 7), (32, 1, 7), (33, 2, 8), (45, 2, 8)])
def test_rana_layer_words_by_hand(n_banks, flags, words):
    # 6 header words, then one 32-bit word per 32 banks' refresh flags
    assert rtl_loader.flag_words(n_banks) == flags == golden_words.flag_words(n_banks)
    assert rtl_loader.words_per_layer(n_banks) == words == golden_words.words_per_layer(n_banks)


def test_hydra_unit_geometry_by_hand():
    # The RTL's buffers take their sizes from UnitGeometry; hydra.toml's [unit] by hand:
    # 32 MACs x 1024 B of AB = 32 KiB = 4096 64-bit words; 32 x 128 B of WB = 512 words;
    # 4 FX16 values per 64-bit word; a 7x7 window's rows need 3 address bits, and its 7 columns
    # over 4 column-interleaved memories at most 2 per memory, 1 bit;
    # 256 OB words (an assumption, hydra.toml's note).
    from hymem.golden.hydra.unit import UnitGeometry
    geo = UnitGeometry.from_config(load_hydra_config())
    assert (geo.n_macs, geo.bus_width, geo.ab_words, geo.wb_words, geo.ob_words) == (32, 64, 4096, 512, 256)
    assert (geo.values_per_word, geo.ab_values, geo.wb_values) == (4, 16384, 2048)
    assert (geo.window_row_bits, geo.window_col_bits) == (3, 1)
