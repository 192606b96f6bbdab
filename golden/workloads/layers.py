"""Layer records and their shape arithmetic.

A network is a list of :class:`Layer` in topological order.  Each layer carries
its own input and output shapes (channels × height × width, batch 1), so every
derived figure (weights, MACs, element and byte counts) is a pure function of
one record.  Only six kinds exist, because these are the only ones that cost
memory or compute in the seeds' accelerators:

``conv``    convolution with groups, rectangular kernels, stride and padding
``fc``      fully connected (input flattened to ``in_ch`` features, 1×1 spatial)
``maxpool`` / ``avgpool``  pooling (``ceil_mode`` as in Caffe/PyTorch)
``add``     element-wise sum of ``n_inputs`` equal-shaped tensors (residuals)
``concat``  channel concatenation (``in_ch`` is the sum of the inputs)

Activations, batch norm, LRN and dropout cost no weights or MACs in this
accounting and are not layers here (batch norm is folded into the convolution
at inference time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("conv", "fc", "maxpool", "avgpool", "add", "concat")
POOL_KINDS = ("maxpool", "avgpool")


class WorkloadError(ValueError):
    """A malformed layer or network, or an unknown network name."""


def pool_out(size: int, kernel: int, stride: int, pad_lo: int, pad_hi: int, ceil: bool) -> int:
    """Output length of a convolution/pooling window along one axis.

    ``floor((size + pads - kernel) / stride) + 1``; with ``ceil`` the division
    rounds up, but (as in PyTorch and Caffe) the last window must start inside
    the input or its leading padding, otherwise it is dropped.
    """
    span = size + pad_lo + pad_hi - kernel
    if not ceil:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


@dataclass(frozen=True)
class Layer:
    """One layer with explicit shapes; construct through :func:`make_layer`."""

    name: str
    kind: str
    in_ch: int
    in_h: int
    in_w: int
    out_ch: int
    out_h: int
    out_w: int
    kernel_h: int = 1
    kernel_w: int = 1
    stride_h: int = 1
    stride_w: int = 1
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, left, bottom, right
    groups: int = 1
    bias: bool = False
    ceil_mode: bool = False
    n_inputs: int = 1
    inputs: tuple[str, ...] = field(default=(), compare=False)

    # --- derived figures -------------------------------------------------
    @property
    def weights(self) -> int:
        """Weight elements (biases excluded)."""
        if self.kind == "conv":
            return self.out_ch * (self.in_ch // self.groups) * self.kernel_h * self.kernel_w
        if self.kind == "fc":
            return self.in_ch * self.out_ch
        return 0

    @property
    def biases(self) -> int:
        return self.out_ch if self.bias and self.kind in ("conv", "fc") else 0

    @property
    def params(self) -> int:
        return self.weights + self.biases

    @property
    def macs(self) -> int:
        """Multiply-accumulates: one per weight per output position."""
        if self.kind == "conv":
            return self.out_h * self.out_w * self.weights
        if self.kind == "fc":
            return self.weights
        return 0

    @property
    def input_elems(self) -> int:
        """Elements read as inputs (all operands of an ``add``)."""
        return self.n_inputs * self.in_ch * self.in_h * self.in_w if self.kind == "add" \
            else self.in_ch * self.in_h * self.in_w

    @property
    def output_elems(self) -> int:
        return self.out_ch * self.out_h * self.out_w

    def input_bytes(self, bits: int = 16) -> int | float:
        return _bytes(self.input_elems, bits)

    def output_bytes(self, bits: int = 16) -> int | float:
        return _bytes(self.output_elems, bits)

    def weight_bytes(self, bits: int = 16) -> int | float:
        return _bytes(self.weights, bits)

    def as_dict(self) -> dict:
        """The JSON record of ``hymem workload show`` (SPEC issue 3 field list)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "in_ch": self.in_ch,
            "out_ch": self.out_ch,
            "in_h": self.in_h,
            "in_w": self.in_w,
            "out_h": self.out_h,
            "out_w": self.out_w,
            "kernel_h": self.kernel_h,
            "kernel_w": self.kernel_w,
            "stride": [self.stride_h, self.stride_w],
            "padding": list(self.pad),
            "groups": self.groups,
            "params": self.params,
            "macs": self.macs,
        }


def _bytes(elems: int, bits: int) -> int | float:
    """Bytes of ``elems`` elements of ``bits`` each: an int when whole (the usual case)."""
    total = elems * bits
    return total // 8 if total % 8 == 0 else total / 8


