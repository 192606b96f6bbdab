"""golden.maxnvm.codecs against naive per-element references and hand-derived bytes."""

import struct

import numpy as np
import pytest

from hymem.golden.bits import pack_words
from hymem.golden.maxnvm.codecs import (
    codeword_bits,
    decode_bitmask,
    decode_bitmask_report,
    decode_csr,
    decode_csr_report,
    decode_weights_report,
    encode_bitmask,
    encode_csr,
    flip_bits,
    flip_word_bits,
    gray_decode,
    gray_encode,
    idxsync_word_bits,
    lut_lookup,
    pack_csr,
    secded_decode,
    secded_encode,
)
from hymem.golden.maxnvm.codecs.bitmask import pad_to

PACKED = (4, 5, 6, 7)


def random_layer(rng, n_kernels, kernel_elems, sparsity, bits=16):
    lo, hi = (0, 1 << bits) if bits in PACKED else (-(1 << (bits - 1)), 1 << (bits - 1))
    w = rng.integers(lo, hi, size=(n_kernels, kernel_elems))
    w[rng.random(w.shape) < sparsity] = 0
    return w


# ---------------------------------------------------------------- naive references

def bytes_of_bits(bits):
    """Little-endian bit list -> bytes (bit k is bit k % 8 of byte k // 8)."""
    return bytes(sum(bits[i + j] << j for j in range(8) if i + j < len(bits)) for i in range(0, len(bits), 8))


