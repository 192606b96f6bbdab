"""MaxNVM BitmaskDecoder area with and without IdxSync (Yosys generic cells, memories excluded), for
NVDLA's 16-bit elements and for bit-packed ``index_bits``-bit cluster indices."""

from __future__ import annotations

from hymem.tools.synth import synthesize

PAIRS = {  # (IdxSync top, unprotected top): what
    ("maxnvm_bitmask_decoder", "maxnvm_bitmask_decoder_noidx"): "16-bit NVDLA elements",
    ("maxnvm_bitmask_decoder_packed", "maxnvm_bitmask_decoder_packed_noidx"): "packed index_bits-bit indices",
}


def run() -> list[dict]:
    results = []
    for (top, base_top), what in PAIRS.items():
        reports = {t: synthesize(t) for t in (top, base_top)}
        base = reports[base_top]["cells"]
        for t, role in ((top, "IdxSync"), (base_top, "unprotected baseline")):
            r = reports[t]
            results.append({
                "name": f"{t}_cells",
                "figure": r["cells"],
                "unit": "cells",
                "note": f"{what}, {role}: {r['flip_flops']} flip-flops; {r['cells'] / base:.2f}x the unprotected "
                        "decoder (same RTL elaborated with idxsync_support=False); surface memories are outside",
            })
    return results
