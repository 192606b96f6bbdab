"""The sweep layer (golden/sweep): grids, local pool == serial, resume after a kill, failed
points, the CLI's JSON contract and errors.  The Dask cluster tests are in test_sweep_dask.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.golden.config import ConfigError
from hymem.golden.rana.params import load_rana_config
from hymem.golden.rana.scheduler import schedule_network
from hymem.golden.sweep import expand, get_study, open_engine, parse_grid, point_seed, run_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL_TILING = ["tm=16,64", "tn=4,16", "tr=7,14", "tc=14,16"]
SMALL_BUFFER = {"networks": ["alexnet", "googlenet"], "grid": {"capacity_scale": (0.5, 1.0, 2.0)}}


def _hymem(*args, **kw):
    """The CLI as a separate process, from this checkout."""
    code = "import sys; sys.argv[0] = 'hymem'; from golden.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, text=True, **kw)


def test_grid_values_are_typed_and_checked():
    st = get_study("rana", "tiling")
    assert parse_grid(st, ["tm=16,32", "pattern=OD"], ["alexnet"]) == {"tm": (16, 32),
                                                                        "pattern": ("OD",)}
    for bad, why in (("tm=abc", "not a valid int"), ("pattern=XD", "not one of"),
                     ("tq=1", "not an axis"), ("tm=0", "below the minimum"), ("tm", "KEY=V1")):
        with pytest.raises(ConfigError, match=why):
            parse_grid(st, [bad], ["alexnet"])
    with pytest.raises(ConfigError, match="not one of"):  # a layer the network does not have
        expand(st, parse_grid(st, ["layer=conv1,nope"], ["alexnet"]), ["alexnet"])


def test_points_and_seeds_are_deterministic():
    st = get_study("rana", "tiling")
    grid = parse_grid(st, SMALL_TILING, ["alexnet"])
    pts = expand(st, grid, ["alexnet"])
    assert len(pts) == 5 * 3 * 2 ** 4  # AlexNet's five convs x three patterns x 2^4 tilings
    assert pts == expand(st, grid, ["alexnet"])
    assert point_seed(st, json.dumps(pts[0])) == point_seed(st, json.dumps(pts[0]))
    assert point_seed(st, json.dumps(pts[0])) != point_seed(st, json.dumps(pts[1]))


def test_buffer_rows_equal_direct_schedules():
    """The study's rows are the scheduler's own totals (the oracle: a direct call)."""
    res = run_sweep(get_study("rana", "buffer"), SMALL_BUFFER["grid"], SMALL_BUFFER["networks"])
    cfg = load_rana_config()
    assert len(res.rows) == 2 * 2 * 3
    for row in res.rows:
        s = schedule_network(row["network"], row["design"], cfg,
                             capacity_scale=row["capacity_scale"])
        assert row["total_pj"] == s.total_pj()
        assert row["refresh_count"] == s.totals()["refresh"]


def test_local_pool_rows_equal_serial(tmp_path):
    st = get_study("rana", "tiling")
    grid = parse_grid(st, SMALL_TILING, ["alexnet", "vgg16"])
    serial = run_sweep(st, grid, ["alexnet", "vgg16"], out=tmp_path / "serial")
    with open_engine(workers=2) as engine:
        pool = run_sweep(st, grid, ["alexnet", "vgg16"], engine, out=tmp_path / "pool", batch=37)
    assert (serial.engine, pool.engine, pool.tasks) == ("serial", "local", -(-len(serial.rows) // 37))
    assert pool.lines == serial.lines
    for name in ("results.csv", "results.jsonl"):
        assert (tmp_path / "pool" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()
    meta = json.loads((tmp_path / "pool" / "meta.json").read_text())
    assert meta["hymem_version"] and len(meta["config_hash"]) == 16 and meta["rows"] == 5 * 3 * 16 + 13 * 3 * 16


def test_failed_point_is_reported_and_the_others_kept(tmp_path):
    # a 0.02x buffer is one eDRAM bank: no layer fits, so those points fail, the 1x ones do not
    runner = CliRunner()
    res = runner.invoke(main, ["sweep", "rana", "buffer", "--networks", "alexnet", "--grid",
                               "capacity_scale=0.02,1", "--workers", "1", "--out",
                               str(tmp_path), "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert (doc["rows"], doc["failed"]) == (2, 2)
    failures = [json.loads(line) for line in (tmp_path / "failures.jsonl").read_text().splitlines()]
    assert {f["point"]["capacity_scale"] for f in failures} == {0.02}
    assert all("no feasible schedule" in f["error"] and f["bad_input"] for f in failures)
    assert "point(s) failed" in res.stderr


def test_bad_grid_value_is_one_error_line():
    proc = _hymem("sweep", "rana", "tiling", "--grid", "tm=sixteen", stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert err.strip().splitlines() == ["error: grid tm: 'sixteen' is not a valid int"]
    assert out == ""


def test_list_json_contract():
    res = CliRunner().invoke(main, ["sweep", "--list", "--json"])
    assert res.exit_code == 0, res.output
    studies = json.loads(res.stdout)["studies"]
    keys = {(s["system"], s["study"]) for s in studies}
    assert {("rana", "tiling"), ("rana", "buffer"), ("rana", "retention"), ("hydra", "memory"),
            ("maxnvm", "faults")} <= keys
    assert all(isinstance(s["points"], int) and s["points"] > 0 for s in studies)


def test_existing_output_needs_resume(tmp_path):
    args = ["sweep", "hydra", "memory", "--networks", "lenet5", "--workers", "1", "--out",
            str(tmp_path)]
    assert CliRunner().invoke(main, args).exit_code == 0
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "pass --resume" in res.stderr


def test_resume_after_kill_loses_nothing(tmp_path):
    """Kill a serial sweep (batch of one point) once some rows are logged; --resume finishes it
    without recomputing them, and the table equals an uninterrupted run's."""
    out = tmp_path / "killed"
    args = ["sweep", "rana", "buffer", "--networks", "alexnet,googlenet,vgg16", "--workers", "1",
            "--batch", "1", "--out", str(out), "--json"]
    proc = _hymem(*args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while not (log.is_file() and len(log.read_text().splitlines()) >= 3):
        assert proc.poll() is None and time.monotonic() < deadline, "sweep ended before the kill"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    kept = len(log.read_text().splitlines())
    assert 3 <= kept < 36
    with log.open("a") as f:
        f.write('{"network": "vgg16", "des')  # a line torn by the kill: that point runs again
    resumed = _hymem(*args, "--resume", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    doc = json.loads(stdout)
    assert (doc["rows"], doc["skipped"], doc["computed"]) == (36, kept, 36 - kept)
    fresh = run_sweep(get_study("rana", "buffer"), networks=["alexnet", "googlenet", "vgg16"],
                      out=tmp_path / "fresh")
    assert (out / "results.csv").read_bytes() == (tmp_path / "fresh" / "results.csv").read_bytes()
    assert fresh.rows == [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]


def test_pareto_front_by_hand():
    from hymem.golden.sweep.plots import pareto_front

    pts = [[1, 9], [2, 5], [3, 7], [4, 2], [5, 2], [2, 6], [6, 1]]  # (3,7) (5,2) (2,6) dominated
    assert pareto_front(np.array(pts, float)).tolist() == [0, 1, 3, 6]


def test_plot_writes_heat_map_and_pareto_front(tmp_path):
    res = CliRunner().invoke(main, ["sweep", "hydra", "memory", "--networks", "lenet5,alexnet",
                                    "--workers", "1", "--out", str(tmp_path / "out"), "--plot",
                                    str(tmp_path / "plots"), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [Path(p).name for p in doc["plots"]] == ["hydra-memory-heat.png",
                                                     "hydra-memory-pareto.png"]
    assert all(Path(p).stat().st_size > 10_000 for p in doc["plots"])
    front = (tmp_path / "plots" / "hydra-memory-pareto.csv").read_text().splitlines()
    assert front[0] == "network,system,timing,latency_s,transfer_energy_j"
    assert {line.split(",")[0] for line in front[1:]} == {"lenet5", "alexnet"}


def test_grid_file(tmp_path):
    from hymem.golden.sweep import load_grid_file

    st = get_study("rana", "retention")
    good = tmp_path / "grid.toml"
    good.write_text('networks = ["alexnet"]\n[grid]\ndesign = ["eD+OD"]\ninterval_us = [90, 180]\n')
    grid, nets = load_grid_file(st, good)
    assert (grid, nets) == ({"design": ("eD+OD",), "interval_us": (90, 180)}, ("alexnet",))
    assert len(expand(st, grid, nets)) == 2
    bad = tmp_path / "bad.toml"
    bad.write_text('[grid]\ninterval_us = [90, "soon"]\n')
    with pytest.raises(ConfigError, match="grid interval_us: 'soon' is not a valid int"):
        load_grid_file(st, bad)
    bad.write_text('[grids]\ninterval_us = [90]\n')
    with pytest.raises(ConfigError, match="unknown key"):
        load_grid_file(st, bad)


def test_training_points_on_a_pool_equal_the_serial_study():
    """`hymem rana train`'s study runs on the sweep; a 2-process pool gives the same accuracies."""
    from hymem.golden.rana.training import TINY, run_study
    from hymem.golden.sweep import rows_of

    serial = run_study(TINY)
    with open_engine(workers=2) as engine:
        rows = rows_of(get_study("rana", "training"), {"rate": TINY.rates, "repeat": (0, 1)},
                       engine=engine, config=TINY)
    assert [r["plain_accuracy"] for r in rows] == [a for per in serial.plain for a in per]
    assert [r["retrained_accuracy"] for r in rows] == [a for per in serial.retrained for a in per]
    with pytest.raises(ConfigError, match="not one of the study's rates"):
        rows_of(get_study("rana", "training"), {"rate": (0.5,), "repeat": (0,)}, config=TINY)


def test_seeded_study_gets_a_seed_per_point_whatever_the_batch(monkeypatch):
    """A stochastic study (``seeded=True``) sees a ``seed`` derived from its point alone."""
    from hymem.golden.sweep import Axis, registry, study

    monkeypatch.setattr(registry, "_STUDIES", dict(registry._STUDIES))

    @study("selftest", "noise", axes={"n": Axis((1, 2, 3, 4, 5))}, config=lambda: "cfg",
           seeded=True, description="test only")
    def noise(points, context):
        return [{"draw": float(np.random.default_rng(p["seed"]).random())} for p in points]

    st = get_study("selftest", "noise")
    one = run_sweep(st, batch=1).rows
    assert run_sweep(st, batch=5).rows == one
    assert [r["seed"] for r in one] == [point_seed(st, json.dumps({"n": n}, separators=(",", ":")))
                                        for n in range(1, 6)]
    assert len({r["draw"] for r in one}) == 5
    sub = run_sweep(st, {"n": (4,)}).rows
    assert sub == [one[3]]  # a point's seed does not depend on the grid around it
