"""Magnitude pruning, per layer (seed 003 §3.1.2: "magnitude-based weight pruning with retraining").

Each weight tensor keeps its ``1 - fraction`` largest-magnitude entries; exactly
``round(fraction * n)`` entries become zero, ties broken by position (a stable
sort), so the result is deterministic.  :func:`prune_and_retrain` then retrains
the surviving weights with the pruned ones held at zero (the mask is applied in
the forward pass and the gradient passes straight through, so pruned weights
stay zero after the final masking).
"""

from __future__ import annotations

import numpy as np

from hymem.golden.config import ConfigError


def magnitude_mask(weights: np.ndarray, fraction: float) -> np.ndarray:
    """Boolean keep-mask of ``weights``: False on the ``round(fraction * n)`` smallest |w|."""
    if not 0.0 <= fraction < 1.0:
        raise ConfigError(f"prune fraction {fraction}: must be in [0, 1)")
    w = np.asarray(weights)
    n_zero = round(fraction * w.size)
    order = np.argsort(np.abs(w).reshape(-1), kind="stable")
    keep = np.ones(w.size, dtype=bool)
    keep[order[:n_zero]] = False
    return keep.reshape(w.shape)


def weight_names(params: dict) -> list[str]:
    """The weight tensors of a parameter dict (``"<layer>.w"``), in insertion order."""
    return [k for k in params if k.endswith(".w")]


def prune(params: dict, fraction: float) -> tuple[dict, dict]:
    """(pruned params, keep-masks per weight name); biases are not pruned."""
    masks = {k: magnitude_mask(params[k], fraction) for k in weight_names(params)}
    pruned = {k: np.where(masks[k], v, 0.0) if k in masks else np.array(v) for k, v in params.items()}
    return pruned, masks


def prune_and_retrain(params: dict, split, fraction: float, epochs: int, lr: float, seed: int,
                      batch_size: int = 64, optimizer: str = "adam") -> tuple[dict, dict]:
    """Prune, retrain the survivors with the mask held in the forward pass, re-apply the mask."""
    from hymem.golden.nn import train

    pruned, masks = prune(params, fraction)

    def hold_mask(layer: str, kind: str, arr: np.ndarray) -> np.ndarray:
        return arr * masks[f"{layer}.w"] if kind == "weight" else arr

    retrained, _ = train(pruned, split, epochs, lr, seed, batch_size, transform=hold_mask,
                         optimizer=optimizer)
    return {k: np.where(masks[k], v, 0.0) if k in masks else v for k, v in retrained.items()}, masks
