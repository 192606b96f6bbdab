"""RANA claims (seed 004): the paper's worked numbers and Fig. 15 figures beside the model's.

Every model value is computed at call time by :mod:`golden.rana.lifetime`,
:mod:`golden.rana.study` (scheduler over the Table IV designs) and
:mod:`golden.rana.training`; paper values are quoted with their place in the
seed.
"""

from __future__ import annotations

from hymem.golden.claims import Claim, claim, printed, register
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.cost import tech_costs
from hymem.golden.rana.lifetime import ConvShape, Tiling, lifetime_cycles, storage_words
from hymem.golden.rana.params import RanaConfig, load_rana_config

SEED = "004_17b579f82c765fa8.txt"
KB = 1024

# §III-A / Fig. 5 running cases
LAYER_A = ConvShape(M=1024, N=256, R=14, C=14, K=1, S=2, H=28, L=28, name="res4a_branch1")
LAYER_B = ConvShape(M=512, N=256, R=28, C=28, K=3, S=1, name="vgg_conv9")

# Every Fig. 15/16/19 figure is compared at the digits the paper printed (§V prints them to 0.1 %).
# The former +-10 % / +-5 % covered this model's unknowns (beta_b/beta_d of ref. [11], simulated
# gamma), a model-side allowance the project's rule excludes (issue 12).
_FIG15_NOTE = (
    "suite totals of AlexNet, VGG-19, GoogLeNet, ResNet-50 (sum over networks of the design's figure / sum of the "
    "base's; Fig. 15 itself is per network). The paper does not say how it combines the networks: this reading "
    "is chosen on ONE named data point, RANA(0) vs eD+OD -19.4 % (§V-B1), which equals VGG's alone (§V-B3) although "
    "RANA(0) = eD+OD on every layer where OD fits (all of AlexNet): only a VGG-dominated aggregate does that; "
    "every other figure is a prediction. beta_b/beta_d follow golden/rana/cost.py (the paper's ref. [11] model "
    "and simulated gamma are not given)")
_MEAN_READING = "mean of per-network ratios instead: {:.1f} %"
_NETS_READING = ("other networks (the paper names only 'VGG' and 'ResNet'; VGG-19 from Layer-B "
                 "'vgg_conv9' and Fig. 17's WD layers 2-8, golden/rana/study.py): ")
