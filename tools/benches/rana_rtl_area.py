"""RANA eDRAM controller area from ``make synth`` (Yosys generic synth cell counts)."""

from __future__ import annotations

from hymem.tools.synth import synthesize

# The generic flow has no RAM macros: the 1024 x 32-bit configuration memory becomes flip-flops.
MEMORY_NOTE = "; includes the 1024 x 32-bit configuration memory as 32 768 flip-flops (no RAM macro)"
TOPS = ("rana_edram_controller", "rana_refresh_controller", "rana_clock_divider", "rana_config_loader")


def run() -> list[dict]:
    results = []
    for top in TOPS:
        report = synthesize(top)
        results.append({
            "name": f"{top}_cells",
            "figure": report["cells"],
            "unit": "cells",
            "note": f"{report['flip_flops']} flip-flops; Yosys generic synth (internal gate library), "
                    f"configs/rana.toml (64 banks x 727 rows, 32-bit counters)"
                    + (MEMORY_NOTE if top in ("rana_edram_controller", "rana_config_loader") else ""),
        })
    return results
