"""ONNX graph → :class:`~golden.workloads.network.Network`.

The graph is shape-inferred with ``onnx.shape_inference``, then walked in its
(topological) node order.  Each costed operator becomes one layer built through
the same :class:`~golden.workloads.network.Builder` as the zoo, so the shape
arithmetic is shared; where ONNX inferred an output shape, it is checked
against ours and a disagreement is an error naming the node.

Operators that cost no weights or MACs in this accounting (activations, batch
norm, dropout, LRN, softmax, flatten/reshape) pass their input through.
Anything else is unsupported: all unsupported operator types are listed in one
error, before any layer is built.

Only the initializers' shapes are used, never their values, so weights are not
read into memory; but a file that could not be run is rejected, naming the
tensor (and the node that uses it): weights in an external data file that is
missing or too short, an initializer whose dims promise elements it does not
hold, a bias whose length does not match its layer.
"""

from __future__ import annotations

from pathlib import Path

from .layers import WorkloadError
from .network import Builder, Network, Tensor

#: operators that become layers
COSTED = ("Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool",
          "GlobalMaxPool", "Add", "Sum", "Concat")
#: operators with no weights/MACs in this accounting: output shape = input shape
PASS_THROUGH = ("Relu", "LeakyRelu", "PRelu", "Sigmoid", "Tanh", "Clip", "HardSigmoid",
                "HardSwish", "Elu", "Selu", "Softmax", "LogSoftmax", "BatchNormalization",
                "Dropout", "Identity", "LRN", "Cast")
#: reshaping operators: accepted when they flatten C×H×W to features
FLATTEN = ("Flatten", "Reshape", "Squeeze")
SUPPORTED = COSTED + PASS_THROUGH + FLATTEN


class OnnxImportError(WorkloadError):
    """A malformed or unsupported ONNX model."""


def _attrs(node) -> dict:
    import onnx

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _dims(value_info) -> list[int | None]:
    tt = value_info.type.tensor_type
    if not tt.HasField("shape"):
        return []
    return [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim]


def _as_chw(dims: list[int | None], what: str) -> tuple[int, int, int]:
    """(N, C, H, W) or (N, F) → C×H×W with batch dropped."""
    if len(dims) == 4 and all(d for d in dims[1:]):
        return int(dims[1]), int(dims[2]), int(dims[3])
    if len(dims) == 2 and dims[1]:
        return int(dims[1]), 1, 1
    raise OnnxImportError(f"{what}: need a static (N,C,H,W) or (N,F) shape, got {dims}")


def _same_pads(size: int, k: int, s: int, upper: bool) -> tuple[int, int]:
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    lo = total // 2 if upper else total - total // 2
    return lo, total - lo


def load_onnx(path: str | Path, name: str | None = None) -> Network:
    """Import an ONNX file; errors name the file, node and problem (no traceback)."""
    import onnx
    from google.protobuf.message import Error as ProtobufError

    path = Path(path)
    if not path.is_file():
        raise OnnxImportError(f"{path}: no such file")
    try:  # weights stay on disk: only their shapes matter (external files are checked below)
        model = onnx.load(str(path), load_external_data=False)
    except (ProtobufError, OSError, ValueError) as exc:
        raise OnnxImportError(f"{path}: not a readable ONNX model ({type(exc).__name__}: {exc})") from None
    return import_model(model, name or path.stem, str(path), base_dir=path.parent)


class InitShape(tuple):
    """An initializer's dims (its values are never needed): ``.shape`` and ``.ndim`` like NumPy."""

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self)

    @property
    def ndim(self) -> int:
        return len(self)


_TYPED_FIELDS = ("float_data", "int32_data", "int64_data", "double_data", "uint64_data",
                 "string_data")


def _users(graph, tensor: str) -> str:
    names = [n.name or n.op_type for n in graph.node if tensor in n.input]
    return f" (used by node {', '.join(map(repr, names))})" if names else ""


def _external_info(t) -> dict[str, str]:
    return {e.key: e.value for e in t.external_data}


def _check_initializer(t, graph, where: str, base_dir: Path | None) -> InitShape:
    """The dims of initializer ``t`` after checking it holds (or points to) its data."""
    from onnx import TensorProto, helper

    dims = InitShape(int(d) for d in t.dims)
    if any(d < 0 for d in dims):
        raise OnnxImportError(f"{where}: initializer {t.name!r}{_users(graph, t.name)}: "
                              f"negative dimension in {list(dims)}")
    count = _prod(dims)
    try:
        itemsize = helper.tensor_dtype_to_np_dtype(t.data_type).itemsize
    except (KeyError, TypeError, ValueError):
        itemsize = 0   # unknown or string type: only the presence of data is checked
    what = f"{where}: initializer {t.name!r}{_users(graph, t.name)}"
    if t.data_location == TensorProto.EXTERNAL:
        info = _external_info(t)
        location = info.get("location", "")
        if base_dir is None or not location:
            raise OnnxImportError(f"{what}: its data is in an external file the model names "
                                  f"{location!r}, which cannot be found")
        file = base_dir / location
        if not file.is_file():
            raise OnnxImportError(f"{what}: its data should be in the external file {file}, "
                                  "which does not exist (copy it next to the .onnx file)")
        need = int(info.get("length", count * itemsize)) + int(info.get("offset", 0))
        if file.stat().st_size < need:
            raise OnnxImportError(f"{what}: the external file {file} holds "
                                  f"{file.stat().st_size} bytes, the tensor needs bytes up to {need}")
        return dims
    if t.raw_data:
        if itemsize and len(t.raw_data) != count * itemsize:
            raise OnnxImportError(f"{what}: dims {list(dims)} need {count * itemsize} bytes, "
                                  f"raw_data holds {len(t.raw_data)}")
        return dims
    held = max(len(getattr(t, f)) for f in _TYPED_FIELDS)
    if count and not held:
        raise OnnxImportError(f"{what}: dims {list(dims)} promise {count} elements but it holds "
                              "no data")
    return dims