# Claims the paper cannot pin to its printed digits, and why (tests/test_claims_expected_out.py)
# R_o settings (words) that fit the 36 KB core: 256 (one accumulator per PE, configs/rana.toml)
# up to 1024; the paper gives only the total (§III-A, §IV-C3)
R_O_READINGS = (256, 512, 1024)
# R_i/R_w splits (words) of the rest of the 36 KB core at the default R_o: a quarter of the core
# for weights (16 x 32 x 3x3) and 16 x 64 x 3x3 (Tn = 64 at Tm = 16); the default splits equally
R_W_READINGS = (4608, 9216)
# Claims the paper cannot pin, and why (tests/test_claims_expected_out.py): the figure moves
# across the paper's value between two R_o readings, so a reading exists that gives it.
EXPECTED_OUT = {
    "rana_star_vs_sid_energy_saving": "EXPECTED OUT: the paper does not split its 36 KB core "
    "into R_i/R_o/R_w (§IV-C3), and at R_o = 256 the unstated R_i/R_w split moves this figure "
    "into and out of 66.2's printed digits (R_w = 4608 gives it; the equal split, the default, "
    "and R_w = 9216 do not) (tests/test_claims_expected_out.py)",
    "rana_star_vs_sid_offchip_saving": "EXPECTED OUT: with 66.2 % energy saving, 41.7 % needs S+ID "
    "to make >= 0.74 buffer accesses per MAC under eq. (14) and Table III, which a 16x16 array "
    "reusing its operands in the core does not; and the unstated R_o split moves this figure "
    "across 41.7 % (tests/test_claims_expected_out.py)",
    "edid_vs_sid_energy_increase": "EXPECTED OUT: the paper names only 'ResNet' and the unnamed "
    "depth moves this figure across the paper's value (ResNet-50 to -101, both fitting Table I "
    "and Layer-A) (tests/test_claims_expected_out.py)",
    "edid_vs_sid_offchip_saving": "EXPECTED OUT: as for rana.fig15.edid_vs_sid.energy_increase, "
    "the unstated core split moves this figure across the paper's value",
    "edod_vs_edid_refresh_energy_saving": "EXPECTED OUT: the paper names only 'ResNet' and does not "
    "say how it averages the networks; both unstated choices move this figure across the paper's "
    "value (ResNet-50 to -101/-152, all fitting Table I and Layer-A; suite total to mean of "
    "ratios) (tests/test_claims_expected_out.py)",
    "rana_star_vs_dadiannao_refresh_saving": "EXPECTED OUT: RANA* refreshes whole banks, and the "
    "paper gives no bank size for DaDianNao's 36 MB; between the platform's 22.7 KB bank and one "
    "bank per DaDianNao tile (2 MB) this figure moves across the paper's value "
    "(tests/test_claims_expected_out.py)",
    "rana_star_vs_edid_refresh_saving": "EXPECTED OUT under the suite-total reading: VGG-19's "
    "conv1_1-conv3_4 hold more outputs than the 1.454 MB buffer, so without extra off-chip access "
    "(§V-B4) RANA*(E-5) runs them in WD (all weights stored, eq. (13)) or OD with Tn = N (inputs "
    "live the whole layer, eq. (9)) and refreshes >= 104.6 M words at 734 us; eD+ID refreshes at "
    "most the whole buffer every 45 us over the four networks' longest run time (ResNet-152, FC "
    "included), so the suite saving is <= 99.22 %; the mean of per-network ratios is bounded only "
    "by VGG's own <= 98.7 % and is not excluded by the paper's numbers "
    "(tests/test_claims_expected_out.py)",
    "ranae5_vs_rana0_refresh_saving": "EXPECTED OUT under the suite-total reading: as for "
    "rana.fig15.rana_star_vs_edid.refresh_saving, the same VGG-19 layers refresh at 734 us, and "
    "RANA(E-5)'s normal controller refreshes every bank at each of their >= 295 pulses; RANA(0) "
    "at most the whole buffer every 45 us over the longest run time: the suite saving is "
    "<= 98.35 %; the mean reading is not excluded by the paper's numbers (VGG's own <= 97.2 %) "
    "(tests/test_claims_expected_out.py)",
    "ranae5_vs_rana0_energy_saving": "EXPECTED OUT: as for "
    "rana.fig15.edod_vs_edid.refresh_energy_saving, the unnamed ResNet depth and the unstated "
    "averaging each move this figure across the paper's value",
    "rana0_vs_edod_energy_saving": "EXPECTED OUT: the paper prints this 19.4 % again for VGG alone "
    "(§V-B3), the premise on which this figure calibrates the aggregation, and its own per-layer "
    "figures exclude it for VGG: layers 2-8 save 47.8-67.0 % energy and 79.5-91.6 % off-chip, the "
    "other layers nothing, so with Table III, VGG-19's shapes and a 1.454 MB eDRAM refreshed every "
    "45 us VGG alone saves >= 19.5 % even if the other layers made 4 buffer accesses per MAC; read "
    "as a four-network aggregate it is pinned by no other printed figure "
    "(tests/test_claims_expected_out.py)",
    "rana_star_vs_dadiannao_energy_saving": "EXPECTED OUT: 69.4 % with no off-chip reduction and the "
    "same MACs leaves the original DaDianNao's MAC + DDR energy <= 30.65 % of its total, and with its "
    "23.5 % buffer share its refresh >= 1.49 x its MAC + DDR energy; refreshing the whole 36 MB every "
    "45 us over the node's run time (Tm = Tn = 64, Tr = Tc = 1 at 606 MHz) gives at most 1.13 x, "
    "with each layer's inputs, weights and outputs crossing DDR once (§II-B); any ResNet depth, VGG-16 "
    "or -19. This rests on §II-B's layer-by-layer round trip (the model's reading): read as feature maps "
    "kept on chip between layers (§V-C 'the 36MB eDRAM stores all the intermediate data'), off-chip "
    "falls to the weights and the bound no longer excludes 69.4 %; that reading is not modelled "
    "(its refresh needs lifetimes across layers) (tests/test_claims_expected_out.py)",
    "rana0_vs_dadiannao_buffer_energy_saving": "EXPECTED OUT: the paper does not give its buffer access "
    "count (eq. (14)'s beta_b, 'as done in [11]'); whether a word moved to or from DDR also counts as "
    "a buffer access moves this figure across 97.2's printed digits (tests/test_claims_expected_out.py)",
    "ranae5_vs_rana0_refresh_energy_saving": "EXPECTED OUT: the paper's two figures for RANA(E-5) on the "
    "node cannot both hold: its 36.9 % refresh share of the accelerator energy needs RANA(E-5) to "
    "refresh >= 0.58 x its MAC energy, and 94.9 % then needs RANA(0) to refresh more than the whole "
    "36 MB every 45 us over the node's run time can (with the share, the saving is <= 93.7 % for any "
    "ResNet depth, VGG-16 or -19) (tests/test_claims_expected_out.py)",
}
PRINTED = None   # tolerance: the printed digits
_REFRESH_COUNT_NOTE = ("refresh operations counted at their expectation over the divider's phase "
                       "at the network's start, which the paper does not give (golden/rana/study.py "
                       "REFRESH_COUNT)")
