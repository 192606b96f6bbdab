"""golden.nn fixed point: bit-exact against a naive per-neuron Hydra-MAC reference; close to float."""

import numpy as np
import pytest

from hymem.golden.fixed import FixedFormat, wrap
from hymem.golden.hydra.mac import MacBatch, mac_results
from hymem.golden.nn import (
    NNError,
    accuracy,
    accuracy_fixed,
    bit_error_transform,
    fixed_trace,
    forward,
    forward_fixed,
    layer_mac_batches,
    load_digits,
    load_pretrained,
    quantize_input,
    quantize_params,
)

FMT = FixedFormat()


def naive_layer(x, w, b, pad, fmt):
    """One image's conv (x: C×H×W, w: O×C×3×3, stride 1) or fc (x: F, w: O×F) on the Hydra MAC model.

    One MacBatch per output channel (its bias), one neuron per output position
    (``last`` closes it); pairs are gathered by explicit index loops with zero
    padding by bounds check.
    """
    batches = []
    for o in range(w.shape[0]):
        ws, acts, last = [], [], []
        if w.ndim == 2:
            ws, acts, last = list(w[o]), list(x), [False] * (len(x) - 1) + [True]
        else:
            c_n, h_n, w_n = x.shape
            for oy in range(h_n):
                for ox in range(w_n):
                    for c in range(c_n):
                        for ky in range(3):
                            for kx in range(3):
                                iy, ix = oy + ky - pad, ox + kx - pad
                                inside = 0 <= iy < h_n and 0 <= ix < w_n
                                ws.append(w[o, c, ky, kx])
                                acts.append(x[c, iy, ix] if inside else 0)
                                last.append(False)
                    last[-1] = True
        batches.append(MacBatch(int(b[o]), ws, acts, last))
    values = mac_results(batches, fmt).value
    return values.reshape((w.shape[0],) + (x.shape[1:] if w.ndim == 4 else ()))


