"""RANA golden model: lifetimes, storage, utilization, counts, retention — against hand-derived numbers,
the paper's worked examples and a naive loop-nest walk."""

import dataclasses
import itertools

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.rana.config_words import Pattern
from hymem.golden.rana.cost import Buffer, layer_counts, next_phase
from hymem.golden.rana.lifetime import (
    ConvShape,
    Tiling,
    TilingError,
    check_tiling,
    layer_cycles,
    lifetime_cycles,
    storage_words,
    utilization,
)
from hymem.golden.rana.params import load_rana_config
from hymem.golden.rana.retention import (
    RetentionDistribution,
    distribution,
    load_table,
    power_law_exponent,
    tolerable_retention_us,
)

CFG = load_rana_config()
P = CFG.platform
US = P.freq_hz / 1e6  # cycles per µs

# A small layer derived by hand: M=32, N=8, R=C=4, K=3, S=1 -> H=L=6; Tm=16, Tn=4, Tr=2, Tc=4.
SMALL = ConvShape(M=32, N=8, R=4, C=4, K=3, S=1)
T_SMALL = Tiling(16, 4, 2, 4)


def test_small_layer_cycles_and_eta_by_hand():
    # 2 passes of 16 output channels x 1 pass of 4 (of 16) columns x R=4 rows x N=8 x K^2=9
    assert int(layer_cycles(SMALL, T_SMALL, P)) == 2 * 1 * 4 * 8 * 9 == 576
    assert float(utilization(SMALL, T_SMALL, P)) == pytest.approx(36864 / (256 * 576)) == 0.25


@pytest.mark.parametrize("pattern, life_cycles, store", [
    # OD: LT_i = LT_o = T2 = 2*1*4*Tn*9 = 288; LT_w = T1 = 1*1*4*4*9 = 144
    (Pattern.OD, {"input": 288, "output": 288, "weight": 144},
     {"input": 4 * 6 * 6, "output": 32 * 4 * 4, "weight": 4 * 16 * 9}),
    # ID: LT_i = whole layer 576; LT_w = one Tm slice over all N, R, C = 1*1*4*8*9 = 288; LT_o = 0
    (Pattern.ID, {"input": 576, "output": 0, "weight": 288},
     {"input": 8 * 6 * 6, "output": 16 * 2 * 4, "weight": 8 * 16 * 9}),
    # WD: LT_i = one RC tile over all M, N = 2*1*2*8*9 = 288; LT_w = whole layer; Th = 4, Tl = 6
    (Pattern.WD, {"input": 288, "output": 0, "weight": 576},
     {"input": 8 * 4 * 6, "output": 16 * 2 * 4, "weight": 8 * 32 * 9}),
])
def test_small_layer_lifetime_and_storage_by_hand(pattern, life_cycles, store):
    life = lifetime_cycles(SMALL, pattern, T_SMALL, P)
    assert {k: int(v) for k, v in life.items()} == life_cycles
    got = storage_words(SMALL, pattern, T_SMALL)
    assert {k: int(got[k]) for k in store} == store
    assert int(got["total"]) == sum(store.values())


def test_paper_equation_9_matches_loop_timing():
    # eq. (9): M*Tn*R*C*K^2 / (MAC * f * eta), written out independently
    eta = float(utilization(SMALL, T_SMALL, P))
    eq9_us = 32 * 4 * 4 * 4 * 9 / (256 * 200e6 * eta) * 1e6
    assert float(lifetime_cycles(SMALL, Pattern.OD, T_SMALL, P)["input"]) / US == pytest.approx(eq9_us)
    assert eq9_us == pytest.approx(1.44)


@pytest.mark.parametrize("M, C, tm, tc, eta", [
    (1024, 14, 16, 16, 0.875), (512, 28, 16, 16, 0.875), (64, 56, 16, 16, 56 / 64), (64, 64, 16, 16, 1.0),
    (20, 16, 16, 16, 20 / 32), (64, 7, 16, 16, 7 / 16), (40, 40, 32, 32, (40 / 48) ** 2)])
