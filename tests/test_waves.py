"""The waves flow: a dump per simulator that parses, and a golden timeline that matches it cycle by cycle."""

import pywellen

from hymem.tb.common.clock import CLOCK_PERIOD_NS
from hymem.tools.runner import WAVES_DIR, run_cocotb

CASE = "test_mac_idle_and_backpressure"


def values_by_name(path, scope_suffix: str) -> dict:
    """``{signal name: pywellen Signal}`` for variables directly under a scope ending in ``scope_suffix``."""
    waveform = pywellen.Waveform(str(path))
    return {
        var.name.split("[")[0]: var.signal
        for var in waveform.all_vars()
        if var.full_name.rsplit(".", 1)[0].endswith(scope_suffix)
    }, waveform.timescale


def to_ns(timescale) -> float:
    return timescale.factor * {"fs": 1e-6, "ps": 1e-3, "ns": 1.0}[str(timescale.unit)]


def first_defined_ns(signal, limit_ns: int = 10_000) -> int:
    """The golden VCD starts at cycle 0; before that its signals are x."""
    return next(t for t in range(limit_ns) if signal.value_at(t) not in (None, "x"))


def test_golden_timeline_matches_rtl_dump(sim):
    test_id = "waves-check"
    outcome = run_cocotb("hydra_mac", "hymem.tb.hydra.test_mac", sim, test_id=test_id, testcase=CASE, waves=True)
    golden_path = WAVES_DIR / f"{test_id}-{sim}-idle_and_backpressure.golden.vcd"
    rtl, rtl_scale = values_by_name(outcome["waves"], "hydra_mac")
    golden, golden_scale = values_by_name(golden_path, "golden")
    cycle = golden.pop("cycle")
    assert set(golden) <= set(rtl), f"golden signals missing from the RTL dump: {set(golden) - set(rtl)}"

    assert to_ns(golden_scale) == 1.0
    first_change = first_defined_ns(golden["busy"])
    n_cycles = cycle.value_at(10**12) + 1  # the whole run, sampled mid-cycle
    assert n_cycles > 10_000
    mismatches = []
    for c in range(n_cycles):
        t_ns = first_change + c * CLOCK_PERIOD_NS + CLOCK_PERIOD_NS / 2
        for name, signal in golden.items():
            want = signal.value_at(int(t_ns / to_ns(golden_scale)))
            got = rtl[name].value_at(int(t_ns / to_ns(rtl_scale)))
            if want != got:
                mismatches.append((c, name, got, want))
    assert not mismatches, f"{len(mismatches)} differences (cycle, signal, rtl, golden): {mismatches[:5]}"

