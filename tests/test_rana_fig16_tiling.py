"""Fig. 16's tiling reading (seed 004 §V-B2), chosen from the paper's text, not from the figure.

§V-B2 says of ResNet that "RANA (0) has similar refresh energy with eD+OD, although some of
the layers are assigned with the WD pattern by RANA".  Under the explored reading (patterns and
tilings re-picked for the lowest energy) RANA(0) assigns WD to no ResNet-50 layer; under the
running cases' tiling (Tm = Tn = Tc = 16, Tr = 1, §IV-C1) it assigns WD to several, and its
refresh stays that of eD+OD.  This is why ``golden.rana.claims.FIG16_TILING`` is "running".
"""

from hymem.golden.rana.claims import FIG16_TILING, FIG16_TILINGS, RUNNING_TILING, fig16_claims
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.params import load_rana_config
from hymem.golden.rana.scheduler import schedule_network


def _wd_layers(cfg, fixed_tiling):
    s = schedule_network("resnet50", "RANA(0)", cfg, fixed_tiling=fixed_tiling)
    return [lay.name for lay in s.layers if lay.pattern == Pattern.WD], s


def test_only_the_running_tiling_assigns_wd_on_resnet():
    cfg = load_rana_config()
    assert FIG16_TILING == "running" and FIG16_TILINGS["running"] == RUNNING_TILING
    explored, _ = _wd_layers(cfg, None)
    running, r0 = _wd_layers(cfg, RUNNING_TILING)
    assert explored == [] and len(running) >= 2
    # "similar refresh energy with eD+OD" under the same reading (within a tenth)
    od = schedule_network("resnet50", "eD+OD", cfg, fixed_tiling=RUNNING_TILING)
    assert abs(r0.energy_pj()["refresh"] / od.energy_pj()["refresh"] - 1) < 0.1


def test_fig16_claims_report_both_readings():
    notes = {c.id: c.note for c in fig16_claims(load_rana_config())}
    assert all("'explored'" in n and "running cases' tiling" in n for n in notes.values())
