"""golden.hydra.system and the DRAM/PCM models against independent computations, and the system's
co-simulation (tb/hydra/test_system.py) on reduced TOML variants of hydra.toml on every simulator."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from golden.fixed import requantize
from golden.hydra.cycles import layer_jobs
from golden.hydra.params import load_hydra_config
from golden.hydra.system import READ_FIRST, READ_LAST, READ_RELU, conv_layer_outputs, rau_flags
from golden.hydra.unit import UnitJob
from golden.tech import load_tech
from golden.workloads.layers import make_layer
from tb.common.dram_pcm import DeviceTiming, MemoryDevice, beat_gaps
from tb.runner import run_cocotb

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


def test_read_flags_follow_the_passes():
    layer = make_layer("c", "conv", (40, 4, 4), out_ch=3, kernel=3, padding=1, bias=True)
    jobs = layer_jobs(layer, CONFIG)            # 16 units: passes of 16, 16, 8 channels
    assert [rau_flags(lj, 40, True) for lj in jobs] == [READ_FIRST, 0, READ_LAST | READ_RELU]


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


def test_timing_checker_catches_violations():
    dram = MemoryDevice("DRAM", DeviceTiming.from_tech(load_tech("hydra_dram_pcm"), "dram"))
    dram.commands = [(0, "ACT", 0), (3, "RD", 0)]
    with pytest.raises(AssertionError, match="tRCD=5"):
        dram.check_timing()


@pytest.mark.parametrize("name, subs", [
    ("16x4", {"n_macs = 32": "n_macs = 4", "ob_words = 128": "ob_words = 32"}),
])
def test_system_cosimulation(sim, tmp_path, name, subs):
    """Random layers and the digits CNN through the system with DRAM/PCM models (reduced TOML variants;
    16x4: all 16 units with 4 MACs each; the sequential MAC is covered unit by unit)."""
    path = variant(tmp_path, f"hydra_{name}", **subs)
    config = load_hydra_config(path)
    assert config.unit.ob_words == 32 and replace(config, mac=CONFIG.mac) != CONFIG
    run_cocotb("hydra_system", "tb.hydra.test_system", sim, test_id=f"hydra_system-{name}", config=path)


def test_system_golden_matches_the_independent_reference():
    from tb.hydra.test_system import reference_layer

    rng = np.random.default_rng(5)
    layer = make_layer("c", "conv", (37, 6, 7), out_ch=5, kernel=3, stride=2, padding=1, bias=True)
    x = rng.integers(FMT.min_value, FMT.max_value + 1, (37, 6, 7))
    w = rng.integers(-2048, 2048, (5, 37, 3, 3))
    b = rng.integers(FMT.min_value, FMT.max_value + 1, 5)
    job = UnitJob(mode=0, in_h=6, in_w=7, out_h=layer.out_h, out_w=layer.out_w, kernel=3, stride=2, pad_top=1,
                  pad_left=1, m_count=5)
    got = conv_layer_outputs(x, w, b, job, n_units=16, fmt=FMT, relu=True)
    assert got.tolist() == reference_layer(layer, x, w, b, True, FMT).reshape(-1).tolist()
