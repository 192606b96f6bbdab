"""The RRAM and SHyCache design spaces on the sweep layer: the rows equal the systems' own direct
computations (``golden.rram.cost.evaluate`` over the whole space, ``golden.shycache.model.
grid_rows``) whatever the engine and batch, the per-system commands print what they printed,
a network's trace is shared once per network, and bad grid values are one error line."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.golden.rram.params import load_params
from hymem.golden.rram.study import space
from hymem.golden.rram.sweeps import space_from_rows, space_grid
from hymem.golden.shycache.model import grid_rows
from hymem.golden.shycache.params import load_shycache_config
from hymem.golden.sweep import Engine, SerialExecutor, get_study, open_engine, parse_grid, run_sweep

TINY_L1, TINY_L2 = ("0/32", "128/0"), ("none", "0/1024", "4096/0")


def tiny_shycache():
    """The seed's configuration on a 2 x 3 geometry grid (baselines included)."""
    cfg = load_shycache_config()
    return replace(cfg, geometry=replace(cfg.geometry, l1=TINY_L1, l2=TINY_L2))


def _direct_points(cfg, net="vgg11") -> list[str]:
    r = space(cfg, net)
    return [json.dumps(r.point(k)) for k in range(len(r))]


def test_rram_space_on_a_pool_equals_the_direct_design_space():
    """Odd batches cut the (weight, I/O, ...) product anywhere; each is evaluated vectorised
    over its own values, and the rebuilt space is the direct one, bit for bit."""
    cfg = load_params()
    with open_engine(2) as engine:
        res = run_sweep(get_study("rram", "space"), space_grid(cfg), ["vgg11"], engine, batch=97,
                        config=cfg)
    assert (res.engine, len(res.rows), res.failures) == ("local", 1500, [])
    r = space_from_rows(res.rows, cfg)
    assert [json.dumps(r.point(k)) for k in range(len(r))] == _direct_points(cfg)
    direct = space(cfg, "vgg11")
    assert (r.breakdown_pj == direct.breakdown_pj).all() and (r.time_s == direct.time_s).all()


def test_rram_dse_command_prints_the_direct_space():
    res = CliRunner().invoke(main, ["rram", "dse", "vgg11", "--workers", "2", "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    points = json.loads(res.stdout)["points"]
    assert [json.dumps(p) for p in points] == _direct_points(load_params())


@pytest.mark.parametrize("system, study, item, message", [
    ("rram", "space", "acc_depth=48", "not in Table 5"),
    ("rram", "space", "weight_macro=rram_3m", "valid:"),
    ("rram", "space", "io_macro=rram_1m", "this axis takes sram macros"),
    ("shycache", "grid", "l1=64/64", "area rule"),
    ("shycache", "grid", "inclusion=loose", "not one of"),
])
def test_bad_grid_value_is_one_error_line(system, study, item, message):
    res = CliRunner().invoke(main, ["sweep", system, study, "--grid", item])
    assert res.exit_code == 2
    assert res.stderr.count("\n") == 1 and res.stderr.startswith("error:") and \
        message in res.stderr, res.stderr


def test_shycache_grid_on_a_pool_equals_grid_rows(tmp_path, monkeypatch):
    """``hymem shycache sweep``'s rows (computed on a 2-process pool, nothing cached) are
    ``grid_rows``' (one process, no sweep layer), JSON for JSON."""
    from hymem.golden import cache
    from hymem.golden.shycache.sweeps import network_grids

    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path)
    cfg = tiny_shycache()
    with open_engine(2) as engine:
        rows = network_grids(cfg, ["lenet5"], engine)
    assert list(tmp_path.glob("shycache_grid_lenet5_*.json"))
    assert json.dumps(rows) == json.dumps(grid_rows(cfg, "lenet5"))


def test_shycache_trace_is_shared_once_per_network(tmp_path):
    """One task per point, two networks: the driver prepares and shares two traces, not one
    per task, and no batch mixes networks."""
    shared = []

    def share(obj):
        shared.append(obj)
        return obj
    engine = Engine("serial", SerialExecutor(), 1, share=share)
    st = get_study("shycache", "grid")
    grid = parse_grid(st, ["l1=0/32,128/0", "l2=none,4096/0"])
    res = run_sweep(st, grid, ["lenet5", "digits_cnn"], engine, batch=3, out=tmp_path / "out")
    assert res.failures == [] and len(res.rows) == 8
    assert res.tasks == 4                   # 2 + 2 per network: a batch stops at a network
    assert len(shared) == 2 and [len(prep) for _, prep in shared] == \
        [res.rows[0]["accesses"], res.rows[4]["accesses"]]


def test_shycache_heat_map_is_l1_by_l2_per_network(tmp_path):
    res = CliRunner().invoke(main, [
        "sweep", "shycache", "grid", "--networks", "lenet5", "--grid", "l1=0/32,128/0",
        "--grid", "l2=none,4096/0", "--workers", "1", "--out", str(tmp_path / "out"),
        "--plot", str(tmp_path / "plots"), "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["rows"] == 4 and len(doc["plots"]) == 2
    header = (tmp_path / "out" / "results.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["network", "inclusion", "l2", "l1"]
    assert "energy_breakdown_j/leakage:l2.stt" in header
    assert all((tmp_path / "plots" / p).stat().st_size > 0
               for p in ("shycache-grid-heat.png", "shycache-grid-pareto.png"))