# seed 004 §V-B1 / abstract: RANA*(E-5) vs S+ID, the two headline figures
PAPER_STAR_ENERGY_SAVING, PAPER_STAR_OFFCHIP_SAVING = "66.2", "41.7"
_MISS_NOTES = {
    "rana_star_vs_sid_offchip_saving": (
        "NOT REPRODUCED: RANA*(E-5) moves exactly the layers' minimum traffic here (each stored input map, "
        "weight and output once: §V-B4 'no extra off-chip memory access'), so this saving is 1 - 1/(S+ID's "
        "traffic over the minimum); our S+ID moves {sid_min:.2f}x the minimum (R_o = 256 keeps ID at Tm = 16-32, "
        "so every input map that does not fit the 384 KB, eq. (1), is streamed again once per Tm output "
        "channels), the paper's 1/(1-0.417) = 1.72x. The two headline figures cannot both hold under eq. (14) "
        "with Table III's energies and a buffer access count this architecture can make: RANA* costs at least its "
        "minimum DDR traffic plus its MACs, so 0.583x S+ID's off-chip at 0.338x S+ID's energy needs S+ID to make "
        ">= {sid_acc_needed:.2f} buffer accesses per MAC (from this suite's MAC count and minimum traffic), "
        "{sid_share_needed:.0f} % of its energy on MAC + SRAM; ours makes {sid_acc:.2f} ({sid_nonddr:.0f} %), "
        "and a 16x16 array whose rows share inputs reads <= 1/16 input + 1/16 weight word per MAC even with no "
        "reuse in its 36 KB core. A larger R_o does not help: R_o = 512 / 1024 words give S+ID 2.04x / 1.52x the "
        "minimum and an energy saving of 48 % / 33 % (configs/rana.toml [core])"),
    "edid_vs_sid_energy_increase": (
        "NOT REPRODUCED at the printed digits: energy ratio {ratio:.3f} vs the paper's 1.133; the "
        "increase is the small difference between eD+ID's added refresh and its off-chip saving "
        "({edid_ddr:.1f} % here, 40.3 % in the paper), so the unnamed ResNet depth moves it "
        "across the paper's value"),
    "edod_vs_edid_refresh_energy_saving": (
        "NOT REPRODUCED: with the normal controller every bank is refreshed while any data outlives 45 us, and no "
        "OD tiling brings VGG's conv1-conv4 lifetimes under 45 us, so there OD refreshes as much as ID; VGG "
        "dominates the suite total (per network: {edod_per_net})"),
    "rana0_vs_edod_energy_saving": (
        "NOT REPRODUCED: RANA(0) differs from eD+OD only on VGG's layers where WD replaces OD ({wd_layers}); "
        "per layer they save {wd_ddr} off-chip and {wd_energy} energy (paper §V-B3, its layers 2-8: 79.5-91.6 % "
        "and 47.8-67.0 %), but they carry a larger share of VGG's eD+OD energy than in the paper, so VGG alone "
        "saves {vgg:.1f} % (paper 19.4 %). This figure also picks the suite-total reading: RANA(0) = eD+OD on "
        "the other three networks, so only a VGG-dominated aggregate gives the paper's overall = VGG figure"),
}


def _us(cycles, cfg: RanaConfig) -> float:
    return float(cycles) / cfg.platform.freq_hz * 1e6


def lifetime_claims(cfg: RanaConfig) -> list[Claim]:
    t_a = Tiling(16, 16, 1, 16)
    lt_a = lifetime_cycles(LAYER_A, Pattern.OD, t_a, cfg.platform)
    out = [claim("rana.layerA.od.lt_o", "rana", SEED, "§IV-C1", "72", _us(lt_a["output"], cfg), "us",
                 note="Layer-A OD, Tm=Tn=Tc=16, Tr=1: eq. (9) with eta = 14/16 (C=14 on 16 PE columns)")]
    for tn, paper in ((16, "1290"), (8, "645")):
        lt_b = lifetime_cycles(LAYER_B, Pattern.OD, Tiling(16, tn, 1, 16), cfg.platform)
        out.append(claim(f"rana.layerB.od.lt_io.tn{tn}", "rana", SEED, "§IV-C1", paper, _us(lt_b["input"], cfg),
                         "us", note="Layer-B OD, Tm=16, Tr=1, Tc=16: eq. (9) with eta = 28/32"))
    lt_b16 = lifetime_cycles(LAYER_B, Pattern.OD, Tiling(16, 16, 1, 16), cfg.platform)
    out.append(claim("rana.layerB.od.lt_w", "rana", SEED, "§IV-D2", "40", _us(lt_b16["weight"], cfg), "us",
                     note="Layer-B OD, Tm=Tn=16: eq. (10)"))
    return out


