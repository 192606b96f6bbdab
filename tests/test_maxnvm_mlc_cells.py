"""tb/common/mlc_cells.py: accelerated reads through the golden MLC cell model (testbench helper)."""

import math

import numpy as np
import pytest

from hymem.golden.maxnvm import mlc
from hymem.golden.maxnvm.params import load_maxnvm_config
from hymem.tb.common.mlc_cells import MlcFaults, acceleration_for

CFG = load_maxnvm_config().mlc


@pytest.mark.parametrize("bpc", mlc.BITS_PER_CELL)
def test_acceleration_gives_the_expected_faults_for_the_stored_levels(bpc):
    seed = 99 + bpc
    print("seed", seed)
    rng = np.random.default_rng(seed)
    bits = (rng.random(900) < 0.2).astype(np.uint8)  # mostly level 0: not the level-average rate
    cells = MlcFaults(CFG.ctt, CFG.level_code, rng, expected_faults=3.0, at_least_one=False)
    reads = 400
    for _ in range(reads):
        cells.bits("s", bits, bpc)
    total = cells.faulty_cells["s"]
    assert abs(total - 3.0 * reads) < 5 * math.sqrt(3.0 * reads)
    assert total == cells.flipped_bits["s"]  # Gray: one bit per faulty cell, no padding here (900 % bpc == 0)


def test_acceleration_never_lowers_the_model_rate_and_caps_levels():
    many = np.zeros(3 * 10**6, np.uint8)  # 1e6 MLC3 cells at level 0 already expect > 3 faults
    assert acceleration_for(CFG.ctt, 3, many, 3.0) == 1.0
    a = acceleration_for(CFG.ctt, 3, np.zeros(3, np.uint8), 1e9)
    assert a * max(np.add(*mlc.adjacent_rates(CFG.ctt, 3))) == pytest.approx(0.5)


def test_at_least_one_fault_lands_in_the_used_bits_and_words_round_trip():
    rng = np.random.default_rng(5)
    cells = MlcFaults(CFG.rram, CFG.level_code, rng, expected_faults=0.01)  # rare: redraws until one
    buf = np.zeros(128, np.uint8)
    out = cells.surface("wgs", buf, 1, used_bits=40)
    flips = np.flatnonzero(np.unpackbits(out ^ buf, bitorder="little"))
    assert cells.flipped_bits["wgs"] >= 1 and flips.min() < 40
    cells.assert_injected(["wgs"])
    with pytest.raises(AssertionError, match="no MLC faults"):
        cells.assert_injected(["mask"])
    # SLC RRAM at its own rate (~1e-136): signed words come back unchanged
    clean = MlcFaults(CFG.rram, CFG.level_code, rng, expected_faults=0.0, at_least_one=False)
    words = np.array([-8, 7, 0, -1, 3])
    assert np.array_equal(clean.words("v", words, 4, 1, signed=True), words)
