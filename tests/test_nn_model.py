"""golden.nn float model: shapes against the zoo, data split, backprop vs finite differences, training."""

import numpy as np
import pytest

from hymem.golden.nn import (
    NNError,
    accuracy,
    fixed_trace,
    forward,
    init_params,
    load_digits,
    loss_and_grads,
    param_shapes,
    quantize_input,
    quantize_params,
    train,
)
from hymem.golden.workloads import get_network


@pytest.fixture(scope="module")
def split():
    return load_digits(seed=0)


def test_param_shapes_follow_the_zoo():
    # Hand-derived from the zoo's description: conv3x3(8) on 1 channel, conv3x3(16) on 8,
    # fc 10 on 16 channels x 2 x 2 after two 2x2 pools of 8x8.
    assert param_shapes() == {"conv1.w": (8, 1, 3, 3), "conv1.b": (8,), "conv2.w": (16, 8, 3, 3),
                              "conv2.b": (16,), "fc.w": (10, 64), "fc.b": (10,)}
    net = get_network("digits_cnn")
    params = init_params(0)
    assert sum(p.size for p in params.values()) == net.totals()["params"]
    for name, p in params.items():
        assert p.shape == param_shapes()[name] and p.dtype == np.float64


def test_every_layer_output_has_the_zoo_shape(split):
    params = init_params(1)
    qparams = quantize_params(params)
    logits, traces = fixed_trace(qparams, quantize_input(split.x_test[:5]))
    net = get_network("digits_cnn")
    assert [t.name for t in traces] == [lay.name for lay in net.layers]
    for i, (lay, tr) in enumerate(zip(net.layers, traces)):
        if lay.kind != "fc":  # the zoo records the fc input flattened (64 x 1 x 1)
            assert tr.in_shape == (5, lay.in_ch, lay.in_h, lay.in_w)
        if lay.kind == "conv":
            assert tr.pre_activation.shape == (5, lay.out_ch, lay.out_h, lay.out_w)
        elif lay.kind == "fc":
            assert tr.pre_activation.shape == (5, lay.out_ch) and tr.input.shape == (5, lay.in_ch)
        else:  # a pool's output is what the next layer reads
            assert traces[i + 1].in_shape == (5, lay.out_ch, lay.out_h, lay.out_w)
    assert forward(params, split.x_test[:5]).shape == (5, 10) == logits.shape


def test_digits_split_is_stratified_seeded_and_scaled(split):
    assert split.x_train.shape == (1347, 1, 8, 8) and split.x_test.shape == (450, 1, 8, 8)
    assert split.x_train.dtype == np.float64 and split.x_train.min() == 0.0 and split.x_train.max() == 1.0
    # Stratified: each class's test share is within one image of 25 %.
    train_counts, test_counts = np.bincount(split.y_train), np.bincount(split.y_test)
    assert np.all(np.abs(test_counts - 0.25 * (train_counts + test_counts)) <= 1)
    again, other = load_digits(seed=0), load_digits(seed=1)
    assert np.array_equal(again.x_test, split.x_test) and np.array_equal(again.y_test, split.y_test)
    assert not np.array_equal(other.y_test, split.y_test)
    with pytest.raises(NNError, match="test_fraction"):
        load_digits(test_fraction=1.0)


def _numeric_grad(params, x, y, name, index, transform=None, eps=1e-6):
    def loss_at(delta):
        shifted = {k: v.copy() for k, v in params.items()}
        shifted[name][index] += delta
        return loss_and_grads(shifted, x, y, transform)[0]
    return (loss_at(eps) - loss_at(-eps)) / (2 * eps)


def _random_params(seed):
    rng = np.random.default_rng(seed)
    params = init_params(seed)
    for name in params:
        if name.endswith(".b"):  # nonzero biases keep pre-activations off the ReLU kink
            params[name] = rng.normal(0, 0.1, params[name].shape)
    return params


