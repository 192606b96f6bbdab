"""SHyCache claims (seed 000 §VI): the trace model's design space beside the paper's.

Every model value is computed at call time from the L1 x L2 grid of the three networks
(:func:`golden.shycache.model.grid_rows`, memoized under ``build/cache/`` by config, tech
table and code).  Geometry claims ("the peak is at 64/16") compare the STT capacity (KB)
of the model's best point with the paper's, exactly (tolerance 0: a grid position is
either the same or not).  Gains and power reductions carry the paper's printed digits.

What the trace model leaves out against gem5-X full system (so where it can differ):
the OS and its memory traffic, instruction fetch (L1-I), the weight-loading phase before
inference, the out-of-order overlap of the 7-entry LSQ (our core blocks on every memory
operation), hardware prefetchers, DRAM bank/row timing (one fixed latency), and ACL's
real kernels and thread scheduling (ours is a model of them; rows are sampled per layer,
see :mod:`golden.shycache.cnn_trace`).  The energies of both memories are assumptions
(the seed gives none); power is that of the L1-D and L2 arrays only.

Kinds: the geometry, gain and bit-flip claims are predictions.  Power depends on
technology numbers the seed does not give; one of them, the STT-MRAM leakage per KB, is
fitted (a scale on the tech table's value) so that SqueezeNet's all-STT power reduction
is the paper's 5.4x — that claim is the ``calibration``; Inception's 5.1x and ResNet's
5.2x, and every power-geometry claim, are predictions under the fitted value.
Claims the model does not reproduce stay visible as ``expected="out"``;
``tests/test_shycache_claims.py`` shows for each group that the paper's stated
parameters do not determine the number (the value moves across the paper's printed
tolerance under parameters the paper does not give).
"""

from __future__ import annotations

from hymem.golden.claims import Claim, claim, register

from .model import BASE_L1, BASE_L2, PAPER_NETWORKS, network_grid
from .params import NO_L2, load_shycache_config

SEED = "000_b3f53970f1bc690d.txt"
SHORT = {"inception_v4": "inception", "resnet50": "resnet", "squeezenet1_0": "squeezenet"}
# §VI-A: L1-only gains at 64/16; §VI-A / abstract: maximum gains; §VI-B / abstract:
# maximum power reductions; §VI-D: the balanced design (SRAM L1 + 2048/512 L2) gains.
L1_PEAK_GAIN = {"inception_v4": "1.31", "resnet50": "1.09", "squeezenet1_0": "1.03"}
MAX_GAIN = {"inception_v4": "1.7", "resnet50": "1.4", "squeezenet1_0": "1.3"}
MAX_POWER = {"inception_v4": "5.1", "resnet50": "5.2", "squeezenet1_0": "5.4"}
BALANCED_GAIN = {"inception_v4": "1.6", "resnet50": "1.1", "squeezenet1_0": "1.1"}
BALANCED = (BASE_L1, "2048/512")
ALL_STT = ("128/0", "4096/0")
CALIBRATION_NET = "squeezenet1_0"  # its 5.4x fixes the one fitted parameter (STT leakage)

