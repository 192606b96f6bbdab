"""golden.hydra.unit / golden.hydra.cycles against independent computations, and the unit's RTL
regression on a reduced TOML variant (8 MACs, sequential MAC, 32-bit bus) on every simulator."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from hymem.golden.hydra.cycles import UnsupportedLayer, job_cycles, layer_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.hydra.unit import UnitGeometry, UnitJob, job_error, unit_outputs
from hymem.golden.workloads.layers import make_layer
from hymem.golden.workloads.zoo import get_network
from hymem.tools.runner import run_cocotb

REPO = Path(__file__).resolve().parent.parent
CONFIG = load_hydra_config()
FMT = CONFIG.fixed
GEO = UnitGeometry.from_config(CONFIG)
SERIAL = replace(CONFIG, system=replace(CONFIG.system, overlap=False))  # the paper's schedule


def naive_conv(tile, weights, job):
    """Loops over every output, tap and bounds check; wraps once (int sums are exact)."""
    out = []
    for m in range(job.m_count):
        for oy in range(job.out_h):
            for ox in range(job.out_w):
                acc = job.bias << FMT.frac
                for ky in range(job.kernel):
                    for kx in range(job.kernel):
                        y, x = oy * job.stride + ky - job.pad_top, ox * job.stride + kx - job.pad_left
                        if 0 <= y < job.in_h and 0 <= x < job.in_w:
                            acc += int(weights[m, ky, kx]) * int(tile[y, x])
                half = 1 << (FMT.acc_width - 1)
                out.append((acc + half) % (1 << FMT.acc_width) - half)
    return out


def naive_maxpool(tile, job):
    out = []
    for oy in range(job.out_h):
        for ox in range(job.out_w):
            best = FMT.min_value
            for ky in range(job.kernel):
                for kx in range(job.kernel):
                    y, x = oy * job.stride + ky - job.pad_top, ox * job.stride + kx - job.pad_left
                    if 0 <= y < job.in_h and 0 <= x < job.in_w:
                        best = max(best, int(tile[y, x]))
            out.append(best)
    return out


@pytest.mark.parametrize("seed", range(20))
def test_unit_outputs_match_naive_loops(seed):
    rng = np.random.default_rng(seed)
    k, s = int(rng.integers(1, 6)), int(rng.integers(1, 3))
    pad = int(rng.integers(0, k))
    in_h, in_w = int(rng.integers(k, 12)), int(rng.integers(k, 12))
    job = UnitJob(mode=0, in_h=in_h, in_w=in_w, out_h=(in_h + 2 * pad - k) // s + 1,
                  out_w=(in_w + 2 * pad - k) // s + 1, kernel=k, stride=s, pad_top=pad, pad_left=pad,
                  m_count=int(rng.integers(1, 5)), bias=int(rng.integers(-2**15, 2**15)))
    tile = rng.integers(FMT.min_value, FMT.max_value + 1, (in_h, in_w))
    weights = rng.integers(FMT.min_value, FMT.max_value + 1, (job.m_count, k, k))
    assert unit_outputs(tile, weights, job, FMT).tolist() == naive_conv(tile, weights, job)
    pool = replace(job, mode=1)
    assert unit_outputs(tile, weights, pool, FMT).tolist() == naive_maxpool(tile, pool)


def test_job_cycles_by_hand():
    # 8 MACs, 4x4 input, 3x3 kernel, stride 1, no padding: P = 4 positions, one group; the
    # box spans rows 0..3 and columns 0..3 (16 cells); T = 2 channels x 9 taps = 18 pairs.
    # The fill engine scans 4 values of a row per cycle ([unit] scan_values): 4 rows of one step.
    geo = replace(GEO, n_macs=8)
    assert geo.scan_values == 4
    job = UnitJob(mode=0, in_h=4, in_w=4, out_h=2, out_w=2, kernel=3, stride=1, pad_top=0, pad_left=0, m_count=2)
    c = job_cycles(job, geo, "pipelined")
    fill = 8 + 1 + 4 + 2       # lane assignment and hand-over, box, scan, drain
    one_value = job_cycles(job, replace(geo, scan_values=1), "pipelined")["cycles"]
    assert one_value == c["cycles"] + 16 - 4   # 16 steps of one value each: the fill stays above compute
    compute = 18 + 4           # issue 18 pairs, MAC pipeline drains
    assert c["cycles"] == 2 + (fill + 1) + (compute + 1)
    assert (c["macs"], c["ab_reads"], c["wb_reads"], c["ob_writes"]) == (4 * 18, 16, 18, 2)
    assert c["mac_busy_cycles"] == 18 + 1
    seq = job_cycles(job, geo, "sequential", multiply=8)
    assert seq["cycles"] == 2 + (fill + 1) + (18 * 8 + 5 + 1)


def test_malformed_register_stacks_are_named():
    base = UnitJob(mode=0, in_h=4, in_w=4, out_h=2, out_w=2, kernel=3, stride=1, pad_top=0, pad_left=0, m_count=1)
    assert job_error(base, GEO) is None
    assert "stride 0" in job_error(replace(base, stride=0), GEO)
    assert "window buffer" in job_error(replace(base, kernel=GEO.max_kernel + 1), GEO)
    assert "activation buffer" in job_error(replace(base, in_w=GEO.ab_values), GEO)
    assert "Q-format shift" in job_error(replace(base, shift=GEO.acc_width), GEO)
    assert job_cycles(replace(base, stride=0), GEO, "pipelined")["errors"] == 1


def test_layer_cycles_counts_every_mac_of_vgg16():
    for layer in get_network("vgg16").of_kind("conv", "maxpool"):
        r = layer_cycles(layer, CONFIG)
        assert r.macs == layer.macs
        assert 0 <= r.utilization <= 1 and r.cycles == r.compute_cycles + r.transfer_cycles


@pytest.mark.parametrize("net", ["vgg16", "resnet34"])
def test_tiling_search_is_exact_and_legal(net):
    """The tile search costs each candidate by distinct jobs; the chosen tiling's jobs, enumerated one
    by one, cost the same, every job's register stack is legal, and no other row count is faster
    (serial schedule: jobs cost independently of each other)."""
    from hymem.golden.hydra import cycles as C

    geo = UnitGeometry.from_config(SERIAL)
    for layer in get_network(net).of_kind("conv", "maxpool"):
        t, rows = C._Tiling.of(layer), C.best_tile_rows(layer, SERIAL)
        jobs = C.layer_jobs(layer, SERIAL)
        assert all(job_error(lj.job, geo) is None for lj in jobs), layer.name
        enumerated = sum(sum(C.system_job_cycles(lj, geo, SERIAL.mac.variant)) for lj in jobs)
        assert enumerated == C._tiling_cycles(t, geo, SERIAL, rows) == layer_cycles(layer, SERIAL).cycles
        assert jobs[0].job.out_h == rows
        others = [C._tiling_cycles(t, geo, SERIAL, r) for r in range(1, t.max_rows(geo) + 1)]
        assert enumerated == min(others), layer.name
    wide = (geo.ob_words + 1) * geo.n_macs  # one channel's row needs ob_words + 1 OB words
    with pytest.raises(UnsupportedLayer, match=f"output row of {wide} exceeds the output buffer"):
        layer_cycles(make_layer("wide", "conv", (1, 3, wide), out_ch=1, kernel=1), CONFIG)


def test_overlapped_schedule_hides_transfers_behind_compute():
    """With [system] overlap: every MAC counted; the layer takes at
    least its STARTs' time and at most the serial schedule's; the search picks the fastest rows."""
    from hymem.golden.hydra import cycles as C

    geo = UnitGeometry.from_config(CONFIG)
    assert geo.n_banks == 2 and UnitGeometry.from_config(SERIAL).n_banks == 1
    for layer in [make_layer("c", "conv", (40, 28, 28), out_ch=24, kernel=3, padding=1, bias=True),
                  make_layer("p", "maxpool", (20, 14, 14), kernel=2, stride=2)]:
        over, serial = layer_cycles(layer, CONFIG), layer_cycles(layer, SERIAL)
        t = C._Tiling.of(layer)
        rows = C.best_tile_rows(layer, CONFIG)
        jobs = C._layer_jobs(t, geo, CONFIG, rows)
        starts = sum(job_cycles(lj.job, geo, CONFIG.mac.variant)["cycles"] + 1 for lj in jobs)
        assert over.compute_cycles == starts and over.cycles == starts + over.transfer_cycles
        assert starts < over.cycles < serial.cycles, layer.name
        assert over.macs == serial.macs == layer.macs
        assert over.cycles == min(C._tiling_cycles(t, geo, CONFIG, r)
                                  for r in range(1, t.max_rows(geo) + 1))
        # The tile-by-tile (memoized) costing equals the job-by-job one for every row count.
        for r in range(1, t.max_rows(geo) + 1):
            enumerated = C.overlapped_cycles(C._layer_jobs(t, geo, CONFIG, r), geo, "pipelined")[0]
            assert C._tiling_cycles(t, geo, CONFIG, r) == enumerated, (layer.name, r)


def test_layer_cycles_rejects_unsupported_layers():
    with pytest.raises(UnsupportedLayer, match="kind 'avgpool'"):
        layer_cycles(make_layer("gap", "avgpool", (8, 7, 7), kernel=7), CONFIG)
    with pytest.raises(UnsupportedLayer, match="max_kernel"):
        layer_cycles(make_layer("c11", "conv", (3, 64, 64), out_ch=8, kernel=11), CONFIG)


def test_unit_rtl_sequential_variant(sim, tmp_path):
    """The unit with the sequential MAC, 8 MACs and a 32-bit bus, and the paper's serial schedule
    (one bank per buffer; tests/test_rtl.py runs the default, double-buffered unit): TOML variant
    of hydra.toml."""
    text = (REPO / "configs" / "hydra.toml").read_text()
    variant = tmp_path / "hydra_unit_seq.toml"
    variant.write_text(text.replace("n_macs = 32", "n_macs = 8").replace('variant = "pipelined"',
                       'variant = "sequential"').replace("bus_width = 64", "bus_width = 32")
                       .replace("\nscan_values = 4 ", "\nscan_values = 2 ")
                       .replace("overlap = true", "overlap = false"))
    assert load_hydra_config(variant).mac.variant == "sequential"
    assert not load_hydra_config(variant).system.overlap
    assert load_hydra_config(variant).unit.scan_values == 2   # the two values of a 32-bit word
    run_cocotb("hydra_unit", "hymem.tb.hydra.test_unit", sim, test_id="hydra_unit-seq8-bus32", config=variant)


def test_overlap_config_checks():
    """[system] overlap: a bool; its second banks must still fit the 16-bit WRITE address."""
    from hymem.golden.config import ConfigError, from_dict
    from hymem.golden.hydra.params import HydraConfig

    with pytest.raises(ConfigError, match="system.overlap: expected bool, got 'yes'"):
        from_dict(HydraConfig, {"system": {"overlap": "yes"}}, "hydra")
    # 256 MACs x 1 KiB of AB = 32768 64-bit words: one bank fits 16 bits, two do not.
    serial = from_dict(HydraConfig, {"system": {"n_macs": 256, "overlap": False}}, "hydra")
    assert UnitGeometry.from_config(serial).ab_words == 32768
    with pytest.raises(ConfigError, match="65536-word activation buffer .*2 bank"):
        from_dict(HydraConfig, {"system": {"n_macs": 256, "overlap": True}}, "hydra")


def test_overlap_doubles_the_unit_buffers():
    """The unit's AB, WB and OB memories hold two banks with overlap, one without."""
    from hymem.rtl.hydra.input_buffers import InputBuffers

    for config, banks in ((CONFIG, 2), (SERIAL, 1)):
        geo = UnitGeometry.from_config(config)
        ports = InputBuffers(config).signature.members
        for buf, words in (("ab_read", geo.ab_words), ("wb_read", geo.wb_words)):
            addr = ports[buf].signature.members["addr"].shape
            assert addr == (words * banks - 1).bit_length(), (buf, banks)
