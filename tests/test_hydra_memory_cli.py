"""``hymem hydra frame|compare``: JSON shape, figures consistent with the model, one-line errors."""

import json

import pytest


def test_frame_json_shape(run):
    res = run("hydra", "frame", "vgg16", "--system", "hydra", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)  # exactly one JSON document
    assert set(doc) == {"network", "system", "timing", "transfer_energy", "layers", "frame"}
    assert doc["network"] == "vgg16" and doc["system"] == "hydra"
    assert len(doc["layers"]) == 21
    lay = doc["layers"][0]
    assert set(lay) == {"name", "kind", "macs", "compute_cycles", "compute_s", "utilization",
                        "reads", "writes", "transfer_energy_pj", "energy_pj",
                        "energy_breakdown_pj", "transfer_s", "memory_bound", "pcm_writes_avoided"}
    assert set(lay["reads"]) == set(lay["writes"]) == {"dram", "pcm"}
    fr = doc["frame"]
    assert set(fr) >= {"latency_s", "fps", "compute_s", "transfer_s", "transfer_energy_j",
                       "reads", "writes", "pcm_writes_avoided", "utilization"}
    assert fr["writes"]["pcm"] == 0 and fr["pcm_writes_avoided"] == 13_556_712
    assert fr["latency_s"] == pytest.approx(81.22e-3)
    assert sum(x["pcm_writes_avoided"] for x in doc["layers"]) == fr["pcm_writes_avoided"]


def test_frame_text_and_timing_override(run):
    res = run("hydra", "frame", "digits_cnn", "--system", "pcm", "--cycles-per-mac", "4")
    assert res.exit_code == 0, res.output
    assert "conv1" in res.stdout and "per frame" in res.stdout and "4 cycles/MAC" in res.stdout
    doc = json.loads(run("hydra", "frame", "digits_cnn", "--cycles-per-mac", "4", "--json").stdout)
    macs = sum(x["macs"] for x in doc["layers"])
    assert doc["frame"]["compute_s"] == pytest.approx(macs * 4 / 512 / 3e9)


def test_compare_json(run):
    doc = json.loads(run("hydra", "compare", "resnet34", "--json").stdout)
    assert set(doc["systems"]) == {"dram", "pcm", "hydra"}
    e = {s: v["transfer_energy_j"] for s, v in doc["systems"].items()}
    assert doc["energy_ratios"]["pcm_over_hydra"] == pytest.approx(e["pcm"] / e["hydra"])
    assert doc["energy_ratios"]["pcm_over_dram"] == pytest.approx(e["pcm"] / e["dram"])


@pytest.mark.parametrize("args, message", [
    (("frame", "vgg16", "--system", "sram"), "unknown memory system 'sram'; valid: dram, pcm, hydra"),
    (("frame", "vggx"), "unknown network 'vggx'; valid:"),
    (("frame", "vgg16", "--timing", "fast"), "unknown timing 'fast'; valid: paper, radix4, rtl"),
    (("frame", "vgg16", "--cycles-per-mac", "-1"), "'--cycles-per-mac': -1.0 is not in the range x>0"),
    (("compare", "nothere.onnx"), "nothere.onnx"),
])
def test_one_line_errors(run, args, message):
    res = run("hydra", *args)
    assert res.exit_code == 2
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.output


def test_error_with_json_is_one_document(run):
    res = run("hydra", "frame", "vgg16", "--system", "sram", "--json")
    assert res.exit_code == 2
    assert json.loads(res.stdout) == {"error": "unknown memory system 'sram'; valid: dram, pcm, hydra"}


def test_rtl_timing_sums_the_rtl_cycle_model(run):
    from hymem.golden.hydra.cycles import layer_cycles
    from hymem.golden.hydra.params import load_hydra_config
    from hymem.golden.workloads import get_network

    doc = json.loads(run("hydra", "frame", "digits_cnn", "--timing", "rtl", "--json").stdout)
    config = load_hydra_config()
    want = [layer_cycles(lay, config).cycles for lay in get_network("digits_cnn").layers]
    assert [x["compute_cycles"] for x in doc["layers"]] == want
    assert doc["timing"].startswith("rtl")


def test_rtl_timing_unsupported_layer_is_one_line(run):
    res = run("hydra", "frame", "alexnet", "--timing", "rtl")
    assert res.exit_code == 2 and "layer 'conv1': kernel 11 > unit.max_kernel=7" in res.stderr
    assert res.stderr.count("\n") == 1


def test_rtl_memory_timing_is_the_sim_top_cost(run):
    # --timing rtl-memory: each layer's cycles are the simulation top's exact cost with the DRAM/PCM
    # device models (program_cost), at least the ideal-memory RTL cycles of the same schedule.
    from hymem.golden.hydra.command_stream import layer_memory_cost
    from hymem.golden.hydra.cycles import layer_cycles
    from hymem.golden.hydra.params import load_hydra_config
    from hymem.golden.workloads import get_network

    doc = json.loads(run("hydra", "frame", "digits_cnn", "--timing", "rtl-memory", "--json").stdout)
    config = load_hydra_config()
    layers = get_network("digits_cnn").layers
    want = [layer_memory_cost(lay, config).cycles if lay.kind in ("conv", "maxpool", "fc") else 0
            for lay in layers]
    assert [x["compute_cycles"] for x in doc["layers"]] == want
    assert all(w >= layer_cycles(lay, config).cycles for w, lay in zip(want, layers) if w)
    assert doc["timing"].startswith("rtl-memory") and "400 MHz" in doc["timing"]
    res = run("hydra", "frame", "alexnet", "--timing", "rtl-memory")
    assert res.exit_code == 2 and "layer 'conv1': kernel 11 > unit.max_kernel=7" in res.stderr
