"""The digits CNN's integer layers as Hydra MAC stimulus (``golden.hydra.mac.MacBatch``).

:func:`~golden.nn.model.fixed_trace` records each conv/fc layer's integer
im2col matrix, weights and bias; :func:`layer_mac_batches` turns one image's
layer into one :class:`~golden.hydra.mac.MacBatch` per output channel (that
channel's bias), one neuron per output position in raster order, each neuron
the ``C·kh·kw`` ⟨W, A⟩ pairs of its receptive field (zero padding included) in
(channel, kernel row, kernel column) order.  ``mac_results`` of those batches
is the layer's requantized pre-activation, channel-major — what
``tests/test_nn_fixed.py`` checks.
"""

from __future__ import annotations

import numpy as np

from hymem.golden.hydra.mac import MacBatch

from .errors import NNError
from .model import WEIGHTED_KINDS, LayerTrace


def layer_mac_batches(trace: LayerTrace, image: int) -> list[MacBatch]:
    if trace.kind not in WEIGHTED_KINDS:
        raise NNError(f"layer {trace.name!r} is a {trace.kind}; MAC stimulus exists for "
                      f"{', '.join(WEIGHTED_KINDS)} layers")
    n_images = trace.input.shape[0]
    if not 0 <= image < n_images:
        raise NNError(f"image {image}: the trace holds images 0..{n_images - 1}")
    weights = trace.weight.reshape(trace.weight.shape[0], -1)
    per_neuron = weights.shape[1]
    positions = trace.cols.shape[0] // n_images
    acts = trace.cols[image * positions:(image + 1) * positions].reshape(-1)
    last = np.zeros(positions * per_neuron, dtype=bool)
    last[per_neuron - 1::per_neuron] = True
    return [MacBatch(int(bias), np.tile(w_row, positions), acts, last)
            for w_row, bias in zip(weights, trace.bias)]
