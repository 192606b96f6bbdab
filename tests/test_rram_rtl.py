"""RRAM accelerator RTL beyond the registry's regression (``tb.rram.test_accelerator``):

* real network slices (``tb.rram.test_network``): a VGG-11 conv3_2 tile set and the int8
  digits CNN, bit-exact and counter-exact;
* a ``configs/rram.toml`` variant whose weight buffer is one slow bank (latency 5, a read
  every 4 cycles) with a 2-tile prefetch and a depth-8 accumulation buffer, so wait states
  dominate: the same regression, every counter (cycles and waits included) equal to
  ``golden.rram.rtl_timing``.
"""

import re

from hymem.golden.rram.params import load_params
from hymem.tools.runner import run_cocotb
from hymem.tools.toolchain import REPO

SLOW_WEIGHTS = {
    "weight_banks": 1,
    "weight_latency": 5,
    "weight_bank_busy": 4,
    "weight_fifo_depth": 2,
    "max_acc_depth": 8,
}


def slow_weight_toml(tmp_path):
    text = (REPO / "configs" / "rram.toml").read_text()
    rtl_table = text.index("[rtl]")
    head, tail = text[:rtl_table], text[rtl_table:]
    for key, value in SLOW_WEIGHTS.items():
        tail, n = re.subn(rf"^{key} = \d+", f"{key} = {value}", tail, flags=re.MULTILINE)
        assert n == 1, f"configs/rram.toml [rtl] has no single line '{key} = ...'"
    path = tmp_path / "rram_slow_weights.toml"
    path.write_text(head + tail)
    rtl = load_params(path).rtl
    assert {k: getattr(rtl, k) for k in SLOW_WEIGHTS} == SLOW_WEIGHTS
    return path


def test_rram_network_slices(sim):
    run_cocotb("rram_accelerator", "hymem.tb.rram.test_network", sim, test_id="rram_accelerator-network")


def test_rram_slow_weight_buffer(tmp_path, sim):
    run_cocotb(
        "rram_accelerator",
        "hymem.tb.rram.test_accelerator",
        sim,
        test_id="rram_accelerator-slow_weights",
        config=slow_weight_toml(tmp_path),
        testcase=["edge_tiles_both_orders_every_depth", "random_layers_with_idle_gaps"],
    )
