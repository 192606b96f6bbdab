"""Compressed Sparse Row with relative column indices (seed 003 §3.2.1, §4.2).

Three structures per 2-D weight matrix (a conv layer's ``(kernels, C*R*S)``
view, mapped by the caller):

* ``values``: the stored entries, row by row (non-zeros and zero fillers);
* ``col_idx``: per entry, the number of zero columns skipped since the previous
  entry of its row (the first entry counts from column 0), ``index_bits`` wide;
* ``row_counts``: entries per row (fillers included).

Gaps wider than ``2**index_bits - 1`` zeros get zero fillers: a filler skips
the maximum ``2**index_bits - 1`` zeros and stores a 0 value at the next
column, so each filler consumes ``2**index_bits`` columns (Deep Compression's
padding rule, which seed 003 follows for its relative indexes).  Trailing zeros
of a row need no filler.

Stored form (:class:`CsrSurfaces`, what the RTL ``CsrDecoder`` reads and the MLC cells
hold): each array bit-packed little-endian at its own width — values at ``value_bits``
(8/16: signed two's complement; 4..7: unsigned cluster indices), column indices at
``index_bits``, row counters at ``counter_bits`` (entry ``i`` at bits ``i*w .. i*w + w - 1``,
bit ``k`` of the stream is bit ``k % 8`` of byte ``k // 8``), zero-padded to a whole byte.

Decoding never raises on corrupted structures (each item below also raises the RTL's
``error`` flag): row ranges come from the running sum of ``row_counts`` (so a corrupted
counter shifts every later row, seed 003 §4.2); entries the counters ask for past the end
of ``values`` are missing and counted in ``row_overruns``; entries left over after the
last row (counters summing to fewer than ``n_entries``) are counted in ``unused_entries``;
an entry whose column falls past the row's end is dropped and counted in
``col_overflows``; in stored form (:class:`CsrSurfaces`) an array shorter than the matrix
needs (``n_entries`` values and column indices, ``n_rows`` counters) reads as zeros from
its first entry not wholly present on and counts once in ``truncated``.  A count wider
than ``counter_bits`` or an index wider than ``index_bits`` cannot occur in stored form
(callers flip bits within those widths).  A matrix of no rows decodes to nothing and counts
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.bits import pack_words, unpack_whole_words
from hymem.golden.fixed import from_unsigned, to_unsigned
from hymem.golden.maxnvm.codecs.bitmask import element_range
from hymem.golden.maxnvm.params import CsrArray, is_packed

CSR_ARRAYS = tuple(array.name.lower() for array in CsrArray)  # values, col_idx, row_counts


@dataclass(frozen=True)
class CsrEncoded:
    values: np.ndarray      # int64, one per stored entry (fillers are 0)
    col_idx: np.ndarray     # int64, zeros skipped before each entry, 0 .. 2**index_bits - 1
    row_counts: np.ndarray  # int64, entries per row
    n_cols: int
    index_bits: int

    @property
    def n_rows(self) -> int:
        return len(self.row_counts)

    @property
    def n_entries(self) -> int:
        return len(self.values)

    @property
    def n_fillers(self) -> int:
        return int(np.sum(self.values == 0))

    def replace(self, **arrays) -> CsrEncoded:
        """A copy with some arrays replaced (e.g. fault-injected)."""
        fields = {"values": self.values, "col_idx": self.col_idx, "row_counts": self.row_counts}
        fields.update({k: np.asarray(v, dtype=np.int64) for k, v in arrays.items()})
        return CsrEncoded(**fields, n_cols=self.n_cols, index_bits=self.index_bits)


@dataclass(frozen=True)
class CsrDecode:
    """Decoded matrix and what the decoder saw (the RTL's counters and flags)."""

    weights: np.ndarray
    entries: int         # entries consumed
    row_overruns: int    # entries the row counters asked for beyond the end of ``values``
    col_overflows: int   # entries whose column fell past the row's end (dropped)
    unused_entries: int  # entries after the last row's (the counters sum to fewer than n_entries)
    truncated: int       # stored arrays shorter than the matrix needs (0..3; 0 for unpacked input)

    @property
    def error(self) -> bool:
        return bool(self.row_overruns or self.col_overflows or self.unused_entries or self.truncated)


def encode_csr(matrix, index_bits: int) -> CsrEncoded:
    """CSR of a 2-D integer matrix with ``index_bits``-bit relative column indices."""
    m = np.asarray(matrix)
    if m.ndim != 2:
        raise ValueError(f"encode_csr needs a 2-D matrix, got shape {m.shape}")
    if not 1 <= index_bits <= 16:
        raise ValueError(f"index_bits={index_bits}: must be in 1..16")
    span = 1 << index_bits                      # columns a filler consumes
    rows, cols = np.nonzero(m)
    prev = np.r_[-1, cols[:-1]]
    prev[np.r_[True, rows[1:] != rows[:-1]]] = -1   # each row counts from column 0
    gap = cols - prev - 1
    fillers = gap // span
    per_nz = fillers + 1
    owner = np.repeat(np.arange(len(cols)), per_nz)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(per_nz) - per_nz, per_nz)
    is_filler = k < fillers[owner]
    values = np.where(is_filler, 0, m[rows, cols][owner].astype(np.int64))
    col_idx = np.where(is_filler, span - 1, gap[owner] - fillers[owner] * span)
    row_counts = np.bincount(rows[owner], minlength=m.shape[0]).astype(np.int64)
    return CsrEncoded(values.astype(np.int64), col_idx.astype(np.int64), row_counts, int(m.shape[1]), index_bits)


