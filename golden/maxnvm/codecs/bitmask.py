"""NVDLA BitMask sparse weight format with MaxNVM's Index Synchronization (IdxSync).

Format (public ``nvdla/doc``, ``doc/hw/format.rst``, "Sparse Compression option";
seed 003 §3.2.2):

* weights ``(n_kernels, *kernel_shape)`` are split into groups of ``G`` kernels
  (``G`` = 16 for 16-bit data, 32 for 8-bit; the last group may be shorter);
* one mask bit per element (1 = non-zero), a group's bits form its WMB; the WMB
  surface is the groups' bits back to back, **little-endian** within each byte
  (element ``i`` is bit ``i % 8`` of byte ``i // 8``), zero-padded to 128 B;
* the non-zero elements are packed contiguously (little-endian two's
  complement, ``data_bits / 8`` bytes each), zero-padded to 128 B;
* WGS: one little-endian 32-bit word per group, the group's packed byte count,
  zero-padded to 128 B;

Packed cluster indices (MaxNVM's extension, seed 003 §3.1.2 and Table 2, whose
BitMask sizes count ``b``-bit values): with ``data_bits`` = ``b`` in 4..7 the
elements are *unsigned* cluster indices, bit-packed little-endian across the
whole data surface (element ``i`` at bits ``i*b .. i*b + b - 1``, bit ``k`` of
the stream is bit ``k % 8`` of byte ``k // 8``), with no alignment between
groups; groups hold 16 kernels (as for the 16-bit weights they replace); a
group's WGS word counts its packed *elements* (a byte count would be
fractional).  The raw fallback packs every element the same way.  8- and 16-bit
surfaces are NVDLA's, unchanged.
* in memory the three surfaces start 256-B aligned (:meth:`BitmaskSurfaces.image`);
* compression is used only when it is smaller than the raw weights (then
  ``compressed`` is False, ``data`` holds the raw elements and the other
  surfaces are empty).

Element order inside a group (a documented simplification): the C order of
``weights[g*G:(g+1)*G]`` — kernel by kernel, each kernel flattened.  NVDLA's
direct-convolution weight mapping interleaves kernels inside 64/128-byte atoms;
the order does not change any size or the fault behaviour studied here.

IdxSync (seed 003 §3.3, Fig. 4): each group's mask is cut into blocks of
``idxsync_block`` bits (the last block of a group may be shorter).  Per block a
counter word of ``counter_bits + 1`` bits holds the number of non-zeros or the
number of zeros, whichever is smaller (ties: non-zeros), with bit
``counter_bits`` set when it counts zeros.  The words are bit-packed
little-endian into their own surface (zero-padded to 128 B).  A decoder with
IdxSync on starts every block's read index into the packed values at the
previous block's start plus the previous block's counted non-zeros, so a
flipped mask bit mis-assigns values only inside its own block; with IdxSync off
the index runs on through the mask and an error propagates to the end of the
group.  Both modes start each group at the cumulative WGS byte count.

Decoding never raises on corrupted surfaces; the damage is reported in
:class:`BitmaskDecode` (each item below also raises the RTL's ``error`` flag):

* a counter that decodes to more non-zeros than its block holds (or, counting
  zeros, to more zeros) is clamped to the block and counted in ``counter_errors``;
* a block whose mask popcount differs from its IdxSync counter (IdxSync on) is
  re-aligned anyway and counted in ``resyncs``;
* a WGS word that is not a whole number of elements or exceeds its group's
  size is clamped (rounded down, at most the group) and counted in ``wgs_errors``;
* a group whose mask popcount differs from its (clamped) WGS count is counted in
  ``wgs_mismatches`` (no IdxSync needed: a flipped mask bit shows here);
* a value read past the end of the data surface (``data_elems``) yields 0 and
  counts in ``overruns`` (raw layers too);
* a WMB, WGS or IdxSync surface shorter than the layer needs (whole items present:
  mask bits ``8 * bytes``, WGS words ``bytes // 4``, counter words
  ``8 * bytes // word bits``; IdxSync counters only when read) reads as zeros past
  its end and counts once per layer in ``truncated`` (surfaces short, 0..3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.bits import bits_of, pack_words, unpack_whole_words, unpack_words
from hymem.golden.maxnvm.params import ELEMENT_BITS, group_kernels_of, is_packed

SURFACE_ALIGN = 128        # bytes: each surface's size (format.rst)
SURFACE_START_ALIGN = 256  # bytes: each surface's start address (format.rst)
WGS_BYTES = 4


def align_up(n: int, a: int) -> int:
    return -(-int(n) // a) * a


def pad_to(buf: np.ndarray, align: int = SURFACE_ALIGN) -> np.ndarray:
    """``buf`` (uint8) zero-padded to a multiple of ``align`` bytes."""
    out = np.zeros(align_up(len(buf), align), dtype=np.uint8)
    out[: len(buf)] = buf
    return out


def counter_bits(block: int) -> int:
    """Bits of an IdxSync count field: holds ``block // 2`` (the smaller of non-zeros, zeros)."""
    return int(block // 2).bit_length()


def idxsync_word_bits(block: int) -> int:
    """Stored bits per IdxSync counter: the count field plus the zeros/non-zeros flag."""
    return counter_bits(block) + 1


def element_dtype(data_bits: int) -> np.dtype:
    return np.dtype("<i2") if data_bits == 16 else np.dtype("i1")


def element_range(data_bits: int) -> tuple[int, int]:
    """Smallest and largest storable element: unsigned when packed, else signed."""
    if is_packed(data_bits):
        return 0, (1 << data_bits) - 1
    return -(1 << (data_bits - 1)), (1 << (data_bits - 1)) - 1


def pack_elements(values, data_bits: int) -> np.ndarray:
    """Elements as surface bytes (unpadded): NVDLA little-endian bytes, or bit-packed indices."""
    values = np.asarray(values, dtype=np.int64)
    if is_packed(data_bits):
        return pack_words(values, data_bits) if len(values) else np.zeros(0, np.uint8)
    return values.astype(element_dtype(data_bits)).view(np.uint8)


def unpack_elements(buf, data_bits: int) -> np.ndarray:
    """Every whole element of a data surface (int64; inverse of :func:`pack_elements`)."""
    buf = np.asarray(buf, dtype=np.uint8)
    if is_packed(data_bits):
        return unpack_words(buf, data_bits, len(buf) * 8 // data_bits)
    eb = data_bits // 8
    return buf[: len(buf) // eb * eb].view(element_dtype(data_bits)).astype(np.int64)


def elements_in(nbytes: int, data_bits: int) -> int:
    """Whole elements held by ``nbytes`` of data surface."""
    return int(nbytes) * 8 // data_bits


@dataclass(frozen=True)
class BitmaskLayout:
    """Group and block geometry of one encoded layer (everything but the bytes)."""

    n_kernels: int
    kernel_elems: int
    data_bits: int
    idxsync_block: int | None

    @property
    def group_kernels(self) -> int:
        return group_kernels_of(self.data_bits)

    @property
    def wgs_per_element(self) -> int:
        """WGS units per packed element: bytes for NVDLA's 8/16-bit elements, 1 for packed indices."""
        return 1 if is_packed(self.data_bits) else self.data_bits // 8

    @property
    def n_weights(self) -> int:
        return self.n_kernels * self.kernel_elems

    @property
    def n_groups(self) -> int:
        return -(-self.n_kernels // self.group_kernels)

    @property
    def group_elems(self) -> np.ndarray:
        """Mask bits (elements) of each group."""
        kernels = np.full(self.n_groups, self.group_kernels, dtype=np.int64)
        kernels[-1] = self.n_kernels - self.group_kernels * (self.n_groups - 1)
        return kernels * self.kernel_elems

    @property
    def group_first(self) -> np.ndarray:
        """Index of each group's first element."""
        return np.concatenate([[0], np.cumsum(self.group_elems)[:-1]]).astype(np.int64)

    def blocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """IdxSync blocks in stream order: ``(first element, length, group)`` per block."""
        block = self.idxsync_block or int(self.group_elems.max())
        per_group = -(-self.group_elems // block)
        group = np.repeat(np.arange(self.n_groups), per_group)
        local = np.arange(len(group)) - np.repeat(np.cumsum(per_group) - per_group, per_group)
        first = self.group_first[group] + local * block
        end = np.minimum(self.group_first[group] + local * block + block,
                         self.group_first[group] + self.group_elems[group])
        return first, end - first, group

    @property
    def n_blocks(self) -> int:
        return len(self.blocks()[0])

    @property
    def counter_bits(self) -> int:
        return counter_bits(self.idxsync_block) if self.idxsync_block else 0


@dataclass(frozen=True)
class BitmaskSurfaces:
    """One layer encoded in NVDLA's sparse format plus IdxSync counters.

    ``wgs``, ``wmb``, ``data``, ``idxsync``: uint8 surfaces, each a multiple of
    128 B (``wgs``/``wmb``/``idxsync`` empty when ``compressed`` is False;
    ``idxsync`` empty when ``layout.idxsync_block`` is None).  Fault studies
    flip bits in copies of these arrays and decode them.
    """

    layout: BitmaskLayout
    compressed: bool
    wgs: np.ndarray
    wmb: np.ndarray
    data: np.ndarray
    idxsync: np.ndarray

    @property
    def nbytes(self) -> int:
        """Stored bytes of all surfaces (padding included)."""
        return int(len(self.wgs) + len(self.wmb) + len(self.data) + len(self.idxsync))

    def surfaces(self) -> dict[str, np.ndarray]:
        return {"wgs": self.wgs, "wmb": self.wmb, "data": self.data, "idxsync": self.idxsync}

    def image(self) -> tuple[np.ndarray, dict[str, int]]:
        """One memory image: the non-empty surfaces at 256-B aligned offsets, in the
        order WGS, WMB, data, IdxSync.  Returns ``(bytes, {surface: offset})``."""
        offsets, end = {}, 0
        for name, buf in self.surfaces().items():
            if len(buf):
                offsets[name] = end
                end = align_up(end + len(buf), SURFACE_START_ALIGN)
        image = np.zeros(end, dtype=np.uint8)
        for name, off in offsets.items():
            buf = self.surfaces()[name]
            image[off: off + len(buf)] = buf
        return image, offsets

    def with_surfaces(self, **surfaces) -> BitmaskSurfaces:
        """A copy with some surfaces replaced (e.g. fault-injected)."""
        current = self.surfaces()
        current.update({k: np.asarray(v, dtype=np.uint8) for k, v in surfaces.items()})
        return BitmaskSurfaces(self.layout, self.compressed, **current)


@dataclass(frozen=True)
class BitmaskDecode:
    """Decoded weights and what the decoder saw (the RTL's counters and flags)."""

    weights: np.ndarray       # int64, the shape asked for
    blocks: int               # IdxSync blocks passed (0 when raw)
    resyncs: int              # blocks whose mask popcount differed from the counter (IdxSync on)
    counter_errors: int       # IdxSync counters clamped to their block
    wgs_errors: int           # WGS words clamped (not whole elements, or larger than the group)
    overruns: int             # reads past the end of the data surface (returned 0)
    truncated: int            # WMB / WGS / IdxSync surfaces shorter than the layer needs (0..3)
    wgs_mismatches: int       # groups whose mask popcount differed from their clamped WGS count

    @property
    def weights_out(self) -> int:
        return int(self.weights.size)

    @property
    def error(self) -> bool:
        """The RTL's ``error`` flag: any malformed or inconsistent input seen."""
        return bool(self.counter_errors or self.resyncs or self.wgs_errors or self.wgs_mismatches
                    or self.overruns or self.truncated)


def encode_bitmask(weights_int, data_bits: int, idxsync_block: int | None = None,
                   allow_raw: bool = True) -> BitmaskSurfaces:
    """Encode integer weights ``(n_kernels, ...)`` in NVDLA's sparse format.

    ``data_bits`` is 16 or 8 (values must fit signed) or 4..7 (unsigned cluster
    indices, bit-packed); ``idxsync_block`` (mask bits, a multiple of 8) adds
    IdxSync counters; ``allow_raw=False`` forces the compressed format even when
    it is not smaller (for fault studies).
    """
    w = np.asarray(weights_int)
    if data_bits not in ELEMENT_BITS:
        raise ValueError(f"data_bits={data_bits}: element widths are {', '.join(map(str, ELEMENT_BITS))}")
    if w.ndim < 1 or w.size == 0:
        raise ValueError(f"weights of shape {w.shape}: need (n_kernels, ...) with at least one element")
    lo, hi = element_range(data_bits)
    if w.min() < lo or w.max() > hi:
        kind = "unsigned" if is_packed(data_bits) else "signed"
        raise ValueError(f"weights span {w.min()}..{w.max()}: outside {kind} {data_bits}-bit {lo}..{hi}")
    if idxsync_block is not None and (idxsync_block < 8 or idxsync_block % 8):
        raise ValueError(f"idxsync_block={idxsync_block}: must be a multiple of 8 mask bits, >= 8")
    layout = BitmaskLayout(int(w.shape[0]), int(w.size // w.shape[0]), data_bits, idxsync_block)
    flat = w.reshape(-1).astype(np.int64)
    mask = (flat != 0).astype(np.uint8)

    group_nnz = np.add.reduceat(mask.astype(np.int64), layout.group_first)
    wgs = pad_to(np.asarray(group_nnz * layout.wgs_per_element, dtype="<u4").view(np.uint8))
    wmb = pad_to(np.packbits(mask, bitorder="little"))
    data = pad_to(pack_elements(flat[flat != 0], data_bits))
    idxsync = np.zeros(0, dtype=np.uint8)
    if idxsync_block is not None:
        idxsync = pad_to(pack_words(idxsync_words(mask, layout), idxsync_word_bits(idxsync_block)))
    sparse = BitmaskSurfaces(layout, True, wgs, wmb, data, idxsync)
    raw = pad_to(pack_elements(flat, data_bits))
    if allow_raw and sparse.nbytes >= len(raw):
        empty = np.zeros(0, dtype=np.uint8)
        return BitmaskSurfaces(layout, False, empty, empty, raw, empty)
    return sparse


def idxsync_words(mask: np.ndarray, layout: BitmaskLayout) -> np.ndarray:
    """IdxSync counter words (count | counts-zeros flag << counter_bits) per block."""
    first, length, _ = layout.blocks()
    nnz = np.add.reduceat(mask.astype(np.int64), first)
    zeros = length - nnz
    counts_zeros = zeros < nnz
    return np.where(counts_zeros, zeros, nnz) | (counts_zeros.astype(np.int64) << layout.counter_bits)


def decode_bitmask(surfaces: BitmaskSurfaces, shape, idxsync: bool = True) -> np.ndarray:
    """Dense integer weights of ``shape`` from (possibly corrupted) surfaces; see
    :func:`decode_bitmask_report` for the decoder's counters and error flags."""
    return decode_bitmask_report(surfaces, shape, idxsync).weights


def decode_bitmask_report(surfaces: BitmaskSurfaces, shape, idxsync: bool = True,
                          data_elems: int | None = None) -> BitmaskDecode:
    """Decode like the RTL ``BitmaskDecoder``; never raises on corrupted bytes.

    ``data_elems``: packed elements present (the RTL's ``data_elems`` input, at most those in
    ``surfaces.data``); default every whole element of ``surfaces.data``.  Reads at or past it
    give 0 and count as overruns.  The other surfaces' lengths are the RTL's ``wgs_bytes``,
    ``wmb_bytes`` and ``sync_bytes``: items not wholly present read as 0 (module docstring)."""
    layout = surfaces.layout
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    if int(np.prod(shape)) != layout.n_weights:
        raise ValueError(f"shape {shape} has {int(np.prod(shape))} elements; the surfaces hold {layout.n_weights}")
    if idxsync and surfaces.compressed and layout.idxsync_block is None:
        raise ValueError("idxsync=True but the surfaces were encoded without IdxSync counters (idxsync_block=None)")
    n, unit = layout.n_weights, layout.wgs_per_element
    values = unpack_elements(surfaces.data, layout.data_bits)
    if data_elems is not None:
        values = values[:data_elems]

    if not surfaces.compressed:
        out = np.zeros(n, dtype=np.int64)
        out[: min(n, len(values))] = values[:n]
        return BitmaskDecode(out.reshape(shape), 0, 0, 0, 0, max(0, n - len(values)), 0, 0)

    mask = bits_of(surfaces.wmb, n).astype(np.int64)
    wgs_present = len(surfaces.wgs) // WGS_BYTES
    wgs_raw = unpack_bytes(surfaces.wgs[: wgs_present * WGS_BYTES], WGS_BYTES, layout.n_groups)
    group_max = layout.group_elems * unit
    wgs_bad = (wgs_raw % unit != 0) | (wgs_raw > group_max)
    group_nnz = np.minimum(wgs_raw, group_max) // unit
    group_start = exclusive_cumsum(group_nnz)

    first, length, group = layout.blocks()
    block_of = np.repeat(np.arange(len(first)), length)
    ones_before = exclusive_cumsum(mask)          # mask ones before each element (global)
    rank_in_block = ones_before - ones_before[first][block_of]
    popcount = np.add.reduceat(mask, first)
    short = {"wmb": len(surfaces.wmb) * 8 < n, "wgs": wgs_present < layout.n_groups, "idxsync": False}
    if idxsync:
        word_bits = idxsync_word_bits(layout.idxsync_block)
        sync_present = len(surfaces.idxsync) * 8 // word_bits
        words = unpack_whole_words(surfaces.idxsync, word_bits, len(first))
        short["idxsync"] = sync_present < len(first)
        expected, counter_bad = counted_nonzeros(words, length, layout.counter_bits)
        counter_errors = int(counter_bad.sum())
        resyncs = int(np.sum(popcount != expected))
    else:
        expected, counter_errors, resyncs = popcount, 0, 0
    # Each block starts at its group's WGS start plus the non-zeros of the group's earlier blocks.
    block_base = group_start[group] + within_group_exclusive_cumsum(expected, group)
    index = block_base[block_of] + rank_in_block
    hit = mask.astype(bool)
    overrun = hit & (index >= len(values))
    out = np.zeros(n, dtype=np.int64)
    ok = hit & ~overrun
    out[ok] = values[index[ok]]
    mismatches = int(np.sum(np.add.reduceat(mask, layout.group_first) != group_nnz))
    return BitmaskDecode(out.reshape(shape), len(first), resyncs, counter_errors,
                         int(wgs_bad.sum()), int(overrun.sum()), int(sum(short.values())), mismatches)


def counted_nonzeros(words: np.ndarray, length: np.ndarray, cbits: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-zeros per block from IdxSync words, clamped to ``0..length``; and which were clamped."""
    count = words & ((1 << cbits) - 1)
    counts_zeros = (words >> cbits) & 1
    bad = count > length
    count = np.minimum(count, length)
    return np.where(counts_zeros == 1, length - count, count), bad


def unpack_bytes(buf: np.ndarray, width: int, n: int) -> np.ndarray:
    """``n`` little-endian ``width``-byte unsigned words; bytes past ``buf`` read as 0."""
    raw = np.zeros(n * width, dtype=np.uint8)
    m = min(len(buf), n * width)
    raw[:m] = np.asarray(buf, dtype=np.uint8)[:m]
    return (raw.reshape(n, width).astype(np.int64) << (8 * np.arange(width))).sum(axis=1)


def exclusive_cumsum(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.int64)
    return np.cumsum(x) - x


def within_group_exclusive_cumsum(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Exclusive prefix sum of ``x`` restarting at each change of ``group`` (sorted)."""
    total = exclusive_cumsum(x)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return total - np.repeat(total[starts], np.diff(np.r_[starts, len(x)]))
