"""RTL regressions: every registered top's cocotb module on every selected simulator.

Test ids are ``test_rtl[<top>-<sim>]``, so ``-k hydra_mac``, ``-k verilator``
and ``make sim TESTS=hydra`` select as expected.
"""

import pytest

from rtl.registry import TOPS
from tb.runner import run_cocotb

VERIFIED_TOPS = sorted(name for name, top in TOPS.items() if top.tb)


@pytest.mark.parametrize("top", VERIFIED_TOPS)
def test_rtl(top, sim):
    run_cocotb(top, TOPS[top].tb, sim)


def test_hdl_clock_wrapper(sim):
    """The Verilog-clock wrapper of Verilator benchmarks runs a regression unchanged; Icarus refuses it."""
    if sim != "verilator":
        with pytest.raises(ValueError, match="hdl_clock is for Verilator"):
            run_cocotb("hydra_unit_bench", TOPS["hydra_unit_bench"].tb, sim, hdl_clock=True)
        return
    outcome = run_cocotb("hydra_unit_bench", TOPS["hydra_unit_bench"].tb, sim, test_id="hydra_unit_bench-hdl_clock",
                         hdl_clock=True)
    assert outcome["tests"] == 1 and outcome["failed"] == 0
