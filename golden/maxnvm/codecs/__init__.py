"""Bit-exact MaxNVM codecs (golden twins of rtl/maxnvm/): NVDLA BitMask + IdxSync,
CSR with relative indices, SEC-DED, Gray code, cluster LUT, seeded bit flips.

Stable API (used by the fault-injection study):

``encode_bitmask(weights_int, data_bits, idxsync_block=None, allow_raw=True) -> BitmaskSurfaces``
``decode_bitmask(surfaces, shape, idxsync=True) -> weights``; ``decode_bitmask_report`` adds counters/flags
``encode_csr(matrix, index_bits) -> CsrEncoded``; ``decode_csr(enc)``; ``decode_csr_report``
``pack_csr(enc, value_bits, counter_bits) -> CsrSurfaces`` (bit-packed stored form; ``.unpack()``)
``secded_encode(data, k)``; ``secded_decode(codewords, k) -> (data, corrected, uncorrectable)``
``gray_encode(x)``; ``gray_decode(g)``; ``lut_lookup(codebook, indices)``
``decode_weights_report(surfaces, shape, codebook, idxsync=True)``: packed indices → FX16 (``WeightDecoder``)
``flip_bits(buf, positions)``; ``flip_word_bits(words, width, positions)``
"""

from hymem.golden.maxnvm.codecs.bitmask import (
    BitmaskDecode,
    BitmaskLayout,
    BitmaskSurfaces,
    counter_bits,
    decode_bitmask,
    decode_bitmask_report,
    encode_bitmask,
    idxsync_word_bits,
)
from hymem.golden.maxnvm.codecs.bits import flip_bits, flip_word_bits
from hymem.golden.maxnvm.codecs.csr import (
    CsrDecode,
    CsrEncoded,
    CsrSurfaces,
    decode_csr,
    decode_csr_report,
    encode_csr,
    pack_csr,
)
from hymem.golden.maxnvm.codecs.gray import gray_decode, gray_encode
from hymem.golden.maxnvm.codecs.lut import lut_lookup, lut_out_of_range
from hymem.golden.maxnvm.codecs.secded import codeword_bits, parity_bits, secded_decode, secded_encode
from hymem.golden.maxnvm.codecs.weights import WeightDecode, decode_weights_report

__all__ = [
    "BitmaskDecode", "BitmaskLayout", "BitmaskSurfaces", "CsrDecode", "CsrEncoded", "CsrSurfaces", "WeightDecode",
    "codeword_bits", "counter_bits", "decode_bitmask", "decode_bitmask_report", "decode_csr",
    "decode_csr_report", "decode_weights_report", "encode_bitmask", "encode_csr", "flip_bits", "flip_word_bits",
    "gray_decode", "gray_encode", "idxsync_word_bits", "lut_lookup", "lut_out_of_range",
    "pack_csr", "parity_bits", "secded_decode", "secded_encode",
]
