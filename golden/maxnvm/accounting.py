"""Storage accounting: bits and cells per structure, per layer and per network.

Closed-form counts for any configuration, from a layer's shape and its
non-zero count (seed 003 §3.2, Table 2, Fig. 6).  A weight layer is a 2-D
matrix of ``rows`` = output kernels by ``cols`` = fan-in (``C·R·S`` for a
convolution), the mapping the CSR and BitMask codecs use.  Per structure:

=================  ==================================================================
``values``         P+C: ``n·b``; CSR: ``(nnz + fillers)·b``; BitMask: ``nnz·b`` padded to 128 B
``col_idx``        CSR: ``(nnz + fillers)·codec.csr_index_bits``
``row_counts``     CSR: ``rows·codec.csr_counter_bits``
``mask``           BitMask: ``n`` bits (WMB) padded to 128 B
``wgs``            BitMask: 32 bits per group of 16 kernels (packed indices), padded to 128 B
``counters``       IdxSync: one ``idxsync_word_bits(block)`` word per block, padded to 128 B
``codebook``       ``2**b`` FX16 entries per layer (every encoding)
``bias``           biases as dense FX16 words (every encoding; 0 when the layer has none)
=================  ==================================================================

with ``b`` the cluster index bits.  An ECC-protected structure stores
``ceil(bits / k)`` SEC-DED codewords of ``codeword_bits(k)`` bits,
``k = codec.secded_data_bits``.  Cells of a structure at ``bpc`` bits per cell:
``ceil(bits / bpc)``.

CSR fillers depend on where the non-zeros sit: :func:`csr_fillers` counts
them exactly from a mask; :func:`expected_csr_fillers` gives the expectation
when each weight is non-zero independently with probability ``density`` (the
assumption behind the Table 2 sizes from stated sparsities).  A structure
count that the real encoders produce must equal these formulas: the tests
check that against :mod:`golden.maxnvm.storage`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError

from .codecs import codeword_bits, idxsync_word_bits
from .codecs.bitmask import SURFACE_ALIGN, WGS_BYTES, BitmaskLayout
from .mlc import cells_of
from .params import CodecParams
from .storage import BASE, ecc_structures, structures_of

FX16_BITS = 16


def _pad_bits(bits: int) -> int:
    """Bits of a surface padded to 128 B."""
    align = SURFACE_ALIGN * 8
    return -(-int(bits) // align) * align


def ecc_stored_bits(raw_bits: int, k: int) -> int:
    """Stored bits of ``raw_bits`` protected by SEC-DED over ``k``-bit words."""
    return -(-int(raw_bits) // k) * codeword_bits(k) if raw_bits else 0


def csr_fillers(mask: np.ndarray, index_bits: int) -> int:
    """Zero fillers CSR needs for the non-zeros of a 2-D ``mask`` (gap // 2**index_bits each)."""
    m = np.asarray(mask, bool)
    rows, cols = np.nonzero(m)
    prev = np.r_[-1, cols[:-1]]
    prev[np.r_[True, rows[1:] != rows[:-1]]] = -1
    return int(((cols - prev - 1) >> index_bits).sum())


def expected_csr_fillers(rows: int, cols: int, density: float, index_bits: int) -> float:
    """Expected CSR fillers when every weight is non-zero independently with ``density``.

    A non-zero at column ``j`` (0-based) has ``g`` zeros before it in its row,
    back to the previous non-zero or the row start; it needs ``g // K`` fillers,
    ``K = 2**index_bits``.  ``E[g // K] = sum_{m>=1} P(g >= mK) = sum_{m: mK <= j} (1-d)^{mK}``,
    summed over columns with weight ``d``: ``rows · d · sum_{m>=1} (cols - mK) (1-d)^{mK}``.
    """
    if not 0.0 <= density <= 1.0:
        raise ConfigError(f"density {density}: must be in [0, 1]")
    k = 1 << index_bits
    m = np.arange(1, (cols - 1) // k + 1)
    if density in (0.0, 1.0) or m.size == 0:
        return 0.0
    return float(rows * density * np.sum((cols - m * k) * (1.0 - density) ** (m * k)))


@dataclass(frozen=True)
class LayerCounts:
    """What the accounting needs of one weight layer."""

    name: str
    rows: int          # output kernels
    cols: int          # fan-in per kernel
    nnz: int           # non-zero weights
    fillers: float     # CSR fillers (exact from a mask, or expected)
    biases: int = 0

    @property
    def weights(self) -> int:
        return self.rows * self.cols


def layer_bits(c: LayerCounts, encoding: str, index_bits: int, codec: CodecParams,
               idxsync_block: int | None = None) -> dict[str, int]:
    """Stored bits per structure of one layer under ``encoding`` (ECC included)."""
    base = BASE.get(encoding, encoding)
    b = index_bits
    if base == "P+C":
        raw = {"values": c.weights * b}
    elif base == "CSR":
        entries = round(c.nnz + c.fillers)
        raw = {"values": entries * b, "col_idx": entries * codec.csr_index_bits,
               "row_counts": c.rows * codec.csr_counter_bits}
    else:
        raw = {"values": _pad_bits(c.nnz * b), "mask": _pad_bits(c.weights)}
        block = (idxsync_block or codec.idxsync_block) if base == "BitM+IdxSync" else None
        layout = BitmaskLayout(c.rows, c.cols, b, block)  # the packed-index surfaces storage.py encodes
        raw["wgs"] = _pad_bits(layout.n_groups * WGS_BYTES * 8)
        if block:
            raw["counters"] = _pad_bits(layout.n_blocks * idxsync_word_bits(block))
    assert tuple(raw) == structures_of(encoding)
    out = {s: ecc_stored_bits(v, codec.secded_data_bits) if s in ecc_structures(encoding) else v
           for s, v in raw.items()}
    out["codebook"] = (1 << b) * FX16_BITS
    out["bias"] = c.biases * FX16_BITS
    return out


def cells(bits: dict[str, int], bpc: dict[str, int] | int) -> int:
    """Cells for ``bits`` per structure at ``bpc`` (one value, or per structure; default 1)."""
    per = (lambda s: bpc) if isinstance(bpc, int) else (lambda s: bpc.get(s, 1))
    return sum(cells_of(v, per(s)) for s, v in bits.items())


def layer_counts_of(layer, density: float, index_bits: int, biases: bool = True) -> LayerCounts:
    """Expected counts of a zoo conv/FC layer whose weights are non-zero with ``density`` (iid)."""
    rows = layer.out_ch
    cols = layer.weights // rows
    return LayerCounts(layer.name, rows, cols, round(density * layer.weights),
                       expected_csr_fillers(rows, cols, density, index_bits),
                       layer.biases if biases else 0)


def network_bits(layers: list[LayerCounts], encoding: str, index_bits: int, codec: CodecParams,
                 idxsync_block: int | None = None, fallback_dense: bool = False) -> dict:
    """Per-layer and total bits of a network under ``encoding``.

    ``fallback_dense``: a layer whose sparse encoding is not smaller than P+C
    is stored P+C (seed 003 §3.2.1: "CSR is applied on a per-layer basis where
    worthwhile"; NVDLA stores a group raw when compression does not pay).
    """
    per_layer, total = [], {}
    for c in layers:
        bits = layer_bits(c, encoding, index_bits, codec, idxsync_block)
        used = encoding
        if fallback_dense and encoding != "P+C":
            dense = layer_bits(c, "P+C", index_bits, codec)
            if sum(dense.values()) <= sum(bits.values()):
                bits, used = dense, "P+C"
        per_layer.append({"layer": c.name, "encoding": used, "bits": bits})
        for s, v in bits.items():
            total[s] = total.get(s, 0) + v
    return {"layers": per_layer, "total_bits": total, "total": sum(total.values())}


__all__ = ["LayerCounts", "cells", "csr_fillers", "ecc_stored_bits", "expected_csr_fillers",
           "layer_bits", "layer_counts_of", "network_bits"]


def network_cells(layers: list[LayerCounts], encoding: str, index_bits: int, codec: CodecParams,
                  bpc: dict[str, dict[str, int]], idxsync_block: int | None = None,
                  fallback_dense: bool = False) -> dict:
    """Bits, SEC-DED parity bits and cells per structure of a network.

    ``bpc[enc][structure]`` is the bits per cell of each structure under each
    encoding a layer may use (a layer that falls back to P+C is stored at
    ``bpc["P+C"]``); a structure not listed is SLC.  Each layer's structure is
    its own bit stream, so cells are rounded up per layer.  ``ecc_bits`` is the
    stored minus the unprotected bits of a protected structure.
    """
    res = network_bits(layers, encoding, index_bits, codec, idxsync_block, fallback_dense)
    out: dict[str, dict[str, int]] = {}
    for c, lay in zip(layers, res["layers"], strict=True):
        used = lay["encoding"]
        plain = layer_bits(c, BASE.get(used, used), index_bits, codec, idxsync_block)
        for s, v in lay["bits"].items():
            per = bpc.get(used, {}).get(s, 1)
            row = out.setdefault(s, {"bits": 0, "ecc_bits": 0, "cells": 0, "bits_per_cell": set()})
            row["bits"] += v
            row["ecc_bits"] += v - plain[s]
            row["cells"] += cells_of(v, per)
            row["bits_per_cell"].add(per)
    for row in out.values():
        row["bits_per_cell"] = sorted(row["bits_per_cell"])
    return {"structures": out, "total_bits": res["total"],
            "ecc_bits": sum(r["ecc_bits"] for r in out.values()),
            "cells": sum(r["cells"] for r in out.values()),
            "dense_layers": sum(lay["encoding"] != encoding for lay in res["layers"])}


__all__ += ["network_cells"]
