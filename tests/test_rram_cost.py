"""Energy, time and the design space (golden/rram/cost.py) against hand arithmetic with
Table 4/5 numbers typed from seed 002."""

from dataclasses import replace

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.rram.cost import ROWS, Axes, array_layers, default_axes, evaluate, evaluate_design
from hymem.golden.rram.loopnest import loop_counts
from hymem.golden.rram.params import load_params
from hymem.golden.rram.schedule import schedule, stages_of
from hymem.golden.workloads import Builder, get_network


@pytest.fixture(scope="module")
def cfg():
    return load_params()


@pytest.fixture(scope="module")
def vgg():
    return array_layers(get_network("vgg11").layers)


def test_table6_rram_design_by_hand(cfg, vgg):
    rec = evaluate_design(vgg, cfg, "rram", "sram_128k", "rram_128k", 0, "kernel_first", "fixed")
    convs = [lay for lay in vgg if lay.kind == "conv"]
    c = loop_counts(convs, cfg.array, "kernel_first", 0, 32).as_dict()
    tr = schedule(stages_of(vgg), (1024 * 1024, 2), 1024 * 1024, "fixed")
    b = rec["breakdown_uj"]
    assert b["read weight"] == pytest.approx(c["weight_reads"] * 67.69e-6)
    assert b["read ddr"] == pytest.approx(sum(tr.ddr_rd) * 80.3e-6)
    assert b["write ddr"] == pytest.approx(25088 * 82.719e-6)
    assert b["write weight"] == pytest.approx(np.ceil(np.array(tr.ddr_weight_rd) / 32).sum()
                                              * 195.286e-6)
    leak_mw = 2 * 52.8 + 2 * 8 * 0.01153 + 8 * 0.04
    assert rec["time_ms"] == pytest.approx(c["cycles"] * 1e-6)
    assert b["standby"] == pytest.approx(c["cycles"] * 1e-9 * leak_mw * 1e3)
    assert b["calculate"] == pytest.approx(7_485_456_384 * 0.07027e-6)
    assert b["read accbuf"] == b["write accbuf"] == 0
    assert rec["total_uj"] == pytest.approx(sum(b.values()))


def test_accumulation_buffer_rows_by_hand(cfg, vgg):
    rec = evaluate_design(vgg, cfg, "rram", "sram_16k", "rram_128k", 64, "pixel_first", "cross")
    convs = [lay for lay in vgg if lay.kind == "conv"]
    c = loop_counts(convs, cfg.array, "pixel_first", 64, 32).as_dict()
    assert rec["breakdown_uj"]["read accbuf"] == pytest.approx(c["acc_reads"] * 0.107e-6)
    assert rec["breakdown_uj"]["write accbuf"] == pytest.approx(c["acc_writes"] * 0.083e-6)
    assert rec["breakdown_uj"]["read weight"] == pytest.approx(c["weight_reads"] * 67.69e-6)


def test_the_batched_space_equals_one_design_at_a_time(cfg, vgg):
    r = evaluate(vgg, cfg, default_axes(cfg))
    assert len(r) == 2 * 125 * 3 * 2
    rng = np.random.default_rng(7)
    for k in rng.choice(len(r), size=6, replace=False):
        one = evaluate_design(vgg, cfg, str(r.tech[k]), str(r.io_macro[k]),
                              str(r.weight_macro[k]), int(r.acc_depth[k]), str(r.order[k]),
                              str(r.schedule[k]))
        assert r.point(k)["breakdown_uj"] == pytest.approx(one["breakdown_uj"])


def test_a_faster_array_becomes_bandwidth_bound_and_is_charged_for_it(cfg, vgg):
    fast = replace(cfg, array=replace(cfg.array, freq_hz=4e9))
    rec = evaluate_design(vgg, fast, "rram", "sram_16k", "rram_512k", 0, "kernel_first", "fixed")
    assert rec["bandwidth_bound"] and rec["bound"] == "weight read"
    convs = [lay for lay in vgg if lay.kind == "conv"]
    cycles = loop_counts(convs, cfg.array, "kernel_first").cycles.sum()
    # 64 B of weights per cycle at 4 GHz against 8 banks x 8.005 GB/s
    assert rec["time_ms"] == pytest.approx(cycles * 64 / (8 * 8.005e9) * 1e3, rel=1e-3)
    assert evaluate_design(vgg, cfg, "rram", "sram_16k", "rram_512k", 0, "kernel_first",
                           "fixed")["bound"] == "array"