def buffer_claim(cfg: RanaConfig) -> Claim:
    """§III-B1: Layer-A minimum buffer requirement 785 KB in 16 bit."""
    ones = Tiling(1, 1, 1, 1)
    bs_id = storage_words(LAYER_A, Pattern.ID, ones)
    bs_od = storage_words(LAYER_A, Pattern.OD, ones)
    words = bs_id["input"] + bs_od["output"] + bs_id["weight"]
    return claim("rana.layerA.min_buffer", "rana", SEED, "§III-B1", "785",
                 words * cfg.platform.data_bytes / KB, "KB", kind="calibration",
                 note="CALIBRATION of the accounting (chosen to give this number; it sits on the "
                      "rounding boundary of the printed digits, 784.5 -> 785): "
                      "accounting: BS_i of eq. (1) with the stored 28x28 res4a input (N*H*L = 256*28*28) + "
                      "the whole output map M*R*C (held until drained; eq. (7)) + BS_w of eq. (3) at Tm=1, "
                      "16-bit words, KB = 1024 B: 784.5 KB. (Eqs. (1)-(3) at Tm=Tn=Tr=Tc=1 give 392.5 KB, "
                      "exactly half; double-buffering them would also give 785.0 KB)")


def _offchip_over_minimum(cfg: RanaConfig, design: str) -> float:
    """Suite off-chip traffic of ``design`` over RANA*(E-5)'s, the minimum (no extra access, §V-B4;
    ``tests/test_rana_schedule.py`` checks it)."""
    from hymem.golden.rana.study import BENCHMARKS, design_matrix

    m = design_matrix(cfg)
    return (sum(m[n, design].totals()["ddr"] for n in BENCHMARKS)
            / sum(m[n, "RANA*(E-5)"].totals()["ddr"] for n in BENCHMARKS))


def _sid_accesses_needed(cfg: RanaConfig, matrix: dict, offchip_saving: float, energy_saving: float):
    """Least S+ID buffer accesses per MAC (and MAC + buffer share of its energy) for which RANA*(E-5)
    can save both ``offchip_saving`` of S+ID's DDR accesses and ``energy_saving`` of its energy under
    eq. (14): RANA* costs at least its DDR traffic (the minimum) plus its MACs."""
    from hymem.golden.rana.study import BENCHMARKS

    sram = tech_costs(cfg.tech, "sram")
    e_mac, e_buf, e_ddr = (sram[k].energy_pj for k in ("mac", "buffer", "ddr"))
    macs = sum(matrix[n, "S+ID"].totals()["mac"] for n in BENCHMARKS)
    ddr_min = sum(matrix[n, "RANA*(E-5)"].totals()["ddr"] for n in BENCHMARKS) * e_ddr
    sid_total = (ddr_min + macs * e_mac) / (1 - energy_saving)
    sid_ddr = ddr_min / (1 - offchip_saving)
    return (sid_total - sid_ddr - macs * e_mac) / e_buf / macs, 100 * (1 - sid_ddr / sid_total)


def energy_weight_per_mac(schedule) -> float:
    """Eq. (14) total (pJ) of ``schedule`` under the other reading of the core's reuse: every MAC
    reads its weight word from the buffer (no weight reuse in the 16x16 array's core), patterns
    and tilings as scheduled under the default reading (a re-accounting, not a re-schedule)."""
    extra = sum(int(lay.counts["mac"]) - int(lay.counts["buffer_words"]["weight_reads"])
                for lay in schedule.layers)
    return schedule.total_pj() + extra * schedule.costs["buffer"].energy_pj


def weight_per_mac_reading(matrix: dict) -> dict:
    """The S+ID comparisons of Fig. 15 (suite totals) under :func:`energy_weight_per_mac`."""
    from hymem.golden.rana.study import BENCHMARKS

    def total(design):
        return sum(energy_weight_per_mac(matrix[n, design]) for n in BENCHMARKS)

    macs = sum(matrix[n, "S+ID"].totals()["mac"] for n in BENCHMARKS)
    sid_reads = sum(matrix[n, "S+ID"].totals()["buffer"] for n in BENCHMARKS) + sum(
        int(lay.counts["mac"]) - int(lay.counts["buffer_words"]["weight_reads"])
        for n in BENCHMARKS for lay in matrix[n, "S+ID"].layers)
    return {"rana_star_vs_sid_energy_saving": 1 - total("RANA*(E-5)") / total("S+ID"),
            "edid_vs_sid_energy_increase": total("eD+ID") / total("S+ID") - 1,
            "sid_accesses_per_mac": sid_reads / macs}


