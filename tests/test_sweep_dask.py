"""The sweep layer on a REAL Dask cluster started here on 127.0.0.1 (a ``dask scheduler`` and two
``dask worker`` processes, tools/dask_cluster.py): same rows as serial, and a worker killed
mid-sweep neither loses nor duplicates rows."""

from __future__ import annotations

import json
import threading
import time

import pytest

from hymem.golden.sweep import get_study, open_engine, parse_grid, run_sweep

pytest.importorskip("distributed")

from hymem.tools.dask_cluster import LocalDaskCluster


@pytest.fixture(scope="module")
def cluster():
    with LocalDaskCluster(workers=2) as c:
        yield c


def test_dask_rows_equal_serial(cluster, tmp_path):
    st = get_study("rana", "tiling")
    nets = ["alexnet", "vgg16"]
    grid = parse_grid(st, ["tm=16,64", "tn=4,16", "tr=7,14", "tc=14,16"], nets)
    serial = run_sweep(st, grid, nets, out=tmp_path / "serial")
    with open_engine(scheduler=cluster.address) as engine:
        dask = run_sweep(st, grid, nets, engine, out=tmp_path / "dask", batch=50)
    assert (dask.engine, dask.workers) == ("dask", 2)
    assert dask.lines == serial.lines
    for name in ("results.csv", "results.jsonl"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "serial" / name).read_bytes()


def test_killed_worker_loses_and_duplicates_nothing(cluster, tmp_path):
    """Batches of one schedule each; worker 0 is SIGKILLed once the first rows are in."""
    st = get_study("rana", "buffer")
    nets = ["alexnet", "googlenet", "vgg16"]
    out = tmp_path / "dask"
    log = out / "results.jsonl"
    rows_at_kill = []

    def kill_when_started():
        deadline = time.monotonic() + 300
        while not (log.is_file() and log.read_text().count("\n") >= 2):
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
        cluster.kill_worker(0)
        rows_at_kill.append(log.read_text().count("\n"))

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    with open_engine(scheduler=cluster.address) as engine:
        res = run_sweep(st, None, nets, engine, out=out, batch=1)
    killer.join()
    assert cluster.workers[0].poll() is not None, "worker 0 was not killed"
    assert rows_at_kill[0] < 30, "the sweep was nearly over when the worker died"
    logged = log.read_text().splitlines()
    assert res.failures == [] and len(res.rows) == len(logged) == 36
    keys = [(r["network"], r["design"], r["capacity_scale"]) for r in map(json.loads, logged)]
    assert len(set(keys)) == 36
    serial = run_sweep(st, None, nets)
    assert res.lines == serial.lines


def test_dask_rram_space_and_shycache_grid_equal_serial(cluster, tmp_path):
    """The vectorised RRAM space and the SHyCache grid, whose trace is scattered once per
    network, give the serial rows on the cluster."""
    cases = [(get_study("rram", "space"), ["weight_macro=sram_16k,rram_128k,rram_2m"],
              ["vgg11"], 20),
             (get_study("shycache", "grid"), ["l1=0/32,128/0", "l2=none,4096/0"],
              ["lenet5", "digits_cnn"], 1)]
    for st, items, nets, batch in cases:
        grid = parse_grid(st, items, nets)
        serial = run_sweep(st, grid, nets, out=tmp_path / f"{st.system}-serial")
        with open_engine(scheduler=cluster.address) as engine:
            dask = run_sweep(st, grid, nets, engine, out=tmp_path / f"{st.system}-dask",
                             batch=batch)
        assert dask.engine == "dask" and dask.failures == [] and dask.lines == serial.lines
        assert (tmp_path / f"{st.system}-dask" / "results.csv").read_bytes() == \
            (tmp_path / f"{st.system}-serial" / "results.csv").read_bytes()
