"""Per-layer k-means weight clustering to 4–7-bit indices (seed 003 §3.1.2, after Gong et al. [26]).

A layer's codebook has ``2**bits`` entries: entry 0 is exactly 0.0 (so pruned
weights stay zero under every encoding, dense P+C included) and entries
``1 .. 2**bits - 1`` are the k-means centroids of the layer's non-zero
weights, sorted ascending, rounded to the FX16 grid the ``ClusterLut`` holds.
k-means is scikit-learn's ``KMeans`` (Lloyd, k-means++ seeding, fixed
``random_state``), so the clustering is deterministic.  A layer with fewer
distinct non-zero values than centroids uses those values; unused entries are
0.0 (a fault that reads an unused index then yields a zero weight).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hymem.golden.config import ConfigError
from hymem.golden.fixed import FixedFormat, float_to_fixed

MIN_BITS, MAX_BITS = 4, 7
FX16 = FixedFormat()
N_INIT = 4


@dataclass(frozen=True)
class ClusteredLayer:
    """Cluster indices (the layer's shape) and the FX16 codebook (integers, ``2**bits``)."""

    indices: np.ndarray
    codebook: np.ndarray
    bits: int
    fmt: FixedFormat

    def weights(self, indices: np.ndarray | None = None) -> np.ndarray:
        """Float weights of ``indices`` (default: the clean ones) through the codebook."""
        from .codecs import lut_lookup

        idx = self.indices if indices is None else indices
        return lut_lookup(self.codebook, idx).astype(np.float64) / (1 << self.fmt.frac)


def _centroids(values: np.ndarray, k: int, seed: int) -> np.ndarray:
    distinct = np.unique(values)
    if len(distinct) <= k:
        return distinct
    from sklearn.cluster import KMeans

    km = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit(values.reshape(-1, 1))
    return np.sort(km.cluster_centers_.reshape(-1))


def cluster_layer(weights: np.ndarray, bits: int, seed: int,
                  fmt: FixedFormat = FX16) -> ClusteredLayer:
    """Cluster one layer's weights; zeros map to index 0, every other weight to its nearest centroid."""
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ConfigError(f"cluster index bits {bits}: must be in {MIN_BITS}..{MAX_BITS} "
                          "(seed 003 §3.1.2: 16 to 128 clusters)")
    w = np.asarray(weights, dtype=np.float64)
    nz = w[w != 0]
    book = np.zeros(2 ** bits, dtype=np.int64)
    indices = np.zeros(w.shape, dtype=np.int64)
    if nz.size:
        cents = _centroids(nz, 2 ** bits - 1, seed)
        book[1:1 + len(cents)] = float_to_fixed(cents, fmt)
        nearest = np.abs(nz[:, None] - cents[None, :]).argmin(axis=1) + 1
        indices[w != 0] = nearest
        # a centroid that rounds to FX16 zero must not turn a kept weight into a pruned one
    return ClusteredLayer(indices, book, bits, fmt)


def cluster(params: dict, bits: int, seed: int, fmt: FixedFormat = FX16) -> dict[str, ClusteredLayer]:
    """Every weight tensor (``"<layer>.w"``) clustered; layers seeded ``seed + position``."""
    names = [k for k in params if k.endswith(".w")]
    return {k: cluster_layer(params[k], bits, seed + i, fmt) for i, k in enumerate(names)}


def clustered_params(params: dict, layers: dict[str, ClusteredLayer],
                     indices: dict[str, np.ndarray] | None = None) -> dict:
    """Parameters with every clustered weight replaced by its codebook value (biases kept)."""
    out = dict(params)
    for name, lay in layers.items():
        out[name] = lay.weights(None if indices is None else indices[name])
    return out
