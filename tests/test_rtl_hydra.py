"""RTL regressions of the Hydra blocks on each simulator (cocotb modules in tb/hydra/)."""

from tb.runner import run_cocotb


def test_hydra_mac(sim):
    run_cocotb("hydra_mac", "tb.hydra.test_mac", sim)
