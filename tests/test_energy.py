"""Energy accounting: counts × per-event energy, leakage × time (hand-computed)."""

import pytest

from hymem.golden.energy import EnergyError, account, event_costs
from hymem.golden.tech import load_tech


def test_rana_style_breakdown():
    rana = load_tech("rana_65nm")
    costs = event_costs(rana, {"mac": "mac16.energy", "edram": "edram_32kb.access_energy",
                               "refresh": "edram_32kb.refresh_energy", "ddr": "ddr3.access_energy"})
    acc = account({"mac": 1000, "edram": 10, "refresh": 2, "ddr": 1}, costs, cycles=400,
                  frequency_hz=200e6)
    # 1000×1.3 + 10×10.6 + 2×48.1 + 2112.9 (Table III, seed 004)
    assert acc.energy_pj == pytest.approx({"mac": 1300, "edram": 106, "refresh": 96.2,
                                           "ddr": 2112.9})
    assert acc.total_pj == pytest.approx(3615.1)
    assert acc.seconds == pytest.approx(2e-6)


def test_per_bit_energy_needs_bits():
    hydra = load_tech("hydra_dram_pcm")
    costs = event_costs(hydra, {"pcm_write": ("pcm.array_write_energy", 16)})
    assert costs["pcm_write"].energy_pj == pytest.approx(16 * 16.82)
    with pytest.raises(EnergyError, match="per bit"):
        event_costs(hydra, {"pcm_write": "pcm.array_write_energy"})


def test_leakage_over_time():
    # 52.8 mW DDR4 standby for 1000 cycles at 1 GHz = 52.8e-3 W × 1e-6 s = 52.8 nJ
    acc = account({}, {}, cycles=1000, frequency_hz=1e9, leakage_mw={"ddr4": 52.8})
    assert acc.energy_pj["leakage:ddr4"] == pytest.approx(52_800)


def test_unknown_and_negative_counts_are_errors():
    with pytest.raises(EnergyError, match="no cost for event.*bogus; known: mac"):
        account({"bogus": 1}, {"mac": 1.0})
    with pytest.raises(EnergyError, match="negative"):
        account({"mac": -1}, {"mac": 1.0})
    with pytest.raises(EnergyError, match="clock"):
        account({}, {}, cycles=5, leakage_mw={"x": 1.0})
