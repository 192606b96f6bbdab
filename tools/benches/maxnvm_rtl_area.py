"""MaxNVM BitmaskDecoder area with and without IdxSync (Yosys generic cells, memories excluded)."""

from __future__ import annotations

from tools.synth import synthesize

TOPS = {"maxnvm_bitmask_decoder": "IdxSync", "maxnvm_bitmask_decoder_noidx": "unprotected baseline"}


def run() -> list[dict]:
    reports = {top: synthesize(top) for top in TOPS}
    base = reports["maxnvm_bitmask_decoder_noidx"]["cells"]
    return [{
        "name": f"{top}_cells",
        "figure": r["cells"],
        "unit": "cells",
        "note": f"{what}: {r['flip_flops']} flip-flops; {r['cells'] / base:.2f}x the unprotected decoder "
                "(same RTL elaborated with idxsync_support=False); surface memories are outside the decoder",
    } for (top, what), r in zip(TOPS.items(), reports.values())]
