"""The committed digits CNN: loads, reproduces its recorded accuracies exactly, retrains identically."""

import numpy as np
import pytest

from hymem.golden.fixed import FixedFormat
from hymem.golden.nn import (
    NNError,
    accuracy,
    accuracy_fixed,
    init_params,
    load_digits,
    load_pretrained,
    param_shapes,
    quantize_input,
    quantize_params,
    train,
)


@pytest.fixture(scope="module")
def pretrained():
    return load_pretrained()


def test_recorded_accuracies_are_reproduced_exactly(pretrained):
    params, info = pretrained
    assert {k: v.shape for k, v in params.items()} == param_shapes()
    split = load_digits(info["split_seed"], info["test_fraction"])
    fmt = FixedFormat(**info["fixed_format"])
    assert accuracy(params, split.x_test, split.y_test) == info["float_test_accuracy"]
    assert accuracy_fixed(quantize_params(params, fmt), quantize_input(split.x_test, fmt),
                          split.y_test, fmt) == info["fixed_test_accuracy"]
    assert info["float_test_accuracy"] >= 0.95 and info["fixed_test_accuracy"] >= 0.95


def test_retraining_with_the_recorded_settings_gives_the_same_parameters(pretrained):
    params, info = pretrained
    split = load_digits(info["split_seed"], info["test_fraction"])
    again, _ = train(init_params(info["seed"]), split, info["epochs"], info["lr"], info["seed"],
                     info["batch_size"], optimizer=info["optimizer"])
    for name in params:  # same machine: identical; another BLAS may differ in the last bits
        np.testing.assert_allclose(again[name], params[name], rtol=0, atol=1e-9, err_msg=name)


def test_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(NNError, match="train_digits.py"):
        load_pretrained(tmp_path / "none.npz")
