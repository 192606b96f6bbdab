"""The digits CNN of the zoo (``digits_cnn``) in NumPy: float training and bit-exact integer inference.

Network (shapes from :func:`golden.workloads.zoo.digits_cnn`, never retyped):
conv3×3(8, pad 1) – ReLU – maxpool 2 – conv3×3(16, pad 1) – ReLU – maxpool 2 –
fc 10.  Every conv/fc layer except the last is followed by a ReLU (the zoo
lists only layers that cost weights or MACs, so activations are implicit).

Parameters are a dict keyed ``"<layer>.w"`` / ``"<layer>.b"``: conv weights
(out, in, kh, kw), fc weights (out, in) with the input flattened in (C, H, W)
order.

*Transforms* model memory errors: ``transform(layer_name, kind, array)`` with
``kind`` in {"input", "weight"} is applied to every conv/fc layer's input
activations (as that layer reads them: (N, C, H, W) for a conv, (N, features)
for the fc) and weights before the layer computes; biases are not
transformed.  In training the gradient passes straight through the transform
(straight-through estimator): the backward pass uses the transformed values
and hands their gradients to the untransformed ones, so training adapts to the
errors (RANA's retention-aware training, seed 004 §IV-A, Fig. 9).

*Fixed point* (:func:`forward_fixed`): each output neuron is
``requantize(wrap(bias_to_acc(b) + Σ w·a, acc_width))`` with
:mod:`golden.fixed` — exactly the per-neuron arithmetic of the Hydra MAC's
golden twin (:func:`golden.hydra.mac.mac_results`), so the same integers can be
replayed through the MAC RTL.  ReLU and max-pool then act on the integers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from hymem.golden.fixed import FixedFormat, bias_to_acc, float_to_fixed, requantize, wrap
from hymem.golden.workloads import Layer, get_network

from . import ops
from .digits import DigitsSplit
from .errors import NNError

NETWORK = "digits_cnn"
WEIGHTED_KINDS = ("conv", "fc")
TRANSFORM_KINDS = ("input", "weight")
OPTIMIZERS = ("adam", "sgd")
DEFAULT_FORMAT = FixedFormat()  # FX16 signed Q8.8, 48-bit accumulator (SPEC §3)

Transform = Callable[[str, str, np.ndarray], np.ndarray]


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def single_threaded_blas(fn):
    """Run ``fn`` with one BLAS thread: this network's matrices are tiny, and on a shared 2-core
    machine a multi-threaded BLAS spins against other jobs (measured 10× slower training).
    One thread also makes results independent of the core count."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with _blas().limit(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper


@dataclass(frozen=True)
class Step:
    """One zoo layer and whether a ReLU follows it."""

    layer: Layer
    relu: bool


@functools.cache
def plan() -> tuple[Step, ...]:
    """The zoo's ``digits_cnn`` layers as executable steps (checked for what this model supports)."""
    layers = get_network(NETWORK).layers
    weighted = [lay.name for lay in layers if lay.kind in WEIGHTED_KINDS]
    for lay in layers:
        if lay.kind not in WEIGHTED_KINDS + ("maxpool",):
            raise NNError(f"{NETWORK}.{lay.name}: layer kind {lay.kind!r} not supported; "
                          f"valid: {', '.join(WEIGHTED_KINDS + ('maxpool',))}")
        if lay.kind == "conv" and lay.groups != 1:
            raise NNError(f"{NETWORK}.{lay.name}: grouped convolution not supported")
        if lay.kind == "maxpool" and ((lay.kernel_h, lay.kernel_w) != (lay.stride_h, lay.stride_w)
                                      or any(lay.pad) or lay.ceil_mode):
            raise NNError(f"{NETWORK}.{lay.name}: only non-overlapping, unpadded max-pooling is supported")
    return tuple(Step(lay, lay.kind in WEIGHTED_KINDS and lay.name != weighted[-1]) for lay in layers)


def _weighted_layers() -> list[Layer]:
    return [step.layer for step in plan() if step.layer.kind in WEIGHTED_KINDS]