def naive_surfaces(w, data_bits, block):
    """Loop-and-struct encoder written from format.rst, independent of the vectorized one.
    Packed indices (4..7 bits): 16-kernel groups, unsigned elements bit by bit, WGS in elements."""
    packed = data_bits in PACKED
    g = 32 if data_bits == 8 else 16
    fmt = "<h" if data_bits == 16 else "<b"
    flat = [int(x) for x in np.asarray(w).reshape(-1)]
    kel = np.asarray(w).size // np.asarray(w).shape[0]
    bits, data, wgs, counters, data_bits_list = [], b"", b"", [], []
    for g0 in range(0, np.asarray(w).shape[0], g):
        elems = flat[g0 * kel: min(g0 + g, np.asarray(w).shape[0]) * kel]
        nz = [x for x in elems if x]
        bits += [1 if x else 0 for x in elems]
        if packed:
            data_bits_list += [(x >> j) & 1 for x in nz for j in range(data_bits)]
        else:
            data += b"".join(struct.pack(fmt, x) for x in nz)
        wgs += struct.pack("<I", len(nz) if packed else len(nz) * data_bits // 8)
        if block:
            for b0 in range(0, len(elems), block):
                part = elems[b0:b0 + block]
                ones = sum(1 for x in part if x)
                zeros = len(part) - ones
                counters.append((zeros, 1) if zeros < ones else (ones, 0))
    wmb = bytes_of_bits(bits)
    if packed:
        data = bytes_of_bits(data_bits_list)
    cb = (block // 2).bit_length() if block else 0
    cbits = []
    for count, flag in counters:
        cbits += [(count >> j) & 1 for j in range(cb)] + [flag]
    idx = bytes_of_bits(cbits)

    def pad(b):
        return b + bytes(-len(b) % 128)
    return pad(wgs), pad(wmb), pad(data), pad(idx) if block else b""


def naive_decode(w_shape, data_bits, wmb, data, wgs, sync, block, idxsync, data_elems=None):
    """Element-by-element decoder following Fig. 4: a read index into the packed values,
    reset from WGS at each group and (IdxSync) from the block counter at each block.
    Returns ``(weights, counters)``; items not wholly inside their surface read as 0 and
    each short surface counts once in ``truncated``."""
    packed = data_bits in PACKED
    g = 32 if data_bits == 8 else 16
    eb = 1 if packed else data_bits // 8     # WGS units per element
    n_k = w_shape[0]
    kel = int(np.prod(w_shape)) // n_k
    fmt = "<h" if data_bits == 16 else "<b"
    if packed:
        stream = [(byte >> j) & 1 for byte in data for j in range(8)]
        vals = [sum(stream[i + j] << j for j in range(data_bits))
                for i in range(0, len(stream) // data_bits * data_bits, data_bits)]
    else:
        vals = [struct.unpack(fmt, bytes(data[i:i + eb]))[0] for i in range(0, len(data) // eb * eb, eb)]
    if data_elems is not None:
        vals = vals[:data_elems]
    cb = (block // 2).bit_length() if block else 0
    sync_bits = [(int(byte) >> j) & 1 for byte in sync for j in range(8)]
    c = dict.fromkeys(("resyncs", "counter_errors", "wgs_errors", "wgs_mismatches", "overruns"), 0)
    short = set()
    out, ci, start = [], 0, 0
    for gi, g0 in enumerate(range(0, n_k, g)):
        n_el = (min(g0 + g, n_k) - g0) * kel
        if 4 * gi + 4 <= len(wgs):
            raw = struct.unpack("<I", bytes(wgs[4 * gi: 4 * gi + 4]))[0]
        else:
            raw = 0
            short.add("wgs")
        if raw % eb or raw > n_el * eb:
            c["wgs_errors"] += 1
        size = min(raw, n_el * eb) // eb
        base = start
        group_ones = 0
        blk = block or n_el
        for b0 in range(0, n_el, blk):
            blen = min(blk, n_el - b0)
            idx = base
            ones = 0
            for e in range(b0, b0 + blen):
                bitpos = len(out)
                if bitpos < 8 * len(wmb):
                    bit = (int(wmb[bitpos // 8]) >> (bitpos % 8)) & 1
                else:
                    bit = 0
                    short.add("wmb")
                if bit:
                    if idx >= len(vals):
                        c["overruns"] += 1
                    out.append(vals[idx] if idx < len(vals) else 0)
                    idx += 1
                    ones += 1
                else:
                    out.append(0)
            group_ones += ones
            if idxsync:
                wb = cb + 1
                if (ci + 1) * wb <= len(sync_bits):
                    word = sum(sync_bits[ci * wb + j] << j for j in range(wb))
                else:
                    word = 0
                    short.add("idxsync")
                count, flag = word & ((1 << cb) - 1), word >> cb
                c["counter_errors"] += count > blen
                count = min(count, blen)
                nonzeros = blen - count if flag else count
                c["resyncs"] += nonzeros != ones
                base += nonzeros
            else:
                base = idx
            ci += 1
        c["wgs_mismatches"] += group_ones != size
        start += size
    c["truncated"] = len(short)
    return np.array(out).reshape(w_shape), c


def words_of(surfaces):
    lay = surfaces.layout
    wb = idxsync_word_bits(lay.idxsync_block)
    bits = np.unpackbits(surfaces.idxsync, bitorder="little")
    return [int(sum(int(bits[i * wb + j]) << j for j in range(wb))) for i in range(lay.n_blocks)]


# ---------------------------------------------------------------- BitMask

def test_bitmask_hand_example():
    # 2 kernels x 4 elements, 16-bit: one group; mask 0b1010_0001 (elements 0, 5, 7 non-zero).
    w = np.array([[3, 0, 0, 0], [0, -2, 0, 0x1234]])
    s = encode_bitmask(w, 16, idxsync_block=8, allow_raw=False)
    assert s.compressed
    assert s.wmb[0] == 0b1010_0001 and len(s.wmb) == 128 and not s.wmb[1:].any()
    assert list(s.data[:6]) == [3, 0, 0xFE, 0xFF, 0x34, 0x12] and len(s.data) == 128
    assert list(s.wgs[:4]) == [6, 0, 0, 0] and len(s.wgs) == 128
    # one block of 8 bits: 3 non-zeros < 5 zeros -> count 3, flag 0; count field 3 bits, word 4 bits
    assert idxsync_word_bits(8) == 4 and s.idxsync[0] == 3
    img, off = s.image()
    assert off == {"wgs": 0, "wmb": 256, "data": 512, "idxsync": 768} and len(img) == 1024
    # raw is smaller here: 16 B padded to 128 < 4 surfaces of 128
    assert not encode_bitmask(w, 16, idxsync_block=8).compressed


def test_packed_bitmask_hand_example():
    # 5-bit cluster indices, 2 kernels x 4: non-zeros 3, 17, 31 packed at bits 0, 5, 10:
    # 3 | 17 << 5 | 31 << 10 = 0x7E23; WGS counts elements (3), not bytes.
    w = np.array([[3, 0, 0, 0], [0, 17, 0, 31]])
    s = encode_bitmask(w, 5, idxsync_block=8, allow_raw=False)
    assert s.wmb[0] == 0b1010_0001 and list(s.data[:3]) == [0x23, 0x7E, 0] and len(s.data) == 128
    assert list(s.wgs[:4]) == [3, 0, 0, 0] and s.layout.group_kernels == 16
    assert np.array_equal(decode_bitmask(s, w.shape), w)
    raw = encode_bitmask(w, 5)                     # 8 x 5 bits = 5 bytes padded: raw is smaller
    assert not raw.compressed and list(raw.data[:5]) == [3, 0, 0, 0x22, 0xF8]  # 17 << 25 | 31 << 35
    assert np.array_equal(decode_bitmask(raw, w.shape, idxsync=False), w)
    with pytest.raises(ValueError, match="outside unsigned 5-bit 0..31"):
        encode_bitmask(np.array([[-1, 2]]), 5)
    with pytest.raises(ValueError, match="element widths are 4, 5, 6, 7, 8, 16"):
        encode_bitmask(w, 3)


@pytest.mark.parametrize("data_bits", [16, 8, 7, 6, 5, 4])
@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.95, 1.0])
def test_bitmask_bytes_match_naive_and_roundtrip(data_bits, sparsity):
    rng = np.random.default_rng(int(sparsity * 100) + data_bits)
    w = random_layer(rng, 37, 27, sparsity, data_bits)   # 37 kernels: a short last group
    s = encode_bitmask(w, data_bits, idxsync_block=64, allow_raw=False)
    wgs, wmb, data, idx = naive_surfaces(w, data_bits, 64)
    assert bytes(s.wgs) == wgs and bytes(s.wmb) == wmb and bytes(s.data) == data and bytes(s.idxsync) == idx
    for sync in (True, False):
        r = decode_bitmask_report(s, w.shape, idxsync=sync)
        assert np.array_equal(r.weights, w) and not r.error and r.resyncs == 0
        assert r.blocks == s.layout.n_blocks and r.weights_out == w.size


def test_raw_fallback_only_when_not_smaller():
    rng = np.random.default_rng(1)
    dense = random_layer(rng, 16, 64, 0.0)
    sparse = random_layer(rng, 16, 64, 0.9)
    assert not encode_bitmask(dense, 16).compressed
    s = encode_bitmask(sparse, 16)
    assert s.compressed and s.nbytes < 16 * 64 * 2
    assert np.array_equal(decode_bitmask(encode_bitmask(dense, 16), dense.shape, idxsync=False), dense)


@pytest.mark.parametrize("trial", range(6))
def test_faulty_decode_matches_naive(trial):
    rng = np.random.default_rng(100 + trial)
    bits = [16, 8, 7, 6, 5, 4][trial]
    w = random_layer(rng, 20, 48, rng.uniform(0, 0.95), bits)
    s = encode_bitmask(w, bits, idxsync_block=32, allow_raw=False)
    n_bits = {k: len(v) * 8 for k, v in s.surfaces().items()}
    faulty = s.with_surfaces(**{k: flip_bits(v, rng.integers(0, n_bits[k], size=3))
                                for k, v in s.surfaces().items() if k != "wgs" or bits in PACKED})
    for sync in (True, False):
        want, counts = naive_decode(w.shape, bits, faulty.wmb, faulty.data, faulty.wgs, faulty.idxsync, 32, sync)
        r = decode_bitmask_report(faulty, w.shape, idxsync=sync)
        assert np.array_equal(r.weights, want)
        assert {k: getattr(r, k) for k in counts} == counts


def test_idxsync_confines_a_mask_fault_to_its_block():
    rng = np.random.default_rng(7)
    w = random_layer(rng, 16, 64, 0.5)           # one group of 1024 elements
    s = encode_bitmask(w, 16, idxsync_block=128, allow_raw=False)
    bad = 300                                      # in block 2 (elements 256..383)
    faulty = s.with_surfaces(wmb=flip_bits(s.wmb, [bad]))
    on = decode_bitmask_report(faulty, w.shape, idxsync=True)
    off = decode_bitmask_report(faulty, w.shape, idxsync=False)
    diff_on = np.flatnonzero(on.weights.reshape(-1) != w.reshape(-1))
    diff_off = np.flatnonzero(off.weights.reshape(-1) != w.reshape(-1))
    assert len(diff_on) and diff_on.min() >= 256 and diff_on.max() < 384
    assert on.resyncs == 1
    assert diff_off.max() >= 900                   # runs on to the end of the group
    assert len(diff_off) > 3 * len(diff_on)


def test_corrupted_counter_and_wgs_are_clamped_and_flagged():
    rng = np.random.default_rng(3)
    w = random_layer(rng, 40, 16, 0.5)
    s = encode_bitmask(w, 16, idxsync_block=16, allow_raw=False)
    wb = idxsync_word_bits(16)                     # count field 4 bits + flag
    words = np.array(words_of(s))
    words[7] = 15                                  # a legal but wrong count: resynchronizes, flagged
    r = decode_bitmask_report(s.with_surfaces(idxsync=pad_to(pack_words(words, wb))), w.shape)
    assert r.counter_errors == 0 and r.resyncs == 1 and r.error and r.wgs_mismatches == 0
    big_wgs = s.wgs.copy()
    big_wgs[0:4] = [0xFF, 0xFF, 0xFF, 0x7F]        # far larger than a group
    r = decode_bitmask_report(s.with_surfaces(wgs=big_wgs), w.shape, idxsync=False)
    assert r.wgs_errors == 1 and r.error
    w2 = random_layer(rng, 1, 20, 0.5)             # one group of 20 elements: blocks of 16 + 4
    s2 = encode_bitmask(w2, 16, idxsync_block=16, allow_raw=False)
    words2 = np.array(words_of(s2))
    words2[1] = 12                                 # 12 non-zeros claimed in a 4-element block
    r2 = decode_bitmask_report(s2.with_surfaces(idxsync=pad_to(pack_words(words2, wb))), w2.shape)
    assert r2.counter_errors == 1 and r2.error
    assert np.array_equal(r2.weights.reshape(-1)[:16], w2.reshape(-1)[:16])


TRUNCATIONS = {  # surface -> bytes kept (None: whole); (expected short surfaces, IdxSync on)
    "wmb": {"wmb": 10},
    "wgs_partial_word": {"wgs": 6},                # the second WGS word is not wholly present
    "idxsync": {"idxsync": 1},
    "all_empty": {"wmb": 0, "wgs": 0, "idxsync": 0},
    "data": {"data": 100},
}


@pytest.mark.parametrize("case", list(TRUNCATIONS))
@pytest.mark.parametrize("bits", [16, 8, 5])
def test_truncated_surfaces_match_naive(case, bits):
    """Short surfaces read as zeros past their end (items not wholly present too), each short
    metadata surface counts once in ``truncated``, every counter as the naive loop's."""
    rng = np.random.default_rng(4)
    w = random_layer(rng, 40, 40, 0.3, bits)
    s = encode_bitmask(w, bits, idxsync_block=64, allow_raw=False)
    cut = s.with_surfaces(**{k: s.surfaces()[k][:n] for k, n in TRUNCATIONS[case].items()})
    for sync in (True, False):
        r = decode_bitmask_report(cut, w.shape, idxsync=sync)
        want, counts = naive_decode(w.shape, bits, cut.wmb, cut.data, cut.wgs, cut.idxsync, 64, sync)
        assert np.array_equal(r.weights, want)
        assert {k: getattr(r, k) for k in counts} == counts
        short = {k for k in TRUNCATIONS[case] if k != "data" and (sync or k != "idxsync")}
        assert r.truncated == len(short) and r.error == bool(short or r.overruns)
        if case == "data":
            assert r.overruns > 0


def test_raw_layer_short_data_overruns():
    w = random_layer(np.random.default_rng(5), 4, 10, 0.0)
    s = encode_bitmask(w, 16)
    assert not s.compressed
    r = decode_bitmask_report(s, w.shape, data_elems=25)
    assert r.overruns == 15 and r.truncated == 0 and r.error
    assert np.array_equal(r.weights.reshape(-1), np.r_[w.reshape(-1)[:25], np.zeros(15, int)])


def test_mask_fault_without_idxsync_is_a_wgs_mismatch():
    w = random_layer(np.random.default_rng(6), 20, 30, 0.5)   # two groups (16 + 4 kernels)
    s = encode_bitmask(w, 16, idxsync_block=64, allow_raw=False)
    r = decode_bitmask_report(s.with_surfaces(wmb=flip_bits(s.wmb, [5])), w.shape, idxsync=False)
    assert r.wgs_mismatches == 1 and r.resyncs == 0 and r.error


def test_bad_arguments_raise():
    s = encode_bitmask(random_layer(np.random.default_rng(4), 4, 4, 0.3), 16, idxsync_block=64)
    with pytest.raises(ValueError, match="elements"):
        decode_bitmask(s, (3, 3))
    with pytest.raises(ValueError, match="outside signed 8-bit"):
        encode_bitmask(np.array([[300]]), 8)


# ---------------------------------------------------------------- CSR

def naive_csr(m, index_bits):
    span = 1 << index_bits
    values, idx, counts = [], [], []
    for row in np.asarray(m).tolist():
        n, last = 0, -1
        for c, v in enumerate(row):
            if v:
                gap = c - last - 1
                while gap >= span:
                    values.append(0)
                    idx.append(span - 1)
                    gap -= span
                    n += 1
                values.append(v)
                idx.append(gap)
                n += 1
                last = c
        counts.append(n)
    return values, idx, counts


def test_csr_hand_example():
    # index_bits=2: at most 3 zeros skipped; a gap of 9 zeros needs 2 fillers (each 4 columns) + gap 1.
    m = np.array([[0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], [0] * 12, [1] + [0] * 11])
    e = encode_csr(m, 2)
    assert e.values.tolist() == [5, 0, 0, 7, 1]
    assert e.col_idx.tolist() == [1, 3, 3, 1, 0]
    assert e.row_counts.tolist() == [4, 0, 1]
    assert np.array_equal(decode_csr(e), m)


def test_csr_packed_surfaces_hand_example():
    m = np.array([[0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], [0] * 12, [1] + [0] * 11])
    s = pack_csr(encode_csr(m, 2), 4, 4)          # values [5,0,0,7,1] as nibbles; col_idx [1,3,3,1,0] 2 bits
    assert list(s.values) == [0x05, 0x70, 0x01]
    assert list(s.col_idx) == [1 | 3 << 2 | 3 << 4 | 1 << 6, 0]
    assert list(s.row_counts) == [0x04, 0x01]     # [4, 0, 1]
    assert np.array_equal(decode_csr(s.unpack()), m)
    signed = pack_csr(encode_csr(np.array([[-2, 0, 300]]), 4), 16, 16)
    assert list(signed.values) == [0xFE, 0xFF, 0x2C, 0x01] and signed.unpack().values.tolist() == [-2, 300]
    with pytest.raises(ValueError, match="outside 4-bit 0..15"):
        pack_csr(encode_csr(np.array([[-1]]), 4), 4, 16)
    with pytest.raises(ValueError, match="does not fit 2 bits"):
        pack_csr(encode_csr(np.array([[1, 1, 1, 1]]), 4), 8, 2)


@pytest.mark.parametrize("bits", [4, 5, 6, 7, 8, 16])
def test_csr_packing_matches_a_bit_loop_and_round_trips(bits):
    rng = np.random.default_rng(60 + bits)
    e = encode_csr(random_layer(rng, 9, 70, 0.7, bits), 3)
    s = pack_csr(e, bits, 11)
    for name, width in (("values", bits), ("col_idx", 3), ("row_counts", 11)):
        words = [int(x) & ((1 << width) - 1) for x in getattr(e, name)]
        stream = [(x >> j) & 1 for x in words for j in range(width)]
        assert bytes(getattr(s, name)) == bytes_of_bits(stream), name
    back = s.unpack()
    for name in ("values", "col_idx", "row_counts"):
        assert np.array_equal(getattr(back, name), getattr(e, name)), name


@pytest.mark.parametrize("sparsity", [0.0, 0.4, 0.9, 0.99])
def test_csr_matches_naive_and_roundtrips(sparsity):
    rng = np.random.default_rng(int(sparsity * 1000))
    m = random_layer(rng, 23, 150, sparsity)
    for bits in (2, 4, 8):
        e = encode_csr(m, bits)
        v, i, c = naive_csr(m, bits)
        assert e.values.tolist() == v and e.col_idx.tolist() == i and e.row_counts.tolist() == c
        r = decode_csr_report(e)
        assert np.array_equal(r.weights, m) and not r.error and r.entries == len(v)


def test_csr_corruption_is_robust_and_localized():
    rng = np.random.default_rng(9)
    m = random_layer(rng, 10, 60, 0.7)
    e = encode_csr(m, 4)
    # a relative-index fault damages only its own row
    col_bad = e.replace(col_idx=flip_word_bits(e.col_idx, 4, [4 * 3 + 3]))
    row_of_entry = np.repeat(np.arange(10), e.row_counts)[3]
    damaged = np.flatnonzero((decode_csr(col_bad) != m).any(axis=1))
    assert set(damaged) <= {row_of_entry}
    # a row-counter fault shifts every later row; an oversize count overruns and is flagged
    cnt_bad = e.replace(row_counts=np.r_[e.row_counts[:2], e.row_counts[2] + 1, e.row_counts[3:]])
    damaged = np.flatnonzero((decode_csr(cnt_bad) != m).any(axis=1))
    assert damaged.min() >= 2 and len(damaged) >= 5
    huge = decode_csr_report(e.replace(row_counts=np.r_[e.row_counts[:-1], 10**6]))
    assert huge.row_overruns > 0 and huge.error
    wide = decode_csr_report(e.replace(col_idx=np.full(e.n_entries, 15)))
    assert wide.col_overflows > 0


def naive_csr_decode(stored):
    """Row-by-row loop over stored (bit-packed) CSR arrays, written from the RTL's description:
    an entry not wholly inside its surface reads 0; returns ``(dense, counters)``."""
    def read(name, k):
        buf, w = getattr(stored, name), stored.widths[name]
        if (k + 1) * w > 8 * len(buf):
            return 0
        x = sum(((int(buf[(k * w + j) // 8]) >> ((k * w + j) % 8)) & 1) << j for j in range(w))
        signed = name == "values" and w in (8, 16)
        return x - (1 << w) if signed and x >> (w - 1) else x
    needed = {"values": stored.n_entries, "col_idx": stored.n_entries, "row_counts": stored.n_rows}
    c = {"row_overruns": 0, "col_overflows": 0, "entries": 0,
         "truncated": sum(needed[k] * stored.widths[k] > 8 * len(getattr(stored, k)) for k in needed)}
    out = np.zeros((stored.n_rows, stored.n_cols), dtype=np.int64)
    entry = 0
    for r in range(stored.n_rows):
        col = -1
        for _ in range(read("row_counts", r)):
            if entry >= stored.n_entries:
                c["row_overruns"] += 1
                continue
            col += 1 + read("col_idx", entry)
            if col < stored.n_cols:
                out[r, col] = read("values", entry)
            else:
                c["col_overflows"] += 1
            entry += 1
    c["entries"] = entry
    c["unused_entries"] = stored.n_entries - entry
    return out, c


CSR_CORRUPTIONS = {  # name -> (array cuts as a fraction of the needed bytes, row-counter change)
    "values_cut": ({"values": 0.5}, 0),
    "col_idx_cut": ({"col_idx": 0.7}, 0),
    "row_counts_cut": ({"row_counts": 0.6}, 0),
    "all_empty": ({"values": 0, "col_idx": 0, "row_counts": 0}, 0),
    "counts_short": ({}, -2),          # entries left after the last row
    "counts_long": ({}, +5),           # entries asked for past the values
}


@pytest.mark.parametrize("case", list(CSR_CORRUPTIONS))
@pytest.mark.parametrize("bits", [16, 5])
def test_csr_truncated_and_inconsistent_match_naive(case, bits):
    cuts, delta = CSR_CORRUPTIONS[case]
    rng = np.random.default_rng(70 + bits)
    e = encode_csr(random_layer(rng, 12, 50, 0.6, bits), 4)
    counts = e.row_counts.copy()
    counts[3] = max(0, counts[3] + delta)
    s = pack_csr(e.replace(row_counts=counts), bits, 16)
    need = {"values": -(-e.n_entries * bits // 8), "col_idx": -(-e.n_entries * 4 // 8), "row_counts": 2 * e.n_rows}
    s = s.with_surfaces(**{k: getattr(s, k)[: int(f * need[k])] for k, f in cuts.items()})
    r = decode_csr_report(s)
    want, c = naive_csr_decode(s)
    assert np.array_equal(r.weights, want)
    assert {k: getattr(r, k) for k in c} == c
    assert r.truncated == len(cuts) and r.error
    assert (r.unused_entries > 0) == (delta < 0 or "row_counts" in cuts) and (delta <= 0 or r.row_overruns > 0)


# ---------------------------------------------------------------- SEC-DED, Gray, LUT

def test_secded_hand_codeword():
    # k=4: r=3; data 0b1011 -> positions 3,5,7 set; p1 = 1, p2 = 0, p4 = 0; overall parity 0.
    assert codeword_bits(4) == 8 and codeword_bits(32) == 39 and codeword_bits(57) == 64
    assert int(secded_encode(np.array([0b1011]), 4)[0]) == 0b1010_1010


@pytest.mark.parametrize("k", [4, 8])
def test_secded_exhaustive_single_and_double(k):
    n = codeword_bits(k)
    data = np.arange(1 << k, dtype=np.uint64)
    cw = secded_encode(data, k)
    d, c, u = secded_decode(cw, k)
    assert np.array_equal(d, data) and not c.any() and not u.any()
    for i in range(n):
        d, c, u = secded_decode(cw ^ np.uint64(1 << i), k)
        assert np.array_equal(d, data) and c.all() and not u.any()
        for j in range(i + 1, n):
            d, c, u = secded_decode(cw ^ np.uint64((1 << i) | (1 << j)), k)
            assert u.all() and not c.any()


def test_secded_random_configured_width():
    rng = np.random.default_rng(5)
    k = 32
    data = rng.integers(0, 1 << k, size=2000, dtype=np.uint64)
    cw = secded_encode(data, k)
    one = rng.integers(0, 39, size=2000).astype(np.uint64)
    d, c, u = secded_decode(cw ^ (np.uint64(1) << one), k)
    assert np.array_equal(d, data) and c.all() and not u.any()
    two = (one + rng.integers(1, 39, size=2000).astype(np.uint64)) % np.uint64(39)
    d, c, u = secded_decode(cw ^ (np.uint64(1) << one) ^ (np.uint64(1) << two), k)
    assert u.all()
    with pytest.raises(ValueError):
        secded_encode(np.array([1 << 33]), 32)


def test_gray():
    assert gray_encode(np.arange(8)).tolist() == [0, 1, 3, 2, 6, 7, 5, 4]
    x = np.arange(1 << 12)
    g = gray_encode(x)
    assert np.array_equal(gray_decode(g), x)
    assert np.all(np.bitwise_count(g[1:] ^ g[:-1]) == 1)


def test_lut():
    book = np.array([-5, 0, 7, 32767])
    assert lut_lookup(book, [3, 0, 2, 9]).tolist() == [32767, -5, 7, 0]
    with pytest.raises(ValueError):
        lut_lookup(np.zeros(129), [0])


# ---------------------------------------------------------------- decoder cost models

def test_bitmask_decoder_cost_hand_counted():
    from hymem.golden.maxnvm.codecs import BitmaskLayout
    from hymem.golden.maxnvm.codecs.cost import bitmask_beats, bitmask_decoder_cost
    # 20 kernels x 10 elements, 16-bit: groups of 16 kernels -> 160 + 40 elements.
    # Blocks of 64 bits: group 0 -> 64, 64, 32; group 1 -> 40.  Lanes 3: 22 + 22 + 11 + 14 = 69 beats.
    lay = BitmaskLayout(20, 10, 16, 64)
    cost = bitmask_decoder_cost(lay, lanes=3, block=64)
    assert (cost.beats, cost.groups, cost.busy_cycles, cost.weights) == (69, 2, 71, 200)
    beats = bitmask_beats(np.arange(200).reshape(20, 10), lay, lanes=3, block=64)
    assert len(beats) == 69 and sum(b["count"] for b in beats) == 200 and beats[-1]["last"] == 1
    assert beats[21] == {"w0": 63, "w1": 0, "w2": 0, "count": 1, "last": 0}   # block 0 ends on a 1-weight beat


def test_csr_decoder_cost_hand_counted():
    from hymem.golden.maxnvm.codecs.cost import csr_decoder_cost
    assert csr_decoder_cost(3, 12) == {"rows": 3, "weights_out": 36, "busy_cycles": 39}


def test_busy_cycles_with_stalls_hand_replayed():
    from hymem.golden.maxnvm.codecs.cost import busy_cycles_with_stalls
    # start in cycle 0; set-up in 1; beats offered from 2; ready 0 in 2, 4, 5: beats leave in 3 and 6.
    assert busy_cycles_with_stalls([2], [1, 1, 0, 1, 0, 0, 1], 0) == (6, 7)
    assert busy_cycles_with_stalls([1, 1], [1, 1, 1], 0) == (4, 5)       # set-up, beat, set-up, beat
    assert busy_cycles_with_stalls([1], [0, 0, 0], 0) == (3, 4)          # ready again past the pattern
    assert busy_cycles_with_stalls([3], [0] * 10, 5) == (7, 13)  # set-up 6, stalls 7-9, beats 10-12


def test_codec_config_is_strict(tmp_path):
    from hymem.golden.config import ConfigError
    from hymem.golden.maxnvm.params import load_maxnvm_config
    from hymem.tools.toolchain import REPO
    text = (REPO / "configs" / "maxnvm.toml").read_text()
    assert load_maxnvm_config().codec.group_kernels == 16
    for k, (old, new, message) in enumerate((
            ("lanes = 4", "lanes = 0", r"codec.lanes=0: must be in 1..16"),
            ("data_bits = 16", "data_bits = 12", r"codec.data_bits=12: must be one of 4, 5, 6, 7, 8, 16"),
            ("index_bits = 7", "index_bits = 8", r"codec.index_bits=8: must be in 4..7"),
            ("lut_entries = 128", "lut_entries = 64", r"2\*\*index_bits <= lut_entries=64"))):
        (tmp_path / f"{k}.toml").write_text(text.replace(old, new))
        with pytest.raises(ConfigError, match=message):
            load_maxnvm_config(tmp_path / f"{k}.toml")


def test_busy_cycles_through_a_register_stage_by_hand():
    from hymem.golden.maxnvm.codecs.cost import busy_cycles_through_stage, busy_cycles_with_stalls
    # always ready: the stage is invisible (set-up, 2 beats, set-up, 3 beats)
    assert busy_cycles_through_stage([2, 3], [1] * 20, 0) == busy_cycles_with_stalls([2, 3], [1] * 20, 0) == (7, 8)
    # sink stalled in cycles 0-4: beat 1 enters the empty stage in cycle 2, beat 2 waits for
    # the drain in cycle 5; without the stage both beats wait (cycles 5 and 6)
    assert busy_cycles_through_stage([2], [0] * 5, 0) == (5, 6)
    assert busy_cycles_with_stalls([2], [0] * 5, 0) == (6, 7)


@pytest.mark.parametrize("bits", [4, 7])
def test_weight_decode_is_codebook_of_decoded_indices(bits):
    rng = np.random.default_rng(40 + bits)
    w = random_layer(rng, 21, 30, 0.6, bits)
    s = encode_bitmask(w, bits, idxsync_block=64, allow_raw=False)
    n_entries = (1 << bits) - 3                    # the top 3 indices fall outside the codebook
    book = rng.integers(-(1 << 15), 1 << 15, n_entries)
    book[0] = 0
    r = decode_weights_report(s, w.shape, book)
    want = np.array([[book[i] if i < n_entries else 0 for i in row] for row in w.tolist()])
    assert np.array_equal(r.weights, want) and r.lookups == w.size
    assert r.out_of_range == int(np.sum(w >= n_entries)) and np.array_equal(r.indices.weights, w)
    with pytest.raises(ValueError, match="packed cluster indices"):
        decode_weights_report(encode_bitmask(w, 8), w.shape, book)
