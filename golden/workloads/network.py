"""Networks: an ordered list of layers, a builder that tracks tensor shapes,
and per-network totals.

The builder is how both the zoo and the ONNX importer create layers, so shape
arithmetic lives in exactly one place (:func:`golden.workloads.layers.make_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .layers import Layer, WorkloadError, make_layer


@dataclass(frozen=True)
class Tensor:
    """A feature map flowing between layers: producer name and C×H×W shape."""

    name: str
    c: int
    h: int
    w: int

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.c, self.h, self.w


@dataclass(frozen=True)
class Network:
    """A named network with its input shape and layers in topological order."""

    name: str
    input_shape: tuple[int, int, int]
    layers: tuple[Layer, ...]
    description: str = ""
    source: str = ""

    def of_kind(self, *kinds: str) -> list[Layer]:
        return [lay for lay in self.layers if lay.kind in kinds]

    def layer(self, name: str) -> Layer:
        for lay in self.layers:
            if lay.name == name:
                return lay
        raise WorkloadError(f"{self.name}: no layer named {name!r}")

    def totals(self, bits: int = 16) -> dict:
        """Network totals of ``hymem workload show``.

        ``params`` counts weights and biases.  ``max_*_bytes`` are taken over
        the convolution layers, the layers an accelerator tiles through its
        on-chip buffers (the convention of RANA Table I, seed 004); for a
        network without convolutions they fall back to the fully connected
        layers.
        """
        convs = self.of_kind("conv")
        fcs = self.of_kind("fc")
        tiled = convs or fcs
        return {
            "params": sum(lay.params for lay in self.layers),
            "macs": sum(lay.macs for lay in self.layers),
            "conv_params": sum(lay.params for lay in convs),
            "conv_macs": sum(lay.macs for lay in convs),
            "fc_params": sum(lay.params for lay in fcs),
            "fc_macs": sum(lay.macs for lay in fcs),
            "max_input_bytes": max((lay.input_bytes(bits) for lay in tiled), default=0),
            "max_output_bytes": max((lay.output_bytes(bits) for lay in tiled), default=0),
            "max_weight_bytes": max((lay.weight_bytes(bits) for lay in tiled), default=0),
        }

    def as_dict(self, bits: int = 16) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "input": list(self.input_shape),
            "precision_bits": bits,
            "layers": [lay.as_dict() for lay in self.layers],
            "totals": self.totals(bits),
        }


class Builder:
    """Incrementally build a :class:`Network`, tracking shapes between layers.

    Each method appends one layer and returns the output :class:`Tensor`.
    Layer names must be unique; a duplicate is an error naming it.
    """

    def __init__(self, name: str, input_shape: tuple[int, int, int], description: str = "",
                 source: str = ""):
        self.name = name
        self.description = description
        self.source = source
        self.input_shape = tuple(int(v) for v in input_shape)
        if len(self.input_shape) != 3 or min(self.input_shape) <= 0:
            raise WorkloadError(f"{name}: input shape must be 3 positive dims C,H,W, got {input_shape!r}")
        self.layers: list[Layer] = []
        self._names: set[str] = set()
        self.input = Tensor("input", *self.input_shape)

    def _add(self, layer: Layer) -> Tensor:
        if layer.name in self._names:
            raise WorkloadError(f"{self.name}: duplicate layer name {layer.name!r}")
        self._names.add(layer.name)
        self.layers.append(layer)
        return Tensor(layer.name, layer.out_ch, layer.out_h, layer.out_w)

    def conv(self, name: str, x: Tensor, out_ch: int, kernel, stride=1, padding=0, groups=1,
             bias=True) -> Tensor:
        return self._add(make_layer(name, "conv", x.shape, out_ch=out_ch, kernel=kernel,
                                    stride=stride, padding=padding, groups=groups, bias=bias,
                                    inputs=(x.name,)))

    def fc(self, name: str, x: Tensor, out_features: int, bias=True) -> Tensor:
        return self._add(make_layer(name, "fc", x.shape, out_ch=out_features, bias=bias,
                                    inputs=(x.name,)))

    def maxpool(self, name: str, x: Tensor, kernel, stride=None, padding=0, ceil_mode=False) -> Tensor:
        return self._add(make_layer(name, "maxpool", x.shape, kernel=kernel,
                                    stride=kernel if stride is None else stride, padding=padding,
                                    ceil_mode=ceil_mode, inputs=(x.name,)))

    def avgpool(self, name: str, x: Tensor, kernel, stride=None, padding=0, ceil_mode=False) -> Tensor:
        return self._add(make_layer(name, "avgpool", x.shape, kernel=kernel,
                                    stride=kernel if stride is None else stride, padding=padding,
                                    ceil_mode=ceil_mode, inputs=(x.name,)))

    def global_avgpool(self, name: str, x: Tensor) -> Tensor:
        return self.avgpool(name, x, (x.h, x.w), stride=1)

    def add(self, name: str, xs: list[Tensor]) -> Tensor:
        shapes = {x.shape for x in xs}
        if len(shapes) != 1:
            raise WorkloadError(f"layer {name!r}: add of unequal shapes {sorted(shapes)}")
        return self._add(make_layer(name, "add", xs[0].shape, n_inputs=len(xs),
                                    inputs=tuple(x.name for x in xs)))

    def concat(self, name: str, xs: list[Tensor]) -> Tensor:
        spatial = {(x.h, x.w) for x in xs}
        if len(spatial) != 1:
            raise WorkloadError(f"layer {name!r}: concat of unequal spatial sizes {sorted(spatial)}")
        h, w = spatial.pop()
        return self._add(make_layer(name, "concat", (sum(x.c for x in xs), h, w),
                                    n_inputs=len(xs), inputs=tuple(x.name for x in xs)))

    def build(self) -> Network:
        if not self.layers:
            raise WorkloadError(f"{self.name}: network has no layers")
        return Network(self.name, self.input_shape, tuple(self.layers), self.description, self.source)
