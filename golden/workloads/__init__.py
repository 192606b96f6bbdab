"""Workloads: layer-level network descriptions, the zoo, and ONNX import.

>>> from hymem.golden.workloads import get_network
>>> get_network("vgg16").totals()["conv_macs"]
15346630656
"""

from .layers import KINDS, Layer, WorkloadError, make_layer
from .network import Builder, Network, Tensor
from .zoo import get_network, list_networks

__all__ = ["KINDS", "Builder", "Layer", "Network", "Tensor", "WorkloadError", "get_network",
           "list_networks", "load_network", "make_layer"]


def load_network(spec: str) -> Network:
    """A zoo network by name, or an ONNX file when ``spec`` ends in ``.onnx`` (what a CLI's NET means)."""
    if str(spec).lower().endswith(".onnx"):
        from .onnx_import import load_onnx  # imports onnx: only when asked for

        return load_onnx(spec)
    return get_network(spec)
