"""The shared NumPy digits CNN (zoo ``digits_cnn`` on scikit-learn's 8×8 digits).

Float training with backprop and straight-through transforms (bit-error
injection during training: RANA, seed 004 §IV-A), bit-exact FX16 integer
inference with the Hydra MAC's per-neuron arithmetic, bit-error injection, and
a committed pretrained model.

>>> from hymem.golden.nn import load_pretrained, load_digits, accuracy
>>> params, info = load_pretrained()
>>> split = load_digits(info["split_seed"], info["test_fraction"])
>>> accuracy(params, split.x_test, split.y_test) == info["float_test_accuracy"]
True
"""

from .digits import DigitsSplit, load_digits
from .errors import NNError
from .faults import bit_error_transform, dynamic_formats, inject_bit_errors
from .hydra_stream import layer_mac_batches
from .model import (
    DEFAULT_FORMAT,
    LayerTrace,
    accuracy,
    accuracy_fixed,
    fixed_trace,
    forward,
    forward_fixed,
    init_params,
    loss_and_grads,
    param_shapes,
    plan,
    quantize_input,
    quantize_params,
    train,
)
from .pretrained import PRETRAINED_PATH, load_pretrained, save_pretrained

__all__ = [
    "DEFAULT_FORMAT", "PRETRAINED_PATH", "DigitsSplit", "LayerTrace", "NNError", "accuracy",
    "accuracy_fixed", "bit_error_transform", "dynamic_formats", "fixed_trace", "forward", "forward_fixed",
    "init_params", "inject_bit_errors", "layer_mac_batches", "load_digits", "load_pretrained", "loss_and_grads",
    "param_shapes", "plan",
    "quantize_input", "quantize_params", "save_pretrained", "train",
]