def _pair(value, what: str, name: str) -> tuple[int, int]:
    if isinstance(value, int):
        return value, value
    try:
        a, b = value
    except (TypeError, ValueError):
        raise WorkloadError(f"layer {name!r}: {what} must be an int or a pair, got {value!r}") from None
    return int(a), int(b)


def _pads(value, name: str) -> tuple[int, int, int, int]:
    """Padding as int (all sides), (h, w) pair, or (top, left, bottom, right)."""
    if isinstance(value, int):
        return (value,) * 4
    value = tuple(int(v) for v in value)
    if len(value) == 2:
        return value[0], value[1], value[0], value[1]
    if len(value) == 4:
        return value  # type: ignore[return-value]
    raise WorkloadError(f"layer {name!r}: padding must have 1, 2 or 4 values, got {value!r}")


def make_layer(
    name: str,
    kind: str,
    in_shape: tuple[int, int, int],
    *,
    out_ch: int | None = None,
    kernel=1,
    stride=1,
    padding=0,
    groups: int = 1,
    bias: bool = False,
    ceil_mode: bool = False,
    n_inputs: int = 1,
    inputs: tuple[str, ...] = (),
) -> Layer:
    """Build a layer from its input shape and hyper-parameters, checking them.

    The output shape is computed here, once, so that every layer in the
    project obeys the same arithmetic.  Zero or negative dimensions, a kernel
    larger than the padded input, groups that do not divide the channels and
    unknown kinds are rejected with the layer's name.
    """
    if kind not in KINDS:
        raise WorkloadError(f"layer {name!r}: unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    c, h, w = (int(v) for v in in_shape)
    if min(c, h, w) <= 0:
        raise WorkloadError(f"layer {name!r}: input shape {c}x{h}x{w} has a zero or negative dimension")
    kh, kw = _pair(kernel, "kernel", name)
    sh, sw = _pair(stride, "stride", name)
    pt, pl, pb, pr = _pads(padding, name)
    if min(kh, kw) <= 0:
        raise WorkloadError(f"layer {name!r}: kernel {kh}x{kw} has a zero or negative dimension")
    if min(sh, sw) <= 0:
        raise WorkloadError(f"layer {name!r}: stride {sh}x{sw} must be positive")
    if min(pt, pl, pb, pr) < 0:
        raise WorkloadError(f"layer {name!r}: negative padding {(pt, pl, pb, pr)}")
    if n_inputs < 1:
        raise WorkloadError(f"layer {name!r}: needs at least one input")

    common = {"name": name, "kind": kind, "in_ch": c, "in_h": h, "in_w": w, "inputs": tuple(inputs)}
    if kind in ("conv", *POOL_KINDS):
        if kh > h + pt + pb or kw > w + pl + pr:
            raise WorkloadError(
                f"layer {name!r}: kernel {kh}x{kw} larger than padded input "
                f"{h + pt + pb}x{w + pl + pr}"
            )
        oh = pool_out(h, kh, sh, pt, pb, ceil_mode)
        ow = pool_out(w, kw, sw, pl, pr, ceil_mode)
        if kind == "conv":
            if out_ch is None or out_ch <= 0:
                raise WorkloadError(f"layer {name!r}: conv needs a positive out_ch, got {out_ch!r}")
            if groups <= 0 or c % groups or out_ch % groups:
                raise WorkloadError(
                    f"layer {name!r}: groups={groups} must divide in_ch={c} and out_ch={out_ch}"
                )
        else:
            out_ch, groups, bias = c, 1, False
        return Layer(**common, out_ch=out_ch, out_h=oh, out_w=ow, kernel_h=kh, kernel_w=kw,
                     stride_h=sh, stride_w=sw, pad=(pt, pl, pb, pr), groups=groups, bias=bias,
                     ceil_mode=ceil_mode)
    if kind == "fc":
        if out_ch is None or out_ch <= 0:
            raise WorkloadError(f"layer {name!r}: fc needs a positive out_ch, got {out_ch!r}")
        # A fully connected layer sees its input flattened.
        return Layer(name=name, kind="fc", in_ch=c * h * w, in_h=1, in_w=1, out_ch=out_ch,
                     out_h=1, out_w=1, bias=bias, inputs=tuple(inputs))
    if kind == "add":
        return Layer(**common, out_ch=c, out_h=h, out_w=w, n_inputs=n_inputs)
    # concat: the caller passes the summed channel count as in_shape[0]
    return Layer(**common, out_ch=c, out_h=h, out_w=w, n_inputs=n_inputs)