def test_utilization_edge_effects(M, C, tm, tc, eta):
    shape = ConvShape(M=M, N=8, R=3, C=C, K=1)
    assert float(utilization(shape, Tiling(tm, 8, 1, tc), P)) == pytest.approx(eta)


def test_paper_layer_a_and_b_lifetimes():
    """§IV-C1 / §IV-D2: 72 µs, 1290 / 645 µs, 40 µs (seed 004)."""
    a = ConvShape(1024, 256, 14, 14, 1, 2)
    assert float(lifetime_cycles(a, Pattern.OD, Tiling(16, 16, 1, 16), P)["output"]) / US == pytest.approx(72, abs=0.5)
    b = ConvShape(512, 256, 28, 28, 3, 1)
    for tn, lt in ((16, 1290), (8, 645)):
        life = lifetime_cycles(b, Pattern.OD, Tiling(16, tn, 1, 16), P)
        assert float(life["input"]) / US == pytest.approx(lt, abs=0.5)
        assert float(life["output"]) / US == pytest.approx(lt, abs=0.5)
    assert float(lifetime_cycles(b, Pattern.OD, Tiling(16, 16, 1, 16), P)["weight"]) / US == pytest.approx(40, abs=0.5)


def test_od_output_lifetime_zero_with_single_n_pass():
    shape = ConvShape(64, 3, 8, 8, 3)
    assert int(lifetime_cycles(shape, Pattern.OD, Tiling(16, 3, 1, 8), P)["output"]) == 0
    assert int(lifetime_cycles(shape, Pattern.OD, Tiling(16, 1, 1, 8), P)["output"]) > 0


def test_check_tiling_names_each_violated_constraint():
    core = CFG.core
    with pytest.raises(TilingError) as e:
        check_tiling(ConvShape(512, 256, 28, 28, 3), Tiling(64, 256, 4, 16), core)
    msg = str(e.value)
    assert "Tn*Th*Tl" in msg and "R_i" in msg and "Tm*Tr*Tc" in msg and "R_o" in msg and "Tm*Tn*K^2" in msg
    with pytest.raises(TilingError, match=r"Tm\*Tr\*Tc = 16\*2\*16 = 512 > R_o = 256"):
        check_tiling(ConvShape(64, 8, 8, 16, 1), Tiling(16, 8, 2, 16), core)
    with pytest.raises(TilingError, match="Tn=0 must be >= 1"):
        check_tiling(ConvShape(64, 8, 8, 16, 1), Tiling(16, 0, 1, 16), core)
    check_tiling(ConvShape(64, 8, 8, 16, 1), Tiling(16, 8, 1, 16), core)  # fits: no error


def test_bad_shape_is_a_config_error():
    with pytest.raises(ConfigError, match="K=0"):
        ConvShape(16, 16, 4, 4, 0)


# --- operation counts against a naive walk of the loop nest ------------------

ORDERS = {Pattern.ID: ("m", "rc", "n"), Pattern.OD: ("n", "m", "rc"), Pattern.WD: ("rc", "m", "n")}


def _naive_core_traffic(s: ConvShape, pattern: Pattern, t: Tiling) -> dict:
    """Walk the tiled loops; a tile is fetched into the core when its id differs from the resident one."""
    ms = [(m, min(t.tm, s.M - m)) for m in range(0, s.M, t.tm)]
    ns = [(n, min(t.tn, s.N - n)) for n in range(0, s.N, t.tn)]
    rcs = [((r, min(t.tr, s.R - r)), (c, min(t.tc, s.C - c)))
           for r in range(0, s.R, t.tr) for c in range(0, s.C, t.tc)]
    loops = {"m": ms, "n": ns, "rc": rcs}
    order = ORDERS[pattern]
    res_i = res_w = res_o = None
    visited = set()
    counts = {"input": 0, "weight": 0, "out_w": 0, "out_r": 0}
    for combo in itertools.product(*(loops[k] for k in order)):
        it = dict(zip(order, combo, strict=True))
        (m, tm), (n, tn), ((r, tr), (c, tc)) = it["m"], it["n"], it["rc"]
        th, tl = min((tr - 1) * s.S + s.K, s.H), min((tc - 1) * s.S + s.K, s.L)
        if (n, r, c) != res_i:
            res_i = (n, r, c)
            counts["input"] += tn * th * tl
        if (m, n) != res_w:
            res_w = (m, n)
            counts["weight"] += tm * tn * s.K ** 2
        if res_o is None or (m, r, c) != res_o[:3]:
            if res_o is not None:
                counts["out_w"] += res_o[3]
            if (m, r, c) in visited:
                counts["out_r"] += tm * tr * tc
            visited.add((m, r, c))
            res_o = (m, r, c, tm * tr * tc)
    counts["out_w"] += res_o[3]
    return counts