def naive_relu_pool(z):
    c_n, h_n, w_n = z.shape
    out = np.zeros((c_n, h_n // 2, w_n // 2), np.int64)
    for c in range(c_n):
        for y in range(h_n // 2):
            for x in range(w_n // 2):
                out[c, y, x] = max(max(int(z[c, 2 * y + dy, 2 * x + dx]), 0) for dy in (0, 1) for dx in (0, 1))
    return out


def naive_network(q, image, fmt, transform=None):
    """conv1–ReLU–pool–conv2–ReLU–pool–fc of one image, written out by hand; returns each layer's result."""
    t = transform or (lambda name, kind, a: a)
    z1 = naive_layer(t("conv1", "input", image), t("conv1", "weight", q["conv1.w"]), q["conv1.b"], 1, fmt)
    p1 = naive_relu_pool(z1)
    z2 = naive_layer(t("conv2", "input", p1), t("conv2", "weight", q["conv2.w"]), q["conv2.b"], 1, fmt)
    p2 = naive_relu_pool(z2)
    flat = np.array([p2[c, y, x] for c in range(16) for y in range(2) for x in range(2)])
    z3 = naive_layer(t("fc", "input", flat), t("fc", "weight", q["fc.w"]), q["fc.b"], 0, fmt)
    return {"conv1": z1, "conv2": z2, "fc": z3}


@pytest.fixture(scope="module")
def split():
    return load_digits(seed=0)


@pytest.fixture(scope="module")
def pretrained_q():
    return quantize_params(load_pretrained()[0], FMT)


def _check_against_naive(q, x_int, fmt, transform=None):
    logits, traces = fixed_trace(q, x_int, fmt, transform)
    by_name = {tr.name: tr for tr in traces}
    for i, image in enumerate(x_int):
        ref = naive_network(q, image, fmt, transform)
        for name, z in ref.items():
            np.testing.assert_array_equal(by_name[name].pre_activation[i], z, err_msg=f"image {i} {name}")
        np.testing.assert_array_equal(logits[i], ref["fc"])
    return traces


def test_forward_fixed_is_bit_exact_with_the_mac_reference(pretrained_q, split):
    x_int = quantize_input(split.x_test[:3], FMT)
    _check_against_naive(pretrained_q, x_int, FMT)
    np.testing.assert_array_equal(forward_fixed(pretrained_q, x_int, FMT), fixed_trace(pretrained_q, x_int)[0])


@pytest.mark.parametrize("acc_width", [48, 32])
def test_bit_exact_under_saturation_rounding_ties_and_wrap(acc_width):
    """Full-range random integers saturate most neurons and hit half-LSB ties; a 32-bit
    accumulator also wraps (the RTL register's behaviour): all must match the MAC model."""
    rng = np.random.default_rng(11)
    fmt = FixedFormat(acc_width=acc_width)
    q = {k: rng.integers(fmt.min_value, fmt.max_value + 1, size=v.shape)
         for k, v in quantize_params(load_pretrained()[0], fmt).items()}
    x_int = rng.integers(0, 1 << fmt.frac, size=(2, 1, 8, 8))
    traces = _check_against_naive(q, x_int, fmt)
    z1 = traces[0].pre_activation
    assert np.any(z1 == fmt.max_value) and np.any(z1 == fmt.min_value), "stimulus never saturates"
    acc_low_bits = (traces[0].cols @ traces[0].weight.reshape(8, -1).T) & ((1 << fmt.frac) - 1)
    assert np.any(acc_low_bits == 1 << (fmt.frac - 1)), "stimulus never hits a half-LSB tie"
    sums = traces[2].cols @ traces[2].weight.reshape(16, -1).T  # conv2: 72 products per neuron
    if acc_width == 32:
        assert np.any(np.abs(sums) >= 1 << 31), "stimulus never wraps the accumulator"


def test_bit_exact_with_a_transform_and_another_format(pretrained_q, split):
    fmt = FixedFormat(width=12, frac=6, acc_width=40, rounding="floor")
    q = quantize_params(load_pretrained()[0], fmt)

    def flip_some_bits(name, kind, a):  # elementwise, deterministic, stays in 12 bits
        return wrap(a ^ (0x41 if kind == "input" else 0x102), fmt.width)

    _check_against_naive(q, quantize_input(split.x_test[:2], fmt), fmt, flip_some_bits)


def test_layer_mac_batches_reproduce_every_neuron(pretrained_q, split):
    """The Hydra MAC stimulus of every conv/fc layer gives that layer's integers for every image."""
    traces = fixed_trace(pretrained_q, quantize_input(split.x_test[:4], FMT))[1]
    for tr in (t for t in traces if t.kind in ("conv", "fc")):
        for image in range(4):
            batches = layer_mac_batches(tr, image)
            assert len(batches) == tr.weight.shape[0]
            got = mac_results(batches, FMT).value.reshape(tr.pre_activation[image].shape)
            np.testing.assert_array_equal(got, tr.pre_activation[image], err_msg=f"{tr.name} image {image}")
    with pytest.raises(NNError, match="maxpool"):
        layer_mac_batches(traces[1], 0)


def test_fixed_accuracy_within_one_percent_of_float(pretrained_q, split):
    params, _ = load_pretrained()
    x_int = quantize_input(split.x_test, FMT)
    acc_float = accuracy(params, split.x_test, split.y_test)
    acc_fixed = accuracy_fixed(pretrained_q, x_int, split.y_test, FMT)
    assert abs(acc_float - acc_fixed) <= 0.01
    agree = forward_fixed(pretrained_q, x_int).argmax(1) == forward(params, split.x_test).argmax(1)
    assert agree.mean() >= 0.99
    # Rounding of weights, inputs and every layer's result moves a logit by < 1 % of the logit range.
    float_logits = forward(params, split.x_test)
    diff = np.abs(forward_fixed(pretrained_q, x_int) / 256 - float_logits)
    assert diff.max() < 0.01 * np.abs(float_logits).max()


def test_quantization_rounds_to_nearest_lsb():
    params, _ = load_pretrained()
    q = quantize_params(params, FMT)
    for name, value in params.items():
        assert q[name].dtype == np.int64
        assert np.all(np.abs(q[name] / 256 - value) <= 0.5 / 256 + 1e-12), name


def test_bit_error_transform_in_fixed_inference(pretrained_q, split):
    x_int = quantize_input(split.x_test[:100], FMT)
    clean = forward_fixed(pretrained_q, x_int)
    unchanged = forward_fixed(pretrained_q, x_int, transform=bit_error_transform(0.0, np.random.default_rng(0)))
    np.testing.assert_array_equal(clean, unchanged)
    noisy = [forward_fixed(pretrained_q, x_int, transform=bit_error_transform(0.01, np.random.default_rng(5)))
             for _ in range(2)]
    np.testing.assert_array_equal(noisy[0], noisy[1])  # seeded
    assert not np.array_equal(noisy[0], clean)