_WEIGHT_READING = ("the other reading of the array's reuse, every MAC reading its weight word from "
                   "the buffer (all designs; S+ID then makes {sid_accesses_per_mac:.2f} accesses per "
                   "MAC, enough for the headline pair): RANA*(E-5) vs S+ID energy saving "
                   "{rana_star_vs_sid_energy_saving:.1%}, eD+ID vs S+ID energy "
                   "{edid_vs_sid_energy_increase:+.1%}; off-chip figures unchanged")
_WEIGHT_READING_KEYS = ("rana_star_vs_sid_energy_saving", "rana_star_vs_sid_offchip_saving",
                        "edid_vs_sid_energy_increase")


def _pct_range(values) -> str:
    return f"{100 * min(values):.1f}-{100 * max(values):.1f} %"


def _vgg_wd_layers(matrix: dict) -> dict:
    """§V-B3 per-layer view: VGG layers where RANA(0) runs WD, their off-chip and energy saving over eD+OD."""
    from hymem.golden.rana.study import BENCHMARKS

    vgg = BENCHMARKS[1]
    od, r0 = matrix[vgg, "eD+OD"], matrix[vgg, "RANA(0)"]
    pairs = [(a, b) for a, b in zip(od.layers, r0.layers, strict=True) if b.pattern == Pattern.WD]
    ddr = [1 - b.counts["ddr"] / a.counts["ddr"] for a, b in pairs]
    energy = [1 - b.account.total_pj / a.account.total_pj for a, b in pairs]
    return {"wd_layers": ", ".join(b.name for _, b in pairs) or "none",
            "wd_ddr": _pct_range(ddr) if pairs else "-", "wd_energy": _pct_range(energy) if pairs else "-"}


def with_r_w(cfg: RanaConfig, r_w: int) -> RanaConfig:
    """``cfg`` with ``r_w`` weight words in the core, the same R_o and the rest for inputs."""
    import dataclasses

    total = cfg.core.r_i + cfg.core.r_o + cfg.core.r_w
    return dataclasses.replace(cfg, core=dataclasses.replace(cfg.core, r_w=r_w,
                                                              r_i=total - cfg.core.r_o - r_w))


