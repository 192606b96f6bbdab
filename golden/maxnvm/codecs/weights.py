"""Dense FX16 weights from BitMask surfaces of packed cluster indices (golden twin of the
RTL ``WeightDecoder``: ``BitmaskDecoder`` index stream → per-lane ``ClusterLut``).

Seed 003 §3.1.2: a layer is stored as ``b``-bit cluster indices (4..7 bits, 16..128
clusters) in the BitMask format, plus a per-layer codebook of FX16 values; the weight
is ``codebook[index]``.  Zero weights are mask zeros; they decode to index 0 and look
up ``codebook[0]`` like every other index (MaxNVM's clustering keeps entry 0 = 0.0, so
they stay zero; nothing special-cases them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.maxnvm.codecs.bitmask import BitmaskDecode, BitmaskSurfaces, decode_bitmask_report
from hymem.golden.maxnvm.codecs.lut import lut_lookup, lut_out_of_range
from hymem.golden.maxnvm.params import is_packed


@dataclass(frozen=True)
class WeightDecode:
    """FX16 weights and the counters the RTL ``WeightDecoder`` adds to the BitMask decoder's."""

    weights: np.ndarray       # int64 FX16 codebook values, the shape asked for
    indices: BitmaskDecode    # the index decode (its counters are the decoder's)
    lookups: int              # indices translated (every dense weight)
    out_of_range: int         # indices at or past the loaded codebook entries (gave 0)


def decode_weights_report(surfaces: BitmaskSurfaces, shape, codebook, idxsync: bool = True,
                          data_elems: int | None = None) -> WeightDecode:
    """Decode the indices like ``BitmaskDecoder`` and translate them like ``ClusterLut``."""
    if not is_packed(surfaces.layout.data_bits):
        raise ValueError(f"data_bits={surfaces.layout.data_bits}: the weight decoder reads packed "
                         "cluster indices (4..7 bits)")
    idx = decode_bitmask_report(surfaces, shape, idxsync, data_elems)
    return WeightDecode(lut_lookup(codebook, idx.weights), idx, idx.weights_out,
                        lut_out_of_range(codebook, idx.weights))
