"""Benchmark: the full MaxNVM real-model study (``hymem maxnvm study``) at the configured trials.

Records the wall time and the study's headline figures (CTT MLC3 error
increase of the bitmask without and with IdxSync, the ITN bound) so a run's
results sit next to its cost; the full JSON goes to build/bench/maxnvm_study_result.json.
"""

from __future__ import annotations

import json
import time


def run() -> list[dict]:
    from hymem.golden.maxnvm.params import load_maxnvm_config
    from hymem.golden.maxnvm.study import run_study
    from hymem.tools.toolchain import BUILD

    cfg = load_maxnvm_config()
    t0 = time.perf_counter()
    res = run_study(cfg)
    wall = time.perf_counter() - t0
    out = BUILD / "bench" / "maxnvm_study_result.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1))
    rows = {(r["technology"], r["encoding"], r["structure"], r["bits_per_cell"]): r
            for r in res["vulnerability"]}
    maps = len(res["vulnerability"]) * res["trials"]
    recs = [{"name": "maxnvm_study_wall", "figure": round(wall, 2), "unit": "s",
             "note": f"deploy + ITN ({res['itn']['retrains']} retrainings) + {maps} Fig. 5 fault maps "
                     f"+ Fig. 6 search + IdxSync sweep, {res['trials']} trials; JSON in {out}"},
            {"name": "maxnvm_itn_bound", "figure": round(100 * res["itn"]["bound"], 3), "unit": "%",
             "note": res["itn"]["definition"]}]
    for enc in ("BitMask", "BitM+IdxSync", "BitM+ECC"):
        r = rows[("ctt", enc, "mask", 3)]
        recs.append({"name": f"maxnvm_ctt_mlc3_mask_{enc.replace('+', '_').lower()}_delta_error",
                     "figure": round(100 * r["delta_error"], 3), "unit": "%",
                     "note": f"mean error increase over {r['trials']} fault maps, safe={r['safe']}"})
    return recs


if __name__ == "__main__":
    for rec in run():
        print(rec)