def import_model(model, name: str, where: str = "<model>", base_dir: Path | None = None) -> Network:
    """Import an in-memory ``onnx.ModelProto`` (``base_dir``: where its external data lives)."""
    import onnx
    from onnx import numpy_helper, shape_inference

    try:
        model = shape_inference.infer_shapes(model, strict_mode=False)
    except (shape_inference.InferenceError, onnx.checker.ValidationError) as exc:
        raise OnnxImportError(f"{where}: shape inference failed: {exc}") from None
    graph = model.graph
    unsupported = sorted({n.op_type for n in graph.node if n.op_type not in SUPPORTED})
    if unsupported:
        raise OnnxImportError(
            f"{where}: unsupported ONNX operator(s): {', '.join(unsupported)} "
            f"(supported: {', '.join(SUPPORTED)})"
        )
    inits = {t.name: _check_initializer(t, graph, where, base_dir) for t in graph.initializer}
    # Constant nodes feeding Reshape etc. count as initializers.
    for node in graph.node:
        if node.op_type == "Constant":
            try:
                inits[node.output[0]] = InitShape(numpy_helper.to_array(_attrs(node)["value"]).shape)
            except (KeyError, ValueError, TypeError) as exc:
                raise OnnxImportError(f"{where}: Constant node {node.name or node.output[0]!r}: "
                                      f"no readable tensor value ({exc})") from None
    shapes = {vi.name: _dims(vi) for vi in
              list(graph.value_info) + list(graph.input) + list(graph.output)}
    inputs = [vi for vi in graph.input if vi.name not in inits]
    if len(inputs) != 1:
        raise OnnxImportError(f"{where}: expected exactly one data input, found "
                              f"{[vi.name for vi in inputs]}")
    in_shape = _as_chw(_dims(inputs[0]), f"{where}: input {inputs[0].name!r}")
    b = Builder(name, in_shape, f"imported from {Path(where).name}", where)
    env: dict[str, Tensor] = {inputs[0].name: b.input}
    used_names: dict[str, int] = {}

    def lname(node) -> str:
        base = node.name or f"{node.op_type}_{node.output[0]}"
        used_names[base] = used_names.get(base, 0) + 1
        return base if used_names[base] == 1 else f"{base}_{used_names[base]}"

    def arg(node, i: int | str) -> Tensor:
        tname = node.input[i] if isinstance(i, int) else i
        if tname not in env:
            raise OnnxImportError(f"{where}: node {node.name or node.op_type!r}: input "
                                  f"{tname!r} is not a feature map produced earlier")
        return env[tname]

    for node in graph.node:
        op, a = node.op_type, _attrs(node)
        label = node.name or f"{op}->{node.output[0]}"
        if op == "Constant":
            continue
        try:
            if op in PASS_THROUGH:
                out = arg(node, 0)
            elif op in FLATTEN:
                x = arg(node, 0)
                out = Tensor(x.name, x.c * x.h * x.w, 1, 1)
                dims = shapes.get(node.output[0])
                if dims and len(dims) >= 2 and all(dims[1:]) and \
                        int(_prod(dims[1:])) != out.c:
                    raise OnnxImportError(f"{where}: node {label!r}: {op} to {dims} is not a "
                                          "flatten of the feature map")
            elif op == "Conv":
                out = _conv(b, node, a, arg(node, 0), inits, lname(node), label, where)
            elif op in ("Gemm", "MatMul"):
                out = _gemm(b, node, a, arg(node, 0), inits, lname(node), label, where)
            elif op in ("MaxPool", "AveragePool"):
                out = _pool(b, op, a, arg(node, 0), lname(node), label, where)
            elif op in ("GlobalAveragePool", "GlobalMaxPool"):
                x = arg(node, 0)
                kind = b.avgpool if op == "GlobalAveragePool" else b.maxpool
                out = kind(lname(node), x, (x.h, x.w), stride=1)
            elif op in ("Add", "Sum"):
                acts = [n for n in node.input if n not in inits]
                if len(acts) == 1:  # bias add after MatMul: no layer of its own
                    out = env[acts[0]]
                else:
                    out = b.add(lname(node), [arg(node, n) for n in acts])
            else:  # Concat
                axis = a.get("axis", 1)
                if axis not in (1, -3):
                    raise OnnxImportError(f"{where}: node {label!r}: Concat on axis {axis}; "
                                          "only channel concat (axis 1) is supported")
                out = b.concat(lname(node), [arg(node, i) for i in range(len(node.input))])
        except OnnxImportError:
            raise
        except WorkloadError as exc:
            raise OnnxImportError(f"{where}: node {label!r}: {exc}") from None
        _check_inferred(shapes.get(node.output[0]), out, label, where)
        env[node.output[0]] = out
    return b.build()


