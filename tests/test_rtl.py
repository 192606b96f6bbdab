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