BIG = Buffer("edram", 64, 11632, "optimized", 0)


@pytest.mark.parametrize("pattern", list(Pattern))
@pytest.mark.parametrize("shape, t", [
    (ConvShape(32, 8, 4, 4, 3), Tiling(16, 4, 2, 4)),
    (ConvShape(40, 12, 6, 5, 3, 2), Tiling(16, 8, 4, 4)),
    (ConvShape(24, 6, 7, 9, 1), Tiling(32, 2, 3, 16)),
    (ConvShape(16, 5, 5, 5, 5, 1), Tiling(16, 5, 1, 16)),
])
def test_buffer_counts_equal_naive_loop_walk(pattern, shape, t):
    naive = _naive_core_traffic(shape, pattern, t)
    c = layer_counts(shape, pattern, t, P, BIG)
    ddr = int(c["ddr"])
    assert int(c["buffer"]) - ddr == naive["input"] + naive["weight"] + naive["out_w"] + naive["out_r"]
    assert int(c["spill_words"]) == 0
    # every pattern reads the stored input map once from DDR; WD's halo re-reads come from the buffer
    assert ddr == shape.input_words + shape.weight_words + shape.output_words
    assert int(c["mac"]) == shape.macs


# SMALL / T_SMALL by hand: 2 M tiles, 2 N tiles, 2 RC tiles (R: 2 tiles of Tr=2, C: 1 tile of Tc=4);
# input tile Th = (2-1)+3 = 4, Tl = (4-1)+3 = 6; one sweep over all (n, rc) input tiles = N*sum(Th)*sum(Tl)
# = 8*(4+4)*6 = 384 words (halo rows counted twice); W = 32*8*9 = 2304; O = 32*4*4 = 512; I = 8*6*6 = 288.
# Tiles per core step: input 4*4*6 = 96, weight 16*4*9 = 576, output 16*2*4 = 128; 8 core steps.
@pytest.mark.parametrize("pattern, expected", [
    # ID (M, RC, N): N innermost -> the input and weight tiles change every step (8*96, 8*576);
    # outputs accumulate over N in the PEs and are written once per (m, rc): 4*128, never read back.
    (Pattern.ID, {"input_reads": 768, "weight_reads": 4608, "output_writes": 512, "output_reads": 0,
                  "ddr": 288 + 2304 + 512}),
    # OD (N, M, RC): RC innermost -> input tile changes every step (768); the (m, n) weight tile once per
    # 2 steps (4*576 = W); outputs written every step (8*128) and read back in the second N pass (4*128).
    (Pattern.OD, {"input_reads": 768, "weight_reads": 2304, "output_writes": 1024, "output_reads": 512,
                  "ddr": 288 + 2304 + 512}),
    # WD (RC, M, N): as ID inside one RC tile; the buffer serves the halo rows twice (768 reads), but DDR
    # delivers each input once (288): §V-B4/§V-C count no extra off-chip access for WD.
    (Pattern.WD, {"input_reads": 768, "weight_reads": 4608, "output_writes": 512, "output_reads": 0,
                  "ddr": 288 + 2304 + 512}),
])
def test_buffer_words_by_kind_by_hand(pattern, expected):
    c = layer_counts(SMALL, pattern, T_SMALL, P, BIG)
    assert {k: int(v) for k, v in c["buffer_words"].items()} == expected
    assert int(c["buffer"]) == sum(expected.values())
    assert int(c["ddr"]) == expected["ddr"]
    grouped = layer_counts(SMALL, pattern, T_SMALL, P, BIG, repeat=3)
    assert int(grouped["buffer_words"]["weight_reads"]) == 3 * expected["weight_reads"]


