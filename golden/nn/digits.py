"""scikit-learn's 8×8 handwritten digits (1 797 images, shipped inside the package: SPEC §6).

Pixels are 4-bit counts 0..16; :func:`load_digits` scales them to [0, 1] and
returns a stratified, seeded train/test split shaped for the CNN (N, 1, 8, 8).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import NNError

PIXEL_MAX = 16.0  # sklearn's digits count 0..16 set pixels per 4x4 block


@dataclass(frozen=True)
class DigitsSplit:
    """Images as float64 in [0, 1], shape (N, 1, 8, 8); labels as int64 0..9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits(seed: int = 0, test_fraction: float = 0.25) -> DigitsSplit:
    """The digits data set split into train/test, stratified by class, shuffled with ``seed``."""
    if not 0.0 < test_fraction < 1.0:
        raise NNError(f"test_fraction={test_fraction}: must be strictly between 0 and 1")
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    data = sklearn_digits()
    x = (data.images / PIXEL_MAX).astype(np.float64)[:, None, :, :]
    y = data.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y)
    return DigitsSplit(x_train, y_train, x_test, y_test)