# Judged after running the model (never by tuning it): (claim id suffix, network) pairs
# whose model value falls outside the paper's tolerance, with the reason shown.
_T = "tests/test_shycache_claims.py::"
WHY = {
    "latency": "the gain moves beyond the printed tolerance with the DRAM latency, which the "
               "paper does not give (" + _T + "test_gains_depend_on_the_unstated_memory_latency)",
    "subarrays": "the all-STT L2's stalls, hence whether 4096/0 beats 1024/768, turn on the STT "
                 "subarray count, which the paper does not give (" + _T
                 + "test_l2_ranking_depends_on_the_unstated_subarray_count)",
    "blocking_l1": "the L1-only ranking and gain turn on the SGEMM blocking, which the paper "
                   "does not give (" + _T + "test_l1_peak_depends_on_the_unstated_kernel_blocking)",
    "blocking_flips": "the L2 with the fewest flips turns on the SGEMM blocking, which the paper "
                      "does not give (" + _T
                      + "test_fewest_flips_location_depends_on_the_unstated_kernel_blocking)",
    "blocking_flip_peak": "which L2 thrashes and so flips most turns on the SGEMM blocking, "
                          "which the paper does not give (" + _T
                          + "test_fewest_flips_location_depends_on_the_unstated_kernel_blocking:"
                          " the same blocking change doubles one L2's flips)",
    "write_energy": "the power optimum and reduction turn on the STT write energy, which the "
                    "paper does not give (" + _T
                    + "test_power_optimum_location_depends_on_unstated_stt_write_energy, "
                    "test_power_reduction_depends_on_unstated_stt_energies)",
}
_OUT = {
    "squeezenet1_0": {"l1_gain_64_16": "blocking_l1", "l2_best": "subarrays",
                      "best_l2": "subarrays", "max_gain": "latency",
                      "max_power_l1": "write_energy", "fewest_flips_l2": "blocking_flips",
                      "balanced_gain": "latency"},
    "resnet50": {"l1_peak": "blocking_l1", "l1_gain_64_16": "blocking_l1", "l2_best": "subarrays",
                 "best_l1": "blocking_l1", "best_l2": "subarrays", "max_gain": "latency",
                 "max_power_reduction": "write_energy", "fewest_flips_l2": "blocking_flips",
                 "balanced_gain": "latency"},
    "inception_v4": {"l1_peak": "blocking_l1", "l1_gain_64_16": "blocking_l1",
                     "l2_best": "subarrays", "best_l1": "blocking_l1", "best_l2": "subarrays",
                     "max_gain": "latency", "max_power_l1": "write_energy",
                     "max_power_reduction": "write_energy", "flip_peak_l2": "blocking_flip_peak",
                     "fewest_flips_l2": "blocking_flips", "balanced_gain": "latency"},
}
EXPECTED_OUT: dict[tuple[str, str], str] = {
    (cid, net): WHY[why] for net, outs in _OUT.items() for cid, why in outs.items()}


def paper_grid(config=None) -> list[dict]:
    """The grid rows of the three paper networks (memoized on disk)."""
    cfg = config or load_shycache_config()
    return [row for net in PAPER_NETWORKS for row in network_grid(cfg, net)]


def _stt_kb(label: str) -> int:
    return 0 if label == NO_L2 else int(label.split("/")[0])


def _claim(cid, net, where, paper, model, unit, **kw) -> Claim:
    key = (cid, net)
    expected = "out" if key in EXPECTED_OUT else "ok"
    note = kw.pop("note", "")
    if key in EXPECTED_OUT:
        note = (note + "; " if note else "") + "expected out: " + EXPECTED_OUT[key]
    return claim(f"shycache.{SHORT[net]}.{cid}", "shycache", SEED, where, paper, model, unit,
                 note=note, expected=expected, **kw)


def _exact(cid, net, where, paper_kb, model_kb, what) -> Claim:
    return _claim(cid, net, where, float(paper_kb), float(model_kb), "KB STT", tolerance=0.0,
                  note=f"{what}: STT capacity of the model's best grid point; a grid position "
                       "matches or not (tolerance 0)")


def _stt_leakage(key: str) -> bool:
    return key.startswith("leakage:") and key.endswith(".stt")


def power_with_stt_leakage(row: dict, scale: float) -> float:
    """Power of a grid row with every STT-MRAM leakage energy multiplied by ``scale``."""
    joules = sum(v * (scale if _stt_leakage(k) else 1.0)
                 for k, v in row["energy_breakdown_j"].items())
    return joules / row["seconds"]


def calibrate_stt_leakage(rows: list[dict], net: str = CALIBRATION_NET) -> float:
    """The STT leakage scale at which ``net``'s all-STT power reduction is the paper's.

    Power is linear in the scale: P(s) = (E_other + s E_stt_leak) / T, so the fit is exact.
    """
    at = {(r["l1"], r["l2"]): r for r in rows if r["network"] == net}
    base, stt = at[(BASE_L1, BASE_L2)], at[ALL_STT]
    target_j = base["power_w"] / float(MAX_POWER[net]) * stt["seconds"]
    other = sum(v for k, v in stt["energy_breakdown_j"].items() if not _stt_leakage(k))
    leak = sum(v for k, v in stt["energy_breakdown_j"].items() if _stt_leakage(k))
    return (target_j - other) / leak


