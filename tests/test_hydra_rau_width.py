"""[system] rau_entries (R): the READ path moves up to R entries of one output channel per cycle.
Golden counts against independent walks over the entries, the config's checks, and the cycle gain
on VGG-16 conv1_1 (every job READ)."""

from dataclasses import replace

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.hydra.cycles import layer_cycles, layer_jobs, overlap_read_cycles
from hymem.golden.hydra.params import load_hydra_config
from hymem.golden.hydra.system import system_counts
from hymem.golden.hydra.unit import UnitGeometry, read_transfers
from hymem.golden.workloads import load_network
from hymem.golden.workloads.layers import make_layer

CONFIG = load_hydra_config()


def with_system(config, **fields):
    return replace(config, system=replace(config.system, **fields))


def walked_transfers(entries: int, positions: int, r: int) -> int:
    """Transfers by walking the entries: entry e is position e mod P of channel e // P, and a
    transfer holds the entries of one channel whose positions share p // R."""
    e = np.arange(entries)
    return len({(int(c), int(p) // r) for c, p in zip(e // positions, e % positions)})


def test_read_transfers_by_hand_and_by_walk():
    assert read_transfers(9, 9, 4) == 3          # 4 + 4 + 1
    assert read_transfers(12, 9, 4) == 4         # a channel, then 3 of the next: 4 + 4 + 1, 3
    assert read_transfers(18, 9, 1) == 18
    rng = np.random.default_rng(7)
    for _ in range(200):
        r = int(2 ** rng.integers(0, 6))
        positions = int(rng.integers(1, 80))
        entries = int(rng.integers(1, 4 * positions + 1))
        assert read_transfers(entries, positions, r) == walked_transfers(entries, positions, r)


@pytest.mark.parametrize("bad", [0, 3, 6, 64])
def test_config_rejects_widths_that_are_not_a_slice_of_an_ob_word(bad):
    with pytest.raises(ConfigError, match="power of two dividing system.n_macs=32"):
        with_system(CONFIG, rau_entries=bad)


def test_toml_default_is_four_and_one_stays_valid():
    assert CONFIG.system.rau_entries == 4
    assert UnitGeometry.from_config(with_system(CONFIG, rau_entries=1)).rau_entries == 1


def test_read_cycles_count_transfers():
    # One READ of a 3x3-output conv job with 2 output channels: 2 x (4 + 4 + 1) transfers at R = 4,
    # 18 entries at R = 1; the read engine's constant (6 on the last pass) does not change with R.
    layer = make_layer("c", "conv", (2, 3, 3), out_ch=2, kernel=3, stride=1, padding=1, bias=True)
    costs = {}
    for r in (1, 4):
        jobs = layer_jobs(layer, with_system(CONFIG, rau_entries=r))
        (lj,) = [lj for lj in jobs if lj.reads]
        costs[r] = overlap_read_cycles(lj, r)
    assert costs == {1: 18 + 6, 4: 2 * 3 + 6}


def test_rau_counters_count_memory_words_per_transfer():
    # pass_accumulation = "rau": every pass is READ into the RAU; sums count entries, the
    # accumulation- and bias-memory counters one word per transfer (walked independently).
    config = with_system(CONFIG, pass_accumulation="rau", n_units=2)
    layer = make_layer("c", "conv", (5, 7, 5), out_ch=3, kernel=3, stride=1, padding=1, bias=True)
    geo = UnitGeometry.from_config(config)
    jobs = layer_jobs(layer, config)
    counts = system_counts(jobs, geo, config.mac.variant, 2)
    read = [lj for lj in jobs if lj.reads]
    entries = [lj.job.channels * lj.job.positions for lj in read]
    words = [walked_transfers(e, lj.job.positions, 4) for e, lj in zip(entries, read)]
    assert counts["sums"] == sum(entries) and sum(words) < sum(entries)
    firsts = [lj.c0 == 0 for lj in read]
    lasts = [lj.c0 + lj.active_units == layer.in_ch for lj in read]
    assert counts["acc_reads"] == sum(w for w, f in zip(words, firsts) if not f)
    assert counts["acc_writes"] == sum(w for w, last in zip(words, lasts) if not last)
    assert counts["bias_reads"] == sum(w for w, last in zip(words, lasts) if last)
    assert counts["u0_ob_reads"] - sum(lj.job.channels * lj.job.groups(geo.n_macs) * lj.job.accumulates
                                       for lj in jobs) == sum(words)


def test_wider_read_path_shortens_vgg16_conv1_1():
    # conv1_1 (3 -> 64 channels, one pass): every job is READ, so with ideal memory its READs bound
    # the overlapped schedule at R = 1; at R = 4 the READs take a quarter of the cycles.
    conv1_1 = load_network("vgg16").layers[0]
    cycles = {r: layer_cycles(conv1_1, with_system(CONFIG, rau_entries=r)).cycles for r in (1, 4)}
    outputs = conv1_1.out_ch * conv1_1.out_h * conv1_1.out_w
    assert cycles[1] >= outputs > cycles[4]


def test_packer_refuses_transfers_wider_than_a_beat():
    # The sim top's write-back packs n_units x values_per_word outputs per beat; a transfer of more
    # values than a beat would need two beats pushed in one cycle: refused with the reason.
    from hymem.rtl.hydra.output_packer import OutputPacker

    with pytest.raises(ValueError, match="rau_entries too large"):
        OutputPacker(16, 8, 4, per_transfer=16)
