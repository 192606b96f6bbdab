"""The real-model study and the ``hymem maxnvm`` CLI (tiny trial counts; full runs: make bench / CLI)."""

import dataclasses
import json
from typing import ClassVar

import numpy as np
import pytest
from click.testing import CliRunner

from hymem.golden.cli import main
from hymem.golden.maxnvm import params as P
from hymem.golden.maxnvm import study as S
from hymem.golden.maxnvm.mlc import BITS_PER_CELL, cells_of
from hymem.golden.maxnvm.storage import ENCODINGS

REAL = P.load_maxnvm_config()
# a cheaper pipeline for tests: 2 retrainings for the bound, short retraining after pruning
SMALL = dataclasses.replace(REAL, study=dataclasses.replace(REAL.study, itn_retrains=2,
                                                            retrain_epochs=4))


@pytest.fixture
def run(monkeypatch, tmp_path):
    from hymem.golden import cache

    monkeypatch.setattr(P, "load_maxnvm_config", lambda path=None: SMALL)
    monkeypatch.setattr(cache, "CACHE_DIR", tmp_path / "cache")  # the CLI caches its study
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


class Bar:
    """Stands in for tqdm: records the total and every update."""

    instances: ClassVar[list] = []

    def __init__(self, total=None, **_):
        self.total, self.n = total, 0
        Bar.instances.append(self)

    def update(self, k=1):
        self.n += k

    def close(self):
        pass


@pytest.fixture
def bars(monkeypatch):
    import tqdm

    Bar.instances = []
    monkeypatch.setattr(tqdm, "tqdm", Bar)
    return Bar.instances


@pytest.fixture(scope="module")
def deployed():
    return S.deploy(SMALL)


def test_deployed_model_is_pruned_and_clustered(deployed):
    for name, lay in deployed.layers.items():
        w = deployed.params[name]
        assert int((lay.indices == 0).sum()) == round(SMALL.study.prune_fraction * w.size)
        assert np.array_equal(lay.indices == 0, w == 0)
        assert lay.indices.max() < 2 ** SMALL.study.index_bits
    assert deployed.clean_error < 0.15


def test_fault_free_trial_is_the_clean_error(deployed):
    enc = S.encode_model(deployed, "BitMask", SMALL)
    err, faults = S.trial(deployed, enc, {"mask": 1, "values": 1}, SMALL.mlc.ctt, "gray",
                          np.random.default_rng(0))  # SLC: misread rate ~1e-57
    assert faults == 0 and err == deployed.clean_error


def test_encoded_cells_equal_per_layer_ceilings(deployed):
    enc = S.encode_model(deployed, "CSR+ECC", SMALL)
    bpc = {"values": 3, "col_idx": 2, "row_counts": 1}
    by_hand = sum(cells_of(lay.bits(s), bpc[s]) for lay in enc.layers.values() for s in bpc)
    assert enc.cells(bpc) == by_hand


def test_study_json_shapes(run, bars, tmp_path):
    res = run("maxnvm", "study", "--trials", "2", "--tech", "ctt", "--json", "--plot", str(tmp_path))
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["plots"] == [str(tmp_path / "maxnvm_fig5.png"), str(tmp_path / "maxnvm_fig6.png")]
    assert all((tmp_path / name).stat().st_size > 10_000 for name in ("maxnvm_fig5.png", "maxnvm_fig6.png"))
    assert set(doc) >= {"model", "itn", "trials", "vulnerability", "minimal_cells", "idxsync_sweep",
                        "structure_bits"}
    assert doc["trials"] == 2 and doc["itn"]["retrains"] == 2 and doc["itn"]["bound"] >= 0
    assert len(doc["vulnerability"]) == len(S.ROWS) * len(BITS_PER_CELL)
    row = doc["vulnerability"][0]
    assert set(row) >= {"technology", "encoding", "structure", "protection", "bits_per_cell", "cells",
                        "mean_error", "delta_error", "safe", "mean_faulty_cells", "trials"}
    for r in doc["vulnerability"]:
        if r["bits_per_cell"] == 1:  # SLC misreads ~1e-57: nothing happens
            assert r["mean_faulty_cells"] == 0 and r["delta_error"] == 0 and r["safe"]
    assert [m["encoding"] for m in doc["minimal_cells"]] == list(S.STUDY_ENCODINGS)
    for m in doc["minimal_cells"]:
        assert m["found"] and m["safe"] and m["cells"] == sum(m["cells_per_structure"].values())
    assert [s["idxsync_block"] for s in doc["idxsync_sweep"]] == [*S.SWEEP_BLOCKS, None]
    # the bar covers all the work, the Fig. 6 searches included, and ends full
    (bar,) = bars
    fig5_and_sweep = (len(S.ROWS) * len(BITS_PER_CELL) + len(S.SWEEP_BLOCKS) + 1) * 2
    assert bar.total == fig5_and_sweep + len(S.STUDY_ENCODINGS) * S.MAX_EVALUATIONS * 2 and bar.n == bar.total


def test_cli_rates_table2_storage_json(run):
    rates = json.loads(run("maxnvm", "rates", "--json").stdout)["rates"]
    assert len(rates) == 6 and all(r["max_nonadjacent"] <= 1.5e-10 for r in rates)
    t2 = json.loads(run("maxnvm", "table2", "--json").stdout)["table2"]
    assert len(t2) == 16 and sum(not r["claimed"] for r in t2) == 3
    st = json.loads(run("maxnvm", "storage", "lenet5", "--sparsity", "0.899", "--bpc", "2",
                        "--json").stdout)
    assert list(st["encodings"]) == list(ENCODINGS)
    csr = st["encodings"]["CSR"]
    assert csr["total"] == sum(sum(lay["bits"].values()) for lay in csr["layers"])
    assert csr["cells"] >= csr["total"] // 2


