"""RRAM accelerator RTL: simulation speed on each simulator and MAC utilisation on VGG-11.

* ``rram_rtl_cycles_per_s_<sim>``: a VGG-11 conv3_2 tile through the RTL instance
  (``tb/rram/bench_vgg11.py``), cycles per wall second of the run, checked bit- and
  counter-exact.
* ``rram_rtl_util_<layer>``: MAC utilisation (useful MACs / (cycles x p·n·m)) of every VGG-11
  conv layer on the paper's 8 x 8 x 8 array, pixel-first with Table 5's depth 16 (g = 8),
  with the RTL's cycles from ``golden.rram.rtl_timing.replay`` (which the regressions hold
  equal to the RTL's cycle counter) and its weight-buffer timing from ``[rtl]``, with raster
  pixel groups where they apply (``pixel_groups = "auto"``: all of VGG-11's convs) and, as
  ``rram_rtl_util_row_<layer>``, with seed 002's row-local groups.  Target (issue 14): >= 90 %
  on 3 x 3 layers whose channel counts are multiples of 8.
* ``rram_rtl_wide_util_<row|raster>_<sim>``: two full 14-pixel rows of conv5_1 through the RTL
  instance in each pixel grouping: the utilisation the RTL's own counters measure.
"""

from __future__ import annotations

import dataclasses

from hymem.golden.rram.loopnest import pixel_group_modes
from hymem.golden.rram.params import load_params
from hymem.golden.rram.rtl_params import Order
from hymem.golden.rram.rtl_timing import loop_nest_counts, replay, tile_from_layer
from hymem.golden.workloads import get_network
from hymem.tools.bench import cocotb_bench
from hymem.tools.toolchain import SIMULATORS

PAPER_DEPTH = 16


def utilisation_rows(pixel_groups: str = "auto") -> list[dict]:
    config = load_params()
    a = config.array
    rtl = dataclasses.replace(config.rtl, p=a.p, n=a.n, m=a.m, max_acc_depth=PAPER_DEPTH)
    rows = []
    for layer in get_network("vgg11").layers:
        if layer.kind != "conv":
            continue
        mode, = pixel_group_modes([layer], a.p, pixel_groups)
        tile = tile_from_layer(layer, Order.PIXEL_FIRST, PAPER_DEPTH // 2, mode)
        counts = {**loop_nest_counts(tile, rtl, a), **replay(tile, rtl)}
        util = counts["macs"] / (counts["cycles"] * a.p * a.n * a.m)
        target = layer.in_ch % 8 == 0 and layer.out_ch % 8 == 0
        rows.append(
            {
                "name": f"rram_rtl_util_{'' if pixel_groups == 'auto' else 'row_'}{layer.name}",
                "figure": round(100 * util, 2),
                "unit": "%",
                "note": f"{layer.in_ch}->{layer.out_ch} ch, {layer.out_h}x{layer.out_w}: "
                f"{counts['macs']} MACs in {counts['cycles']} cycles ({counts['steps']} ideal, "
                f"{counts['weight_waits']} weight waits, {counts['half_waits']} half waits) "
                f"on {a.p}x{a.n}x{a.m}, pixel-first g = {PAPER_DEPTH // 2}, {mode} pixel groups"
                + (
                    "; target >= 90 %: " + ("met" if util >= 0.9 else "MISSED")
                    if target
                    else "; channels not multiples of 8: outside the target"
                ),
            }
        )
    return rows


def run() -> list[dict]:
    results = []
    for sim in SIMULATORS:
        raw = cocotb_bench("rram_rtl_vgg11", "rram_accelerator", "hymem.tb.rram.bench_vgg11", sim)
        results.append(
            {
                "name": f"rram_rtl_cycles_per_s_{sim}",
                "figure": round(raw["cycles_per_second"]),
                "unit": "cycles/s",
                "note": f"VGG-11 {raw['layer']} tile ({raw['tile']}) on the {raw['array']} RTL "
                "instance: "
                f"{raw['cycles']} cycles in {raw['seconds']:.1f} s wall (loading excluded), "
                f"MAC utilisation {100 * raw['utilisation']:.1f} %; results and counters "
                "equal golden",
            }
        )
        for mode, c in raw["wide"].items():
            results.append(
                {
                    "name": f"rram_rtl_wide_util_{mode}_{sim}",
                    "figure": round(100 * c["macs"] / (c["cycles"] * raw["pe_macs"]), 2),
                    "unit": "%",
                    "note": f"{raw['wide_tile']}, {mode} pixel groups on the {raw['array']} RTL: "
                    f"{c['macs']} MACs in {c['cycles']} cycles ({c['steps']} steps), RTL counters",
                }
            )
    return results + utilisation_rows("auto") + utilisation_rows("row")
