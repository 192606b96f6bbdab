"""Magnitude pruning and per-layer k-means clustering (golden/maxnvm/pruning.py, clustering.py)."""

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.maxnvm.clustering import cluster, cluster_layer
from hymem.golden.maxnvm.pruning import magnitude_mask, prune


def test_magnitude_mask_drops_exactly_the_smallest():
    w = np.array([0.5, -0.1, 0.3, -0.7, 0.2, 0.1])
    keep = magnitude_mask(w, 0.5)  # 3 zeros: |w| 0.1 (index 1), 0.1 (index 5), 0.2
    assert keep.tolist() == [True, False, True, True, False, False]
    assert magnitude_mask(w, 0.0).all()
    with pytest.raises(ConfigError, match="prune fraction"):
        magnitude_mask(w, 1.0)


def test_prune_keeps_biases_and_counts():
    rng = np.random.default_rng(0)
    params = {"a.w": rng.normal(size=(8, 3, 3, 3)), "a.b": rng.normal(size=8), "b.w": rng.normal(size=(10, 40))}
    pruned, masks = prune(params, 0.6)
    assert np.array_equal(pruned["a.b"], params["a.b"])
    for k in ("a.w", "b.w"):
        assert int((pruned[k] == 0).sum()) == round(0.6 * params[k].size)
        kept = np.abs(params[k][masks[k]])
        assert kept.min() >= np.abs(params[k][~masks[k]]).max()


def test_cluster_layer_properties():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(16, 8, 3, 3)) * (rng.random((16, 8, 3, 3)) < 0.4)
    lay = cluster_layer(w, 4, seed=3)
    assert lay.codebook.shape == (16,) and lay.codebook[0] == 0
    assert np.array_equal(lay.indices == 0, w == 0)          # zeros and only zeros map to entry 0
    assert np.all(np.diff(lay.codebook[1:]) >= 0)            # centroids sorted
    err4 = np.abs(lay.weights() - w)[w != 0].mean()
    err7 = np.abs(cluster_layer(w, 7, seed=3).weights() - w)[w != 0].mean()
    assert err7 < err4 < 0.15 * np.abs(w[w != 0]).mean()
    again = cluster_layer(w, 4, seed=3)
    assert np.array_equal(again.indices, lay.indices) and np.array_equal(again.codebook, lay.codebook)


def test_cluster_few_distinct_values_and_bad_bits():
    w = np.array([[0.0, 0.5, 0.5, -0.25]])
    lay = cluster_layer(w, 4, seed=0)
    assert np.allclose(lay.weights(), w)
    with pytest.raises(ConfigError, match="4..7"):
        cluster({"x.w": w}, 8, seed=0)
