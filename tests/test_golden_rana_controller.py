"""Golden model of the RANA eDRAM controller (golden/rana/controller.py) against hand-derived cases."""

from dataclasses import replace

import numpy as np
import pytest

from hymem.golden.rana.config_words import (
    ConfigWordError,
    LayerConfig,
    Pattern,
    pack_words,
    unpack_words,
    words_per_layer,
)
from hymem.golden.rana.controller import (
    LayerTraffic,
    RefreshModel,
    idle_traffic,
    layer_flags,
    layer_malformed,
    run_controller,
    run_divider,
    run_loader,
    run_refresh,
)
from hymem.golden.rana.params import load_rana_config

NO_TRAFFIC = LayerTraffic([], [], [], [])


def test_divider_first_pulse_one_period_after_load():
    assert run_divider({0: 5}, 21) == [5, 10, 15, 20]


def test_divider_reload_mid_interval_waits_for_the_pulse():
    # period 5 from cycle 0; a load of 3 in cycle 7 applies after the pulse of cycle 10
    assert run_divider({0: 5, 7: 3}, 20) == [5, 10, 13, 16, 19]


def test_divider_reload_at_the_pulse_applies_at_once():
    assert run_divider({0: 5, 5: 2}, 12) == [5, 7, 9, 11]


def test_divider_period_zero_stops_after_the_current_interval_and_restarts_on_load():
    assert run_divider({0: 4, 6: 0, 20: 3}, 27) == [4, 8, 23, 26]


def test_refresh_idle_sweeps_flagged_banks_only():
    model = RefreshModel(n_banks=4, rows_per_bank=10, row_words=16, max_wait=2)
    run_refresh(model, pulses=[3, 23], flag_loads={0: 0b0101}, traffic=NO_TRAFFIC, n_cycles=40)
    assert list(model.rows_refreshed) == [20, 0, 20, 0]
    assert model.counts == {"pulses": 2, "words_refreshed": 2 * 2 * 10 * 16, "accesses": 0,
                            "stall_cycles": 0, "violations": 0, "bad_accesses": 0}


def test_refresh_drops_accesses_outside_the_buffer():
    # the same back-to-back stream as below, but every access names row 3 of a 3-row bank (or bank 2 of 2):
    # each is accepted at once, none defers the sweep, none is performed
    traffic = LayerTraffic(gap=[1] + [0] * 5, bank=[0, 0, 0, 2, 2, 2], row=[3, 3, 3, 0, 0, 0], write=[True] * 6)
    model = RefreshModel(n_banks=2, rows_per_bank=3, row_words=16, max_wait=2)
    model.flags[:] = [True, False]
    accepted = run_refresh(model, pulses=[0], flag_loads={}, traffic=traffic, n_cycles=8)
    assert accepted == [1, 2, 3, 4, 5, 6]
    assert list(model.rows_refreshed) == [3, 0]          # rows in cycles 1, 2, 3: no deferral
    assert (model.counts["accesses"], model.counts["bad_accesses"], model.counts["stall_cycles"]) == (0, 6, 0)
    assert model.access_error


def test_refresh_defers_to_accesses_then_stalls_one_per_max_wait():
    # bank 0 flagged, 3 rows, max_wait 2; pulse in cycle 0; back-to-back accesses to bank 0 from cycle 1:
    # two accesses pass (refresh deferred twice), the third cycle is stolen, three times over.
    traffic = LayerTraffic(gap=[1] + [0] * 8, bank=[0] * 9, row=[0] * 9, write=[True] * 9)
    model = RefreshModel(n_banks=2, rows_per_bank=3, row_words=16, max_wait=2)
    model.flags[:] = [True, False]
    accepted = run_refresh(model, pulses=[0], flag_loads={}, traffic=traffic, n_cycles=14)
    assert accepted == [1, 2, 4, 5, 7, 8, 10, 11, 12]
    assert model.counts["stall_cycles"] == 3 and list(model.rows_refreshed) == [3, 0]


def test_refresh_pulse_before_the_sweep_ends_is_a_violation_per_bank():
    model = RefreshModel(n_banks=3, rows_per_bank=10, row_words=16, max_wait=4)
    model.flags[:] = True
    run_refresh(model, pulses=[0, 6, 12], flag_loads={}, traffic=NO_TRAFFIC, n_cycles=30)
    # rows 0..4 in cycles 1..5 and row 5 in the pulse cycle itself (the unfinished sweep still owns
    # that cycle), then the sweep restarts from row 0: 6 + 6 + 10 rows per bank, 2 late pulses x 3 banks
    assert model.counts["violations"] == 2 * 3
    assert list(model.rows_refreshed) == [6 + 6 + 10] * 3