def param_shapes() -> dict[str, tuple[int, ...]]:
    """Shape of every parameter, derived from the zoo's layer records."""
    shapes = {}
    for lay in _weighted_layers():
        if lay.kind == "conv":
            shapes[f"{lay.name}.w"] = (lay.out_ch, lay.in_ch, lay.kernel_h, lay.kernel_w)
        else:
            shapes[f"{lay.name}.w"] = (lay.out_ch, lay.in_ch * lay.in_h * lay.in_w)
        shapes[f"{lay.name}.b"] = (lay.out_ch,)
    return shapes


def input_shape() -> tuple[int, int, int]:
    return get_network(NETWORK).input_shape


def init_params(seed: int) -> dict[str, np.ndarray]:
    """He-normal weights (fan-in), zero biases; reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in param_shapes().items():
        if name.endswith(".w"):
            fan_in = int(np.prod(shape[1:]))
            params[name] = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)
        else:
            params[name] = np.zeros(shape)
    return params


# --------------------------------------------------------------------------
# The shared forward pass (float and integer)
# --------------------------------------------------------------------------

@dataclass
class LayerTrace:
    """What one layer saw and produced in a forward pass.

    For conv/fc: ``input`` and ``weight`` after the transform, ``cols`` the
    im2col matrix (one row per output position; the fc's input itself), and
    ``pre_activation`` the layer result before ReLU (requantized integers in
    the fixed-point pass), ``bias`` the layer's (untransformed) bias.  For maxpool: ``input`` and the window ``winner``.
    """

    name: str
    kind: str
    input: np.ndarray
    in_shape: tuple[int, ...]  # the previous layer's output shape (before the fc's flattening)
    weight: np.ndarray | None = None
    cols: np.ndarray | None = None
    pre_activation: np.ndarray | None = None
    winner: np.ndarray | None = None
    bias: np.ndarray | None = None


def _check_params(params: dict, integer: bool) -> None:
    shapes = param_shapes()
    missing = sorted(set(shapes) - set(params))
    if missing:
        raise NNError(f"params missing {', '.join(missing)}; expected keys: {', '.join(shapes)}")
    for name, shape in shapes.items():
        arr = np.asarray(params[name])
        if arr.shape != shape:
            raise NNError(f"params[{name!r}] has shape {arr.shape}, expected {shape}")
        if integer and arr.dtype.kind not in "iu":
            raise NNError(f"params[{name!r}] is {arr.dtype}; fixed-point inference needs integers "
                          "(use quantize_params)")


def _check_input(x: np.ndarray, integer: bool) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4 or x.shape[1:] != input_shape():
        raise NNError(f"input has shape {x.shape}, expected (N, {', '.join(map(str, input_shape()))})")
    if integer and x.dtype.kind not in "iu":
        raise NNError(f"input is {x.dtype}; fixed-point inference needs integers (use quantize_input)")
    return x.astype(np.int64) if integer else x.astype(np.float64)


def _apply(transform: Transform | None, name: str, kind: str, arr: np.ndarray) -> np.ndarray:
    if transform is None:
        return arr
    out = np.asarray(transform(name, kind, arr))
    if out.shape != arr.shape:
        raise NNError(f"transform({name!r}, {kind!r}) returned shape {out.shape}, expected {arr.shape}")
    if arr.dtype.kind in "iu" and out.dtype.kind not in "iu":
        raise NNError(f"transform({name!r}, {kind!r}) returned {out.dtype} for integer {arr.dtype} values")
    return out.astype(arr.dtype, copy=False)


def _run(params, x, transform, neuron: Callable) -> tuple[np.ndarray, list[LayerTrace]]:
    """Forward pass; ``neuron(sums, bias)`` turns Σ w·a (one row per output) into layer results."""
    a, n, traces = x, x.shape[0], []
    for step in plan():
        lay = step.layer
        if lay.kind == "maxpool":
            out, winner = ops.maxpool(a, lay)
            traces.append(LayerTrace(lay.name, lay.kind, a, a.shape, winner=winner))
            a = out
            continue
        a_in = _apply(transform, lay.name, "input", a.reshape(n, -1) if lay.kind == "fc" else a)
        w = _apply(transform, lay.name, "weight", params[f"{lay.name}.w"])
        cols = ops.im2col(a_in, lay) if lay.kind == "conv" else a_in
        rows = neuron(cols @ w.reshape(lay.out_ch, -1).T, params[f"{lay.name}.b"])
        z = ops.rows_to_maps(rows, lay, n) if lay.kind == "conv" else rows
        traces.append(LayerTrace(lay.name, lay.kind, a_in, a.shape, w, cols, z, bias=params[f"{lay.name}.b"]))
        a = np.maximum(z, 0) if step.relu else z
    return a, traces


# --------------------------------------------------------------------------
# Float model: forward, loss, backward, training
# --------------------------------------------------------------------------

def _float_neuron(sums, bias):
    return sums + bias


@single_threaded_blas
def forward(params: dict, x: np.ndarray, transform: Transform | None = None) -> np.ndarray:
    """Float logits (N, 10) of images ``x`` (N, 1, 8, 8)."""
    _check_params(params, integer=False)
    return _run(params, _check_input(x, integer=False), transform, _float_neuron)[0]


def _softmax_xent(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(y)
    loss = -log_p[np.arange(n), y].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), y] -= 1.0
    return float(loss), dlogits / n


def _backward(params, traces: list[LayerTrace], dlogits: np.ndarray) -> dict[str, np.ndarray]:
    grads, d, n = {}, dlogits, dlogits.shape[0]
    for step, tr in zip(reversed(plan()), reversed(traces)):
        lay = step.layer
        if lay.kind == "maxpool":
            d = ops.maxpool_backward(d, tr.winner, lay, tr.input.shape)
            continue
        if step.relu:
            d = d * (tr.pre_activation > 0)
        drows = ops.maps_to_rows(d) if lay.kind == "conv" else d
        grads[f"{lay.name}.w"] = (drows.T @ tr.cols).reshape(tr.weight.shape)
        grads[f"{lay.name}.b"] = drows.sum(axis=0)
        if tr is traces[0]:
            break  # no gradient needed for the images
        dcols = drows @ tr.weight.reshape(lay.out_ch, -1)
        d = ops.col2im(dcols, lay, n) if lay.kind == "conv" else dcols.reshape(tr.in_shape)
    return grads


def _loss_grads_logits(params, x, y, transform):
    logits, traces = _run(params, x, transform, _float_neuron)
    loss, dlogits = _softmax_xent(logits, y)
    return loss, _backward(params, traces, dlogits), logits


def _check_labels(y, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.shape != (n,) or y.dtype.kind not in "iu" or (n and (y.min() < 0 or y.max() > 9)):
        raise NNError(f"labels must be {n} integers in 0..9 (got shape {y.shape}, dtype {y.dtype})")
    return y.astype(np.int64)


@single_threaded_blas
def loss_and_grads(params: dict, x: np.ndarray, y: np.ndarray,
                   transform: Transform | None = None) -> tuple[float, dict[str, np.ndarray]]:
    """Mean softmax cross-entropy of a batch and its gradient for every parameter (backprop)."""
    _check_params(params, integer=False)
    x = _check_input(x, integer=False)
    loss, grads, _ = _loss_grads_logits(params, x, _check_labels(y, len(x)), transform)
    return loss, grads


class _Adam:
    def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps, self.t = lr, beta1, beta2, eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * g * g
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            params[k] = params[k] - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class _MomentumSGD:
    def __init__(self, params, lr, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.velocity = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params, grads):
        for k, g in grads.items():
            self.velocity[k] = self.momentum * self.velocity[k] - self.lr * g
            params[k] = params[k] + self.velocity[k]


@single_threaded_blas
def train(params: dict, split: DigitsSplit, epochs: int, lr: float, seed: int, batch_size: int = 64,
          transform: Transform | None = None, optimizer: str = "adam") -> tuple[dict, dict]:
    """Mini-batch training with backprop; returns new params (the input dict is not modified) and history.

    ``seed`` fixes the batch order.  With ``transform`` the forward pass sees
    transformed inputs/weights and gradients pass straight through.
    ``history`` holds per-epoch lists: ``loss`` (mean training loss),
    ``train_accuracy`` (on the batches as trained, i.e. under ``transform``)
    and ``test_accuracy`` (clean float model on ``split.x_test`` after the epoch).
    """
    if optimizer not in OPTIMIZERS:
        raise NNError(f"unknown optimizer {optimizer!r}; valid: {', '.join(OPTIMIZERS)}")
    if epochs < 0 or batch_size < 1 or not lr > 0:
        raise NNError(f"need epochs >= 0, batch_size >= 1, lr > 0 (got {epochs}, {batch_size}, {lr})")
    _check_params(params, integer=False)
    x = _check_input(split.x_train, integer=False)
    y = _check_labels(split.y_train, len(x))
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    opt = (_Adam if optimizer == "adam" else _MomentumSGD)(params, lr)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "train_accuracy": [], "test_accuracy": []}
    for _ in range(epochs):
        order = rng.permutation(len(x))
        loss_sum = correct = 0.0
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            loss, grads, logits = _loss_grads_logits(params, x[idx], y[idx], transform)
            opt.step(params, grads)
            loss_sum += loss * len(idx)
            correct += int((logits.argmax(axis=1) == y[idx]).sum())
        history["loss"].append(loss_sum / len(x))
        history["train_accuracy"].append(correct / len(x))
        history["test_accuracy"].append(accuracy(params, split.x_test, split.y_test))
    return params, history


def accuracy(params: dict, x: np.ndarray, y: np.ndarray, transform: Transform | None = None) -> float:
    """Fraction of images whose largest float logit is the label."""
    logits = forward(params, x, transform)
    return float((logits.argmax(axis=1) == _check_labels(y, len(logits))).mean())


# --------------------------------------------------------------------------
# Fixed-point model: quantization and bit-exact integer inference
# --------------------------------------------------------------------------

def quantize_params(params: dict, fmt: FixedFormat = DEFAULT_FORMAT) -> dict[str, np.ndarray]:
    """Every parameter (weights and biases) as the nearest ``fmt`` integer, saturating."""
    _check_params(params, integer=False)
    return {name: float_to_fixed(params[name], fmt) for name in param_shapes()}


def quantize_input(x: np.ndarray, fmt: FixedFormat = DEFAULT_FORMAT) -> np.ndarray:
    return float_to_fixed(_check_input(x, integer=False), fmt)


def fixed_trace(qparams: dict, x_int: np.ndarray, fmt: FixedFormat = DEFAULT_FORMAT,
                transform: Transform | None = None) -> tuple[np.ndarray, list[LayerTrace]]:
    """Integer logits and every layer's integer inputs, weights and requantized results.

    The per-layer ``cols``/``weight``/bias integers are exactly the ⟨W, A⟩
    pairs and biases to stream through the Hydra MAC for that layer.
    """
    _check_params(qparams, integer=True)
    qparams = {k: np.asarray(v, dtype=np.int64) for k, v in qparams.items()}

    def neuron(sums, bias):
        return requantize(wrap(sums + bias_to_acc(bias, fmt), fmt.acc_width), fmt)

    return _run(qparams, _check_input(x_int, integer=True), transform, neuron)


def forward_fixed(qparams: dict, x_int: np.ndarray, fmt: FixedFormat = DEFAULT_FORMAT,
                  transform: Transform | None = None) -> np.ndarray:
    """Bit-exact integer logits (N, 10), each a ``fmt`` value."""
    return fixed_trace(qparams, x_int, fmt, transform)[0]


def accuracy_fixed(qparams: dict, x_int: np.ndarray, y: np.ndarray, fmt: FixedFormat = DEFAULT_FORMAT,
                   transform: Transform | None = None) -> float:
    """Fraction of images whose largest integer logit (first on ties) is the label."""
    logits = forward_fixed(qparams, x_int, fmt, transform)
    return float((logits.argmax(axis=1) == _check_labels(y, len(logits))).mean())
