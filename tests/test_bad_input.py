"""Malformed input to the hymem command: one ``error:`` line, exit 2, no traceback, no hang.

Table-driven: each case names its command line (``{name}`` fields are files built
here: ONNX graphs with ``onnx.helper``, TOMLs derived from the shipped ones) and
a fragment the one error line must contain.  Run in-process through click's
runner; a SIGALRM guard turns a hang into a failure instead of a stuck suite.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from click.testing import CliRunner
from onnx import TensorProto, helper, numpy_helper
from onnx_graphs import graph_model as _model
from onnx_graphs import zeros_init as _init

from hymem.golden.cli import main
from hymem.golden.config import CONFIG_DIR

TIME_LIMIT_S = 60  # generous for a loaded 2-core machine; each case takes well under a second


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail (instead of hanging the suite) when the body runs longer than ``seconds``."""
    def _alarm(signum, frame):
        raise TimeoutError(f"no answer within {seconds} s")
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _conv(name="conv1", w="w1", x="x", y="y", pads=(0, 0, 0, 0), bias=None):
    ins = [x, w] + ([bias] if bias else [])
    return helper.make_node("Conv", ins, [y], name=name, kernel_shape=[3, 3], pads=list(pads))


def _toml(system: str, key: str, value: str) -> str:
    """configs/<system>.toml with ``key = value`` (the first assignment of ``key``) replaced."""
    text = (CONFIG_DIR / f"{system}.toml").read_text()
    new, n = re.subn(rf"(?m)^{key} = [^#\n]*", f"{key} = {value}  ", text, count=1)
    assert n == 1, key
    return new


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bad")
    out: dict[str, Path] = {}

    def save(name: str, model) -> None:
        out[name] = d / f"{name}.onnx"
        onnx.save(model, str(out[name]))

    # weights in an external data file that is then removed
    ext = _model([_conv()], [numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w1")])
    out["ext"] = d / "ext.onnx"
    onnx.save(ext, str(out["ext"]), save_as_external_data=True, location="ext.data",
              size_threshold=0)
    (d / "ext.data").unlink()
    # an initializer with dims but no data
    empty = TensorProto(name="w1", data_type=TensorProto.FLOAT, dims=[4, 3, 3, 3])
    save("empty", _model([_conv()], [empty]))
    # raw data shorter than the dims need
    short = TensorProto(name="w1", data_type=TensorProto.FLOAT, dims=[4, 3, 3, 3],
                        raw_data=b"\0" * 40)
    save("short", _model([_conv()], [short]))
    # a bias whose length is not the layer's output channels
    save("bias", _model([_conv(bias="b1")], [_init("w1", 4, 3, 3, 3), _init("b1", 5)]))
    save("poolonly", _model([helper.make_node("MaxPool", ["x"], ["y"], name="pool",
                                              kernel_shape=[2, 2], strides=[2, 2])], []))
    save("fconly", _model([helper.make_node("Flatten", ["x"], ["f"], name="flat"),
                           helper.make_node("Gemm", ["f", "wf"], ["y"], name="fc", transB=1)],
                          [_init("wf", 10, 192)]))
    # 6000x6000 image: the layer's cycles overflow the 32-bit layer_cycles word
    save("bigimage", _model([_conv(pads=(1, 1, 1, 1))], [_init("w1", 64, 64, 3, 3)],
                            in_shape=(1, 64, 6000, 6000)))
    (d / "garbage.onnx").write_bytes(b"\xff\x00not a protobuf" * 10)
    out["garbage"] = d / "garbage.onnx"
    out["binary"] = d / "binary.toml"
    out["binary"].write_bytes(bytes(range(256)) * 4)
    tomls = {
        "hydra_freq_inf": _toml("hydra", "freq_hz", "inf"),
        "hydra_freq_nan": _toml("hydra", "freq_hz", "nan"),
        "hydra_macs_1e9": _toml("hydra", "n_macs", "1000000000"),
        "hydra_ob_words": _toml("hydra", "ob_words", "70000"),
        "rana_freq_inf": _toml("rana", "freq_hz", "inf"),
        "rana_freq_huge": _toml("rana", "freq_hz", "1e12"),
        "rana_rate_2": _toml("rana", "tolerable_failure_rate", "2.0"),
        "rana_banks_1e9": _toml("rana", "n_banks", "1000000000"),
        "rana_cfg_mem": _toml("rana", "config_memory_words", "4"),
        "rana_bits": _toml("rana", "data_bits", "12"),
        "maxnvm_sigma": _toml("maxnvm", "sigma", "1.5"),
    }
    for name, text in tomls.items():
        out[name] = d / f"{name}.toml"
        out[name].write_text(text)
    out["missing_dir"] = d / "not-a-dir"
    out["missing_dir"].write_text("a file where a directory is wanted")
    return out


CASES = [
    # ONNX import
    (("workload", "import", "{ext}"), "external file"),
    (("hydra", "compare", "{ext}"), "which does not exist"),
    (("workload", "import", "{empty}"), "promise 108 elements but it holds no data"),
    (("workload", "show", "{short}"), "need 432 bytes, raw_data holds 40"),
    (("workload", "import", "{bias}"), "bias 'b1' has shape [5], the layer has 4 outputs"),
    (("workload", "import", "{garbage}"), "not a readable ONNX model"),
    (("workload", "show", "nothere.onnx"), "no such file"),
    # a network with nothing a command can model
    (("hydra", "compare", "{poolonly}"), "nothing for Hydra to model"),
    (("rana", "schedule", "{fconly}", "--design", "rana-e5"), "nothing for RANA to schedule"),
    (("maxnvm", "storage", "{poolonly}"), "nothing for MaxNVM to store"),
    # work bounded by input size / RTL configuration words
    (("rana", "schedule", "{bigimage}", "--design", "rana-e5"),
     "layer_cycles=5184000000: does not fit the 32-bit field word 3"),
    (("rana", "schedule", "vgg16", "--design", "rana-e5", "--words", "--config",
      "{rana_banks_1e9}"), "edram.n_banks=1000000000: must be in [1, 65535]"),
    (("rana", "schedule", "alexnet", "--design", "rana-e5", "--capacity-scale", "1024"),
     "65536 banks: more than 65535"),
    (("rana", "layer", "--M", "1000000000", "--N", "1000000000", "--R", "100000", "--C", "100000",
      "--K", "3", "--pattern", "od", "--Tm", "16", "--Tn", "16", "--Tr", "1", "--Tc", "16"),
     "MACs is more than 2.81e+14"),
    (("rana", "designs", "--config", "{rana_cfg_mem}"), "cannot hold one layer's 8"),
    (("rana", "designs", "--config", "{rana_freq_huge}"), "24-bit field period"),
    (("hydra", "compare", "vgg16", "--config", "{hydra_macs_1e9}"), "16-bit cmd.addr/cmd.arg"),
    (("hydra", "compare", "vgg16", "--config", "{hydra_ob_words}"), "unit.ob_words=70000"),
    # configuration values
    (("hydra", "compare", "vgg16", "--config", "{hydra_freq_inf}"), "expected a finite number"),
    (("hydra", "frame", "vgg16", "--config", "{hydra_freq_nan}"), "expected a finite number"),
    (("rana", "designs", "--config", "{rana_freq_inf}"), "expected a finite number, got inf"),
    (("rana", "schedule", "vgg16", "--design", "rana-e5", "--config", "{rana_rate_2}"),
     "retention.tolerable_failure_rate=2.0: must be in (0, 1]"),
    (("rana", "retention", "--config", "{rana_bits}"), "data_bits=12: must be a multiple of 8"),
    (("maxnvm", "rates", "--config", "{maxnvm_sigma}"), "must be in (0, 1)"),
    (("hydra", "compare", "vgg16", "--config", "{binary}"), "not a TOML text file"),
    (("tech", "show", "{binary}"), "not a TOML text file"),
    # options and names
    (("hydra", "compare", "vgg16", "--cycles-per-mac", "inf"), "'inf' is not a finite number"),
    (("hydra", "compare", "vgg16", "--cycles-per-mac", "nan"), "is not a finite number"),
    (("hydra", "compare", "vgg16", "--bogus"), "No such option '--bogus'"),
    (("hydra", "compare"), "Missing argument 'NET'"),
    (("rana", "layer", "--M", "x"), "'x' is not a valid integer"),
    (("rana", "schedule", "vgg16", "--design", "rana"), "unknown design 'rana'; valid: S+ID"),
    (("hydra", "frame", "vgg16", "--system", "sram"), "unknown memory system 'sram'"),
    (("maxnvm", "storage", "vgg16", "--encoding", "zip"), "unknown encoding 'zip'"),
    (("reproduce", "workloads", "--plot", "{missing_dir}/sub"), "Not a directory"),
    (("nosuchcommand",), "No such command 'nosuchcommand'"),
]


def _args(args, files) -> list[str]:
    return [a.format(**{k: str(v) for k, v in files.items()}) for a in args]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_malformed_input_is_one_error_line(files, args, message):
    with time_limit(TIME_LIMIT_S):
        res = CliRunner().invoke(main, _args(args, files))
    assert res.exit_code == 2, (res.exit_code, res.output, res.exception)
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1, res.stderr
    assert message in res.stderr, res.stderr
    assert "Traceback" not in res.output


@pytest.mark.parametrize("args", [
    ("hydra", "compare", "vgg16", "--config", "{hydra_freq_inf}", "--json"),
    ("rana", "schedule", "{fconly}", "--design", "rana-e5", "--json"),
    ("workload", "import", "{ext}", "--json"),
])
def test_json_error_is_one_document(files, args):
    res = CliRunner().invoke(main, _args(args, files))
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert list(doc) == ["error"] and res.stderr == f"error: {doc['error']}\n"


def _boom(*args, **kwargs):
    raise RuntimeError("simulated bug")


def test_internal_error_is_one_line_and_debug_shows_it(monkeypatch):
    monkeypatch.setattr("hymem.golden.workloads.get_network", _boom)
    res = CliRunner().invoke(main, ["workload", "show", "vgg16"])
    assert res.exit_code == 2
    assert res.stderr == ("error: internal: RuntimeError: simulated bug "
                          "(rerun with --debug for the traceback)\n")
    res = CliRunner().invoke(main, ["--debug", "workload", "show", "vgg16"])
    assert isinstance(res.exception, RuntimeError)  # re-raised: the runner holds the traceback
    res = CliRunner().invoke(main, ["workload", "show", "vgg16", "--json"])
    assert json.loads(res.stdout)["error"].startswith("internal: RuntimeError: simulated bug")


def test_version_and_help_exit_0():
    res = CliRunner().invoke(main, ["--version"])
    assert res.exit_code == 0 and re.fullmatch(r"hymem \d+\.\d+\.\d+\S*\n", res.stdout)
    assert CliRunner().invoke(main, ["rana", "--help"]).exit_code == 0


@pytest.mark.parametrize("alias, design", [
    ("rana-star-e5", "RANA*(E-5)"), ("rana-e5", "RANA(E-5)"), ("RANA(E-5)", "RANA(E-5)"),
    ("s-id", "S+ID"), ("ed-od", "eD+OD"), ("rana0", "RANA(0)"),
])
def test_design_names_are_case_insensitive_with_shell_safe_aliases(alias, design):
    res = CliRunner().invoke(main, ["rana", "schedule", "lenet5", "--design", alias, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["design"] == design


def test_rana_names_the_layers_it_skips():
    res = CliRunner().invoke(main, ["rana", "schedule", "alexnet", "--design", "rana-e5"])
    assert res.exit_code == 0
    assert "not scheduled" in res.stdout and "fc6 (fc), fc7 (fc), fc8 (fc)" in res.stdout
    doc = json.loads(CliRunner().invoke(
        main, ["rana", "schedule", "alexnet", "--design", "rana-e5", "--json"]).stdout)
    assert [s["layer"] for s in doc["skipped_layers"]] == ["fc6", "fc7", "fc8"]


def test_hydra_paper_timing_responds_to_the_design(files, tmp_path):
    """Fewer units -> longer frames: the calibration is made once, on Table I's design."""
    half = tmp_path / "half.toml"
    half.write_text(_toml("hydra", "n_units", "8"))
    ms = {}
    for name, extra in (("paper", []), ("half", ["--config", str(half)])):
        res = CliRunner().invoke(main, ["hydra", "compare", "vgg16", "--json", *extra])
        ms[name] = json.loads(res.stdout)["systems"]["hydra"]["latency_s"] * 1e3
    assert ms["paper"] == pytest.approx(81.22)        # the calibration point itself
    assert ms["half"] == pytest.approx(2 * 81.22)      # compute-bound: half the MACs, twice the time


def test_small_energies_are_not_rounded_away(files):
    """A 3->8 channel 3x3 conv on 8x8: 13 824 MACs x 1.3 pJ alone is 0.018 uJ (Table III)."""
    m = _model([_conv(pads=(1, 1, 1, 1))], [_init("w1", 8, 3, 3, 3)])
    path = files["ext"].parent / "tiny.onnx"
    onnx.save(m, str(path))
    res = CliRunner().invoke(main, ["rana", "retention-sweep", str(path)])
    assert res.exit_code == 0, res.output
    row = next(line for line in res.stdout.splitlines() if line.startswith("│ eD+ID"))
    first = re.search(r"│\s*([0-9.e+-]+) \(", row).group(1)
    assert float(first) > 13_824 * 1.3e-6   # at least the MAC energy, and never printed as 0


def test_tables_never_cut_numbers_on_a_narrow_page(monkeypatch):
    """At 60 columns a wide table falls back to 'column: value' lines with every digit kept."""
    from rich.console import Console

    import hymem.golden.cli_support as support
    import hymem.golden.hydra.cli as hydra_cli

    narrow = lambda: Console(width=60, file=sys.stdout)
    monkeypatch.setattr(support, "_console", narrow)
    monkeypatch.setattr(hydra_cli, "_console", narrow)
    res = CliRunner().invoke(main, ["hydra", "frame", "vgg16"])
    assert res.exit_code == 0, res.output
    assert "…" not in res.stdout
    assert "86 704 128" in res.stdout   # conv1_1's MACs: 64 x 3 x 9 x 224 x 224


@pytest.mark.parametrize("system", ["hydra", "rana", "maxnvm"])
def test_every_toml_key_states_its_range(system):
    """Each ``key = value`` of configs/<system>.toml carries '# ... range: ...' beside it."""
    bare = [line for line in (CONFIG_DIR / f"{system}.toml").read_text().splitlines()
            if re.match(r"[a-z][a-z0-9_]* *=", line) and "range:" not in line.partition("#")[2]]
    assert not bare, bare