def decode_csr(enc: CsrEncoded) -> np.ndarray:
    """Dense ``(n_rows, n_cols)`` matrix; see :func:`decode_csr_report`."""
    return decode_csr_report(enc).weights


def decode_csr_report(enc: CsrEncoded | CsrSurfaces) -> CsrDecode:
    """Decode like the RTL ``CsrDecoder``; never raises on corrupted arrays.  Stored
    (:class:`CsrSurfaces`) input is unpacked first and its short arrays counted."""
    truncated = 0
    if isinstance(enc, CsrSurfaces):
        truncated = len(enc.short_arrays()) if enc.n_rows else 0
        enc = enc.unpack()
    counts = np.maximum(np.asarray(enc.row_counts, dtype=np.int64), 0)
    n_rows, n_entries = len(counts), len(enc.values)
    row_end = np.cumsum(counts)
    row_start = row_end - counts
    available = np.clip(np.minimum(row_end, n_entries) - row_start, 0, None)
    row_overruns = int(np.sum(counts - available))
    row = np.repeat(np.arange(n_rows), available)
    entry = np.arange(len(row)) + np.repeat(row_start - exclusive(available), available)
    step = np.asarray(enc.col_idx, dtype=np.int64)[entry] + 1
    col = np.cumsum(step) - 1
    col -= np.repeat(exclusive_row_total(step, available), available)
    inside = col < enc.n_cols
    out = np.zeros((n_rows, enc.n_cols), dtype=np.int64)
    out[row[inside], col[inside]] = np.asarray(enc.values, dtype=np.int64)[entry[inside]]
    unused = n_entries - len(row) if n_rows else 0
    return CsrDecode(out, len(row), row_overruns, int(np.sum(~inside)), unused, truncated)


def exclusive(x: np.ndarray) -> np.ndarray:
    return np.cumsum(x) - x


def exclusive_row_total(step: np.ndarray, per_row: np.ndarray) -> np.ndarray:
    """Per row, the sum of ``step`` over all earlier rows' entries."""
    ends = np.cumsum(per_row)
    totals = np.r_[0, np.cumsum(step)][ends]
    return np.r_[0, totals[:-1]] if len(totals) else totals


@dataclass(frozen=True)
class CsrSurfaces:
    """A :class:`CsrEncoded` in stored form: the three arrays bit-packed (uint8 surfaces)."""

    values: np.ndarray
    col_idx: np.ndarray
    row_counts: np.ndarray
    widths: dict            # array -> bits per entry
    n_entries: int
    n_rows: int
    n_cols: int

    def surfaces(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in CSR_ARRAYS}

    def with_surfaces(self, **surfaces) -> CsrSurfaces:
        """A copy with some surfaces replaced (e.g. read back through faulty cells)."""
        current = self.surfaces()
        current.update({k: np.asarray(v, dtype=np.uint8) for k, v in surfaces.items()})
        return CsrSurfaces(**current, widths=self.widths, n_entries=self.n_entries, n_rows=self.n_rows,
                           n_cols=self.n_cols)

    def needed(self) -> dict[str, int]:
        """Entries of each array the matrix needs."""
        return {"values": self.n_entries, "col_idx": self.n_entries, "row_counts": self.n_rows}

    def present(self) -> dict[str, int]:
        """Entries of each array wholly inside its surface."""
        return {k: len(getattr(self, k)) * 8 // self.widths[k] for k in CSR_ARRAYS}

    def short_arrays(self) -> list[str]:
        """Arrays shorter than the matrix needs (the RTL's ``truncated`` events)."""
        present = self.present()
        return [k for k, need in self.needed().items() if present[k] < need]

    def unpack(self) -> CsrEncoded:
        """The arrays back (entries not wholly inside a surface read as 0; values
        sign-extended unless packed indices)."""
        arrays = {k: unpack_whole_words(getattr(self, k), self.widths[k], need) for k, need in self.needed().items()}
        vb = self.widths["values"]
        if not is_packed(vb):
            arrays["values"] = from_unsigned(arrays["values"], vb)
        return CsrEncoded(**arrays, n_cols=self.n_cols, index_bits=self.widths["col_idx"])


def pack_csr(enc: CsrEncoded, value_bits: int, counter_bits: int) -> CsrSurfaces:
    """The stored (bit-packed) form of ``enc``; values must fit ``value_bits`` (signed for 8/16,
    unsigned indices for 4..7) and row counters ``counter_bits``."""
    lo, hi = element_range(value_bits)
    values = np.asarray(enc.values, dtype=np.int64)
    if len(values) and (values.min() < lo or values.max() > hi):
        raise ValueError(f"CSR values span {values.min()}..{values.max()}: outside {value_bits}-bit {lo}..{hi}")
    counts = np.asarray(enc.row_counts, dtype=np.int64)
    if len(counts) and counts.max() >= 1 << counter_bits:
        raise ValueError(f"row counter {counts.max()} does not fit {counter_bits} bits")
    widths = {"values": value_bits, "col_idx": enc.index_bits, "row_counts": counter_bits}
    arrays = {"values": to_unsigned(values, value_bits), "col_idx": enc.col_idx, "row_counts": counts}
    packed = {k: pack_words(np.asarray(arrays[k], dtype=np.int64), widths[k]) if len(arrays[k])
              else np.zeros(0, np.uint8) for k in CSR_ARRAYS}
    return CsrSurfaces(**packed, widths=widths, n_entries=enc.n_entries, n_rows=enc.n_rows, n_cols=enc.n_cols)