@pytest.mark.parametrize("name", list(param_shapes()))
def test_backprop_matches_finite_differences(name):
    rng = np.random.default_rng(7)
    params = _random_params(7)
    x, y = rng.random((3, 1, 8, 8)), np.array([3, 0, 9])
    _, grads = loss_and_grads(params, x, y)
    flat = rng.choice(params[name].size, size=min(8, params[name].size), replace=False)
    for i in flat:
        index = np.unravel_index(i, params[name].shape)
        numeric = _numeric_grad(params, x, y, name, index)
        assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-8)


def test_gradient_passes_straight_through_a_transform():
    """With weights scaled by 1/2 in the forward pass, the STE gradient of w is dL/dw' at w' = w/2."""
    rng = np.random.default_rng(3)
    params = _random_params(3)
    x, y = rng.random((4, 1, 8, 8)), np.array([1, 2, 3, 4])

    def halve_weights(name, kind, arr):
        return arr * 0.5 if kind == "weight" else arr

    loss, grads = loss_and_grads(params, x, y, transform=halve_weights)
    halved = {k: v * 0.5 if k.endswith(".w") else v for k, v in params.items()}
    loss_ref, grads_ref = loss_and_grads(halved, x, y)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    for name in params:
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=1e-10, atol=1e-14)


def test_input_gradient_passes_straight_through_a_transform():
    """Halving conv2's input: its weight gradient halves; conv1 gets the gradient as if nothing were
    halved, i.e. twice what it gets in the equivalent network with conv2.w halved (no STE there)."""
    rng = np.random.default_rng(4)
    params = _random_params(4)
    x, y = rng.random((4, 1, 8, 8)), np.array([5, 6, 7, 8])

    def halve_conv2_input(name, kind, arr):
        return arr * 0.5 if (name, kind) == ("conv2", "input") else arr

    loss, grads = loss_and_grads(params, x, y, transform=halve_conv2_input)
    loss_ref, grads_ref = loss_and_grads({**params, "conv2.w": params["conv2.w"] * 0.5}, x, y)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    np.testing.assert_allclose(grads["conv2.w"], 0.5 * grads_ref["conv2.w"], rtol=1e-10, atol=1e-14)
    for name in ("conv1.w", "conv1.b"):
        np.testing.assert_allclose(grads[name], 2 * grads_ref[name], rtol=1e-10, atol=1e-14)
    for name in ("conv2.b", "fc.w", "fc.b"):
        np.testing.assert_allclose(grads[name], grads_ref[name], rtol=1e-10, atol=1e-14)


def test_training_reaches_90_percent_in_five_epochs(split):
    params0 = init_params(0)
    frozen = {k: v.copy() for k, v in params0.items()}
    params, history = train(params0, split, epochs=5, lr=0.01, seed=0)
    assert accuracy(params, split.x_test, split.y_test) >= 0.90
    assert history["test_accuracy"][-1] == accuracy(params, split.x_test, split.y_test)
    assert len(history["loss"]) == 5 and history["loss"][-1] < history["loss"][0]
    assert all(np.array_equal(params0[k], frozen[k]) for k in frozen), "train() modified its input"
    again, _ = train(init_params(0), split, epochs=5, lr=0.01, seed=0)
    assert all(np.array_equal(again[k], params[k]) for k in params), "training is not reproducible"


def test_bad_inputs_get_clear_errors(split):
    params = init_params(0)
    with pytest.raises(NNError, match=r"expected \(N, 1, 8, 8\)"):
        forward(params, np.zeros((2, 8, 8)))
    with pytest.raises(NNError, match="missing fc.b"):
        forward({k: v for k, v in params.items() if k != "fc.b"}, split.x_test[:1])
    with pytest.raises(NNError, match="expected"):
        forward({**params, "fc.w": np.zeros((10, 63))}, split.x_test[:1])
    with pytest.raises(NNError, match="valid: adam, sgd"):
        train(params, split, 1, 0.01, 0, optimizer="rmsprop")
    with pytest.raises(NNError, match="returned shape"):
        forward(params, split.x_test[:2], transform=lambda n, k, a: a[:1])
    with pytest.raises(NNError, match="labels"):
        accuracy(params, split.x_test[:2], np.array([1, 12]))
