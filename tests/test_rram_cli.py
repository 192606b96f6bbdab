"""``hymem rram …`` and ``hymem reproduce rram`` through click's runner: the JSON contracts,
plots, and one-line errors with exit status 2."""

import json

import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.golden.rram.cost import ROWS


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    return _run


def test_table3_json_is_the_printed_formulas(run):
    res = run("rram", "table3", "--p", "8", "--K", "3", "--groups", "4", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc == {"kernel_first": {"input": 4 * 10 ** 2, "weight": 4 * 9, "output_read": 0,
                                    "output_write": 32},
                   "pixel_first": {"input": 4 * 8 * 9, "weight": 9, "output_read": 4 * 8 * 8,
                                   "output_write": 4 * 8 * 9}}


def test_layer_counts_json(run):
    res = run("rram", "layer", "--C", "16", "--H", "8", "--W", "8", "--M", "8", "--K", "3",
              "--pad", "1", "--order", "kernel_first", "--json")
    doc = json.loads(res.stdout)
    # T_o = 1, T_i = 2, 9 taps, 8 rows x 1 group: 144 cycles of 8x8x8 lanes, 8*16*9*64 MACs
    assert doc["counts"]["cycles"] == 144 and doc["counts"]["macs"] == 8 * 16 * 9 * 64
    assert doc["utilisation"] == 1.0


def test_layer_with_raster_pixel_groups(run):
    """14-wide rows in groups of 8: row-local 2 groups a row (28 for 14 rows), raster 196/8 ->
    25 groups; 9 taps, one channel tile each way."""
    cycles = {}
    for groups in ("row", "auto"):
        res = run("rram", "layer", "--C", "8", "--H", "14", "--W", "14", "--M", "8", "--K", "3",
                  "--pad", "1", "--order", "pixel_first", "--acc", "16", "--pixel-groups", groups,
                  "--json")
        doc = json.loads(res.stdout)
        assert doc["pixel_groups"] == ("row" if groups == "row" else "raster")
        cycles[groups] = doc["counts"]["cycles"]
    assert cycles == {"row": 9 * 28, "auto": 9 * 25}


def test_network_json_has_the_table6_rows(run, tmp_path):
    res = run("rram", "network", "vgg11", "--io", "1024", "--weight", "1024", "--tech", "rram",
              "--json", "--plot", str(tmp_path))
    doc = json.loads(res.stdout)
    assert list(doc["breakdown_uj"]) == list(ROWS)
    assert doc["total_uj"] == pytest.approx(sum(doc["breakdown_uj"].values()))
    assert (tmp_path / "rram_breakdown.png").stat().st_size > 0


def test_dse_json_contract_and_plot(run, tmp_path):
    res = run("rram", "dse", "vgg11", "--json", "--plot", str(tmp_path))
    doc = json.loads(res.stdout)
    assert len(doc["points"]) == 1500
    keys = {"tech", "io_kb", "weight_kb", "acc_depth", "order", "schedule", "breakdown_uj",
            "total_uj"}
    assert all(keys <= set(p) for p in doc["points"])
    assert {p["tech"] for p in doc["points"]} == {"sram", "rram"}
    assert {p["weight_kb"] for p in doc["points"] if p["tech"] == "rram"} == \
        {1024, 2048, 4096, 8192, 16384}
    assert (tmp_path / "rram_dse.png").stat().st_size > 0
    assert (tmp_path / "rram_fig5.png").stat().st_size > 0


@pytest.mark.parametrize("args, message", [
    (("table3", "--p", "0"), "p=0"),
    (("network", "vgg11", "--acc", "48"), "not in Table 5"),
    (("network", "vgg11", "--io", "100"), "valid: 128, 256"),
    (("layer", "--C", "8", "--H", "8", "--W", "8", "--M", "8", "--p", "0"), "p=0"),
    (("layer", "--C", "8", "--H", "8", "--W", "8", "--M", "8", "--order", "x"), "valid: kernel"),
    (("dse", "nosuchnet"), "unknown network"),
    (("layer", "--C", "8", "--H", "8", "--W", "8", "--M", "8", "--K", "3", "--stride", "2",
      "--pad", "1", "--pixel-groups", "raster"), "stride (2, 2) is not 1"),
])
def test_bad_input_is_one_error_line_and_exit_2(run, args, message):
    res = CliRunner().invoke(main, ["rram", *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_reproduce_rram_json_carries_kinds_and_expectations(run, monkeypatch):
    import hymem.golden.claims as C
    from hymem.golden.rram.claims import claims

    monkeypatch.setitem(C._REGISTRY, "rram", claims)   # other tests register stand-ins
    doc = json.loads(run("reproduce", "rram", "--json").stdout)
    assert doc["systems"]["rram"] == "modelled"
    ids = {c["id"]: c for c in doc["claims"]}
    assert ids["rram.table6.rram.calculate"]["kind"] == "calibration"
    assert ids["rram.table6.rram.write_weight"]["ok"]
    for c in doc["claims"]:
        if c["expected"] == "out":
            assert "tests/test_rram_paper.py::" in c["note"]


def test_a_users_onnx_network_runs_through_network_and_dse(run, tmp_path):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    def init(name, *shape):
        return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)

    nodes = [helper.make_node("Conv", ["x", "w1"], ["c1"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
             helper.make_node("Relu", ["c1"], ["r1"]),
             helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("Conv", ["p1", "w2"], ["y"], kernel_shape=[3, 3])]
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 16, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    graph = helper.make_graph(nodes, "g", [x], [y],
                              initializer=[init("w1", 8, 3, 3, 3), init("w2", 16, 8, 3, 3)])
    path = tmp_path / "tiny.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    doc = json.loads(run("rram", "network", str(path), "--io", "128", "--weight", "128",
                         "--tech", "sram", "--acc", "16", "--order", "pixel_first",
                         "--json").stdout)
    # the final output (16 x 6 x 6 bytes) is all DDR writes; the pool is applied on write
    assert doc["breakdown_uj"]["write ddr"] == pytest.approx(16 * 6 * 6 * 82.719e-6)
    assert len(json.loads(run("rram", "dse", str(path), "--json").stdout)["points"]) == 1500
