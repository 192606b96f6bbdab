"""RTL regressions: every registered top's cocotb module on every selected simulator.

Test ids are ``test_rtl[<top>-<sim>]``, so ``-k hydra_mac``, ``-k verilator``
and ``make sim TESTS=hydra`` select as expected.
"""

import pytest

from hymem.rtl.registry import TOPS
from hymem.tools.runner import run_cocotb

VERIFIED_TOPS = sorted(name for name, top in TOPS.items() if top.tb)


@pytest.mark.parametrize("top", VERIFIED_TOPS)
def test_rtl(top, sim):
    run_cocotb(top, TOPS[top].tb, sim)


def test_benchmark_top_options(sim):
    """Benchmarks' registered reset and Verilog clock run a regression unchanged; Icarus refuses the clock."""
    if sim != "verilator":
        with pytest.raises(ValueError, match="hdl_clock is for Verilator"):
            run_cocotb("hydra_unit", "hymem.tb.hydra.bench_unit", sim, hdl_clock=True)
        outcome = run_cocotb("hydra_unit", "hymem.tb.hydra.bench_unit", sim, test_id="hydra_unit-registered_reset",
                             registered_reset=True)
    else:
        outcome = run_cocotb("hydra_unit", "hymem.tb.hydra.bench_unit", sim, test_id="hydra_unit-bench_options",
                             hdl_clock=True, registered_reset=True)
    assert outcome["tests"] == 1 and outcome["failed"] == 0
