"""golden.hydra.mac: functional model vs a naive per-pair loop; cycle model vs hand-derived counts."""

import numpy as np
import pytest

from hymem.golden.fixed import FixedFormat
from hymem.golden.hydra.mac import MacBatch, mac_cycle_model, mac_results

FMT = FixedFormat()


def naive_mac(batches, fmt):
    """One pair at a time with a register-width wrap after every addition."""
    def wrap(x, bits):
        return (x + (1 << (bits - 1))) % (1 << bits) - (1 << (bits - 1))

    def requant(acc):
        q = (acc + (1 << (fmt.frac - 1))) >> fmt.frac
        return max(fmt.min_value, min(fmt.max_value, q))

    out = []
    for b in batches:
        acc = None
        for w, a, last in zip(b.w.tolist(), b.a.tolist(), b.last.tolist()):
            acc = wrap((b.bias << fmt.frac) if acc is None else acc, fmt.acc_width)
            acc = wrap(acc + w * a, fmt.acc_width)
            if last:
                out.append((requant(acc), acc))
                acc = None
    return out


def random_batches(rng, n_batches, fmt=FMT):
    batches = []
    for _ in range(n_batches):
        n = int(rng.integers(1, 60))
        last = rng.random(n) < 0.2
        clear_after = bool(rng.random() < 0.3)
        last[-1] = not clear_after
        batches.append(MacBatch(int(rng.integers(fmt.min_value, fmt.max_value + 1)),
                                rng.integers(fmt.min_value, fmt.max_value + 1, n),
                                rng.integers(fmt.min_value, fmt.max_value + 1, n), last, clear_after,
                                gap=rng.integers(0, 3, n)))
    return batches


def test_functional_matches_naive_loop():
    rng = np.random.default_rng(7)
    batches = random_batches(rng, 200)
    got = mac_results(batches, FMT)
    assert list(zip(got.value.tolist(), got.acc.tolist())) == naive_mac(batches, FMT)


def test_accumulator_wraps_like_a_register():
    fmt = FixedFormat(acc_width=32)
    batch = MacBatch(0, [-32768] * 3, [-32768] * 3, [0, 0, 1])  # 3 * 2**30 overflows 32 bits
    assert mac_results([batch], fmt).acc.tolist() == [3 * 2**30 - 2**32]


def test_bias_is_added_once_per_neuron():
    batch = MacBatch(256, [256, 512, -256], [256, 256, 256], [0, 1, 1])  # bias 1.0; 1*1+2*1, -1*1
    r = mac_results([batch], FMT)
    assert r.value.tolist() == [4 * 256, 0]


def test_cycle_model_full_rate_by_hand():
    n = 50
    batch = MacBatch(0, np.ones(n), np.ones(n), np.arange(n) % 5 == 4)
    cost = mac_cycle_model([batch], np.ones(0))
    # one idle-observation cycle, one bias-load cycle, n transfers, two pipeline stages
    assert (cost.macs, cost.busy_cycles, cost.cycles) == (n, n + 1, n + 4)


def test_cycle_model_backpressure_by_hand():
    # Two one-pair neurons; the sink refuses for cycles 0..19: the first result waits in the
    # output register, the second stalls in stage 1 behind it.
    batch = MacBatch(0, [1, 1], [1, 1], [1, 1])
    ready = np.zeros(20, dtype=bool)
    cost = mac_cycle_model([batch], ready)
    # pair 0 accepted in cycle 2, pair 1 in cycle 3; result 0 valid from cycle 4 and taken in
    # cycle 20; result 1 registered at the end of cycle 20 and taken in cycle 21.
    assert cost.macs == 2
    assert cost.busy_cycles == 21 - 3 + 1  # cycles 3..21
    assert cost.cycles == 22


def test_cycle_model_clear_drops_the_in_flight_pair():
    rng = np.random.default_rng(3)
    batches = random_batches(rng, 100)
    cost = mac_cycle_model(batches, rng.random(20000) < 0.7)
    total = sum(len(b.w) for b in batches)
    assert cost.macs == total - sum(b.clear_after for b in batches)


def test_batch_must_close_its_neuron_or_clear():
    with pytest.raises(ValueError, match="last pair must close"):
        MacBatch(0, [1, 2], [1, 2], [0, 0])


def test_sequential_cycle_model_full_rate_by_hand():
    n = 20
    batch = MacBatch(0, np.ones(n), np.ones(n), np.arange(n) % 5 == 4)
    cost = mac_cycle_model([batch], np.ones(0), iterations=8)
    # pairs accepted at cycles 2, 10, ..., 2 + 8(n-1) = a; the last product is formed in
    # a+1..a+8, summed at a+9, its result taken at a+10; busy from cycle 3 through a+10.
    a = 2 + 8 * (n - 1)
    assert (cost.macs, cost.busy_cycles, cost.cycles) == (n, a + 10 - 3 + 1, a + 11)


def test_sequential_multiplier_cycles_follow_the_width():
    from hymem.golden.hydra.mac import booth_iterations, multiply_cycles

    assert booth_iterations(FMT.width) == 8 and multiply_cycles("sequential", FMT) == 8
    assert multiply_cycles("pipelined", FMT) == 1
    assert booth_iterations(9) == 5
    with pytest.raises(ValueError, match="valid: pipelined, sequential"):
        multiply_cycles("booth", FMT)
