"""Hydra reproduction claims (golden/hydra/claims.py) against independent arithmetic."""

import json
import sys
import types

import pytest
from click.testing import CliRunner

from hymem.golden import claims as C
from hymem.golden.cli import main
from hymem.golden.hydra import claims as H
from hymem.golden.hydra.frame import _rtl_cycles

SEED = "001_fbb152c140f97399.txt"


def _vgg_macs(cfg) -> int:
    """Conv + FC MACs of a VGG on 224x224 (3x3 pad 1 convs, 2x2 pools), counted naively."""
    macs, c, hw = 0, 3, 224
    for block in cfg:
        for out in block:
            macs += hw * hw * out * c * 9
            c = out
        hw //= 2
    return macs + c * hw * hw * 4096 + 4096 * 4096 + 4096 * 1000


VGG16 = _vgg_macs(((64, 64), (128, 128), (256,) * 3, (512,) * 3, (512,) * 3))
VGG19 = _vgg_macs(((64, 64), (128, 128), (256,) * 4, (512,) * 4, (512,) * 4))


@pytest.fixture(scope="module")
def result():
    (res,) = C.reproduce("hydra")
    return res


@pytest.fixture(scope="module")
def by_id(result):
    return {c.id: c for c in result.claims}


def test_all_claims_modelled_and_as_expected(result):
    assert result.status == C.MODELLED
    assert len(result.claims) == 9
    bad = [(c.id, c.model, c.paper) for c in result.claims if c.unexpected]
    assert not bad
    kinds = {c.id: c.kind for c in result.claims}
    assert kinds["hydra.fig5.vgg16.latency"] == "calibration"
    assert [k for k in kinds.values()].count("derived") == 2   # the VGG and the ResNet ratio


def test_claim_records(result):
    ids = [c.id for c in result.claims]
    assert len(set(ids)) == len(ids) and all(i.startswith("hydra.") for i in ids)
    for c in result.claims:
        assert c.seed == SEED and c.where and c.unit and c.note
        if c.kind not in ("calibration", "input"):
            assert c.model != c.paper  # model values are computed, never the paper's number


def test_writes_avoided_are_hand_counted_outputs(by_id):
    conv16 = 2 * 64 * 224**2 + 2 * 128 * 112**2 + 3 * 256 * 56**2 + 3 * 512 * 28**2 + 3 * 512 * 14**2
    conv19 = conv16 + 256 * 56**2 + 512 * 28**2 + 512 * 14**2
    fc = 4096 + 4096 + 1000
    assert by_id["hydra.fig7.vgg16.pcm_writes_avoided"].model == conv16 + fc
    assert by_id["hydra.fig7.vgg19.pcm_writes_avoided"].model == conv19 + fc
    assert "outside the printed digits (-0.39%)" in by_id["hydra.fig7.vgg16.pcm_writes_avoided"].note


def test_latency_ratios_follow_mac_counts(by_id):
    assert VGG16 == 15_470_264_320
    assert by_id["hydra.fig5.vgg19_over_vgg16.latency"].model == pytest.approx(VGG19 / VGG16,
                                                                              rel=1e-12)
    assert by_id["hydra.fig5.vgg19_over_vgg16.latency"].paper == pytest.approx(103.07 / 81.22)
    # the calibration point reproduces itself; the uncalibrated radix-4 value is in its note
    assert by_id["hydra.fig5.vgg16.latency"].model == pytest.approx(81.22)
    assert f"{VGG16 * 8 / 512 / 3e9 * 1e3:.2f} ms" in by_id["hydra.fig5.vgg16.latency"].note


def test_table2_is_a_consistency_check(by_id):
    fpw = by_id["hydra.t2.vgg16.frames_per_watt"]
    assert fpw.kind == "input" and fpw.model == pytest.approx(6.61 / 3.63, rel=1e-9)


def test_energy_ratios_by_naive_accounting(by_id):
    from hymem.golden.workloads import get_network

    ratios = []
    for name in ("vgg16", "vgg19"):
        lays = get_network(name).of_kind("conv", "fc")
        w = sum(x.params for x in lays)
        a_in = sum(x.input_elems for x in lays)
        a_out = sum(x.output_elems for x in lays)
        pcm = (w + a_in) * 2.47 + a_out * 16.82
        dram = (w + a_in) * 1.17 + a_out * 0.39
        hydra = w * 2.47 + a_in * 1.17 + a_out * 0.39
        ratios.append((pcm / hydra, pcm / dram))
    assert by_id["hydra.fig6.energy_pcm_over_hydra"].model == \
        pytest.approx(sum(r[0] for r in ratios) / 2, rel=1e-9)
    assert by_id["hydra.fig6.energy_pcm_over_dram"].model == \
        pytest.approx(sum(r[1] for r in ratios) / 2, rel=1e-9)


def test_reproduce_hydra_strict_cli():
    res = CliRunner().invoke(main, ["reproduce", "hydra", "--strict", "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["systems"] == {"hydra": "modelled"} and not any(c["unexpected"] for c in doc["claims"])


def test_rtl_hook_in_notes(monkeypatch):
    """With an RTL cycle model present, the latency notes report its latency and utilization."""
    fake = types.ModuleType("hymem.golden.hydra.cycles")

    def layer_cycles(layer, config):
        return {"cycles": layer.macs / 512 * 2, "utilization": 0.5}
    fake.layer_cycles = layer_cycles
    monkeypatch.setitem(sys.modules, "hymem.golden.hydra.cycles", fake)
    monkeypatch.setattr(C, "_REGISTRY", dict(C._REGISTRY))
    _rtl_cycles.cache_clear()  # results of the real cycle model must not answer for the fake
    try:
        notes = {c.id: c.note for c in H.claims()}
    finally:
        _rtl_cycles.cache_clear()  # nor the fake's for later tests
    ms = f"{VGG16 * 2 / 512 / 3e9 * 1e3:.2f} ms"
    for variant, where in (("pipelined", "UNIT"), ("sequential", "UNIT"), ("pipelined", "RAU")):
        assert (f"{variant} MAC, passes summed in the {where} {ms}, MAC utilization 50.0 %"
                in notes["hydra.fig5.vgg16.latency"])