def with_r_o(cfg: RanaConfig, r_o: int) -> RanaConfig:
    """``cfg`` with ``r_o`` output words in the core and the rest of its storage split equally."""
    import dataclasses

    total = cfg.core.r_i + cfg.core.r_o + cfg.core.r_w
    free = total - r_o
    return dataclasses.replace(cfg, core=dataclasses.replace(cfg.core, r_o=r_o, r_i=free // 2,
                                                              r_w=free - free // 2))


def fig15_claims(cfg: RanaConfig) -> list[Claim]:
    from hymem.golden.rana.study import BENCHMARKS, NETWORK_READINGS, comparison, design_matrix, ratio

    f, f_mean, m = comparison(cfg), comparison(cfg, "mean"), design_matrix(cfg)
    f_nets = {label: comparison(cfg, nets=nets) for label, nets in NETWORK_READINGS.items()}
    f_r_o = {r_o: comparison(with_r_o(cfg, r_o)) for r_o in R_O_READINGS if r_o != cfg.core.r_o}
    f_pulses = comparison(cfg, refresh_count="pulses")
    f_r_w = {r_w: comparison(with_r_w(cfg, r_w)) for r_w in R_W_READINGS}
    weight_reading = _WEIGHT_READING.format(**weight_per_mac_reading(m))
    sid_e = [m[n, "S+ID"].energy_pj() for n in BENCHMARKS]
    sid_t = [m[n, "S+ID"].totals() for n in BENCHMARKS]
    facts = {"sid_min": _offchip_over_minimum(cfg, "S+ID"),
             "sid_nonddr": 100 * sum(e["mac"] + e["buffer"] for e in sid_e) / sum(sum(e.values()) for e in sid_e),
             "sid_acc": sum(t["buffer"] for t in sid_t) / sum(t["mac"] for t in sid_t),
             **dict(zip(("sid_acc_needed", "sid_share_needed"), _sid_accesses_needed(
                 cfg, m, float(PAPER_STAR_OFFCHIP_SAVING) / 100, float(PAPER_STAR_ENERGY_SAVING) / 100))),
             "vgg": 100 * (1 - ratio(m, "RANA(0)", "eD+OD", "energy", BENCHMARKS[1:2])),
             **_vgg_wd_layers(m),
             "ratio": 1 + f["edid_vs_sid_energy_increase"], "edid_ddr": 100 * f["edid_vs_sid_offchip_saving"],
             "edod_per_net": ", ".join(f"{n} {100 * (1 - ratio(m, 'eD+OD', 'eD+ID', 'energy:refresh', (n,))):.0f} %"
                                       for n in BENCHMARKS)}
    rows = (
        ("rana.fig15.rana_star_vs_sid.energy_saving", "rana_star_vs_sid_energy_saving", PAPER_STAR_ENERGY_SAVING,
         PRINTED),
        ("rana.fig15.rana_star_vs_sid.offchip_saving", "rana_star_vs_sid_offchip_saving", PAPER_STAR_OFFCHIP_SAVING,
         PRINTED),
        ("rana.fig15.rana_star_vs_edid.refresh_saving", "rana_star_vs_edid_refresh_saving", "99.7",
         PRINTED),
        ("rana.fig15.edid_vs_sid.energy_increase", "edid_vs_sid_energy_increase", "13.3", PRINTED),
        ("rana.fig15.edid_vs_sid.offchip_saving", "edid_vs_sid_offchip_saving", "40.3", PRINTED),
        ("rana.fig15.edod_vs_edid.refresh_energy_saving", "edod_vs_edid_refresh_energy_saving", "43.7",
         PRINTED),
        ("rana.fig15.rana0_vs_edod.energy_saving", "rana0_vs_edod_energy_saving", "19.4", PRINTED),
        ("rana.fig15.ranae5_vs_rana0.refresh_saving", "ranae5_vs_rana0_refresh_saving", "98.5", PRINTED),
        ("rana.fig15.ranae5_vs_rana0.energy_saving", "ranae5_vs_rana0_energy_saving", "45.4", PRINTED),
    )
    out = []
    for cid, key, paper, tol in rows:
        parts = [_FIG15_NOTE if not out else f"aggregation: see {rows[0][0]}",
                 _MEAN_READING.format(100 * f_mean[key]),
                 f"{_REFRESH_COUNT_NOTE}; in whole pulses instead: {100 * f_pulses[key]:.2f} %",
                 f"at R_o = {cfg.core.r_o} words (configs/rana.toml); other core splits: "
                 + ", ".join(f"R_o = {r_o}: {100 * g[key]:.1f} %" for r_o, g in f_r_o.items()),
                 f"R_i/R_w splits at R_o = {cfg.core.r_o} (default R_w = {cfg.core.r_w}): "
                 + ", ".join(f"R_w = {r_w}: {100 * g[key]:.2f} %" for r_w, g in f_r_w.items()),
                 _NETS_READING + ", ".join(f"{n}: {100 * g[key]:.1f} %" for n, g in f_nets.items())]
        if key in _WEIGHT_READING_KEYS:
            parts.append(weight_reading)
        if key in _MISS_NOTES:
            parts.insert(0, _MISS_NOTES[key].format(**facts))
        parts.insert(0, _tolerance_rule(tol))
        if key in EXPECTED_OUT:
            parts.insert(0, EXPECTED_OUT[key])
        out.append(claim(cid, "rana", SEED, "§V-B1, Fig. 15", paper, 100 * f[key], "%", tolerance=tol,
                         note="; ".join(parts), expected="out" if key in EXPECTED_OUT else "ok",
                         kind="calibration" if key == "rana0_vs_edod_energy_saving" else "prediction"))
    out.append(claim("rana.fig15.alexnet.edid_vs_sid_energy", "rana", SEED, "§V-B1, Fig. 15", "2.3",
                     f["alexnet_edid_vs_sid_energy"], "x", tolerance=PRINTED,
                     note="AlexNet alone (no averaging); tolerance as for energy figures"))
    return out


def dadiannao_claims(cfg: RanaConfig) -> list[Claim]:
    from hymem.golden.rana.dadiannao import BANK_READINGS, comparison, with_bank_bytes

    f, f_mean = comparison(cfg), comparison(cfg, how="mean")
    f_pulses = comparison(cfg, refresh_count="pulses")
    f_core = comparison(cfg, buffer_count="core_only")
    f_banks = {label: comparison(with_bank_bytes(cfg, b)) for label, b in BANK_READINGS.items()}

    def readings(key):
        return "; ".join([_MEAN_READING.format(100 * f_mean[key]),
                          f"{_REFRESH_COUNT_NOTE}; in whole pulses instead: {100 * f_pulses[key]:.2f} %",
                          ("buffer accesses counting only buffer <-> core words, not the buffer side of "
                           f"DDR transfers (golden/rana/dadiannao.py BUFFER_COUNTS): {100 * f_core[key]:.2f} %"),
                          "at other bank sizes of the node "
                          f"(the paper gives none; default {cfg.edram.bank_bytes} B, the platform's): "
                          + ", ".join(f"{n}: {100 * g[key]:.2f} %" for n, g in f_banks.items())])

    note = ("one DaDianNao node (64x64 multipliers over M x N, Tm=Tn=64, Tr=Tc=1, 36 MB eDRAM, 606 MHz); "
            "original = WD only, normal 45 us refresh; same Table III energies and bank size assumed; "
            "suite totals over the four benchmarks as for Fig. 15; tolerances as for Fig. 15")
    rows = (
        ("rana.dadiannao.rana_star.energy_saving", "rana_star_vs_dadiannao_energy_saving", "69.4", PRINTED),
        ("rana.dadiannao.rana_star.refresh_saving", "rana_star_vs_dadiannao_refresh_saving", "99.9",
         PRINTED),
        ("rana.dadiannao.rana0.buffer_energy_saving", "rana0_vs_dadiannao_buffer_energy_saving", "97.2",
         PRINTED),
        ("rana.dadiannao.ranae5_vs_rana0.refresh_energy_saving", "ranae5_vs_rana0_refresh_energy_saving", "94.9",
         PRINTED),
    )
    return [claim(cid, "rana", SEED, "§V-C, Fig. 19", paper, 100 * f[key], "%", tolerance=tol,
                  note="; ".join(x for x in (EXPECTED_OUT.get(key, ""), _tolerance_rule(tol), note,
                                             readings(key)) if x),
                  expected="out" if key in EXPECTED_OUT else "ok")
            for cid, key, paper, tol in rows]


def _tolerance_rule(tol) -> str:
    assert tol is PRINTED, "RANA's figures are compared at their printed digits"
    return "tolerance: the printed digits"


def _conv1_min_lifetime_us(cfg: RanaConfig) -> float:
    """ResNet-50 conv1's shortest OD input lifetime (Tn = 1, eq. (9))."""
    from hymem.golden.rana.scheduler import conv_layers

    (_, shape, _), *_ = conv_layers("resnet50")
    return _us(lifetime_cycles(shape, Pattern.OD, Tiling(16, 1, 1, 16), cfg.platform)["input"], cfg)


# §IV-C1's running cases (Layer-A, Layer-B) run OD at Tm = Tn = Tc = 16, Tr = 1
RUNNING_TILING = Tiling(16, 16, 1, 16)
# Fig. 16's tiling readings.  "running": every layer of the three designs at the running cases'
# tiling, only the pattern chosen per layer; "explored": patterns and tilings re-picked for the
# lowest energy at each retention time (§IV-C3's exploration).  Default "running", from §V-B2's
# own text on ResNet: "RANA (0) has similar refresh energy with eD+OD, although some of the
# layers are assigned with the WD pattern by RANA", and the hybrid pattern gives RANA(0) "lower
# system energy with the optimized off-chip memory access"; with explored tilings RANA(0)
# assigns WD to no ResNet-50 layer (it equals eD+OD), with the running tiling it assigns WD to
# several (tests/test_rana_fig16_tiling.py).  Fig. 15 keeps the explored tilings: there the
# running tiling has no feasible OD schedule for VGG's conv1_2 (its Tn = 16 input slab alone
# overflows the 1.454 MB buffer).
FIG16_TILINGS = {"running": RUNNING_TILING, "explored": None}
FIG16_TILING = "running"


def fig16_refresh_saving(cfg: RanaConfig, design: str, tiling: str = FIG16_TILING,
                         refresh_count: str | None = None) -> tuple:
    """Fig. 16 on ResNet-50: (refresh-energy saving 90 -> 180 us in %, layers refreshed at 90 us,
    at 180 us, layer count) of ``design`` under the tiling reading ``tiling`` and γ counted as
    ``refresh_count`` (default :data:`golden.rana.study.REFRESH_COUNT`)."""
    from hymem.golden.rana.study import REFRESH_COUNT, counted, interval_schedules

    at = interval_schedules(cfg, "resnet50", (design,), (90, 180),
                            fixed_tiling=FIG16_TILINGS[tiling])[design]
    refresh = {t: counted(s, refresh_count or REFRESH_COUNT).energy_pj()["refresh"]
               for t, s in at.items()}
    names = {t: [lay.name for lay in s.layers if lay.counts["refresh"] > 0] for t, s in at.items()}
    return 100 * (1 - refresh[180] / refresh[90]), names[90], names[180], len(at[90].layers)


def fig16_claims(cfg: RanaConfig) -> list[Claim]:
    """§V-B2 / Fig. 16: refresh energy on ResNet when the retention time doubles from 90 to 180 us."""
    out = []
    for design, paper in (("eD+ID", "50.0"), ("eD+OD", "80.1")):
        model, at90, at180, n = fig16_refresh_saving(cfg, design)
        pulses = fig16_refresh_saving(cfg, design, refresh_count="pulses")[0]
        other, o90, o180, _ = fig16_refresh_saving(cfg, design, "explored")
        note = (f"ResNet-50, every layer at the running cases' tiling Tm = Tn = Tc = 16, Tr = 1 "
                f"(§IV-C1; reading '{FIG16_TILING}', chosen from §V-B2's text: see "
                "golden/rana/claims.py FIG16_TILINGS), normal controller; layers refreshed: "
                f"{len(at90)} of {n} at 90 us, {len(at180)} at 180 us; tolerance: the printed "
                f"digits; {_REFRESH_COUNT_NOTE}; in whole pulses from a divider started with the "
                f"network instead: {pulses:.2f} %; the other tiling reading, patterns and tilings "
                f"re-picked for the lowest energy at each interval ('explored'): {other:.2f} % "
                f"({len(o90)} layers refreshed at 90 us, {len(o180)} at 180 us)")
        if design == "eD+OD" and abs(model / 80.1 - 1) > printed("80.1")[1]:
            note = "NOT REPRODUCED at the printed digits; " + note
        if design == "eD+OD":
            note += (f"; under 'explored' the energy-optimal tilings keep all but {len(o90)} layers "
                     f"({', '.join(o90)}) under 90 us, and those still refresh at 180 us (conv1's "
                     f"inputs live {_conv1_min_lifetime_us(cfg):.0f} us even at Tn = 1), so the "
                     "refresh only halves")
        out.append(claim(f"rana.fig16.{design.replace('+', '').lower()}.refresh_saving_90_to_180us",
                         "rana", SEED, "§V-B2, Fig. 16", paper, model, "%", tolerance=PRINTED,
                         note=note))
    return out


def _loss_text(result) -> str:
    """Accuracy loss (pp) of the retrained model per rate, with its standard error."""
    clean = result.clean_accuracy
    return ", ".join(f"{r:g}: {100 * (clean - m):+.2f} (s.e. {100 * e:.2f})" for r, m, e in zip(
        result.rates, result.mean("retrained"), result.standard_error("retrained"), strict=True))


def _margin_text(result) -> str:
    """How far (in standard errors) the first rate past the tolerable one is beyond the no-loss bound."""
    bound = result.clean_accuracy - result.options.loss_tolerance
    for r, m, e in zip(result.rates, result.mean("retrained"), result.standard_error("retrained"), strict=True):
        if m < bound:
            return f"; the first rate with a loss, {r:g}, is {(bound - m) / e:.1f} s.e. past the bound" if e else ""
    return ""


def training_claims(cfg: RanaConfig) -> list[Claim]:
    from hymem.golden.rana.retention import distribution, tolerable_retention_us
    from hymem.golden.rana.training import StudyOptions, cached_study

    result = cached_study(StudyOptions())
    global_q88 = cached_study(StudyOptions(number_format="q8.8"))
    o = result.options
    rate = result.tolerable_rate("retrained")
    note = ("digits CNN (golden/nn) analog of Fig. 11, 16-bit per-layer (dynamic) fixed point, random-value "
            f"errors in every layer's inputs and weights, {o.repeats} seeded repeats x {o.draws} error draws, "
            f"retrained {o.epochs} epochs; no loss = mean accuracy within {o.loss_tolerance:.1%} of the clean "
            f"{result.clean_accuracy:.2%}; loss in pp per rate: {_loss_text(result)}{_margin_text(result)}; "
            "rates on a decade grid, "
            "so the rate must match exactly; the retention time is the distribution's value at that rate (power "
            "law anchored at the paper's (734 us, 1e-5), so it follows from the rate). In the global FX16 Q8.8 "
            "instead (an error in an integer bit turns a weight into +-64..128) the tolerable rate is "
            f"{global_q88.tolerable_rate('retrained') or 'none of the grid'} (loss in pp: {_loss_text(global_q88)})")
    model_rate = rate if rate is not None else 0.0
    model_us = tolerable_retention_us(distribution(cfg.retention), rate) if rate else 0.0
    return [
        claim("rana.training.tolerable_failure_rate", "rana", SEED, "§IV-B, Fig. 11", 1e-5, model_rate, "1",
              tolerance=1e-9, note=note),
        claim("rana.training.tolerable_retention", "rana", SEED, "§IV-B, Fig. 8", "734", model_us, "us",
              kind="input", note="INPUT: the retention distribution is a power law anchored at the paper's "
              "(734 us, 1e-5), so at the rate 1e-5 it returns 734 us by construction; " + note),
    ]


@register("rana")
def claims() -> list[Claim]:
    cfg = load_rana_config()
    return (lifetime_claims(cfg) + [buffer_claim(cfg)] + fig15_claims(cfg) + fig16_claims(cfg)
            + dadiannao_claims(cfg) + training_claims(cfg))
