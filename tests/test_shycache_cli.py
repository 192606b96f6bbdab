"""``hymem shycache …`` through click's runner: the JSON contract, user traces, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.golden.shycache.params import load_shycache_config
from hymem.golden.shycache.reference import simulate
from hymem.golden.shycache.trace import Region, Trace, load_trace, save_npz

SEED = 3015
NVM = (0x8000_0000, 0x8100_0000)
CONTRACT = {"l1", "l2", "stt_bitflips", "cycles", "energy_j", "power_w"}


@pytest.fixture
def run():
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(main, ["shycache", *args], catch_exceptions=False)
    return _run


@pytest.fixture
def npz_trace(tmp_path):
    rng = np.random.default_rng(SEED)
    print("seed", SEED)
    n = 4000
    weights = rng.random(n) < 0.5
    addr = np.where(weights, NVM[0] + rng.integers(0, 1 << 15, n),
                    0x1000_0000 + rng.integers(0, 1 << 14, n)) // 16 * 16
    write = (rng.random(n) < 0.2) & ~weights
    trace = Trace(addr, write, np.full(n, 16), rng.integers(0, 8, n),
                  rng.integers(0, 256, (int(write.sum()), 16), dtype=np.uint8),
                  (Region(NVM[0], NVM[1], "float32", 5, 0.05),))
    return save_npz(trace, tmp_path / "t.npz")


def test_run_trace_json_equals_reference(run, npz_trace):
    res = run("run", "--trace", str(npz_trace), "--l1", "64/16", "--l2", "512/896",
              "--nvm-range", f"{NVM[0]:#x}:{NVM[1]:#x}", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert CONTRACT <= set(doc)
    cfg = load_shycache_config()
    ref = simulate(load_trace(npz_trace), cfg.geometry_of("64/16", "l1"),
                   cfg.geometry_of("512/896", "l2"), [NVM], cfg)
    for key in ("l1", "l2", "stt_bitflips", "cycles"):
        assert doc[key] == ref[key], key
    assert doc["stt_bitflips"] > 0 and doc["energy_j"] > 0
    assert doc["power_w"] == pytest.approx(doc["energy_j"] / (doc["cycles"] / cfg.core.freq_hz))
    assert sum(doc["bitflip_histogram"]) == doc["stt_bitflips"]


def test_din_trace_has_no_bit_flips(run, tmp_path):
    din = tmp_path / "t.din"
    din.write_text("0 80000000\n1 10000040\n2 400000\n0 80000004\n")
    res = run("run", "--trace", str(din), "--l1", "128/0", "--l2", "none", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["stt_bitflips"] is None and doc["bitflip_histogram"] is None
    assert doc["l1"]["stt"] == {"hits": 1, "misses": 2, "writebacks": 0}
    assert doc["l2"]["sram"] == doc["l2"]["stt"] == {"hits": 0, "misses": 0, "writebacks": 0}


@pytest.mark.parametrize("args,message", [
    (["--l1", "64/15", "--l2", "none"], "unknown L1 geometry '64/15'; valid: 0/32"),
    (["--l1", "64/16", "--l2", "4096/1"], "unknown L2 geometry"),
    (["--l1", "64/16", "--l2", "none", "--nvm-range", "0:100", "--nvm-range", "50:200"],
     "overlap"),
    (["--l1", "64/16", "--l2", "none", "--nvm-range", "5"], "expected LO:HI"),
    (["--l1", "64/16", "--l2", "none", "--stt-scale", "speed=2"], "--stt-scale 'speed'"),
])
def test_bad_input_is_one_line_exit_2(run, npz_trace, args, message):
    res = run("run", "--trace", str(npz_trace), *args)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_unreadable_traces(run, tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file")
    din = tmp_path / "bad.din"
    din.write_text("0 80000000\nzz\n")
    for path, message in ((bad, "unreadable"), (din, "bad.din:2"),
                          (tmp_path / "none.npz", "no such file")):
        res = run("run", "--trace", str(path), "--l1", "0/32", "--l2", "none")
        assert res.exit_code == 2 and message in res.stderr, res.stderr
    res = run("run", "squeezenet9", "--l1", "0/32", "--l2", "none")
    assert res.exit_code == 2 and "unknown network" in res.stderr


def test_sweep_small_network_json_and_plots(run, tmp_path):
    res = run("sweep", "lenet5", "--json", "--plot", str(tmp_path / "plots"))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    cfg = load_shycache_config()
    assert len(doc["rows"]) == len(cfg.geometry.l1) * len(cfg.geometry.l2)
    base = next(r for r in doc["rows"] if r["l1"] == "0/32" and r["l2"] == "0/1024")
    assert base["gain"] == 1.0 and base["power_reduction"] == 1.0 and base["stt_bitflips"] == 0
    allstt = next(r for r in doc["rows"] if r["l1"] == "128/0" and r["l2"] == "4096/0")
    assert allstt["stt_bitflips"] > 0
    assert allstt["gain"] == pytest.approx(base["cycles"] / allstt["cycles"])
    assert len(doc["plots"]) == 3 and all((tmp_path / "plots").glob("*.png"))
