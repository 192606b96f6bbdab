"""ONNX graphs that tests build with ``onnx.helper`` (shared by the ONNX-import and CLI tests)."""

import numpy as np
from onnx import TensorProto, helper, numpy_helper


def zeros_init(name, *shape):
    """An all-zero float32 initializer (only shapes matter to the importer)."""
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def graph_model(nodes, inits, in_shape=(1, 3, 8, 8), out_name="y"):
    """A one-input model (opset 13) of ``nodes`` with initializers ``inits``."""
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, None)],
        initializer=inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def mixed_graph():
    """conv → relu → maxpool → {1×1 conv, identity} → add → concat → flatten → gemm."""
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1],
                         kernel_shape=[3, 3]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["p1"], name="pool1", kernel_shape=[2, 2],
                         strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2", "b2"], ["c2"], name="conv2"),
        helper.make_node("Add", ["c2", "p1"], ["s"], name="add"),
        helper.make_node("Concat", ["s", "p1"], ["cat"], name="cat", axis=1),
        helper.make_node("Flatten", ["cat"], ["f"], name="flat"),
        helper.make_node("Gemm", ["f", "wf", "bf"], ["y"], name="fc", transB=1),
    ]
    inits = [zeros_init("w1", 4, 3, 3, 3), zeros_init("b1", 4), zeros_init("w2", 4, 4, 1, 1), zeros_init("b2", 4),
             zeros_init("wf", 10, 128), zeros_init("bf", 10)]
    return graph_model(nodes, inits)
