"""ONNX import of hand-built graphs (built here with onnx.helper; nothing downloaded).

Expected figures are hand-derived from the layer shapes in each test.
"""

import onnx
import pytest
from onnx import helper
from onnx_graphs import graph_model, mixed_graph, zeros_init

from hymem.golden.workloads.onnx_import import OnnxImportError, import_model, load_onnx


def test_mixed_graph_layers_and_counts():
    net = import_model(mixed_graph(), "mixed")
    got = [(lay.name, lay.kind, lay.out_ch, lay.out_h, lay.out_w) for lay in net.layers]
    assert got == [
        ("conv1", "conv", 4, 8, 8),      # 3×3 pad 1 keeps 8×8
        ("pool1", "maxpool", 4, 4, 4),   # 2×2/2 halves
        ("conv2", "conv", 4, 4, 4),
        ("add", "add", 4, 4, 4),
        ("cat", "concat", 8, 4, 4),      # 4 + 4 channels
        ("fc", "fc", 10, 1, 1),
    ]
    conv1, _, conv2, add, cat, fc = net.layers
    assert (conv1.params, conv1.macs) == (4 * 3 * 9 + 4, 8 * 8 * 4 * 27)
    assert (conv2.params, conv2.macs) == (16 + 4, 4 * 4 * 16)
    assert add.input_elems == 2 * 64 and add.macs == 0
    assert cat.in_ch == 8
    assert (fc.in_ch, fc.params, fc.macs) == (128, 1280 + 10, 1280)
    assert net.totals()["macs"] == 6912 + 256 + 1280


def test_file_round_trip(tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(mixed_graph(), str(path))
    net = load_onnx(path)
    assert net.name == "m" and len(net.layers) == 6


def test_rectangular_kernel_auto_pad_and_groups():
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], name="c17", kernel_shape=[1, 7],
                         auto_pad="SAME_UPPER"),
        helper.make_node("Conv", ["c", "wg"], ["y"], name="grp", group=2, kernel_shape=[3, 3],
                         strides=[2, 2]),
    ]
    net = import_model(graph_model(nodes, [zeros_init("w", 4, 3, 1, 7), zeros_init("wg", 6, 2, 3, 3)],
                              in_shape=(1, 3, 9, 11)), "rect")
    c17, grp = net.layers
    assert (c17.kernel_h, c17.kernel_w, c17.pad, c17.out_h, c17.out_w) == (1, 7, (0, 3, 0, 3), 9, 11)
    # (9-3)//2+1 = 4, (11-3)//2+1 = 5; groups=2 → 6*2*9 weights
    assert (grp.out_h, grp.out_w, grp.weights, grp.groups) == (4, 5, 108, 2)


def test_unsupported_operators_are_listed():
    nodes = [helper.make_node("LSTM", ["x"], ["a"]), helper.make_node("Resize", ["a"], ["y"])]
    with pytest.raises(OnnxImportError, match="unsupported ONNX operator.*LSTM, Resize"):
        import_model(graph_model(nodes, []), "bad")


def test_malformed_file(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\xff\xff garbage")
    with pytest.raises(OnnxImportError, match="not a readable ONNX model"):
        load_onnx(bad)
    with pytest.raises(OnnxImportError, match="no such file"):
        load_onnx(tmp_path / "missing.onnx")


def test_gemm_feature_mismatch_names_node():
    nodes = [helper.make_node("Flatten", ["x"], ["f"]),
             helper.make_node("Gemm", ["f", "w"], ["y"], name="fc", transB=1)]
    with pytest.raises(OnnxImportError, match="'fc'.*expects 100 input features"):
        import_model(graph_model(nodes, [zeros_init("w", 10, 100)]), "mismatch")
