"""The phase-averaged refresh count (golden.rana.study.PhaseAveraged) is the mean, over every
start phase of the divider, of the whole-pulse count the RTL makes (golden/rana/cost.py γ)."""

import numpy as np
import pytest

from hymem.golden.config import ConfigError
from hymem.golden.rana.cost import controller_overhead
from hymem.golden.rana.params import load_rana_config
from hymem.golden.rana.scheduler import schedule_network
from hymem.golden.rana.study import counted


def _over_phases(schedule) -> np.ndarray:
    """Walk the layers from every start phase 0..period-1, counting whole pulses per layer as
    the divider does (floor((phase + span) / period), phase carried), and average."""
    buf = schedule.buffer
    phase = np.arange(buf.period_cycles)
    words = np.zeros(buf.period_cycles)
    last = len(schedule.layers) - 1
    for i, lay in enumerate(schedule.layers):
        span = int(lay.counts["cycles"]) + controller_overhead(buf.n_banks, last=i == last)
        pulses = (phase + span) // buf.period_cycles
        refreshed = int(lay.counts["refresh"])
        if refreshed:   # words per pulse from the model's own count at phase 0 of this layer
            per_pulse = counted(schedule)._words_per_pulse(lay.counts, buf)
            words += pulses * per_pulse
        phase = (phase + span) % buf.period_cycles
    return words


@pytest.mark.parametrize("design, interval_us", [("eD+OD", 180.0), ("RANA*(E-5)", None)])
def test_phase_averaged_is_the_mean_over_start_phases(design, interval_us):
    cfg = load_rana_config()
    s = schedule_network("alexnet", design, cfg, interval_us=interval_us)
    assert counted(s, "pulses") is s
    avg, by_phase = counted(s).totals()["refresh"], _over_phases(s)
    assert by_phase[0] == s.totals()["refresh"] > 0   # the walk at phase 0 is the model's γ
    assert by_phase.min() < by_phase.max()             # the count does depend on the phase
    assert avg == pytest.approx(by_phase.mean(), rel=1e-9)
    # the other events are untouched
    for event in ("mac", "buffer", "ddr"):
        assert counted(s).totals()[event] == s.totals()[event]


def test_unknown_refresh_count_lists_the_valid_ones():
    s = schedule_network("alexnet", "eD+OD", load_rana_config())
    with pytest.raises(ConfigError, match="valid: phase_averaged, pulses"):
        counted(s, "rate")