@pytest.mark.parametrize("args, message", [
    (("maxnvm", "study", "--trials", "1"), "trials=1: need >= 2"),
    (("maxnvm", "study", "--trials", "0"), "trials=0: need >= 2"),
    (("maxnvm", "study", "--trials", "-5"), "trials=-5: need >= 2"),
    (("maxnvm", "study", "--tech", "pcm"), "unknown technology 'pcm'; valid: ctt, rram"),
    (("maxnvm", "storage", "lenet5", "--encoding", "COO"), "unknown encoding 'COO'; valid:"),
    (("maxnvm", "storage", "lenet5", "--bpc", "4"), "bits per cell 4; valid: 1, 2, 3"),
    (("maxnvm", "storage", "lenet5", "--bits", "9"), "--bits 9: must be in 4..7"),
])
def test_cli_errors_are_one_line(run, args, message):
    res = run(*args)
    assert res.exit_code == 2
    assert res.stderr.strip().startswith("error: ") and message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_minimal_cells_skips_configurations_unsafe_in_isolation(deployed):
    enc = S.encode_model(deployed, "CSR", SMALL)
    isolated = [{"encoding": "CSR", "structure": s, "bits_per_cell": b, "safe": not (s == "col_idx" and b == 2)}
                for s in ("values", "col_idx", "row_counts") for b in BITS_PER_CELL]
    best = S.minimal_cells(deployed, enc, SMALL, "rram", 2, bound=1.0, isolated=isolated)
    # col_idx unsafe from MLC2 on -> SLC; everything else may go to MLC3 (fewest cells)
    assert best["bits_per_cell"] == {"values": 3, "col_idx": 1, "row_counts": 3}
    assert best["cells"] == enc.cells(best["bits_per_cell"]) and best["evaluated"] == 1 and best["found"]


def test_minimal_cells_reports_none_found_and_fills_its_budget(deployed):
    """A bound nothing meets (negative): the search reports instead of raising, and its
    progress advances by the whole budget."""
    enc = S.encode_model(deployed, "P+C", SMALL)
    bar = Bar()
    out = S.minimal_cells(deployed, enc, SMALL, "rram", 2, bound=-1.0, isolated=[], max_evaluations=2,
                          progress=bar)
    assert out["found"] is False and out["evaluated"] == 2 and out["candidates"] == len(BITS_PER_CELL)
    assert out["note"] == "none found within 2 evaluations" and bar.n == 2 * 2
    out = S.minimal_cells(deployed, enc, SMALL, "rram", 2, bound=-1.0, isolated=[], max_evaluations=5)
    assert out["note"] == "none found within 3 evaluations (all 3 candidates)"
    unsafe = [{"encoding": "P+C", "structure": "values", "bits_per_cell": 1, "safe": False}]
    out = S.minimal_cells(deployed, enc, SMALL, "rram", 2, bound=1.0, isolated=unsafe, progress=bar)
    assert out["evaluated"] == 0 and out["note"].startswith("none: every configuration")
    assert bar.n == 2 * 2 + S.MAX_EVALUATIONS * 2
    with pytest.raises(P.ConfigError, match="max_evaluations=0: need >= 1"):
        S.minimal_cells(deployed, enc, SMALL, "rram", 2, bound=1.0, isolated=[], max_evaluations=0)


def test_study_table_shows_a_search_that_found_nothing(run, monkeypatch):
    """With a bound nothing meets the study still finishes; the Fig. 6 table and the JSON say why."""
    monkeypatch.setattr(S, "itn_bound", lambda cfg: {"bound": -1.0, "retrains": 0, "definition": "forced"})
    res = run("maxnvm", "study", "--trials", "2", "--tech", "rram")
    assert res.exit_code == 0
    assert res.stdout.count("none: every configuration has a structure unsafe in isolation") == len(S.STUDY_ENCODINGS)


@pytest.mark.parametrize("trials", [0, 1, -5])
def test_study_rejects_too_few_trials_instead_of_defaulting(trials):
    """0 is not "unset": run_study and cached_study raise instead of running [study] trials."""
    cfg = P.load_maxnvm_config()
    assert S.study_trials(cfg, None) == cfg.study.trials
    for fn in (S.run_study, S.cached_study):
        with pytest.raises(P.ConfigError, match=f"trials={trials}: need >= 2"):
            fn(cfg, trials)


def test_control_rows_protection_and_isolation():
    """The ECC controls (dense values, IdxSync counters) are Fig. 5 rows of their own, after
    the paper's (whose fault-map seeds stay put); Fig. 6 maps each structure to a row that
    decodes it the same way."""
    assert S.ROWS[-2:] == (("P+C+ECC", "values"), ("BitM+IdxSync+ECC", "counters"))
    assert S.protection("P+C+ECC", "values") == "ECC" and S.protection("BitM+IdxSync+ECC", "counters") == "ECC"
    assert S.protection("BitM+IdxSync+ECC", "mask") == "IdxSync"
    iso = {s: S.isolation_row("BitM+IdxSync+ECC", s) for s in ("values", "mask", "wgs", "counters")}
    assert iso == {"values": ("BitMask", "values"), "mask": ("BitM+IdxSync", "mask"),
                   "wgs": ("BitMask", "wgs"), "counters": ("BitM+IdxSync+ECC", "counters")}
    assert S.isolation_row("CSR+ECC", "values") == ("CSR", "values")
    assert S.isolation_row("BitM+IdxSync", "values") == ("BitMask", "values")
