"""Stored structures of one encoded layer: the bit streams the eNVM cells hold.

An *encoding* (seed 003 §3.2, §3.3, Fig. 6) turns a layer's cluster indices
into named structures, each a flat bit stream with its own bits per cell:

=================  =========================================================
``P+C``            ``values``: every index, ``index_bits`` each (dense)
``CSR``            ``values`` (entries incl. fillers, ``index_bits``),
                   ``col_idx`` (``codec.csr_index_bits``), ``row_counts``
                   (``codec.csr_counter_bits``): the ``pack_csr`` surfaces the
                   RTL ``CsrDecoder`` reads, without their byte padding
``CSR+ECC``        as CSR, ``col_idx`` and ``row_counts`` SEC-DED protected
``BitMask``        NVDLA-style surfaces with packed index elements: ``mask`` (WMB),
                   ``wgs`` (group element counts), ``values`` (the data surface:
                   non-zero indices bit-packed, ``index_bits`` each, 128-B aligned)
``BitM+ECC``       as BitMask, ``mask`` SEC-DED protected
``BitM+IdxSync``   as BitMask plus ``counters`` (IdxSync words); decoded with IdxSync
=================  =========================================================

Two more encodings exist for the real-model study only (:data:`STUDY_ENCODINGS`; the
storage accounting, Table 2 and the cells claims use :data:`ENCODINGS`): ``P+C+ECC``
(the dense values SEC-DED protected) and ``BitM+IdxSync+ECC`` (the IdxSync counters
SEC-DED protected) — the protections seed 003 §4 does not evaluate, as controls.

The byte-exact formats are the codecs' (:mod:`golden.maxnvm.codecs`); this
module only decides which codec array becomes which stored bit stream.  The
BitMask surfaces are the codec's packed-index format (``encode_bitmask`` with
``data_bits = index_bits``, the surfaces the RTL ``WeightDecoder`` reads), as
in seed 003 Table 2, whose BitMask sizes count index-bit values (LeNet5 107 KB =
600 810 mask bits + 60 682 four-bit values, padded).  Words are stored
little-endian (bit ``i`` of word ``j`` at stream position ``j * width + i``),
like the codecs' bit-packed surfaces.

ECC: the structure's raw bits are cut into ``codec.secded_data_bits`` words
(last one zero-padded) and each is stored as a SEC-DED codeword; decoding
corrects single errors per word and passes double errors through.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hymem.golden.bits import bits_of, pack_words, unpack_words
from hymem.golden.config import resolve_name

from .codecs import (
    codeword_bits,
    decode_bitmask,
    decode_csr,
    encode_bitmask,
    encode_csr,
    pack_csr,
    secded_decode,
    secded_encode,
)
from .params import CodecParams

ENCODINGS = ("P+C", "CSR", "CSR+ECC", "BitMask", "BitM+ECC", "BitM+IdxSync")
STRUCTURES = {
    "P+C": ("values",),
    "CSR": ("values", "col_idx", "row_counts"),
    "BitMask": ("values", "mask", "wgs"),
    "BitM+IdxSync": ("values", "mask", "wgs", "counters"),
}
#: ENCODINGS plus the study's controls (module docstring); existing indices unchanged
STUDY_ENCODINGS = (*ENCODINGS, "P+C+ECC", "BitM+IdxSync+ECC")
ECC_STRUCTURES = {"CSR+ECC": ("col_idx", "row_counts"), "BitM+ECC": ("mask",), "P+C+ECC": ("values",),
                  "BitM+IdxSync+ECC": ("counters",)}
BASE = {"CSR+ECC": "CSR", "BitM+ECC": "BitMask", "P+C+ECC": "P+C", "BitM+IdxSync+ECC": "BitM+IdxSync"}


def check_encoding(name: str, valid: tuple[str, ...] = ENCODINGS) -> str:
    """The canonical encoding ``name`` means (case and punctuation optional: ``bitm-idxsync``)."""
    return resolve_name("encoding", name, valid)


def structures_of(encoding: str) -> tuple[str, ...]:
    encoding = check_encoding(encoding, STUDY_ENCODINGS)
    return STRUCTURES[BASE.get(encoding, encoding)]


def ecc_structures(encoding: str) -> tuple[str, ...]:
    return ECC_STRUCTURES.get(check_encoding(encoding, STUDY_ENCODINGS), ())


# --- words <-> bit streams ------------------------------------------------------

def words_to_bits(words: np.ndarray, width: int) -> np.ndarray:
    """Flat little-endian bit stream of ``width``-bit words."""
    n = len(words)
    return bits_of(pack_words(np.asarray(words, np.int64), width), n * width) if n else \
        np.zeros(0, np.uint8)


def bits_to_words(bits: np.ndarray, width: int) -> np.ndarray:
    """Inverse of :func:`words_to_bits` (trailing bits that make no whole word are dropped)."""
    n = len(bits) // width
    return unpack_words(np.packbits(np.asarray(bits, np.uint8), bitorder="little"), width, n) if n \
        else np.zeros(0, np.int64)


def bytes_to_bits(buf: np.ndarray) -> np.ndarray:
    return np.unpackbits(np.asarray(buf, np.uint8), bitorder="little")


def bits_to_bytes(bits: np.ndarray) -> np.ndarray:
    return np.packbits(np.asarray(bits, np.uint8), bitorder="little")


def ecc_protect(bits: np.ndarray, k: int) -> np.ndarray:
    """SEC-DED codewords (each ``codeword_bits(k)`` wide) of ``bits`` cut into ``k``-bit words."""
    n_words = -(-len(bits) // k)
    padded = np.zeros(n_words * k, np.uint8)
    padded[:len(bits)] = bits
    return words_to_bits(secded_encode(bits_to_words(padded, k), k).astype(np.int64), codeword_bits(k))


def ecc_recover(stored: np.ndarray, k: int, n_raw: int) -> tuple[np.ndarray, int, int]:
    """Decode SEC-DED codewords back to the first ``n_raw`` raw bits; (bits, corrected, uncorrectable)."""
    words = bits_to_words(stored, codeword_bits(k)).astype(np.uint64)
    data, corrected, bad = secded_decode(words, k)
    return words_to_bits(np.asarray(data, np.int64), k)[:n_raw], int(np.sum(corrected)), int(np.sum(bad))


# --- one encoded layer --------------------------------------------------------------

@dataclass(frozen=True)
class StoredLayer:
    """The stored bit streams of one layer under one encoding, and how to decode them."""

    encoding: str
    shape: tuple[int, ...]
    streams: dict[str, np.ndarray]                 # structure -> stored bits (ECC codewords if protected)
    raw_bits: dict[str, int]                       # structure -> bits before ECC
    template: object = field(repr=False)           # codec encoding the streams replace on decode
    widths: dict[str, int] = field(default_factory=dict)  # word width of word-array structures
    ecc_data_bits: int = 32

    def bits(self, structure: str) -> int:
        return len(self.streams[structure])

    def ecc_bits(self, structure: str) -> int:
        return self.bits(structure) - self.raw_bits[structure]


def encode_layer(indices: np.ndarray, encoding: str, index_bits: int, codec: CodecParams,
                 idxsync_block: int | None = None) -> StoredLayer:
    """Encode a layer's cluster indices (``(kernels, ...)``) into its stored structures."""
    encoding = check_encoding(encoding, STUDY_ENCODINGS)
    idx = np.asarray(indices, np.int64)
    base = BASE.get(encoding, encoding)
    rows = idx.reshape(idx.shape[0], -1)
    template: object = None
    widths = {"values": index_bits}
    if base == "P+C":
        raw = {"values": words_to_bits(idx.reshape(-1), index_bits)}
    elif base == "CSR":
        enc = encode_csr(rows, codec.csr_index_bits)
        template = enc
        widths.update(col_idx=codec.csr_index_bits, row_counts=codec.csr_counter_bits)
        # the CsrDecoder's bit-packed surfaces, without their padding to a whole byte
        packed = pack_csr(enc, index_bits, codec.csr_counter_bits).surfaces()
        raw = {s: bytes_to_bits(packed[s])[: len(getattr(enc, s)) * widths[s]] for s in STRUCTURES["CSR"]}
    else:
        block = (idxsync_block or codec.idxsync_block) if base == "BitM+IdxSync" else None
        surf = encode_bitmask(rows, index_bits, block, allow_raw=False)
        template = surf
        widths = {}  # every BitMask structure is a byte surface
        raw = {"values": bytes_to_bits(surf.data), "mask": bytes_to_bits(surf.wmb),
               "wgs": bytes_to_bits(surf.wgs)}
        if block:
            raw["counters"] = bytes_to_bits(surf.idxsync)
    streams = {s: ecc_protect(b, codec.secded_data_bits) if s in ecc_structures(encoding) else b
               for s, b in raw.items()}
    return StoredLayer(encoding, tuple(idx.shape), streams, {s: len(b) for s, b in raw.items()},
                       template, widths, codec.secded_data_bits)


