"""Workloads: layer-level network descriptions, the zoo, and ONNX import.

>>> from golden.workloads import get_network
>>> get_network("vgg16").totals()["conv_macs"]
15346630656
"""

from .layers import KINDS, Layer, WorkloadError, make_layer
from .network import Builder, Network, Tensor
from .zoo import get_network, list_networks

__all__ = ["KINDS", "Builder", "Layer", "Network", "Tensor", "WorkloadError", "get_network",
           "list_networks", "make_layer"]