def network(n):
    return [LayerConfig(period=100 + k, refresh_flags=0b1011 << k, pattern=Pattern(k % 3), tm=16, tn=16, tr=1,
                        tc=16, layer_cycles=1000, banks_in=1, banks_out=2, banks_w=3) for k in range(n)]


def test_layer_malformed_accepts_what_unpack_words_accepts():
    words = pack_words(network(4), 64)
    unpack_words(words, 64)
    per = words_per_layer(64)
    assert all(layer_malformed(words[k * per:(k + 1) * per], k, 4, 64) == [] for k in range(4))


@pytest.mark.parametrize("word,mask,value", [
    (0, 0xFFFF_FFFF, lambda w: w | (1 << 30)),         # reserved bits
    (0, 0xFFFF_FFFF, lambda w: w | (3 << 24)),         # pattern 3
    (1, 0xFFFF_FFFF, lambda w: w & 0xFFFF_0000),       # tm = 0
    (4, 0xFFFF_FFFF, lambda w: 60 | (10 << 16)),       # 70 banks allocated
    (0, 0xFFFF_FFFF, lambda w: w | (1 << 26)),         # 'last' on a layer that is not the last
])
def test_layer_malformed_flags_what_unpack_words_rejects(word, mask, value):
    words = pack_words(network(3), 64).astype(np.uint64)
    per = words_per_layer(64)
    words[per + word] = value(int(words[per + word])) & mask
    with pytest.raises(ConfigWordError):
        unpack_words(words, 64)
    assert layer_malformed(words[per:2 * per], 1, 3, 64)


def test_layer_malformed_period_zero_with_flags():
    words = pack_words(network(1)[:1], 64)  # a LayerConfig cannot hold this rule break: edit the word
    assert layer_flags(words, 64) != 0
    words[0] &= ~np.uint32((1 << 24) - 1)  # period 0, flags kept
    assert layer_malformed(words, 0, 1, 64) == ["refresh flags with period 0"]
    words = pack_words([replace(network(1)[0], period=0, refresh_flags=0)], 64)
    assert layer_malformed(words, 0, 1, 64) == []


def test_loader_timing_by_hand():
    # start in cycle 0; READ in cycles 1..9 (8 words + one cycle of read latency); APPLY in 10;
    # layer_valid seen in 11, layer_done in 12 (delay 0); READ 13..21, APPLY 22; seen in 23,
    # five idle cycles 24..28, layer_done in 29; done high from cycle 30.
    words = pack_words(network(2), 64)
    model = run_loader(words, 64, 1024, 9000, 2, [0, 5])
    assert [a[0] for a in model.applied] == [10, 22]
    assert model.cycles == 30


def test_controller_one_layer_no_traffic_by_hand():
    config = load_rana_config()
    rows = config.edram.rows_per_bank
    period = rows + 100
    tail = 3 * period + rows + 50  # the third sweep ends before done; a fourth pulse would come later
    cfg = replace(network(1)[0], period=period, refresh_flags=0b111)
    run = run_controller(config, pack_words([cfg], 64), 1, [LayerTraffic([], [], [], [], tail=tail)])
    # period loaded at the end of APPLY (cycle 10): pulses at 10 + k*period before done (cycle 13 + tail)
    pulses = [10 + k * period for k in range(1, 4)]
    assert run.pulses == pulses and run.cycles == 13 + tail
    assert run.counters["rows_refreshed"] == {b: (3 * rows if b < 3 else 0) for b in range(64)}
    assert run.counters["words_refreshed"] == 3 * 3 * rows * config.refresh_words_per_row
    assert run.counters["layers_loaded"] == 1 and not run.error and not run.violation


@pytest.mark.parametrize("network", ["alexnet", "vgg16", "googlenet", "resnet50"])
def test_controller_model_refreshes_exactly_the_schedulers_gamma(network):
    """Whole networks at the real time scale: the cycle model the RTL is held to (pulses from the divider,
    sweeps of the flagged banks, the loader between layers) refreshes exactly the scheduler's γ (eq. 14's
    refresh count, a closed form: pulses × flagged banks × bank words, divider phase carried across layers)."""
    from hymem.golden.rana.designs import DESIGNS
    from hymem.golden.rana.scheduler import schedule_network

    cfg = load_rana_config()
    for design in DESIGNS:
        s = schedule_network(network, design, cfg)
        if s.buffer.kind != "edram":
            continue
        configs = [lay.config for lay in s.layers]
        run = run_controller(cfg, pack_words(configs, cfg.edram.n_banks), len(configs), idle_traffic(configs))
        gamma = sum(int(lay.counts["refresh"]) for lay in s.layers)
        assert run.counters["words_refreshed"] == gamma, design
        assert run.counters["violations"] == 0, design
