"""cocotb benchmark: whole networks through the RANA eDRAM controller at the real time scale.

Every convolution of a network, as the golden scheduler configures it for a
Table IV design (periods, flags, layer cycles uncompressed: 200 MHz cycles),
runs through ``rana_edram_controller`` back to back, with no buffer traffic
(the controller's refresh work does not depend on it when no access collides
with a sweep).  Asserted: every RTL counter equals the cycle model's
(``golden.rana.controller.run_controller``), and the RTL's words refreshed
equal the scheduler's γ of eq. (14) for the whole network, so the refresh
energy from the RTL's counters equals the energy the scheduler optimized.
Python only waits for ``layer_valid`` and each layer's end, never per cycle.
``tests/test_rana_rtl_variant.py`` runs AlexNet in the regression (Verilator);
``make bench BENCH=rana_network_gamma`` runs all three.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import cocotb

from hymem.golden.energy import account
from hymem.golden.rana.config_words import pack_words
from hymem.golden.rana.controller import idle_traffic
from hymem.golden.rana.scheduler import schedule_network
from hymem.tb.common.clock import cycle_now
from hymem.tb.common.watchdog import Watchdog
from hymem.tb.rana.harness import Bench
from hymem.tb.runner import tb_component

ALL_RUNS = {  # network -> design: the optimized controller on two networks, the conventional one on a third
    "alexnet": "RANA*(E-5)",
    "googlenet": "eD+ID",
    "resnet50": "RANA*(E-5)",
}
# HYMEM_RANA_NETWORKS=alexnet,...: a subset (the regression runs AlexNet; the bench all three)
RUNS = {n: ALL_RUNS[n] for n in os.environ.get("HYMEM_RANA_NETWORKS", ",".join(ALL_RUNS)).split(",")}


def _results_path() -> Path | None:
    out = os.environ.get("HYMEM_BENCH_OUT")
    return Path(out) if out else None


@cocotb.test()
@cocotb.parametrize(network=list(RUNS))
async def bench_network_gamma(dut, network):
    config = tb_component()[1]
    design = RUNS[network]
    schedule = schedule_network(network, design, config)
    configs = [lay.config for lay in schedule.layers]
    words = pack_words(configs, config.edram.n_banks)
    layers = idle_traffic(configs)
    bench = Bench(dut, f"{network} {design}")
    longest = max(c.layer_cycles for c in configs)
    watchdog = Watchdog(bench.progress, longest + 10_000, bench.name).start()
    began, first_cycle = time.perf_counter(), cycle_now()
    measured = await bench.run(words, len(configs), layers)
    seconds = time.perf_counter() - began
    watchdog.stop()
    bench.check_against_golden(words, len(configs), layers, measured)
    gamma = sum(int(lay.counts["refresh"]) for lay in schedule.layers)
    assert measured["words_refreshed"] == gamma, (measured["words_refreshed"], gamma)
    rtl_pj = account({"refresh": measured["words_refreshed"]}, {"refresh": schedule.costs["refresh"]}).total_pj
    # same words x the same Table III energy; the scheduler sums per layer, hence float rounding only
    assert math.isclose(rtl_pj, schedule.energy_pj()["refresh"], rel_tol=1e-12), (rtl_pj, schedule.energy_pj())
    cycles = cycle_now() - first_cycle
    result = {"network": network, "design": design, "layers": len(configs), "cycles": cycles,
              "seconds": seconds, "cycles_per_second": cycles / seconds, "pulses": measured["pulses"],
              "words_refreshed": measured["words_refreshed"], "scheduler_gamma": gamma,
              "refresh_energy_uj": rtl_pj / 1e6}
    dut._log.info(f"{result}")
    path = _results_path()
    if path:
        done = json.loads(path.read_text()) if path.is_file() else []
        path.write_text(json.dumps([*done, result]))
