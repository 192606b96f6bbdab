"""``hymem rana …`` through click's runner: JSON shapes, constraint and name errors."""

import json

import pytest
from click.testing import CliRunner

from hymem.golden.cli import main

LAYER_B = ["--M", "512", "--N", "256", "--R", "28", "--C", "28", "--K", "3", "--S", "1"]


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, ["rana", *args], catch_exceptions=False)
    return _run


def test_layer_json_shape_and_values(run):
    res = run("layer", *LAYER_B, "--pattern", "OD", "--Tm", "16", "--Tn", "16", "--Tr", "1", "--Tc", "16", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["lifetime_us"]) == {"input", "output", "weight"}
    assert set(doc["storage_bytes"]) == {"input", "output", "weight", "total"}
    assert doc["eta"] == pytest.approx(0.875)
    assert doc["lifetime_us"]["input"] == pytest.approx(1290.24)
    # OD storage (eqs. 6-8) in 16-bit words x 2 B: Tn*H*L, M*R*C, Tn*Tm*K^2 with H = L = 30
    assert doc["storage_bytes"] == {"input": 2 * 16 * 30 * 30, "output": 2 * 512 * 28 * 28,
                                    "weight": 2 * 16 * 16 * 9, "total": 2 * (14400 + 401408 + 2304)}


def test_layer_h_l_override(run):
    res = run("layer", "--M", "1024", "--N", "256", "--R", "14", "--C", "14", "--K", "1", "--S", "2", "--H", "28",
              "--L", "28", "--pattern", "ID", "--Tm", "16", "--Tn", "16", "--Tr", "1", "--Tc", "16", "--json")
    doc = json.loads(res.stdout)
    assert doc["storage_bytes"]["input"] == 2 * 256 * 28 * 28
    assert doc["lifetime_us"]["output"] == 0


def test_impossible_tiling_names_constraint(run):
    res = run("layer", *LAYER_B, "--pattern", "WD", "--Tm", "32", "--Tn", "16", "--Tr", "1", "--Tc", "16")
    assert res.exit_code == 2
    assert "Tm*Tr*Tc = 32*1*16 = 512 > R_o = 256" in res.stderr
    res = run("layer", *LAYER_B, "--pattern", "WD", "--Tm", "32", "--Tn", "16", "--Tr", "1", "--Tc", "16", "--json")
    assert "R_o" in json.loads(res.stdout)["error"]


def test_schedule_json_and_words(run):
    res = run("schedule", "alexnet", "--design", "RANA*(E-5)", "--words", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [lay["layer"] for lay in doc["layers"]] == ["conv1", "conv2", "conv3", "conv4", "conv5"]
    assert set(doc["energy_pj"]) == {"mac", "buffer", "refresh", "ddr"}
    assert doc["total_pj"] == pytest.approx(sum(doc["energy_pj"].values()))
    first = doc["layers"][0]
    assert set(first) >= {"pattern", "tiling", "lifetime_us", "banks", "refresh_flags", "counts", "energy_pj"}
    assert len(doc["words"]) == 5 * 8


@pytest.mark.parametrize("args, valid", [
    (("schedule", "nosuchnet", "--design", "eD+ID"), "resnet50"),
    (("schedule", "alexnet", "--design", "RANA"), "RANA*(E-5)"),
])
def test_unknown_names_list_valid_ones(run, args, valid):
    res = run(*args)
    assert res.exit_code == 2
    assert "valid" in res.stderr and valid in res.stderr


def test_retention_json(run):
    doc = json.loads(run("retention", "--rate", "1e-5", "--us", "45", "--json").stdout)
    assert doc["retention_us"]["1e-05"] == pytest.approx(734)
    assert doc["failure_rate"]["45"] == pytest.approx(3e-6)


def test_schedule_onnx_file(run, tmp_path):
    import onnx
    from onnx_graphs import mixed_graph

    path = tmp_path / "mixed.onnx"
    onnx.save(mixed_graph(), str(path))
    res = run("schedule", str(path), "--design", "RANA*(E-5)", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["network"] == "mixed"
    assert [lay["layer"] for lay in doc["layers"]] == ["conv1", "conv2"]   # the graph's two Conv nodes
    # α by hand: conv1 4 kernels of 3x3x3 over 8x8 outputs (pad 1); conv2 1x1, 4 -> 4 channels on the 4x4 pool
    assert [lay["counts"]["mac"] for lay in doc["layers"]] == [4 * 64 * 27, 4 * 16 * 4]


def test_config_option_replaces_the_toml(run, tmp_path):
    from hymem.golden.config import config_path

    toml = tmp_path / "rana.toml"
    toml.write_text(config_path("rana").read_text().replace("tolerable_us = 734.0", "tolerable_us = 900.0"))
    doc = json.loads(run("retention", "--rate", "1e-5", "--json", "--config", str(toml)).stdout)
    assert doc["retention_us"]["1e-05"] == pytest.approx(900)
    res = run("designs", "--config", str(tmp_path / "missing.toml"))
    assert res.exit_code == 2 and "missing.toml" in res.stderr


@pytest.mark.parametrize("args, msg", [
    (("schedule", "alexnet", "--design", "RANA*(E-5)", "--capacity-scale", "inf"), "capacity-scale"),
    (("schedule", "alexnet", "--design", "RANA*(E-5)", "--capacity-scale", "nan"), "capacity-scale"),
    (("retention", "--us", "-5"), "--us"),
    (("retention", "--us", "nan"), "--us"),
    (("retention", "--rate", "0"), "--rate"),
    (("layer", *LAYER_B, "--H", "-3", "--pattern", "OD", "--Tm", "16", "--Tn", "16", "--Tr", "1", "--Tc", "16"),
     "H=-3"),
    (("layer", "--M", "1024", "--N", "256", "--R", "14", "--C", "14", "--K", "3", "--S", "2", "--H", "5",
      "--pattern", "OD", "--Tm", "16", "--Tn", "16", "--Tr", "1", "--Tc", "16"), "needs H >= 25"),
])
def test_bad_numbers_are_one_line_errors(run, args, msg):
    res = run(*args)
    assert res.exit_code == 2, res.output
    assert msg in res.stderr and "Traceback" not in res.output


def test_retention_sweep_json(run):
    doc = json.loads(run("retention-sweep", "alexnet", "--json").stdout)
    assert set(doc["accelerator_energy_pj"]) == {"eD+ID", "eD+OD", "RANA(0)"}
    assert set(doc["accelerator_energy_pj"]["eD+ID"]) == {"45", "90", "180", "360", "720", "1440"}
    assert set(doc["accelerator_energy_pj"]["eD+ID"]["45"]) == {"mac", "buffer", "refresh"}


@pytest.mark.parametrize("args, name", [
    (("designs",), "rana_fig15.png"),
    (("retention-sweep", "alexnet"), "rana_fig16.png"),
    (("train", "--tiny"), "rana_fig11.png"),
])
def test_plots_are_written(run, tmp_path, args, name):
    res = run(*args, "--plot", str(tmp_path), "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["plot"] == str(tmp_path / name)
    assert (tmp_path / name).stat().st_size > 10_000
