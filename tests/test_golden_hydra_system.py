"""golden.hydra.system and the DRAM/PCM models against independent computations, and the system's
co-simulation (tb/hydra/test_system.py) on reduced TOML variants of hydra.toml on every simulator."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hymem.golden.fixed import requantize
from hymem.golden.hydra.cycles import layer_cycles, layer_jobs
from hymem.golden.hydra.jobs import READ_FIRST, READ_LAST, READ_RELU, rau_flags
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.hydra.system import conv_layer_outputs
from hymem.golden.hydra.unit import UnitJob, unit_outputs
from hymem.golden.tech import load_tech
from hymem.golden.workloads.layers import make_layer
from hymem.tb.common.dram_pcm import DeviceTiming, MemoryDevice, beat_gaps
from hymem.tb.hydra.reference import reference_layer
from hymem.tools.runner import run_cocotb

REPO = Path(__file__).resolve().parent.parent
CONFIG = load_hydra_config()
FMT = CONFIG.fixed


def variant(tmp_path, name, **subs):
    text = (REPO / "configs" / "hydra.toml").read_text()
    for old, new in subs.items():
        key = old.replace("__", ".")
        text = text.replace(key, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_rau_rounds_once_after_summing_all_channels():
    # Two channels whose partial sums each round to 0 but whose sum rounds to 1 LSB:
    # rounding per unit would lose it, the RAU's single rounding keeps it.
    job = UnitJob(mode=0, in_h=1, in_w=1, out_h=1, out_w=1, kernel=1, stride=1, pad_top=0, pad_left=0, m_count=1)
    x = np.array([[[64]], [[64]]])               # 0.25 each
    w = np.array([[[[256]], [[256]]]])            # 1.0
    got = conv_layer_outputs(x, w, [0], job, n_units=1, fmt=FMT, relu=False)
    assert got.tolist() == [requantize(2 * 64 * 256, FMT)] == [128]


def with_pass_accumulation(where, overlap=CONFIG.system.overlap):
    return replace(CONFIG, system=replace(CONFIG.system, pass_accumulation=where, overlap=overlap))


def test_read_flags_follow_the_passes():
    layer = make_layer("c", "conv", (40, 4, 4), out_ch=3, kernel=3, padding=1, bias=True)
    # 16 units: passes of 16, 16, 8 channels.  Into the RAU: every pass is read.
    jobs = layer_jobs(layer, with_pass_accumulation("rau"))
    assert [rau_flags(lj, True) for lj in jobs] == [READ_FIRST, 0, READ_LAST | READ_RELU]
    assert [lj.job.accumulate for lj in jobs] == [0, 0, 0]
    # In the units: they add passes 2 and 3 to their output buffers; only the last pass is read.
    jobs = layer_jobs(layer, with_pass_accumulation("unit"))
    assert [lj.job.accumulate for lj in jobs] == [0, 1, 1]
    assert [lj.reads for lj in jobs] == [False, False, True]
    assert rau_flags(jobs[-1], True) == READ_FIRST | READ_LAST | READ_RELU


def test_unit_accumulation_sums_the_passes():
    # Three passes through one unit with 'accumulate' on the second and third: the entries equal one
    # job over the three channels' partial sums (computed here with an explicit loop, no golden code).
    rng = np.random.default_rng(5)
    job = UnitJob(mode=0, in_h=5, in_w=6, out_h=5, out_w=6, kernel=3, stride=1, pad_top=1, pad_left=1, m_count=2)
    x = rng.integers(-2**15, 2**15, size=(3, 5, 6))
    w = rng.integers(-2**15, 2**15, size=(2, 3, 3, 3))
    entries = None
    for c in range(3):
        entries = unit_outputs(x[c], w[:, c], replace(job, accumulate=int(c > 0)), FMT, previous=entries)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    want = [sum(int(w[m, c, ky, kx]) * int(xp[c, oy + ky, ox + kx])
                for c in range(3) for ky in range(3) for kx in range(3))
            for m in range(2) for oy in range(5) for ox in range(6)]
    assert entries.tolist() == [v - (1 << 48) if v >= 1 << 47 else v for v in (v % (1 << 48) for v in want)]


def test_unit_accumulation_reads_each_chunk_once():
    layer = make_layer("c", "conv", (64, 14, 14), out_ch=32, kernel=3, padding=1, bias=True)
    # Serial schedule: both choose the same tiles (overlapped, the fastest tiles differ).
    by_unit, by_rau = (layer_cycles(layer, with_pass_accumulation(w, overlap=False)) for w in ("unit", "rau"))
    assert by_unit.macs == by_rau.macs == layer.macs
    # 4 passes: the RAU sees every entry once instead of four times.
    assert by_rau.counters["read_cmds"] == 4 * by_unit.counters["read_cmds"]
    assert by_unit.cycles < by_rau.cycles


def test_dram_and_pcm_models_follow_table_one():
    tech = load_tech("hydra_dram_pcm")
    dram = MemoryDevice("DRAM", DeviceTiming.from_tech(tech, "dram"), row_bytes=64, beat_bits=64)
    pcm = MemoryDevice("PCM", DeviceTiming.from_tech(tech, "pcm"), row_bytes=64, beat_bits=64)
    # 8 beats of 8 B = one 64 B row: ACT at 0, RD at tRCD, data tCL later, second RD tCCD later.
    assert dram.read(0, 8).tolist() == [5 + 5 + i for i in range(4)] + [5 + 4 + 5 + i for i in range(4)]
    assert pcm.read(0, 4).tolist() == [22 + 5 + i for i in range(4)]
    # The next row needs PRE (tRTP after the last RD) and ACT (tRP after PRE): PCM's tRP is 60.
    second = pcm.read(64, 4, now=0)
    assert second[0] == (22 + 3) + 60 + 22 + 5
    for device in (dram, pcm):
        device.check_timing()
    assert (dram.bits_read, pcm.bits_read) == (8 * 64, 8 * 64)
    assert beat_gaps(np.array([10, 11, 15])).tolist() == [0, 0, 3]
    assert beat_gaps(np.array([10, 11, 15]), start=4).tolist() == [6, 0, 3]


def test_timing_checker_catches_violations():
    dram = MemoryDevice("DRAM", DeviceTiming.from_tech(load_tech("hydra_dram_pcm"), "dram"))
    dram.commands = [(0, "ACT", 0), (3, "RD", 0)]
    with pytest.raises(AssertionError, match="tRCD=5"):
        dram.check_timing()


REDUCED = {"n_macs = 32": "n_macs = 4", "ob_words = 256": "ob_words = 32"}


SERIAL = {"overlap = true": "overlap = false"}  # the paper's schedule (no double buffering)
# one entry per cycle through the RAU (the TOML's rau_entries is 4 = the reduced variants' 4 MACs)
ONE_ENTRY = {"rau_entries = 4 ": "rau_entries = 1 "}


@pytest.mark.parametrize("name, subs, where", [
    ("16x4", REDUCED, "unit"),
    ("16x4-rau", {**REDUCED, 'pass_accumulation = "unit"': 'pass_accumulation = "rau"'}, "rau"),
    ("16x4-serial", {**REDUCED, **SERIAL}, "unit"),
    ("16x4-serial-rau", {**REDUCED, **SERIAL, 'pass_accumulation = "unit"': 'pass_accumulation = "rau"'},
     "rau"),
    ("16x4-r1", {**REDUCED, **ONE_ENTRY}, "unit"),
])
def test_system_cosimulation(sim, tmp_path, name, subs, where):
    """Random layers and the digits CNN through the system with DRAM/PCM models (reduced TOML variants;
    16x4: all 16 units with 4 MACs each; the sequential MAC is covered unit by unit), with the
    passes over input channels summed in the units and in the RAU."""
    path = variant(tmp_path, f"hydra_{name}", **subs)
    config = load_hydra_config(path)
    assert config.unit.ob_words == 32 and config.system.pass_accumulation == where
    run_cocotb("hydra_system", "hymem.tb.hydra.test_system", sim, test_id=f"hydra_system-{name}", config=path)


def test_system_golden_matches_the_independent_reference():

    rng = np.random.default_rng(5)
    layer = make_layer("c", "conv", (37, 6, 7), out_ch=5, kernel=3, stride=2, padding=1, bias=True)
    x = rng.integers(FMT.min_value, FMT.max_value + 1, (37, 6, 7))
    w = rng.integers(-2048, 2048, (5, 37, 3, 3))
    b = rng.integers(FMT.min_value, FMT.max_value + 1, 5)
    job = UnitJob(mode=0, in_h=6, in_w=7, out_h=layer.out_h, out_w=layer.out_w, kernel=3, stride=2, pad_top=1,
                  pad_left=1, m_count=5)
    got = conv_layer_outputs(x, w, b, job, n_units=16, fmt=FMT, relu=True)
    assert got.tolist() == reference_layer(layer, x, w, b, True, FMT).reshape(-1).tolist()