def with_calibrated_power(rows: list[dict], scale: float) -> list[dict]:
    """Rows with ``power_reduction`` recomputed under the calibrated STT leakage."""
    out = []
    for r in rows:
        base = next(b for b in rows if b["network"] == r["network"] and b["l1"] == BASE_L1
                    and b["l2"] == (NO_L2 if r["l2"] == NO_L2 else BASE_L2))
        out.append({**r, "power_reduction": power_with_stt_leakage(base, scale)
                    / power_with_stt_leakage(r, scale)})
    return out


def network_claims(rows: list[dict], net: str, scale: float) -> list[Claim]:
    mine = [r for r in rows if r["network"] == net]
    at = {(r["l1"], r["l2"]): r for r in mine}
    no_l2 = [r for r in mine if r["l2"] == NO_L2]
    with_l2 = [r for r in mine if r["l2"] != NO_L2]
    sram_l1 = [r for r in with_l2 if r["l1"] == BASE_L1]
    best_l1 = max(no_l2, key=lambda r: r["gain"])
    best_l2 = max(sram_l1, key=lambda r: r["gain"])
    best = max(with_l2, key=lambda r: r["gain"])
    best_power = max(mine, key=lambda r: r["power_reduction"])
    flip_peak = max(sram_l1, key=lambda r: r["stt_bitflips"] or 0)
    with_stt = [r for r in with_l2 if (r["stt_bitflips"] or 0) > 0]
    fewest = min(with_stt, key=lambda r: r["stt_bitflips"])
    return [
        _exact("l1_peak", net, "§VI-A, Fig. 3a (No-L2)", 64, _stt_kb(best_l1["l1"]),
               "L1-only gain peaks at 64/16"),
        _claim("l1_gain_64_16", net, "§VI-A, Fig. 3a (No-L2)", L1_PEAK_GAIN[net],
               at[("64/16", NO_L2)]["gain"], "x"),
        _exact("l2_best", net, "§VI-A, Fig. 3a (L1 0/32)", 4096, _stt_kb(best_l2["l2"]),
               "L2 gains rise with the STT share up to 4096/0"),
        _exact("best_l1", net, "§VI-D", 64, _stt_kb(best["l1"]),
               "best performance: L1 of the best point is 64/16"),
        _exact("best_l2", net, "§VI-D", 4096, _stt_kb(best["l2"]),
               "best performance: L2 of the best point is 4096/0"),
        _claim("max_gain", net, "§VI-A, abstract", MAX_GAIN[net], best["gain"], "x"),
        _exact("max_power_l1", net, "§VI-B, §VI-D", 128, _stt_kb(best_power["l1"]),
               "largest power reduction: all-STT L1"),
        _exact("max_power_l2", net, "§VI-B, §VI-D", 4096, _stt_kb(best_power["l2"]),
               "largest power reduction: all-STT L2"),
        _claim("max_power_reduction", net, "§VI-B, abstract (all-STT L1 + L2)", MAX_POWER[net],
               at[ALL_STT]["power_reduction"], "x",
               kind="calibration" if net == CALIBRATION_NET else "prediction",
               note=f"L1-D + L2 array power; STT-MRAM leakage per KB scaled x{scale:.3f}, fitted "
                    f"on {SHORT[CALIBRATION_NET]}'s all-STT point (the one calibration)"),
        _exact("flip_peak_l2", net, "§VI-C, Fig. 5b (L1 0/32)", 512, _stt_kb(flip_peak["l2"]),
               "bit flips peak at the 512/896 L2"),
        _exact("fewest_flips_l1", net, "§VI-D", 0, _stt_kb(fewest["l1"]),
               "lowest bit flips (points with an L2 and STT): an SRAM L1"),
        _exact("fewest_flips_l2", net, "§VI-D", 2048, _stt_kb(fewest["l2"]),
               "lowest bit flips (points with an L2 and STT): 0/32 L1 + 2048/512 L2"),
        _claim("balanced_gain", net, "§VI-D", BALANCED_GAIN[net], at[BALANCED]["gain"], "x"),
    ]


@register("shycache")
def shycache_claims() -> list[Claim]:
    rows = paper_grid()
    scale = calibrate_stt_leakage(rows)
    rows = with_calibrated_power(rows, scale)
    return [c for net in PAPER_NETWORKS for c in network_claims(rows, net, scale)]