def test_any_network_runs_and_bad_axes_are_errors(cfg):
    b = Builder("tiny", (3, 12, 12))
    x = b.conv("c1", b.input, 8, 3, padding=1)
    x = b.maxpool("p1", x, 2)
    b.conv("c2", x, 16, 3)
    rec = evaluate_design(b.build().layers, cfg, "sram", "sram_16k", "sram_16k", 16,
                          "pixel_first", "fixed")
    assert rec["total_uj"] > 0 and set(rec["breakdown_uj"]) == set(ROWS)
    axes = default_axes(cfg)
    with pytest.raises(ConfigError, match="valid: sram, rram"):
        evaluate(b.build().layers, cfg, replace(axes, techs=("dram",)))
    with pytest.raises(ConfigError, match="not in Table 5"):
        evaluate(b.build().layers, cfg, replace(axes, acc_depths=(0, 48)))
    with pytest.raises(ConfigError, match="not all rram"):
        evaluate(b.build().layers, cfg, Axes(("rram",), ("sram_16k",), {"rram": ("sram_16k",)},
                                             (0,), ("kernel_first",), ("single",)))


def test_design_record_names_each_stage_and_its_bound(cfg, vgg):
    fast = replace(cfg, array=replace(cfg.array, freq_hz=4e9))
    rec = evaluate_design(vgg, fast, "rram", "sram_16k", "rram_512k", 0, "kernel_first", "fixed")
    assert rec["stages"][0]["name"] == "conv1_1"
    assert {s["bound"] for s in rec["stages"]} == {"weight read"}
    assert sum(s["time_ms"] for s in rec["stages"]) == pytest.approx(rec["time_ms"])


def test_kernel_first_input_table3_reading_by_hand(cfg):
    """model.kernel_first_input = "table3": kernel-first I/O words are Table 3's (p + K - 1)^2
    per p-pixel group, channel tile and output tile; pixel-first and every other row unchanged."""
    b = Builder("t3", (20, 10, 19))
    b.conv("c1", b.input, 12, 3, padding=1)           # 3 input tiles, 2 output tiles at m=n=8
    layers = b.build().layers
    table3 = replace(cfg, model=replace(cfg.model, kernel_first_input="table3"))
    full = {c: evaluate_design(layers, c, "sram", "sram_16k", "sram_16k", 0, "kernel_first",
                               "fixed") for c in (cfg, table3)}
    rec = {c: r["breakdown_uj"] for c, r in full.items()}
    groups = 10 * 3                                    # 10 output rows x ceil(19 / 8)
    assert rec[table3]["read iobuf"] - rec[cfg]["read iobuf"] == pytest.approx(
        (2 * 3 * groups * (8 + 3 - 1) ** 2 - loop_counts(layers, cfg.array, "kernel_first")
         .io_reads.sum()) * 3.057e-6)
    moved = ("read iobuf", "standby")   # 100 words per 9 steps outrun 8 banks of 9.145 GB/s
    assert {k: v for k, v in rec[table3].items() if k not in moved} == pytest.approx(
        {k: v for k, v in rec[cfg].items() if k not in moved})
    assert (full[cfg]["bound"], full[table3]["bound"]) == ("array", "io read")
    assert rec[table3]["standby"] > rec[cfg]["standby"]
    pf = [evaluate_design(layers, c, "sram", "sram_16k", "sram_16k", 16, "pixel_first", "fixed")
          for c in (cfg, table3)]
    assert pf[0]["breakdown_uj"] == pf[1]["breakdown_uj"]
    with pytest.raises(ConfigError, match="valid: line_register, table3"):
        replace(cfg.model, kernel_first_input="square")