@dataclass(frozen=True)
class Decoded:
    indices: np.ndarray
    corrected: int = 0
    uncorrectable: int = 0


def decode(layer: StoredLayer, streams: dict[str, np.ndarray] | None = None) -> Decoded:
    """Cluster indices back from (possibly faulty) stored streams, like the hardware decoders."""
    streams = {**layer.streams, **(streams or {})}
    raw, corrected, bad = {}, 0, 0
    for s, bits in streams.items():
        if s in ecc_structures(layer.encoding):
            raw[s], c, u = ecc_recover(bits, layer.ecc_data_bits, layer.raw_bits[s])
            corrected, bad = corrected + c, bad + u
        else:
            raw[s] = bits
    base = BASE.get(layer.encoding, layer.encoding)
    rows_shape = (layer.shape[0], int(np.prod(layer.shape[1:], dtype=np.int64)))
    words = {s: bits_to_words(raw[s], w) for s, w in layer.widths.items()}
    if base == "P+C":
        idx = words["values"]
    elif base == "CSR":
        idx = decode_csr(layer.template.replace(**words))
    else:
        surf = layer.template.with_surfaces(
            wmb=bits_to_bytes(raw["mask"]), wgs=bits_to_bytes(raw["wgs"]), data=bits_to_bytes(raw["values"]),
            **({"idxsync": bits_to_bytes(raw["counters"])} if "counters" in raw else {}))
        idx = decode_bitmask(surf, rows_shape, idxsync=base == "BitM+IdxSync")
    return Decoded(np.asarray(idx, np.int64).reshape(layer.shape), corrected, bad)


__all__ = ["ENCODINGS", "STRUCTURES", "STUDY_ENCODINGS", "Decoded", "StoredLayer", "bits_to_words", "decode",
           "ecc_protect", "ecc_recover", "ecc_structures", "encode_layer", "structures_of",
           "words_to_bits"]
