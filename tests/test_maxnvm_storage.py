"""Stored structures (golden/maxnvm/storage.py) and storage accounting (accounting.py)."""

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.maxnvm import accounting as A
from hymem.golden.maxnvm import storage as S
from hymem.golden.maxnvm.params import CodecParams

# small widths so every size is easy to derive by hand
CODEC = CodecParams(data_bits=16, csr_index_bits=2, csr_counter_bits=4, secded_data_bits=8,
                    idxsync_block=8)
# 2 kernels x 8 weights: row 0 non-zeros at columns 1 and 7, row 1 at column 0
TINY = np.array([[0, 5, 0, 0, 0, 0, 0, 3],
                 [1, 0, 0, 0, 0, 0, 0, 0]])
ALIGN = 128 * 8  # bits of one 128-B surface

# Hand derivation (index bits b = 4):
#  P+C: 16 weights x 4 = 64 bits.
#  CSR (2-bit relative indices, K = 4): row 0 col 1 -> gap 1; col 7 -> gap 5 = one filler
#  (consumes 4 columns) + gap 1; row 1 col 0 -> gap 0.  Entries 4: values 16, col_idx 8,
#  row counts 2 x 4 = 8 bits.  SEC-DED over 8-bit words: 8 + 4 parity + 1 = 13 bits/word.
#  BitMask: WMB 16 bits, 3 values x 4 bits, WGS one 32-bit word, IdxSync blocks of 8 mask
#  bits -> 2 blocks x (bit_length(4) + 1 = 4) bits: each padded to one 128-B surface.
HAND = {
    "P+C": {"values": 64},
    "CSR": {"values": 16, "col_idx": 8, "row_counts": 8},
    "CSR+ECC": {"values": 16, "col_idx": 13, "row_counts": 13},
    "BitMask": {"values": ALIGN, "mask": ALIGN, "wgs": ALIGN},
    "BitM+ECC": {"values": ALIGN, "mask": ALIGN // 8 * 13, "wgs": ALIGN},
    "BitM+IdxSync": {"values": ALIGN, "mask": ALIGN, "wgs": ALIGN, "counters": ALIGN},
    # the study's controls: 8 words of 8 bits -> 8 x 13; one 128-B counter surface = 128 words
    "P+C+ECC": {"values": 8 * 13},
    "BitM+IdxSync+ECC": {"values": ALIGN, "mask": ALIGN, "wgs": ALIGN, "counters": ALIGN // 8 * 13},
}


@pytest.mark.parametrize("encoding", S.STUDY_ENCODINGS)
def test_tiny_layer_sizes_by_hand(encoding):
    stored = S.encode_layer(TINY, encoding, 4, CODEC)
    assert {s: stored.bits(s) for s in stored.streams} == HAND[encoding]
    counts = A.LayerCounts("tiny", 2, 8, nnz=3, fillers=A.csr_fillers(TINY != 0, 2))
    bits = A.layer_bits(counts, encoding, 4, CODEC)
    assert bits.pop("codebook") == 16 * 16 and bits.pop("bias") == 0
    assert bits == HAND[encoding]
    assert np.array_equal(S.decode(stored).indices, TINY)


def test_cells_per_structure():
    bits = HAND["CSR+ECC"]
    assert A.cells(bits, {"values": 3, "col_idx": 2, "row_counts": 1}) == 6 + 7 + 13
    assert A.cells(bits, 3) == 6 + 5 + 5


def test_expected_fillers_match_monte_carlo():
    rows, cols, d, ib = 64, 300, 0.15, 3
    rng = np.random.default_rng(5)
    mc = np.mean([A.csr_fillers(rng.random((rows, cols)) < d, ib) for _ in range(200)])
    assert A.expected_csr_fillers(rows, cols, d, ib) == pytest.approx(mc, rel=0.02)
    assert A.expected_csr_fillers(rows, cols, 1.0, ib) == 0.0


@pytest.mark.parametrize("encoding", S.STUDY_ENCODINGS)
def test_random_layers_round_trip_and_match_accounting(encoding):
    codec = CodecParams()
    rng = np.random.default_rng(11)
    for density in (0.05, 0.4, 0.9):
        idx = rng.integers(1, 16, (24, 8, 3, 3)) * (rng.random((24, 8, 3, 3)) < density)
        stored = S.encode_layer(idx, encoding, 4, codec, idxsync_block=64)
        assert np.array_equal(S.decode(stored).indices, idx)
        rows = idx.reshape(24, -1)
        counts = A.LayerCounts("l", 24, 72, int((idx != 0).sum()), A.csr_fillers(rows != 0, 4))
        bits = A.layer_bits(counts, encoding, 4, codec, idxsync_block=64)
        assert {s: stored.bits(s) for s in stored.streams} == \
            {s: v for s, v in bits.items() if s not in ("codebook", "bias")}


def _flip(bits, pos):
    out = bits.copy()
    out[pos] ^= 1
    return out


def test_idxsync_confines_a_mask_fault_to_its_block():
    codec = CodecParams(data_bits=16)
    rng = np.random.default_rng(2)
    idx = rng.integers(1, 16, (16, 64)) * (rng.random((16, 64)) < 0.5)  # one group, 1024 mask bits
    pos = 100  # a mask bit in block 1 (bits 64..127) of 64-bit blocks
    for enc, confined in (("BitMask", False), ("BitM+IdxSync", True)):
        stored = S.encode_layer(idx, enc, 4, codec, idxsync_block=64)
        bad = S.decode(stored, {"mask": _flip(stored.streams["mask"], pos)}).indices.reshape(-1)
        wrong = np.nonzero(bad != idx.reshape(-1))[0]
        assert wrong.min() <= pos
        assert (wrong.max() < 128) == confined, enc  # without IdxSync the shift runs to the end


@pytest.mark.parametrize("encoding, structure", [("CSR+ECC", "col_idx"), ("P+C+ECC", "values"),
                                                 ("BitM+IdxSync+ECC", "counters")])
def test_ecc_corrects_one_fault_per_codeword(encoding, structure):
    codec = CodecParams(secded_data_bits=32)
    rng = np.random.default_rng(4)
    idx = rng.integers(1, 16, (20, 50)) * (rng.random((20, 50)) < 0.2)
    stored = S.encode_layer(idx, encoding, 4, codec, idxsync_block=64)
    assert structure in S.ecc_structures(encoding)
    n = 32 + 6 + 1
    words = stored.bits(structure) // n
    faulty = stored.streams[structure].copy()
    where = rng.integers(0, n, words)
    faulty[np.arange(words) * n + where] ^= 1
    dec = S.decode(stored, {structure: faulty})
    assert np.array_equal(dec.indices, idx) and dec.corrected == words and dec.uncorrectable == 0
    faulty[(where[0] + 1) % n] ^= 1  # a second error in word 0 -> detected, not corrected
    assert S.decode(stored, {structure: faulty}).uncorrectable == 1


def test_unknown_encoding_lists_valid():
    with pytest.raises(ConfigError, match="valid: P\\+C, CSR"):
        S.encode_layer(TINY, "COO", 4, CODEC)
    with pytest.raises(ConfigError, match="unknown encoding 'P\\+C\\+ECC'"):  # study-only: not for the CLI
        S.check_encoding("P+C+ECC")
