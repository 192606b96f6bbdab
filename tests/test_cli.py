"""The hymem command through click's runner: JSON purity, errors without tracebacks."""

import json

import onnx
import pytest
from onnx_graphs import mixed_graph


def test_workload_show_vgg16_json(run):
    res = run("workload", "show", "vgg16", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)  # stdout is exactly one JSON document
    assert doc["totals"]["conv_macs"] == 15_346_630_656
    first = doc["layers"][0]
    assert set(first) >= {"name", "kind", "in_ch", "out_ch", "in_h", "in_w", "out_h", "out_w",
                          "kernel_h", "kernel_w", "stride", "padding", "groups", "params", "macs"}
    assert set(doc["totals"]) >= {"params", "macs", "conv_params", "conv_macs", "fc_params",
                                  "fc_macs", "max_input_bytes", "max_output_bytes",
                                  "max_weight_bytes"}


def test_precision_changes_bytes(run):
    d8 = json.loads(run("workload", "show", "vgg16", "--precision", "8", "--json").stdout)
    assert d8["totals"]["max_input_bytes"] == 64 * 224 * 224


@pytest.mark.parametrize("args", [("workload", "list", "--json"), ("tech", "list", "--json"),
                                  ("tech", "show", "rana_65nm", "--json"),
                                  ("reproduce", "hydra", "--json")])
def test_json_everywhere(run, args):
    # `reproduce all --json` is tests/test_reproduce_strict.py's (a cold run is minutes: once per suite)
    res = run(*args)
    assert res.exit_code == 0
    json.loads(res.stdout)


def test_reproduce_workloads_strict(run):
    res = run("reproduce", "workloads", "--strict", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    ids = {c["id"] for c in doc["claims"]}
    assert {"rram.t2.vgg16.cnv_gop", "shycache.t2.inception_v4.params",
            "maxnvm.t2.resnet50.params", "rana.t1.vgg16.max_inputs"} <= ids
    assert not any(c["unexpected"] for c in doc["claims"])
    assert doc["systems"] == {"workloads": "modelled"}
    assert doc["summary"]["claims"] == len(doc["claims"])


def test_unmodelled_system_fails_strict(run, monkeypatch):
    """A single system with no claims module yet: reported, and --strict exits 1 saying why."""
    from hymem.golden import claims as C

    monkeypatch.setattr(C, "_claims_module", lambda name: f"hymem.golden.{name}_has_no_claims_module")
    monkeypatch.setattr(C, "_REGISTRY", {k: v for k, v in C._REGISTRY.items() if k != "shycache"})
    res = run("reproduce", "shycache", "--strict", "--json")
    assert res.exit_code == 1
    assert "not yet modelled, so not judged: shycache" in res.stderr
    doc = json.loads(res.stdout)
    assert doc["claims"] == [] and doc["systems"] == {"shycache": "not yet modelled"}
    assert doc["summary"]["claims"] == 0 and doc["summary"]["unexpected"] == 0
    assert "not yet modelled" in run("reproduce", "shycache").stdout
    assert run("reproduce", "shycache").exit_code == 0        # without --strict: a report


def test_reproduce_formats(run):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(run("reproduce", "workloads", "--format", "csv").stdout)))
    assert rows and {"id", "kind", "expected", "outcome", "paper", "model", "note"} <= set(rows[0])
    md = run("reproduce", "workloads", "--format", "md").stdout
    assert md.startswith("| claim |") and "predictions reproduced" in md
    table = run("reproduce", "workloads").stdout
    assert "rram.t2.vgg16.cnv_gop" in table and "…" not in table


def test_plot(run, tmp_path):
    res = run("reproduce", "workloads", "--plot", str(tmp_path), "--json")
    assert json.loads(res.stdout)["plots"] == [str(tmp_path / "workloads.png")]
    assert (tmp_path / "workloads.png").stat().st_size > 1000


@pytest.mark.parametrize("args, msg", [
    (("workload", "show", "vgg99"), "unknown network 'vgg99'; valid:"),
    (("tech", "show", "unobtainium"), "unknown technology 'unobtainium'; valid:"),
    (("reproduce", "everything"), "unknown system 'everything'; valid:"),
])
def test_bad_names_one_line_error(run, args, msg):
    res = run(*args)
    assert res.exit_code == 2
    assert res.stderr.startswith(f"error: {msg}") and "Traceback" not in res.output
    assert res.stderr.count("\n") == 1
    res = run(*args, "--json")
    assert json.loads(res.stdout)["error"].startswith(msg)


def test_import_onnx(run, tmp_path):
    path = tmp_path / "net.onnx"
    onnx.save(mixed_graph(), str(path))
    doc = json.loads(run("workload", "import", str(path), "--json").stdout)
    assert [lay["kind"] for lay in doc["layers"]] == ["conv", "maxpool", "conv", "add", "concat",
                                                      "fc"]
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"nonsense")
    res = run("workload", "import", str(bad))
    assert res.exit_code == 2 and "not a readable ONNX model" in res.stderr


def test_zoo_bench_runs():
    # load by path, as `make bench` does with every module in tools/benches/
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "benches" / "zoo_stats.py"
    spec = importlib.util.spec_from_file_location("zoo_stats", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    recs = mod.run()
    assert all(set(r) == {"name", "figure", "unit", "note"} for r in recs)
    assert recs[0]["unit"] == "ms" and recs[0]["figure"] < 1000


def test_bench_selects_modules_and_groups():
    from hymem.tools import bench

    assert bench.select(["rana_schedule"]) == ["rana_schedule"]
    # a group is every module of that prefix; a module named twice runs once
    assert bench.select(["rana", "rana_schedule"]) == [m for m in bench.available() if m.startswith("rana_")]
    assert bench.select([]) == bench.available()
    with pytest.raises(SystemExit, match=r"unknown benchmark\(s\) nosuch; valid modules: .*groups: .*rana"):
        bench.select(["nosuch"])


def test_reproduce_table_at_80_columns_keeps_every_number():
    """Numbers are never cut: every claim's paper and model value appears whole at 80 columns."""
    import io

    from rich.console import Console

    from hymem.golden.claims import reproduce
    from hymem.golden.claims_report import fmt_num, print_table

    results = reproduce("workloads")
    out = io.StringIO()
    print_table(results, Console(file=out, width=80, force_terminal=False))
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80
    for c in results[0].claims:
        assert c.id in text.replace("\n", "") or c.id[:40] in text
        assert fmt_num(c.paper) in text and fmt_num(c.model) in text
    assert "…" not in text