def test_refresh_counts_by_hand():
    shape, t = SMALL, T_SMALL  # 576 cycles; ID lifetimes: inputs 576, weights 288, outputs 0
    period = 100               # 5 pulses; inputs and weights outlive it
    normal = layer_counts(shape, Pattern.ID, t, P, Buffer("edram", 8, 1000, "normal", period))
    assert int(normal["refresh"]) == 5 * 8 * 1000
    opt = layer_counts(shape, Pattern.ID, t, P, Buffer("edram", 8, 1000, "optimized", period))
    # banks: inputs 288 words -> 1, weights 1152 -> 2, outputs 128 -> 1 (lifetime 0: no refresh)
    assert {k: int(v) for k, v in opt["banks"].items()} == {"input": 1, "output": 1, "weight": 2}
    assert int(opt["refresh"]) == 5 * (1 + 2) * 1000
    long = layer_counts(shape, Pattern.ID, t, P, Buffer("edram", 8, 1000, "normal", 577))
    assert int(long["refresh"]) == 0  # nothing outlives the interval, and no pulse fits
    sram = layer_counts(shape, Pattern.ID, t, P, Buffer("sram", 8, 1000, "none", 0))
    assert int(sram["refresh"]) == 0


def test_refresh_pulses_carry_the_divider_phase():
    # the divider runs on across layers (rtl/rana/clock_divider.py): 576 cycles from phase 50 with a
    # 100-cycle interval see pulses at 100, 200, ..., 600 -> 6, not floor(576/100) = 5; next phase 26
    buf = Buffer("edram", 8, 1000, "normal", 100)
    c = layer_counts(SMALL, Pattern.ID, T_SMALL, P, buf, phase=50)
    assert int(c["refresh"]) == 6 * 8 * 1000
    assert next_phase(50, 576, buf) == 26
    assert next_phase(50, 576, Buffer("sram", 8, 1000, "none", 0)) == 0


def test_spill_when_dominant_data_does_not_fit():
    # ID inputs 288 words; 3 banks of 128: outputs (128) and weights (1152 -> 9 banks) overflow -> infeasible
    c = layer_counts(SMALL, Pattern.ID, T_SMALL, P, Buffer("sram", 3, 128, "none", 0))
    assert not bool(c["feasible"])
    # 12 banks of 128: outputs 1 + weights 9, inputs get 2 banks = 256 < 288: all inputs re-fetched
    c = layer_counts(SMALL, Pattern.ID, T_SMALL, P, Buffer("sram", 12, 128, "none", 0))
    assert bool(c["feasible"])
    assert int(c["spill_words"]) == 288 * (2 - 1)  # ceil(M/Tm) = 2 passes over the inputs


# --- retention distribution ---------------------------------------------------

def test_power_law_through_both_points():
    d = distribution(CFG.retention)
    assert float(d.failure_rate(45)) == pytest.approx(3e-6)
    assert float(d.failure_rate(734)) == pytest.approx(1e-5)
    assert tolerable_retention_us(d, 1e-5) == pytest.approx(734)
    assert tolerable_retention_us(d, 3e-6) == pytest.approx(45)
    b = np.log(10 / 3) / np.log(734 / 45)
    assert power_law_exponent(CFG.retention) == pytest.approx(b)
    assert float(d.failure_rate(90)) == pytest.approx(3e-6 * 2 ** b)
    t = np.array([10, 45, 100, 734, 2000, 1e5])
    assert np.all(np.diff(d.failure_rate(t)) > 0)
    assert np.allclose(d.retention_us(d.failure_rate(t)), t)


