"""RANA RTL from a configs/rana.toml variant: one parameter source sizes RTL, golden and testbench.

20 banks (not a multiple of 32, so a flag word has bits for banks that do not
exist, which the loader must reject), 50 rows per bank, max_wait 2 and a
256-word configuration memory; the block regressions run unchanged.
"""

import re

import pytest

from hymem.golden.rana.params import load_rana_config
from hymem.tools.runner import run_cocotb
from hymem.tools.toolchain import REPO

VARIANT = {"n_banks": 20, "rows_per_bank": 50, "refresh_max_wait": 2, "config_memory_words": 256}


def variant_toml(tmp_path):
    text = (REPO / "configs" / "rana.toml").read_text()
    for key, value in VARIANT.items():
        text, n = re.subn(rf"^{key} = \d+", f"{key} = {value}", text, flags=re.MULTILINE)
        assert n == 1, f"configs/rana.toml has no single line '{key} = …'"
    path = tmp_path / "rana_20_banks.toml"
    path.write_text(text)
    e = load_rana_config(path).edram
    assert (e.n_banks, e.rows_per_bank, e.refresh_max_wait, e.config_memory_words) == tuple(VARIANT.values())
    return path


@pytest.mark.parametrize("top", ["rana_refresh_controller", "rana_config_loader"])
def test_rana_blocks_with_a_config_variant(tmp_path, sim, top):
    run_cocotb(top, f"hymem.tb.rana.test_{top.removeprefix('rana_')}", sim, test_id=f"{top}-20_banks",
               config=variant_toml(tmp_path))


def test_rana_controller_refreshes_alexnets_scheduled_gamma(sim):
    """AlexNet's five RANA*(E-5) layers, uncompressed (3.1 M cycles at 200 MHz), through the controller RTL:
    words refreshed == the scheduler's γ, every counter == the cycle model (tb/rana/bench_network.py).
    Verilator only: Icarus runs this design at ~30 k cycles/s (the compressed co-simulations cover it)."""
    if sim != "verilator":
        pytest.skip("3.1 M cycles: Verilator only")
    run_cocotb("rana_edram_controller", "hymem.tb.rana.bench_network", sim, test_id="rana_network_gamma-alexnet",
               extra_env={"HYMEM_RANA_NETWORKS": "alexnet"})