def _prod(xs) -> int:
    p = 1
    for x in xs:
        p *= x
    return p


def _check_inferred(dims, out: Tensor, label: str, where: str) -> None:
    """Our shape must agree with ONNX's inferred one where ONNX has one."""
    if not dims or any(d is None for d in dims[1:]):
        return
    ours = [out.c, out.h, out.w] if len(dims) == 4 else [out.c * out.h * out.w]
    if list(dims[1:]) != ours:
        raise OnnxImportError(f"{where}: node {label!r}: ONNX infers shape {dims[1:]}, "
                              f"hymem computes {ours}")


def _conv(b: Builder, node, a, x: Tensor, inits, name, label, where) -> Tensor:
    if len(node.input) < 2 or node.input[1] not in inits:
        raise OnnxImportError(f"{where}: node {label!r}: Conv weight must be an initializer")
    w = inits[node.input[1]]
    if w.ndim != 4:
        raise OnnxImportError(f"{where}: node {label!r}: only 2-D convolution is supported "
                              f"(weight rank {w.ndim})")
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise OnnxImportError(f"{where}: node {label!r}: dilated convolution is not supported")
    m, cg, kh, kw = (int(v) for v in w.shape)
    groups = int(a.get("group", 1))
    if cg * groups != x.c:
        raise OnnxImportError(f"{where}: node {label!r}: weight expects {cg * groups} input "
                              f"channels, feature map has {x.c}")
    stride = tuple(a.get("strides", [1, 1]))
    pads = _pads(a, x, (kh, kw), stride)
    bias = len(node.input) > 2 and bool(node.input[2])
    if bias:
        _check_bias(inits, node.input[2], m, label, where)
    return b.conv(name, x, m, (kh, kw), stride=stride, padding=pads, groups=groups, bias=bias)


def _check_bias(inits, tensor: str, outputs: int, label: str, where: str) -> None:
    """A bias initializer must hold one value per output (channel or feature)."""
    dims = inits.get(tensor)
    if dims is not None and _prod(dims) != outputs:
        raise OnnxImportError(f"{where}: node {label!r}: bias {tensor!r} has shape {list(dims)}, "
                              f"the layer has {outputs} outputs")


def _pads(a, x: Tensor, k, stride) -> tuple[int, int, int, int]:
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        pt, pb = _same_pads(x.h, k[0], stride[0], auto == "SAME_LOWER")
        pl, pr = _same_pads(x.w, k[1], stride[1], auto == "SAME_LOWER")
        return pt, pl, pb, pr
    p = list(a.get("pads", [0, 0, 0, 0]))
    return p[0], p[1], p[2], p[3]  # ONNX order: h_begin, w_begin, h_end, w_end


def _gemm(b: Builder, node, a, x: Tensor, inits, name, label, where) -> Tensor:
    if node.input[1] not in inits:
        raise OnnxImportError(f"{where}: node {label!r}: {node.op_type} weight must be an "
                              "initializer")
    w = inits[node.input[1]]
    if w.ndim != 2:
        raise OnnxImportError(f"{where}: node {label!r}: weight must be 2-D, got {w.shape}")
    if node.op_type == "Gemm" and a.get("transA", 0):
        raise OnnxImportError(f"{where}: node {label!r}: Gemm with transA is not supported")
    k, n = (w.shape[1], w.shape[0]) if a.get("transB", 0) else w.shape
    features = x.c * x.h * x.w
    if int(k) != features:
        raise OnnxImportError(f"{where}: node {label!r}: weight expects {k} input features, "
                              f"feature map has {features}")
    bias = node.op_type == "Gemm" and len(node.input) > 2 and bool(node.input[2])
    if bias and inits.get(node.input[2]) is not None and _prod(inits[node.input[2]]) not in (1, n):
        _check_bias(inits, node.input[2], int(n), label, where)  # Gemm broadcasts a scalar C
    return b.fc(name, x, int(n), bias=bias)


def _pool(b: Builder, op, a, x: Tensor, name, label, where) -> Tensor:
    if "kernel_shape" not in a:
        raise OnnxImportError(f"{where}: node {label!r}: {op} without kernel_shape")
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise OnnxImportError(f"{where}: node {label!r}: dilated pooling is not supported")
    k = tuple(a["kernel_shape"])
    stride = tuple(a.get("strides", [1, 1]))
    pads = _pads(a, x, k, stride)
    fn = b.maxpool if op == "MaxPool" else b.avgpool
    return fn(name, x, k, stride=stride, padding=pads, ceil_mode=bool(a.get("ceil_mode", 0)))