def test_retention_table(tmp_path):
    p = tmp_path / "ret.toml"
    p.write_text("[[point]]\nretention_us = 10\nfailure_rate = 1e-7\n"
                 "[[point]]\nretention_us = 100\nfailure_rate = 1e-6\n"
                 "[[point]]\nretention_us = 1000\nfailure_rate = 1e-4\n")
    d = load_table(p)
    assert float(d.failure_rate(100)) == pytest.approx(1e-6)
    assert float(d.failure_rate(np.sqrt(10 * 100))) == pytest.approx(np.sqrt(1e-7 * 1e-6))
    assert tolerable_retention_us(d, 1e-5) == pytest.approx(np.sqrt(100 * 1000))
    cfg = dataclasses.replace(CFG.retention, model="table", table_path=str(p))
    assert distribution(cfg).source == str(p)
    with pytest.raises(ConfigError, match="increase strictly"):
        RetentionDistribution((0.0, 1.0), (0.0, -1.0), "x")
    with pytest.raises(ConfigError, match="no such file"):
        load_table(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match=r"\(0, 1\]"):
        d.retention_us(0.0)


def test_buffer_counts_equal_naive_walk_random():
    rng = np.random.default_rng(5)
    print("seed 5")
    for _ in range(40):
        shape = ConvShape(M=int(rng.integers(1, 40)), N=int(rng.integers(1, 10)), R=int(rng.integers(1, 7)),
                          C=int(rng.integers(1, 7)), K=int(rng.choice([1, 3])), S=int(rng.choice([1, 2])))
        t = Tiling(int(rng.integers(1, 40)), int(rng.integers(1, 10)), int(rng.integers(1, 7)),
                   int(rng.integers(1, 7)))
        for pattern in Pattern:
            naive = _naive_core_traffic(shape, pattern, t)
            c = layer_counts(shape, pattern, t, P, BIG)
            assert int(c["buffer"]) - int(c["ddr"]) == sum(naive.values()), (shape, t, pattern)


def test_worked_number_claims_within_printed_precision():
    from hymem.golden.rana.claims import buffer_claim, lifetime_claims

    claims = lifetime_claims(CFG) + [buffer_claim(CFG)]
    assert [c.id for c in claims] == ["rana.layerA.od.lt_o", "rana.layerB.od.lt_io.tn16", "rana.layerB.od.lt_io.tn8",
                                      "rana.layerB.od.lt_w", "rana.layerA.min_buffer"]
    assert all(c.ok for c in claims), [(c.id, c.model) for c in claims if not c.ok]
    # 785 KB accounting: 256*28*28 inputs + 1024*14*14 outputs + 256 weights, 2 B each
    assert claims[-1].model == (256 * 28 * 28 + 1024 * 14 * 14 + 256) * 2 / 1024


def test_sid_accesses_needed_by_the_headline_pair():
    """Hand-derived: halving both S+ID's off-chip and its energy, with RANA* at the minimum traffic
    and its MACs, leaves S+ID exactly RANA*'s MAC energy for buffer access: beta_b * E_buf = alpha * E_mac."""
    from types import SimpleNamespace

    from hymem.golden.rana.claims import _sid_accesses_needed
    from hymem.golden.rana.study import BENCHMARKS

    def sched(mac, ddr):
        return SimpleNamespace(totals=lambda: {"mac": mac, "ddr": ddr})

    matrix = {**{(n, "S+ID"): sched(1000 if n == BENCHMARKS[0] else 0, 0) for n in BENCHMARKS},
              **{(n, "RANA*(E-5)"): sched(0, 10 if n == BENCHMARKS[0] else 0) for n in BENCHMARKS}}
    per_mac, share = _sid_accesses_needed(CFG, matrix, 0.5, 0.5)
    assert per_mac == pytest.approx(1.3 / 18.2)               # Table III: E_mac / E_buffer (SRAM)
    assert share == pytest.approx(100 * (1 - 2 * 10 * 2112.9 / (2 * (10 * 2112.9 + 1300))))
